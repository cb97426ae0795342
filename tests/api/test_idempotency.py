"""``Idempotency-Key``: a retried create returns the first answer and writes nothing; the same key with another
body is a 422; keys are per user (per client address on the public endpoints) and kept 24 hours."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from practice.models import MoodEntry, Patient
from research.models import ExpressionOfInterest
from sanctuary.api.idempotency import HEADER, REPLAYED_HEADER
from sanctuary.models import IdempotencyKey
from tests.api.therapist_helpers import NS, Desk, make_desk

KEY: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "3f1c2a9e-6b1d-4b59-9f0e-2d8c4a7b1e55"}
EOI = "/api/v1/research/eoi/"
EOI_BODY = {
    "email": "person@example.test",
    "email_consent": True,
    "audience": "other",
    "full_name": "Gus",
    "support_interest": "Spread the word",
}


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()


def _create_patient(client: APIClient, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(reverse(NS + "patient-list"), body, format="json", **headers)


def test_a_retried_create_returns_the_first_answer_and_writes_nothing(desk: Desk) -> None:
    body = {"first_name": "Ada", "last_name": "Lark"}
    first = _create_patient(desk.client, body, **KEY)
    assert first.status_code == 201 and REPLAYED_HEADER not in first
    again = _create_patient(desk.client, body, **KEY)
    assert again.status_code == 201 and again[REPLAYED_HEADER] == "true"
    assert again.json() == first.json()
    assert Patient.objects.filter(therapist=desk.therapist, first_name="Ada").count() == 1


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(desk: Desk) -> None:
    assert _create_patient(desk.client, {"first_name": "Ada", "last_name": "Lark"}, **KEY).status_code == 201
    response = _create_patient(desk.client, {"first_name": "Eve", "last_name": "Lark"}, **KEY)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not Patient.objects.filter(first_name="Eve").exists()


def test_without_a_key_every_request_creates(desk: Desk) -> None:
    body = {"first_name": "Ada", "last_name": "Lark"}
    assert _create_patient(desk.client, body).status_code == 201
    assert _create_patient(desk.client, body).status_code == 201
    assert Patient.objects.filter(first_name="Ada").count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_failed_attempt_keeps_no_key_so_the_corrected_retry_runs(desk: Desk) -> None:
    assert _create_patient(desk.client, {"first_name": "", "last_name": "Lark"}, **KEY).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert _create_patient(desk.client, {"first_name": "Ada", "last_name": "Lark"}, **KEY).status_code == 201


def test_keys_are_per_user(desk: Desk) -> None:
    body = {"first_name": "Ada", "last_name": "Lark"}
    assert _create_patient(desk.client, body, **KEY).status_code == 201
    _, token = AuthToken.objects.create(user=desk.other.user)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = _create_patient(other, body, **KEY)
    assert response.status_code == 201 and REPLAYED_HEADER not in response
    assert Patient.objects.filter(first_name="Ada").count() == 2


def test_a_key_older_than_a_day_is_forgotten(desk: Desk) -> None:
    body = {"first_name": "Ada", "last_name": "Lark"}
    assert _create_patient(desk.client, body, **KEY).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = _create_patient(desk.client, body, **KEY)
    assert response.status_code == 201 and REPLAYED_HEADER not in response
    assert Patient.objects.filter(first_name="Ada").count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "with space"])
def test_a_malformed_key_is_a_400(desk: Desk, key: str) -> None:
    response = _create_patient(desk.client, {"first_name": "Ada", "last_name": "Lark"}, HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert not Patient.objects.exists() or not Patient.objects.filter(first_name="Ada").exists()


def test_a_state_change_replays_instead_of_answering_409(desk: Desk) -> None:
    patient = _create_patient(desk.client, {"first_name": "Ada", "last_name": "Lark"}).json()
    url = reverse(NS + "patient-archive", kwargs={"pk": patient["id"]})
    first = desk.client.post(url, {}, format="json", **KEY)
    assert first.status_code == 200
    again = desk.client.post(url, {}, format="json", **KEY)
    assert (again.status_code, again[REPLAYED_HEADER]) == (200, "true")


def test_a_search_keeps_nothing(desk: Desk) -> None:
    response = desk.client.post(reverse(NS + "patient-search"), {"query": "Basil"}, format="json", **KEY)
    assert response.status_code == 200
    assert not IdempotencyKey.objects.exists()


def test_the_portal_honours_the_key(world: dict[str, Any]) -> None:
    from tests.api.test_portal import PORTAL, pat_a

    client = pat_a(world)
    before = MoodEntry.objects.count()
    for _ in range(3):
        response = client.post(reverse(PORTAL + "mood-list"), {"mood_rating": 4}, format="json", **KEY)
        assert response.status_code == 201
    assert MoodEntry.objects.count() == before + 1


def test_public_keys_are_per_client_address(db: None) -> None:
    client = APIClient()
    for _ in range(2):
        assert client.post(EOI, EOI_BODY, format="json", REMOTE_ADDR="198.51.100.7", **KEY).status_code == 201
    assert ExpressionOfInterest.objects.count() == 1
    response = client.post(EOI, EOI_BODY, format="json", REMOTE_ADDR="198.51.100.8", **KEY)
    assert response.status_code == 201 and REPLAYED_HEADER not in response


def test_a_keyed_create_costs_two_statements_more(desk: Desk) -> None:
    def count(n: int, **headers: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _create_patient(desk.client, {"first_name": f"P{n}", "last_name": "Q"}, **headers).status_code == 201
        return len(queries)

    plain = count(1)
    keyed = count(2, HTTP_IDEMPOTENCY_KEY="k-2")
    # The claim (one upsert) and storing the answer, inside the create's transaction (a savepoint and its
    # release here, where the test already holds a transaction).
    assert keyed - plain == 4, (plain, keyed)


def test_concurrent_retries_with_one_key_create_once(transactional_db: None) -> None:
    desk = make_desk()
    _, token = AuthToken.objects.create(user=desk.user)
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def retry() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            results.append(_create_patient(client, {"first_name": "Ada", "last_name": "Lark"}, **KEY))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.json()["id"] for r in results}) == 1
    assert Patient.objects.filter(first_name="Ada").count() == 1
    assert sum(REPLAYED_HEADER not in r for r in results) == 1


def test_the_schema_documents_the_key_on_creates_only() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    def has_key(path: str, method: str = "post") -> bool:
        operation = schema["paths"][path][method]
        return any(p["name"] == HEADER and p["in"] == "header" for p in operation.get("parameters", [])) and (
            "422" in operation["responses"]
        )

    assert has_key("/api/v1/patients/") and has_key("/api/v1/session-notes/{id}/amend/")
    assert has_key("/api/v1/me/mood-entries/") and has_key(EOI)
    assert not has_key("/api/v1/patients/search/") and not has_key("/api/v1/auth/login/")
