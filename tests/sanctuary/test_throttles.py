"""Rate limits that hold: a client-chosen X-Forwarded-For does not reset them, trusted proxies are honoured
only when configured, and the counters live in the shared PostgreSQL cache (every worker sees them)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from rest_framework.test import APIClient

from sanctuary.api.plumbing import client_ip

pytestmark = pytest.mark.django_db


def _login(client: APIClient, n: int) -> int:
    return client.post(
        "/api/v1/auth/login/",
        {"username": f"nobody{n}", "password": "wrong"},
        format="json",
        HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
    ).status_code


def test_a_spoofed_forwarded_for_does_not_reset_the_login_throttle(settings) -> None:  # type: ignore[no-untyped-def]
    statuses = [_login(APIClient(), n) for n in range(25)]
    assert statuses.count(429) == 5  # the 21st to 25th: the per-address limit is 20 a minute
    assert statuses[:20].count(429) == 0


def test_the_login_rate_is_a_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"},
    }
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        assert [_login(APIClient(), n) for n in range(5)].count(429) == 2
    finally:
        from rest_framework.settings import api_settings

        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7, 10.0.0.2", "192.0.2.1"),  # untrusted: the connection's address
        (1, "198.51.100.7, 10.0.0.2", "10.0.0.2"),  # one proxy: the address it saw
        (2, "198.51.100.7, 10.0.0.2", "198.51.100.7"),  # two proxies
        (3, "198.51.100.7", "198.51.100.7"),  # fewer hops than proxies: the leftmost
        (1, "", "192.0.2.1"),  # nothing forwarded
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings,
    proxies: int,
    forwarded: str,
    expected: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_throttle_counters_are_in_postgresql_where_every_worker_counts() -> None:
    for _ in range(3):
        _login(APIClient(), 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, hits FROM sanctuary_throttlewindow")
        assert cursor.fetchall() == [("throttle_login_127.0.0.1", 3)]
