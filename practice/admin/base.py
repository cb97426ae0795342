"""Scoping every practice admin to the requester's therapist (or the whole practice), and the base classes
whose saves go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from practice import selectors, services
from practice.models import (
    Appointment,
    Patient,
    SessionNote,
    Therapist,
)

# --- scoping ------------------------------------------------------------------------------------------------


def _therapist(request: HttpRequest) -> Therapist | None:
    if not hasattr(request, "_practice_therapist"):
        request._practice_therapist = selectors.therapist_for_user(request.user)  # type: ignore[attr-defined]
    return request._practice_therapist  # type: ignore[attr-defined]


def _whole_practice(request: HttpRequest) -> bool:
    if not hasattr(request, "_practice_all"):
        request._practice_all = selectors.sees_whole_practice(request.user)  # type: ignore[attr-defined]
    return request._practice_all  # type: ignore[attr-defined]


# The foreign keys a therapist may point at, each limited to their own rows.
SCOPED_CHOICES: dict[str, tuple[type[models.Model], str]] = {
    "patient": (Patient, "therapist"),
    "appointment": (Appointment, "therapist"),
    "session_note": (SessionNote, "therapist"),
    "note": (SessionNote, "therapist"),
    "therapist": (Therapist, "pk"),
}


class ScopedAdmin(admin.ModelAdmin):
    """Filters every queryset (lists, change views, FK choices) down to the requesting therapist."""

    therapist_path = "therapist"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if _whole_practice(request):
            return queryset
        therapist = _therapist(request)
        if therapist is None:
            return queryset.none()
        # By primary key: the path may be the therapist's own pk ("pk"), which refuses a model instance.
        return queryset.filter(**{self.therapist_path: therapist.pk})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in SCOPED_CHOICES and not _whole_practice(request):
            model, path = SCOPED_CHOICES[db_field.name]
            therapist = _therapist(request)
            kwargs["queryset"] = (
                model._default_manager.none() if therapist is None
                else model._default_manager.filter(**{path: therapist.pk})
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not _whole_practice(request) and "therapist" in [f.name for f in self.model._meta.fields]:
            readonly.append("therapist")
        return readonly

    def acting_therapist(self, request: HttpRequest, form: forms.ModelForm) -> Therapist:
        """The therapist a new row belongs to: the therapist user themself, or the one a manager chose."""
        chosen = form.cleaned_data.get("therapist")
        therapist = chosen or _therapist(request)
        if therapist is None:
            raise ValidationError("Choose the therapist this record belongs to.")
        return therapist


class ServiceForm(forms.ModelForm):
    """Runs the service's full validation (every constraint, keyed to fields) inside the form, so the admin
    shows errors on the form instead of failing in ``save_model``."""

    request: HttpRequest
    model_admin: ScopedAdmin

    def prepare_instance(self) -> None:
        """Fill in what the form does not show (e.g. the therapist) before validation."""
        instance = self.instance
        if hasattr(instance, "therapist_id") and instance.therapist_id is None:
            therapist = self.cleaned_data.get("therapist") or _therapist(self.request)
            if therapist is None and getattr(instance, "patient_id", None):
                therapist = instance.patient.therapist
            instance.therapist = therapist

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # private ModelForm hook, absent from the stubs
        if self.errors:
            return
        self.prepare_instance()
        try:
            services.validate(self.instance)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, field_messages)


def _adopt(obj: Any, saved: Any) -> None:
    """The admin keeps using the object it built from the form (for its log entry and redirect); give it the
    state of the row the service saved."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False


def _form_with_request(admin_obj: ScopedAdmin, request: HttpRequest, form_class: type) -> type:
    return type(form_class.__name__, (form_class,), {"request": request, "model_admin": admin_obj})


class ServiceAdmin(ScopedAdmin):
    form = ServiceForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _form_with_request(self, request, super().get_form(request, obj, change=change, **kwargs))

    def _run(self, request: HttpRequest, action: Any) -> Any:
        try:
            return action()
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return None
