"""Token login, expiry, revocation and brute-force lockout of the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

LOGIN = "/api/v1/auth/login/"
TOKENS = "/api/v1/auth/tokens/"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> User:
    return User.objects.create_user("alice", "alice@example.org", PASSWORD)


def login(client: APIClient, username: str = "alice", password: str = PASSWORD, ip: str = "127.0.0.10"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def authed(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_it_issues_an_expiring_token_that_authenticates(alice: User) -> None:
    response = login(APIClient())
    assert response.status_code == 201
    token = response.json()["token"]
    assert response.json()["expiry"] is not None
    listed = authed(token).get(TOKENS)
    assert listed.status_code == 200
    assert [t["current"] for t in listed.json()] == [True]


def test_it_stores_only_a_digest_of_the_token(alice: User) -> None:
    token = login(APIClient()).json()["token"]
    stored = AuthToken.objects.get(user=alice)
    assert stored.digest != token
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        for digest, key in cursor.fetchall():
            assert token not in digest
            assert len(key) < len(token)


def test_an_expired_token_is_refused(alice: User) -> None:
    token = login(APIClient()).json()["token"]
    AuthToken.objects.filter(user=alice).update(expiry=timezone.now() - timedelta(seconds=1))
    response = authed(token).get(TOKENS)
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    assert not AuthToken.objects.filter(user=alice).exists()  # deleted on sight, as knox does


def test_a_token_check_is_one_query_and_expired_siblings_are_swept_at_login(alice: User) -> None:
    from django.test.utils import CaptureQueriesContext

    from sanctuary.api.authentication import TokenAuthentication

    stale = login(APIClient()).json()["token_key"]
    AuthToken.objects.filter(token_key=stale).update(expiry=timezone.now() - timedelta(hours=1))
    token = login(APIClient()).json()["token"]
    assert not AuthToken.objects.filter(token_key=stale).exists()  # the new login swept it
    with CaptureQueriesContext(connection) as queries:
        user, _ = TokenAuthentication().authenticate_credentials(token.encode())
        assert user == alice
        assert getattr(user, "therapist_profile", None) is None  # loaded (as none) with the token
    assert len(queries) == 1


def test_logout_revokes_only_the_token_in_use(alice: User) -> None:
    first = login(APIClient()).json()["token"]
    second = login(APIClient()).json()["token"]
    assert authed(first).post("/api/v1/auth/logout/").status_code == 204
    assert authed(first).get(TOKENS).status_code == 401
    assert authed(second).get(TOKENS).status_code == 200


def test_logout_all_revokes_every_token(alice: User) -> None:
    tokens = [login(APIClient()).json()["token"] for _ in range(3)]
    assert authed(tokens[0]).post("/api/v1/auth/logout-all/").status_code == 204
    assert all(authed(t).get(TOKENS).status_code == 401 for t in tokens)


def test_a_user_can_revoke_their_own_token_but_not_someone_elses(alice: User) -> None:
    User.objects.create_user("charlie", "charlie@example.org", PASSWORD)
    alice_token = login(APIClient()).json()["token"]
    alice_key = AuthToken.objects.get(user=alice).token_key
    charlie_token = login(APIClient(), username="charlie").json()["token"]

    assert authed(charlie_token).delete(f"{TOKENS}{alice_key}/").status_code == 404
    assert authed(alice_token).get(TOKENS).status_code == 200
    assert authed(alice_token).delete(f"{TOKENS}{alice_key}/").status_code == 204
    assert authed(alice_token).get(TOKENS).status_code == 401


def test_wrong_password_is_a_401_in_the_error_shape(alice: User) -> None:
    response = login(APIClient(), password="wrong")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert "Invalid username or password" in error["message"]


def test_bad_input_is_a_400_with_field_errors(alice: User) -> None:
    response = APIClient().post(LOGIN, {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}


def test_five_failures_lock_out_that_user_and_ip_even_with_the_right_password(alice: User) -> None:
    client = APIClient()
    for _ in range(4):
        assert login(client, password="wrong").status_code == 401
    # The fifth failure locks the pair out; from then on even the right password is refused.
    assert login(client, password="wrong").status_code == 429
    locked = login(client)
    assert locked.status_code == 429
    assert locked.json() == {
        "error": {"status": 429, "code": "locked_out", "message": "Too many failed login attempts. Try again later."}
    }
    assert not AuthToken.objects.filter(user=alice).exists()
    # The lockout is per username + IP: the same user from another address is not blocked.
    assert login(client, ip="127.0.0.11").status_code == 201


def test_anonymous_requests_get_401(alice: User) -> None:
    response = APIClient().get(TOKENS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_openapi_schema_and_local_docs_are_served(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the sidecar package's static files, never a CDN.
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content
    assert client.get("/api/redoc/").status_code == 200
