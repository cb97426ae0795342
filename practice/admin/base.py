"""Scoping every practice admin to the requester's therapist (or the whole practice), and the base classes
whose saves go through services.

Two rules every practice admin inherits:

- **Scoped**: querysets, foreign-key choices and custom pages are limited to the requesting therapist's rows
  (managers and superusers see the practice). Another therapist's object is simply not there: a 404-style
  "does not exist" redirect, never a leak.
- **Service-backed**: ``save_model``/``delete_model`` call a service. When the service refuses (a
  ``ValidationError``: an overlap, a patient of another therapist, a workflow step not allowed), the form is
  shown again with the service's messages on their fields and nothing is written – never a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminSelectWidget

from practice import selectors, services
from practice.models import Appointment, Patient, SessionNote, Therapist

# --- scoping ------------------------------------------------------------------------------------------------


def _therapist(request: HttpRequest) -> Therapist | None:
    if not hasattr(request, "_practice_therapist"):
        request._practice_therapist = selectors.therapist_for_user(request.user)  # type: ignore[attr-defined]
    return request._practice_therapist  # type: ignore[attr-defined]


def _whole_practice(request: HttpRequest) -> bool:
    if not hasattr(request, "_practice_all"):
        request._practice_all = selectors.sees_whole_practice(request.user)  # type: ignore[attr-defined]
    return request._practice_all  # type: ignore[attr-defined]


def is_clinician(request: HttpRequest) -> bool:
    """A therapist working with their own patients (not a manager's whole-practice view)."""
    return _therapist(request) is not None and not _whole_practice(request)


def sees_clinical(request: HttpRequest) -> bool:
    """Who may open clinical pages at all: a therapist (their own) or a manager (the practice)."""
    return _therapist(request) is not None or _whole_practice(request)


def scoped_patients(request: HttpRequest) -> QuerySet[Patient]:
    """The patients the requester may see: their own, or the whole practice's."""
    if _whole_practice(request):
        return Patient.objects.all()
    therapist = _therapist(request)
    return Patient.objects.none() if therapist is None else Patient.objects.filter(therapist=therapist)


def scoped_therapists(request: HttpRequest) -> list[Therapist]:
    """The clinicians whose calendars and numbers the requester may see."""
    if _whole_practice(request):
        return list(selectors.clinicians())
    therapist = _therapist(request)
    return [] if therapist is None else [therapist]


# The foreign keys a form may point at: (model, path to the owning therapist, what its label reads).
SCOPED_CHOICES: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "patient": (Patient, "therapist", ("therapist",)),
    "appointment": (Appointment, "therapist", ("patient",)),
    "session_note": (SessionNote, "therapist", ("patient",)),
    "note": (SessionNote, "therapist", ("patient",)),
    "therapist": (Therapist, "pk", ()),
}


def badge(kind: str, text: str) -> str:
    """A status pill (``sanctuary-badge--<kind>``, coloured in workspace.css) for list columns."""
    return format_html('<span class="sanctuary-badge sanctuary-badge--{}">{}</span>', kind, text)


class PatientOptionSelect(UnfoldAdminSelectWidget):
    """A select whose options say which patient they belong to (``data-patient``), so the page can show only
    the chosen patient's appointments or notes (``workspace.js``); the server checks it again on save."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        patient_id = getattr(instance, "patient_id", None)
        if patient_id is not None:
            option["attrs"]["data-patient"] = str(patient_id)
        return option


class PatientChoiceField(forms.ModelChoiceField):
    """Patients labelled with their therapist for managers ("Amelia Chen – Dr. Sarah Johnson")."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} – {obj.therapist.full_name}"


