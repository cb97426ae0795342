"""One JSON error shape for every API error.

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"field": ["..."]}}}

``fields`` is present only for field-level validation errors. Service errors (Django
``ValidationError``, ``Conflict``) are translated here, so views never catch them one by one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from sanctuary.errors import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def _django_validation_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        # Django's NON_FIELD_ERRORS key ("__all__") becomes DRF's, so both kinds of error read the same.
        return {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return [str(message) for message in error.messages]


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def _flatten(detail: Any) -> Any:
    """Field errors as the schema documents them, field → list of strings: a nested error (a list item's,
    a nested object's) becomes a string naming where it is ("item 2: Not a valid string.")."""
    if isinstance(detail, dict):
        return {str(key): _lines(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [line for item in detail for line in _lines(item)]
    return str(detail)


def _lines(detail: Any, where: str = "") -> list[str]:
    prefix = f"{where}: " if where else ""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            place = f"item {int(key) + 1}" if isinstance(key, int) or str(key).isdigit() else str(key)
            lines += _lines(value, f"{where} {place}".strip() if where else place)
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in _lines(item, where)]
    return [f"{prefix}{detail}"]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        exc = ConflictError(detail=_django_validation_detail(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    detail = _flatten(exc.detail)
    body: dict[str, Any] = {"status": response.status_code, "code": _code_of(exc)}
    if isinstance(detail, dict) and set(detail) != {"detail"}:
        # A 409 says what clashed (an overlapping booking, a signed note) in the message itself.
        conflict = " ".join(_messages(detail)) if response.status_code == 409 else ""
        body["message"] = "Invalid input." if response.status_code == 400 else conflict or _message_of(exc)
        body["fields"] = detail
    elif isinstance(detail, list):
        body["message"] = " ".join(detail) or _message_of(exc)
    else:
        body["message"] = " ".join(detail["detail"]) if isinstance(detail, dict) else detail
    response.data = {"error": body}
    return response


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def _message_of(exc: exceptions.APIException) -> str:
    return str(exc.default_detail)
