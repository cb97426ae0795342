"""The user behind a request, for services that record who acted."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User


def acting_user(request: Any) -> User:
    """The logged-in user of an admin or API request.

    Only called behind a login (the admin, or a permission class that refused anonymous users), so an
    anonymous user here is a bug, not a client error.
    """
    user = request.user
    assert isinstance(user, User), "acting_user() needs an authenticated request"
    return user