class ScopedAdmin(ModelAdmin):
    """Filters every queryset (lists, change views, FK choices) down to the requesting therapist."""

    therapist_path = "therapist"
    list_per_page = 50

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
        if db_field.name in SCOPED_CHOICES:
            model, path, related = SCOPED_CHOICES[db_field.name]
            queryset = model._default_manager.all()
            if model is Therapist:
                queryset = selectors.clinicians()
            if not _whole_practice(request):
                therapist = _therapist(request)
                queryset = queryset.none() if therapist is None else queryset.filter(**{path: therapist.pk})
            kwargs["queryset"] = queryset.select_related(*related) if related else queryset
            if db_field.name in ("appointment", "session_note", "note"):
                kwargs["widget"] = PatientOptionSelect()
                kwargs["empty_label"] = "Select value"
            if db_field.name == "patient" and _whole_practice(request):
                kwargs["form_class"] = PatientChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not _whole_practice(request) and "therapist" in [f.name for f in self.model._meta.fields]:
            readonly.append("therapist")
        return readonly

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_clinical(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return sees_clinical(request) and super().has_view_permission(request, obj)

    def acting_therapist(self, request: HttpRequest, form: forms.ModelForm) -> Therapist:
        """The therapist a new row belongs to: the therapist user themself; for a manager the one chosen, or
        else the patient's own therapist."""
        if not _whole_practice(request) and _therapist(request) is not None:
            return _therapist(request)  # type: ignore[return-value]
        chosen = form.cleaned_data.get("therapist")
        patient = form.cleaned_data.get("patient")
        therapist = chosen or (patient.therapist if patient is not None else None) or _therapist(request)
        if therapist is None:
            raise ValidationError({"therapist": ["Choose the therapist this record belongs to."]})
        return therapist


class ServiceForm(forms.ModelForm):
    """Runs the model's validation (every constraint, keyed to fields) inside the form, shows a refused
    service's messages on their fields, and limits appointment/note choices to the chosen patient."""

    request: HttpRequest
    model_admin: ScopedAdmin

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "therapist" in self.fields and "patient" in self.fields and _whole_practice(self.request):
            self.fields["therapist"].required = False
            self.fields["therapist"].help_text = "Leave blank to use the patient's own therapist."
        for field in self.fields.values():
            # Unfold's textareas default to ten rows; most clinical fields hold a few lines.
            if isinstance(field.widget, forms.Textarea) and str(field.widget.attrs.get("rows", "10")) == "10":
                field.widget.attrs["rows"] = 3
        patient_id = self._chosen_patient_id()
        for name in ("appointment", "session_note"):
            picker = self.fields.get(name)
            if picker is not None and patient_id and hasattr(picker, "queryset"):
                picker.queryset = picker.queryset.filter(patient_id=patient_id)
                picker.help_text = "Only this patient's sessions are listed."

    def _chosen_patient_id(self) -> str | None:
        if getattr(self.instance, "patient_id", None):
            return str(self.instance.patient_id)
        if "patient" not in self.fields:
            return None
        value = self.data.get(self.add_prefix("patient")) if self.is_bound else self.initial.get("patient")
        return str(getattr(value, "pk", value)) if value else None

    def prepare_instance(self) -> None:
        """Fill in what the form does not show before validation: the therapist is the therapist user
        themself, or the one a manager chose, or else the patient's own (as ``acting_therapist`` decides)."""
        instance = self.instance
        if hasattr(instance, "therapist_id") and instance.therapist_id is None:
            own = None if _whole_practice(self.request) else _therapist(self.request)
            patient = instance.patient if getattr(instance, "patient_id", None) else None
            instance.therapist = (
                own
                or self.cleaned_data.get("therapist")
                or (patient.therapist if patient else None)
                or _therapist(self.request)
            )

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        refused: ValidationError | None = getattr(self.request, "_service_refusal", None)
        if refused is not None:
            self._add_service_errors(refused)
            return
        if self.errors:
            return
        self.prepare_instance()
        try:
            services.validate(self.instance)
        except ValidationError as error:
            self._add_service_errors(error)

    def _add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, errors in error.error_dict.items():
            target = field if field in self.fields and field != NON_FIELD_ERRORS else None
            # The errors themselves (not their text), so a form can read their code and params (the overlap's
            # next free slot).
            self.add_error(target, ValidationError(list(errors)))


def _form_with_request(admin_obj: ScopedAdmin, request: HttpRequest, form_class: type) -> type:
    return type(form_class.__name__, (form_class,), {"request": request, "model_admin": admin_obj})


class ServiceAdmin(ScopedAdmin):
    form = ServiceForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _form_with_request(self, request, super().get_form(request, obj, change=change, **kwargs))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A service that refuses the save (raised inside the admin's transaction, so nothing is written) is
        answered with the same form again, carrying the service's messages."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST":
                raise
            request._service_refusal = refusal  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", object_id)

    def _run(self, request: HttpRequest, action: Any) -> Any:
        try:
            return action()
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return None

    def run_bulk(self, request: HttpRequest, queryset: QuerySet, action: Any, done: str) -> None:
        """Apply ``action`` to each selected row through its service; say how many it changed and why the
        others were refused (one message per refusal, naming the row)."""
        changed = 0
        for obj in queryset:
            try:
                action(obj)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
            else:
                changed += 1
        level = messages.SUCCESS if changed else messages.WARNING
        self.message_user(request, done.format(count=changed, s="" if changed == 1 else "s"), level)


admin.site.empty_value_display = "–"
