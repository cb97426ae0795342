"""Errors that services raise and every interface (admin, API, commands) understands.

Both subclass Django's ``ValidationError`` so forms and the admin show them as ordinary validation
messages, while the API can answer them with a more precise status code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """Valid input that clashes with the current state (an overlapping booking, a duplicate): HTTP 409."""


class InvalidTransition(Conflict):
    """A workflow step that is not allowed from the object's current state: HTTP 409."""


def constraint_name(error: BaseException) -> str:
    """The name of the constraint a database error (Django's ``IntegrityError`` around psycopg's) reports, or ""
    when it names none."""
    return getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
