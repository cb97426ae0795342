"""Serializer bases shared by the APIs' hot paths.

DRF deep-copies every declared field for every serializer instance it creates, and renders each value
through ``field.get_attribute`` and a generator over the readable fields. Issue 7 measured both as a large
part of a request's Python: the 50-field survey's copy, and 50 list rows × 15 fields. The two bases here
keep DRF's fields and their ``to_internal_value``/``to_representation`` and drop the generic machinery
around them where it does nothing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rest_framework import relations, serializers
from rest_framework.utils.serializer_helpers import BindingDict

_SHARED_FIELDS: dict[type[serializers.Serializer], BindingDict] = {}
_ROW_FIELDS: dict[type[serializers.Serializer], tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


class SharedFieldsMixin:
    """The fields are built once per class and shared by every instance.

    Safe only for serializers that keep no per-request state on their fields: input serializers (the data,
    errors and validated result live on the instance; DRF looks up ``validate_<name>`` on the instance) and
    read-only row serializers, with no context-dependent fields. The shared fields are bound to a template
    instance created without data or context.

    The rule is enforced when a class is created (``__init_subclass__``): a declared field that depends on the
    request (a method field, a hidden or context-requiring default, a hyperlink) or whose own code reads
    ``context``/``root``/``parent`` is a ``TypeError``, nested serializers and list children included. A
    ModelSerializer is refused too (its fields are built from the model, outside this check).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if issubclass(cls, serializers.ModelSerializer):
            raise TypeError(f"{cls.__name__}: SharedFieldsMixin cannot check a ModelSerializer's fields")
        declared = getattr(cls, "_declared_fields", {})
        if problems := [f"{name}: {why}" for name, field in declared.items() for why in _per_request(field)]:
            raise TypeError(f"{cls.__name__} shares its fields across requests, but " + "; ".join(problems))

    @property
    def fields(self) -> BindingDict:
        cls = type(self)
        shared = _SHARED_FIELDS.get(cls)  # type: ignore[arg-type]
        if shared is None:
            template: Any = cls()
            # DRF 3.18.3's BindingDict binds each field to the template as DRF's own ``fields`` does.
            shared = BindingDict(template)
            for name, field in template.get_fields().items():  # type: ignore[attr-defined]
                shared[name] = field
            _SHARED_FIELDS[cls] = shared  # type: ignore[index]
        return shared


_REQUEST_BOUND = (serializers.SerializerMethodField, serializers.HiddenField, relations.HyperlinkedRelatedField)


def _reads_request_state(field_class: type) -> bool:
    # The field's own code (DRF's fields are known not to): does any of it reach for the bound serializer?
    for klass in field_class.__mro__:
        if klass.__module__.startswith(("rest_framework.", "builtins")):
            continue
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if any(word in source for word in ("self.context", "self.root", "self.parent")):
            return True
    return False


def _per_request(field: Any) -> Iterator[str]:
    """Why ``field`` cannot be shared across requests (nothing when it can)."""
    if isinstance(field, _REQUEST_BOUND):
        yield f"{type(field).__name__} depends on the request"
    if getattr(field, "default", None) is not None and getattr(field.default, "requires_context", False):
        yield "its default needs the serializer context"
    if _reads_request_state(type(field)):
        yield f"{type(field).__name__} reads context, root or parent"
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        yield from _per_request(field.child)
    if isinstance(field, serializers.Serializer) and not isinstance(field, SharedFieldsMixin):
        for child in getattr(field, "_declared_fields", {}).values():
            yield from _per_request(child)


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
