"""Every admin form, submitted, for every demo role: derived from the admin site's own app list (so a model
registered tomorrow is covered without touching this file).

For each model a role may add or change, the test opens the form as a person would, fills it from what the
form itself says (its initial values, its choices, its field types), and posts it:

- with valid data: the object is saved or changed, never a 500, and for the domain apps through a service
  (a spy counts calls of ``practice.services`` / ``research.services`` functions during the request);
- with one invalid field: the form comes back with an error and nothing is written.

Like the GET crawl (``test_admin_crawl``), a form that 500s fails the test.
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.utils import timezone

from practice import services as practice_services
from practice.models import SessionNote
from research import services as research_services
from tests.sanctuary.test_admin_crawl import demo  # noqa: F401  (the demo data and its logins)

ROLES = ("admin", "manager", "sarah", "research")
DOMAIN_APPS = ("practice", "research")
_counter = itertools.count(1)


# --- the service spy -------------------------------------------------------------------------------------------


class ServiceSpy:
    """Wraps every public service function, wherever a module imported it, and counts the calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        originals = {
            id(getattr(module, name)): (name, getattr(module, name))
            for module in (practice_services, research_services)
            for name in module.__all__
            if callable(getattr(module, name)) and not isinstance(getattr(module, name), type)
        }
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith(DOMAIN_APPS) or module is None:
                continue
            for attribute, value in list(vars(module).items()):
                if id(value) in originals and originals[id(value)][1] is value:
                    monkeypatch.setattr(module, attribute, self._wrap(originals[id(value)][0], value))

    def _wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return function(*args, **kwargs)

        return recorded


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> ServiceSpy:
    return ServiceSpy(monkeypatch)


# --- filling a form as a person would -----------------------------------------------------------------------


def _bounds(field: forms.Field) -> tuple[Any, Any]:
    low = next((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), None)
    return low, high


def _valid_value(name: str, field: forms.Field, n: int) -> Any:
    """A value a person could type for a required field the form left empty."""
    start = timezone.localtime() + timedelta(days=40 + n % 300, hours=n % 7)
    if isinstance(field, forms.SplitDateTimeField):
        return [start.date().isoformat(), start.strftime("%H:%M")]
    if isinstance(field, forms.ModelMultipleChoiceField):
        return []
    if isinstance(field, forms.ModelChoiceField):
        choice = next((v for v, _ in field.choices if v != ""), None)
        return str(choice) if choice is not None else ""
    if isinstance(field, forms.BooleanField):
        return ""
    if isinstance(field, forms.ChoiceField):
        return next((str(v) for v, _ in field.choices if v not in ("", None)), "")
    if isinstance(field, forms.DateTimeField):
        return start.strftime("%Y-%m-%d %H:%M")
    if isinstance(field, forms.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, forms.TimeField):
        return "10:00"
    if isinstance(field, forms.DecimalField):
        low, high = _bounds(field)
        value = Decimal("10.00")
        return str(min(max(value, low or value), high or value))
    if isinstance(field, forms.IntegerField):
        low, high = _bounds(field)
        return str(min(max(5, low if low is not None else 5), high if high is not None else 5))
    if isinstance(field, forms.EmailField):
        return f"form-test-{n}@example.test"
    if isinstance(field, forms.URLField):
        return f"https://example.test/{n}"
    if isinstance(field, forms.JSONField):
        return "{}"
    if "password" in name:
        return "Form-test-pass-9871!"
    if name == "username":
        return f"formtest{n}"
    text = f"Form test {n}"
    return text[: field.max_length] if getattr(field, "max_length", None) else text


