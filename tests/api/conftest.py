from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from knox.models import AuthToken
from rest_framework.test import APIClient


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Alice's objects plus the users for every role. Domain apps add their objects here."""
    users = {
        "owner": User.objects.create_user("alice", "alice@example.org", "x-unused-password"),
        "other_same_role": User.objects.create_user("bob", "bob@example.org", "x-unused-password"),
        "no_role": User.objects.create_user("charlie", "charlie@example.org", "x-unused-password"),
    }
    token, _ = AuthToken.objects.create(user=users["owner"])
    return {"users": users, "owner_token": token}


def client_for(role: str, world: dict[str, Any]) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        _, token = AuthToken.objects.create(user=world["users"][role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
