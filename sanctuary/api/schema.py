"""OpenAPI helpers: the one error envelope, and documented error responses for ``extend_schema``."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorBody = inline_serializer(
    name="ErrorBody",
    fields={
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Field name → messages; only for field-level validation errors.",
        ),
    },
)
ErrorEnvelope = inline_serializer(name="Error", fields={"error": ErrorBody})

_DESCRIPTIONS = {
    400: "Invalid input; `fields` lists the messages per field. Nothing was written.",
    401: "Not authenticated: missing, expired or revoked credentials.",
    403: "Authenticated, but this role may not use this endpoint.",
    404: "Not found, or not yours: other therapists' and patients' objects are indistinguishable from missing ones.",
    405: "Method not allowed.",
    409: "Conflicts with the current state (an overlapping booking, a wrong workflow state).",
    422: "This Idempotency-Key was already used for a different request (method, path or body).",
    413: "Request body too large.",
    415: "Unsupported media type.",
    429: "Too many requests (rate limit or login lockout).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorEnvelope, description=_DESCRIPTIONS[code]) for code in codes}


ERRORS_AUTHENTICATED = error_responses(401, 403)
# Paginated lists: 400 for a bad filter, 404 for a page number past the end (DRF's PageNumberPagination).
LIST_ERRORS = error_responses(400, 401, 403, 404)
ERRORS_PUBLIC = error_responses(400, 429)


class TokenScheme(KnoxTokenScheme):
    """Documents ``sanctuary.api.authentication.TokenAuthentication`` (knox's, one query) as knox's token scheme."""

    target_class = "sanctuary.api.authentication.TokenAuthentication"


class AutoSchema(openapi.AutoSchema):
    """The project's schema class: documents ``Idempotency-Key`` and its 422 where a view honours it."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        # An operation anyone may call says so with ``security: []``: spectacular's ``[{}, {"knoxApiToken": []}]``
        # ("anonymous, or a token") makes generated clients demand an authenticated client for the login itself,
        # and a token changes nothing on these operations.
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and ({} in operation.get("security", [{}])):
            operation["security"] = []
        return operation

    def get_override_parameters(self) -> list[Any]:
        from sanctuary.api.idempotency import SCHEMA_PARAMETER, IdempotentMixin

        parameters = list(super().get_override_parameters())
        if isinstance(self.view, IdempotentMixin) and self.view.honours_idempotency_key(self.method):
            parameters.append(SCHEMA_PARAMETER)
        return parameters

    # drf-spectacular 0.30.0's private _get_response_bodies/_get_response_for_code (no public hook adds
    # responses to every operation). Canary: tests/sanctuary/test_upstream_canaries.py.
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        from sanctuary.api.idempotency import IdempotentMixin

        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if (
            direction == "response"
            and isinstance(self.view, IdempotentMixin)
            and self.view.honours_idempotency_key(self.method)
        ):
            for code in (400, 422):  # a malformed key; a key reused for another request
                if str(code) not in responses:
                    responses[str(code)] = self._get_response_for_code(
                        error_responses(code)[code], str(code), direction=direction
                    )
        return responses


# --- what fields really accept and return ---------------------------------------------------------------------
# drf-spectacular documents a field's type; these add what the field's validation (or the model behind a
# read-only field) also decides, so a schema-valid request is accepted and every response matches its schema.

_NO_NUL = "\\u0000"
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"  # what sanctuary.validators.no_control_characters refuses


def _model_field(field: Any) -> Any:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except Exception:
        return None


def _may_be_blank(field: Any) -> bool:
    if getattr(field, "allow_blank", False):
        return True
    model_field = _model_field(field) if field.read_only else None
    return bool(model_field is not None and getattr(model_field, "blank", False))


class _FieldExtension(OpenApiSerializerFieldExtension):
    match_subclasses = True

    # The extension refines what spectacular 0.30.0 would map itself: its private _map_serializer_field with
    # bypass_extensions (the documented way extensions reuse the default mapping). Canary as above.
    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return self.refine(schema, direction)

    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        raise NotImplementedError


class ChoiceFieldSchema(_FieldExtension):
    """A read-only choice whose model column may be blank documents "" too (as spectacular's BlankEnum)."""

    target_class = "rest_framework.serializers.ChoiceField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        if field.read_only and not field.allow_blank and "" not in field.choices and _may_be_blank(field):
            field = copy.copy(field)
            field.allow_blank = True
        return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)


class _BlankableFormatSchema(_FieldExtension):
    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        if not _may_be_blank(self.target) or "format" not in schema:
            return schema
        core = {key: schema.pop(key) for key in ("type", "format", "maxLength") if key in schema}
        return {**schema, "anyOf": [core, {"type": "string", "maxLength": 0}]}


class EmailFieldSchema(_BlankableFormatSchema):
    """An e-mail address or, where the field may be blank, ""."""

    target_class = "rest_framework.serializers.EmailField"
    priority = 1