def _current(form: forms.BaseForm, name: str, field: forms.Field) -> Any:
    """What the form shows now, as the browser would post it."""
    value = form[name].value()
    if isinstance(field, forms.SplitDateTimeField):
        widget_values = field.widget.decompress(value) if not isinstance(value, list) else value
        return [("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v))) for v in widget_values]
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [str(getattr(v, "pk", v)) for v in (value or [])]
    if isinstance(field, forms.BooleanField):
        return "on" if value else ""
    if value is None:
        return ""
    if isinstance(value, list):  # array fields: the comma-separated text a person sees
        return field.widget.format_value(value) if hasattr(field.widget, "format_value") else ",".join(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def _post_data(form: forms.BaseForm, inline_formsets: list[Any], n: int, *, fill: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = _current(form, name, field)
        empty = value in ("", [], None) or (isinstance(value, list) and all(v in ("", None) for v in value))
        if fill and empty and (field.required or name.startswith("password")):
            value = _valid_value(name, field, n)
        key = form.add_prefix(name)
        if isinstance(field, forms.SplitDateTimeField):
            data[f"{key}_0"], data[f"{key}_1"] = value
        elif isinstance(value, list) and isinstance(field, forms.MultipleChoiceField):
            data[key] = value
        elif value != "" or not isinstance(field, forms.BooleanField):
            data[key] = value
    for formset in inline_formsets:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.formset.forms:
            data.update(_post_data(inline_form, [], n, fill=False))
    return data


# An invalid value per field type: what a typo or an emptied box sends.
def _invalid(form: forms.BaseForm) -> tuple[str, dict[str, Any]] | None:
    typed = (forms.IntegerField, forms.DecimalField, forms.DateField, forms.EmailField, forms.URLField)
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if field.required and isinstance(field, forms.SplitDateTimeField):
            return name, {f"{key}_0": "", f"{key}_1": ""}
        if field.required and isinstance(field, forms.ModelChoiceField):
            return name, {key: "00000000-0000-0000-0000-000000000000"}
        if field.required and isinstance(field, forms.CharField) and not isinstance(field, forms.BooleanField):
            return name, {key: ""}
    for name, field in form.fields.items():
        if isinstance(field, typed):
            return name, {form.add_prefix(name): "not valid at all"}
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            return name, {form.add_prefix(name): "no-such-choice"}
    return None


# --- what each role may open -----------------------------------------------------------------------------------


def _forms_for(user: User) -> Iterator[tuple[type[models.Model], str, Any]]:
    """(model, "add" | "change", object) for every form the role may submit, from the admin's own app list."""
    request = RequestFactory().get("/admin/")
    request.user = user
    for app in admin.site.get_app_list(request):
        for entry in app["models"]:
            model = entry["model"]
            model_admin = admin.site.get_model_admin(model)
            if entry["perms"].get("add") and entry.get("add_url"):
                yield model, "add", None
            if entry["perms"].get("change"):
                for obj in model_admin.get_queryset(request).order_by("pk")[:1]:
                    if model_admin.has_change_permission(request, obj):
                        yield model, "change", obj


def _snapshot(model: type[models.Model], obj: Any) -> Any:
    if obj is None:
        return model._default_manager.count()
    fresh = model._default_manager.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(fresh).items() if k != "updated_at"}


@pytest.fixture
def with_signed_note(demo: list[str]) -> None:  # noqa: F811
    """A signed note, so that the amendment form has something to amend."""
    note = SessionNote.objects.filter(signed_at__isnull=True, is_template=False).order_by("session_date").first()
    assert note is not None
    practice_services.session_note_sign(note=note, signed_by=User.objects.get(username="sarah"))


@pytest.mark.parametrize("username", ROLES)
def test_every_admin_form_saves_valid_data_and_refuses_an_invalid_field(
    username: str,
    demo: list[str],  # noqa: F811
    with_signed_note: None,
    spy: ServiceSpy,
) -> None:
    user = User.objects.get(username=username)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    submitted, failures = [], []
    for model, kind, obj in list(_forms_for(user)):
        info = (model._meta.app_label, model._meta.model_name)
        url = f"/admin/{info[0]}/{info[1]}/add/" if obj is None else f"/admin/{info[0]}/{info[1]}/{obj.pk}/change/"
        page = client.get(url)
        if page.status_code != 200:
            failures.append((kind, url, "GET", page.status_code))
            continue
        context = page.context
        form = context["adminform"].form
        formsets = list(context.get("inline_admin_formsets", []))
        n = next(_counter)
        valid = _post_data(form, formsets, n)

        invalid_field = _invalid(form)
        if invalid_field is not None:
            before = _snapshot(model, obj)
            name, broken = invalid_field
            response = client.post(url, {**valid, **broken})
            errors = (
                response.context["adminform"].form.errors if response.status_code == 200 and response.context else None
            )
            if response.status_code != 200 or not errors:
                failures.append((kind, url, f"invalid {name}", response.status_code))
            elif _snapshot(model, obj) != before:
                failures.append((kind, url, f"invalid {name} wrote", "changed"))

        spy.calls.clear()
        before = _snapshot(model, obj)
        response = client.post(url, valid)
        if response.status_code != 302:
            errors = (
                response.context["adminform"].form.errors if response.status_code == 200 and response.context else ""
            )
            failures.append((kind, url, "valid", response.status_code, str(errors)[:300]))
            continue
        if obj is None and _snapshot(model, None) != before + 1:
            failures.append((kind, url, "valid add saved nothing", before))
        if info[0] in DOMAIN_APPS and not spy.calls:
            failures.append((kind, url, "saved without a service", ""))
        submitted.append((kind, url))
    assert failures == []
    assert submitted, f"{username} submitted no form at all"
