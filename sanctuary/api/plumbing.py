"""The API's request plumbing, one owner for every API view and webhook: how bodies are parsed (and what they
may not be), and the one error envelope every 4xx and 5xx under ``/api/`` and ``/webhooks/`` carries.

    {"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"field": ["..."]}}}

Bodies: JSON nested deeper than ``MAX_JSON_DEPTH`` levels is refused with a 400 before any view runs (a few
kilobytes of ``[`` used to exhaust Python's recursion limit and answer 500), and so is a body that is not valid
UTF-8 (JSON by definition, form bodies because a replacement character would be stored instead).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import django_filters
from django.conf import settings
from django.http import HttpRequest, JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination, parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request

from sanctuary.validators import no_control_characters

# Deeper than any document this API accepts (the deepest is a survey answer: object → list → string).
MAX_JSON_DEPTH = 32


def error_body(status: int, code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if fields is not None:
        body["fields"] = dict(fields)
    return {"error": body}


def error_response(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(status, code, message), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests more than ``MAX_JSON_DEPTH`` containers (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity, at most ``MAX_JSON_DEPTH`` deep; ``ParseError`` otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError("The body is not valid UTF-8.") from error
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from error
    except ValueError as error:
        raise ParseError(f"JSON parse error: {error}") from error
    if _too_deep(data):
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with ``parse_json``'s limits (the whole API's, ``DEFAULT_PARSER_CLASSES``)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return parse_json(stream.read() if stream is not None else b"")


class TextJSONParser(JSONParser):
    """``navigator.sendBeacon`` posts strings as text/plain (no CORS preflight); the body is still JSON."""

    media_type = "text/plain"


class FormParser(parsers.FormParser):
    """Form bodies, refused unless they are valid UTF-8 (Django would store U+FFFD in place of the bytes)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        if codecs.lookup(encoding).name == "utf-8":
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ParseError("The body is not valid UTF-8.") from error
        return QueryDict(raw, encoding=encoding)


def client_ip(request: HttpRequest | Request) -> str:
    """The client's address for rate limits and lockouts: the connection's, or with ``TRUSTED_PROXY_COUNT``
    proxies in front the address the outermost trusted proxy saw (as DRF's ``NUM_PROXIES`` reads it)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in str(forwarded).split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any path under ``/api/`` or ``/webhooks/`` that no route serves: a 404 in the error envelope."""
    return error_response(404, "not_found", "No such endpoint.")


# --- strict input fields ------------------------------------------------------------------------------------


class StrictString:
    """A text field that takes text only: DRF's own turns ``12345`` or ``true`` into ``"12345"`` and stores it.

    Mixed into the input fields below, which every input serializer uses instead of DRF's."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class CharField(StrictString, serializers.CharField):
    default_error_messages = {"not_a_string": "Not a valid string."}


class NameField(CharField):
    """A person's name: text without control characters, as the models refuse them (so the API says why
    before a service does, and the schema says so)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(no_control_characters)


class EmailField(StrictString, serializers.EmailField):
    default_error_messages = {"not_a_string": "Enter a valid email address."}


class URLField(StrictString, serializers.URLField):
    default_error_messages = {"not_a_string": "Enter a valid URL."}


# --- query strings ----------------------------------------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's page numbers, strict: ``?page=`` must be a whole number from 1 (else a 400 naming ``page``); a page
    past the end is a 404, as documented."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_query_param: ["A page number: a whole number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def check_filter_query(filterset_class: Any, query: QueryDict) -> None:
    """What django-filter lets through and should not: a filter given with no value (``?until=``) is ignored,
    and a yes/no filter reads anything but "true"/"false" as "no filter". Both are a 400 here."""
    errors: dict[str, list[str]] = {}
    for name, declared in filterset_class.base_filters.items():
        if name not in query:
            continue
        values = query.getlist(name)
        if not any(value.strip() for value in values):
            errors[name] = ["Give a value, or leave the parameter out."]
        elif isinstance(declared, django_filters.BooleanFilter) and any(v not in ("true", "false") for v in values):
            errors[name] = ["Must be true or false."]
    if errors:
        raise ValidationError(errors)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, strict (``check_filter_query``)."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            check_filter_query(filterset_class, request.query_params)
        return super().filter_queryset(request, queryset, view)


# --- bodies and query strings through serializers -----------------------------------------------------------------


def reject_undeclared(data: Any, fields: Mapping[str, Any]) -> None:
    """A body key no field declares is a 400 naming it: DRF would drop it silently, and a typo or a stale
    client would lose what it meant to send. (The schema says so: ``additionalProperties: false``.)"""
    if isinstance(data, Mapping):
        unknown = sorted(str(key) for key in set(data) - set(fields))
        if unknown:
            raise ValidationError({name: ["Unknown field: this request does not take it."] for name in unknown})


# The base of every input serializer: undeclared keys are refused (``reject_undeclared``). (A comment, not a
# docstring: spectacular documents a serializer with its class's docstring, inherited ones included.)
class StrictInputSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        reject_undeclared(data, self.fields)
        return super().to_internal_value(data)


def validated_body(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Validate a request body with an input serializer: 400 with field errors, undeclared keys included."""
    serializer = serializer_class(data=data, **kwargs)
    reject_undeclared(data, serializer.fields)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated_query(serializer_class: type[serializers.Serializer], query: QueryDict) -> dict[str, Any]:
    """Validate query parameters with a serializer. A declared parameter given without a value (``?status=``)
    is a 400, not "no filter": a client that meant something gets told. Undeclared parameters are ignored
    (caches and browsers add their own)."""
    serializer = serializer_class(data=query)
    declared: list[str] = [str(name) for name in serializer.fields]
    empty = sorted(
        name for name in declared if name in query and not any(value.strip() for value in query.getlist(name))
    )
    if empty:
        raise ValidationError({name: ["Give a value, or leave the parameter out."] for name in empty})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AcceptedField(serializers.BooleanField):
    """A yes/no that must be yes (consent): ``false`` is a 400 with ``message``; the schema says ``enum: [true]``."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        self.message = message
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        if super().to_internal_value(data) is not True:
            raise ValidationError(self.message)
        return True


# Calendar times far outside a practice's life would overflow the arithmetic on them (a default end, a kept
# length) and, before 1895, come back in Melbourne's local mean time (+09:39:52, not an RFC 3339 offset).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
EARLIEST_DATE, LATEST_DATE = date(EARLIEST_YEAR, 1, 1), date(LATEST_YEAR, 12, 31)


class DateTimeField(serializers.DateTimeField):
    """A date-time between the years ``EARLIEST_YEAR`` and ``LATEST_YEAR``; others are a 400."""

    def to_internal_value(self, value: Any) -> Any:
        moment = super().to_internal_value(value)
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise ValidationError(f"Use a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
        return moment