class URLFieldSchema(_BlankableFormatSchema):
    """A URL or, where the field may be blank, ""."""

    target_class = "rest_framework.serializers.URLField"
    priority = 1


class CharFieldSchema(_FieldExtension):
    """Text a writable field accepts: no NUL (DRF refuses it), something besides spaces unless it may be blank
    (DRF trims, then refuses ""), no control characters where the model refuses them (names)."""

    target_class = "rest_framework.serializers.CharField"

    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        from sanctuary.validators import no_control_characters

        field = self.target
        if (
            direction != "request"
            or field.read_only
            or schema.get("type") != "string"
            or "format" in schema
            or "enum" in schema
        ):
            return schema
        banned = _CONTROL if no_control_characters in field.validators else _NO_NUL
        if field.allow_blank:
            schema["pattern"] = f"^[^{banned}]*$"
        else:
            space = "\\s" if field.trim_whitespace else ""
            schema["pattern"] = f"^[^{banned}]*[^{banned}{space}][^{banned}]*$"
            schema["minLength"] = max(1, schema.get("minLength", 1))
        return schema


class ListFieldSchema(_FieldExtension):
    """A list that may not be empty says ``minItems: 1``."""

    target_class = "rest_framework.serializers.ListField"

    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        if direction == "request" and not self.target.allow_empty and schema.get("type") == "array":
            schema["minItems"] = max(1, schema.get("minItems", 1))
        return schema


class DecimalFieldSchema(_FieldExtension):
    """A decimal sent as a string: at least one digit, no sign where it may not be negative, and the bound
    of a percentage (spectacular's pattern accepts "", "-" and "." and says nothing of min or max)."""

    target_class = "rest_framework.serializers.DecimalField"

    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        field = self.target
        if direction != "request" or field.read_only or schema.get("type") != "string":
            return schema
        whole, places = (field.max_digits or 20) - (field.decimal_places or 0), field.decimal_places or 0
        fraction = f"(?:\\.\\d{{1,{places}}})?" if places else ""
        number = f"\\d{{1,{whole}}}{fraction}"
        if field.max_value is not None and field.max_value == 10 ** (len(str(int(field.max_value))) - 1):
            top = str(int(field.max_value))  # 100: up to two digits, or exactly 100
            number = f"(?:\\d{{1,{len(top) - 1}}}{fraction}|{top}(?:\\.0{{1,{places}}})?)" if places else number
        sign = "-?" if field.min_value is None or field.min_value < 0 else ""
        schema["pattern"] = f"^{sign}{number}$"
        return schema


class DateTimeFieldSchema(_FieldExtension):
    target_class = "sanctuary.api.plumbing.DateTimeField"

    def refine(self, schema: dict[str, Any], direction: str) -> dict[str, Any]:
        from sanctuary.api.plumbing import EARLIEST_YEAR, LATEST_YEAR

        note = f"Between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
        schema["description"] = f"{schema['description']} {note}" if schema.get("description") else note
        return schema


class AcceptedFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "sanctuary.api.plumbing.AcceptedField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        return {"type": "boolean", "enum": [True], "description": self.target.message}


def refuse_undeclared_fields(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: every request body refuses keys it does not declare (``plumbing.reject_undeclared``),
    so its schema, and every object schema nested in it, says ``additionalProperties: false``."""
    components = result.get("components", {}).get("schemas", {})
    pending: list[str] = []

    def refs(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                pending.append(node["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                refs(value)
        elif isinstance(node, list):
            for value in node:
                refs(value)

    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                refs(operation["requestBody"])
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        component = components[name]
        # (A oneOf's variants say it themselves: the top level cannot, it lists only the shared fields.)
        if component.get("type") == "object" and "properties" in component and "oneOf" not in component:
            component["additionalProperties"] = False
        refs(component)
    return result


def defaults_are_members(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a default that is not one of its enum's members is dropped from the document.

    An optional choice that falls back to "" when omitted (``CanonicalChoiceField(..., default="")``) refuses ""
    when sent, so "" is not an enum member and is no value a client could send either; documenting it as the
    default makes generated clients refuse the schema. Omitted still means "not given"."""
    components = result.get("components", {}).get("schemas", {})

    def members(node: dict[str, Any]) -> list[Any] | None:
        if "enum" in node:
            return list(node["enum"])
        for key in ("allOf", "oneOf", "anyOf"):
            for variant in node.get(key, ()):
                ref = variant.get("$ref", "") if isinstance(variant, dict) else ""
                target = components.get(ref.rsplit("/", 1)[-1]) if ref else variant
                if isinstance(target, dict) and "enum" in target:
                    return [*target["enum"], *(m for v in node[key] if isinstance(v, dict) for m in v.get("enum", ()))]
        return None

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "default" in node and not isinstance(node["default"], (dict, list)):
                allowed = members(node)
                if allowed is not None and node["default"] not in allowed:
                    del node["default"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
