"""A database that does not answer is a 503 with Retry-After, never a 500: in the API (its error shape), the
admin and plain pages (a friendly page), and /health/.

The outage is real: the test points the connection at a port where nothing listens, so psycopg's own
connection error reaches Django exactly as a restarting server's would.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def outage(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", _dead_port())
    monkeypatch.setitem(
        connection.settings_dict, "OPTIONS", {**connection.settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    )
    yield
    connection.close()


def _webhook() -> tuple[bytes, dict[str, Any]]:
    from tests.research.conftest import resend_payload, sign

    body = resend_payload("email.delivered")
    return body, {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sign(body, msg_id="msg_outage").items()}


@pytest.mark.parametrize(
    ("method", "path", "body", "headers"),
    [
        ("get", "/api/v1/patients/", None, {"HTTP_AUTHORIZATION": "Token a-token-that-needs-the-database"}),
        ("post", "/api/v1/research/feedback/", b'{"rating": 4, "comment": "Nice"}', {}),
        ("post", "/webhooks/resend/", None, None),  # signed in the test: a signature is only good for minutes
    ],
)
def test_the_api_answers_an_outage_with_503_in_its_error_shape(
    outage: None,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, Any] | None,
) -> None:
    client = Client(raise_request_exception=False)
    if headers is None:
        body, headers = _webhook()
    if method == "get":
        response = client.get(path, **headers)
    else:
        response = client.post(path, body, content_type="application/json", **headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["status"] == 503 and response.json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize("path", ["/admin/", "/admin/practice/patient/", "/admin/login/"])
def test_pages_answer_an_outage_with_a_friendly_503(outage: None, path: str) -> None:
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-that-needs-the-database"
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "briefly unavailable" in response.content.decode()


def test_health_says_unavailable_with_retry_after(outage: None) -> None:
    response = Client(raise_request_exception=False).get("/health/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {"status": "unavailable", "database": "unavailable"}


def test_once_the_database_is_back_the_next_request_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    original = dict(connection.settings_dict)
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
    monkeypatch.setitem(connection.settings_dict, "PORT", _dead_port())
    client = Client(raise_request_exception=False)
    assert client.get("/health/").status_code == 503
    connection.settings_dict.update({"HOST": original["HOST"], "PORT": original["PORT"]})
    assert client.get("/health/").status_code == 200
