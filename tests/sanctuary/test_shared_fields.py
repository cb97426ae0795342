"""``SharedFieldsMixin`` shares one set of bound fields between every instance of a class: a field that depends
on the request would carry one request's state into the next, so such a field is refused when the class is
created, not discovered in production."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from sanctuary.api.serializers import RowSerializer, SharedFieldsMixin


class ContextReadingField(serializers.CharField):
    def to_representation(self, value: Any) -> str:
        return f"{value} for {self.context.get('request')}"


def _declare(**fields: Any) -> type:
    return type("Declared", (SharedFieldsMixin, serializers.Serializer), dict(fields))


@pytest.mark.parametrize(
    ("field", "why"),
    [
        (serializers.SerializerMethodField(), "SerializerMethodField depends on the request"),
        (serializers.HiddenField(default=serializers.CurrentUserDefault()), "HiddenField depends on the request"),
        (serializers.CharField(default=serializers.CreateOnlyDefault("x")), "default needs the serializer context"),
        (ContextReadingField(), "ContextReadingField reads context"),
        (serializers.ListField(child=ContextReadingField()), "ContextReadingField reads context"),
    ],
    ids=["method", "hidden", "context-default", "custom", "list-child"],
)
def test_a_field_that_depends_on_the_request_cannot_be_shared(field: Any, why: str) -> None:
    with pytest.raises(TypeError, match=why):
        _declare(value=field)


def test_a_nested_plain_serializer_is_checked_field_by_field() -> None:
    class Nested(serializers.Serializer):
        who = ContextReadingField()

    with pytest.raises(TypeError, match="nested: ContextReadingField reads context"):
        _declare(nested=Nested())


def test_a_model_serializer_cannot_share_its_fields() -> None:
    from research.models import Feedback

    meta = type("Meta", (), {"model": Feedback, "fields": ["id"]})
    with pytest.raises(TypeError, match="ModelSerializer"):
        type("Rows", (SharedFieldsMixin, serializers.ModelSerializer), {"Meta": meta})


def test_plain_input_and_row_fields_are_shared_by_every_instance() -> None:
    rows = type("Rows", (RowSerializer,), {"name": serializers.CharField(), "count": serializers.IntegerField()})
    first, second = rows(), rows()
    assert first.fields is second.fields
    assert first.to_representation({"name": "Ada", "count": 3}) == {"name": "Ada", "count": 3}


def test_every_shared_serializer_in_the_house_passes_the_check() -> None:
    # They are checked when their modules are imported; importing the URL conf imports all of them.
    import research.api.public.serializers as public
    import sanctuary.urls  # noqa: F401

    shared = [
        cls
        for cls in vars(public).values()
        if isinstance(cls, type) and issubclass(cls, SharedFieldsMixin) and cls is not SharedFieldsMixin
    ]
    assert len(shared) >= 5
