"""How long a login lasts: the admin session's idle and absolute limits; API tokens end with the password."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from sanctuary.sessions import SEEN, STARTED

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> User:
    return User.objects.create_user(
        "staffer", "staffer@example.test", "an-old-password-1", is_staff=True, is_superuser=True
    )


def _signed_in(staff: User) -> Client:
    client = Client()
    assert client.post("/admin/login/", {"username": "staffer", "password": "an-old-password-1"}).status_code == 302
    return client


def test_the_session_cookie_lasts_the_idle_period_and_is_renewed_by_activity(staff: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(staff)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    session = client.session
    session[SEEN] = time.time() - 120  # the last renewal was two minutes ago
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 30 * 60  # renewed: another 30 minutes from now


def test_signing_in_stamps_the_session_so_the_next_page_writes_nothing(staff: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _signed_in(staff)
    assert {STARTED, SEEN} <= set(client.session.keys())
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/").status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_an_idle_session_has_expired(staff: User) -> None:
    client = _signed_in(staff)
    session = client.session
    session.set_expiry(-1)  # what 30 idle minutes leave behind
    session.save()
    assert client.get("/admin/").status_code == 302


def test_a_session_older_than_the_absolute_maximum_is_signed_out_whatever_its_activity(staff: User) -> None:
    client = _signed_in(staff)
    assert client.get("/admin/").status_code == 200
    session = client.session
    session[STARTED] = time.time() - 13 * 3600
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/").status_code == 302


def test_a_password_change_revokes_every_api_token(staff: User) -> None:
    _, token = AuthToken.objects.create(user=staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/tokens/").status_code == 200
    staff.set_password("a-new-password-2")
    staff.save()
    assert api.get("/api/v1/auth/tokens/").status_code == 401
    assert not AuthToken.objects.filter(user=staff).exists()


def test_saving_a_user_without_a_new_password_keeps_the_tokens(staff: User) -> None:
    AuthToken.objects.create(user=staff)
    staff.first_name = "Sam"
    staff.save()
    assert AuthToken.objects.filter(user=staff).count() == 1
