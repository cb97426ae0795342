"""Serializer bases shared by the APIs' hot paths.

DRF deep-copies every declared field for every serializer instance it creates, and renders each value
through ``field.get_attribute`` and a generator over the readable fields. Issue 7 measured both as a large
part of a request's Python: the 50-field survey's copy, and 50 list rows × 15 fields. The two bases here
keep DRF's fields and their ``to_internal_value``/``to_representation`` and drop the generic machinery
around them where it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

_SHARED_FIELDS: dict[type[serializers.Serializer], BindingDict] = {}
_ROW_FIELDS: dict[type[serializers.Serializer], tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


class SharedFieldsMixin:
    """The fields are built once per class and shared by every instance.

    Safe only for serializers that keep no per-request state on their fields: input serializers (the data,
    errors and validated result live on the instance; DRF looks up ``validate_<name>`` on the instance) and
    read-only row serializers, with no context-dependent fields. The shared fields are bound to a template
    instance created without data or context.
    """

    @property
    def fields(self) -> BindingDict:
        cls = type(self)
        shared = _SHARED_FIELDS.get(cls)  # type: ignore[arg-type]
        if shared is None:
            template: Any = cls()
            shared = BindingDict(template)
            for name, field in template.get_fields().items():  # type: ignore[attr-defined]
                shared[name] = field
            _SHARED_FIELDS[cls] = shared  # type: ignore[index]
        return shared


class RowSerializer(SharedFieldsMixin, serializers.Serializer):
    """Read-only output of selector rows: dicts keyed by the field names (``values()`` rows, see
    ``sanctuary.db.QueryTemplate``). Each value goes through its field's ``to_representation``, ``None``
    stays ``None`` – exactly what ``Serializer.to_representation`` does for a field without a ``source``,
    minus the per-value attribute lookup. Fields with a ``source`` are refused (name the column instead)."""

    def to_representation(self, instance: Mapping[str, Any]) -> dict[str, Any]:
        pairs = _ROW_FIELDS.get(type(self))
        if pairs is None:
            fields = [field for field in self.fields.values() if not field.write_only]
            if sourced := [str(f.field_name) for f in fields if f.source != f.field_name]:
                raise TypeError(f"{type(self).__name__}: row fields take no source ({', '.join(sourced)})")
            pairs = _ROW_FIELDS[type(self)] = tuple((str(f.field_name), f.to_representation) for f in fields)
        return {name: None if (value := instance[name]) is None else render(value) for name, render in pairs}

    def create(self, validated_data: Any) -> Any:  # pragma: no cover - output only
        raise NotImplementedError

    def update(self, instance: Any, validated_data: Any) -> Any:  # pragma: no cover - output only
        raise NotImplementedError
