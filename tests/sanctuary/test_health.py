from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client

from tests.sanctuary.helpers import free_port


@pytest.mark.django_db
def test_health_reports_the_database_ok(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_database() -> Iterator[None]:
    """Point the connection at a TCP port where nothing listens, then restore it."""
    original = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_health_answers_503_json_when_the_database_is_unreachable(client: Client, unreachable_database: None) -> None:
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}


def test_health_rejects_other_methods(client: Client) -> None:
    assert client.post("/health/").status_code == 405
