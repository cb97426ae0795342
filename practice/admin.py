"""Admin for every practice model, scoped: a therapist sees and edits only their own patients and everything
under them; superusers and the "Practice manager" group see the whole practice.

A foreign object is simply not in the queryset, so the admin answers with its "does not exist" redirect.
Writes that matter (appointments, notes, signing, amendments, billing, mood, progress) go through services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from practice import selectors, services
from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    NoteTag,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
    SessionType,
    Tag,
    Therapist,
)
from sanctuary.admin import ReadOnlyInline
from sanctuary.users import acting_user

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


# --- therapists and lookups ----------------------------------------------------------------------------------


class LicenseExpiryFilter(admin.SimpleListFilter):
    title = "license"
    parameter_name = "license"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("expiring", f"Expired or expiring within {selectors.LICENSE_WARNING_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "expiring":
            return queryset.filter(pk__in=selectors.licenses_expiring().values("pk"))
        return queryset


@admin.register(Therapist)
class TherapistAdmin(ScopedAdmin):
    therapist_path = "pk"
    list_display = ("full_name", "email", "title", "license_number", "license_expiry", "license_warning", "is_active")
    list_filter = (LicenseExpiryFilter, "license_verified", "directory_status", "profile_source", "is_active")
    search_fields = ("first_name", "last_name", "email", "license_number")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="License (G8)")
    def license_warning(self, obj: Therapist) -> str:
        today = timezone.localdate()
        if obj.license_expiry is None:
            return ""
        if obj.license_expiry < today:
            return "EXPIRED"
        if obj.license_expires_within(selectors.LICENSE_WARNING_DAYS, today=today):
            return f"expires in {(obj.license_expiry - today).days} days"
        return "ok"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The directory is not clinical data: whoever may see all of it (research staff, managers) does.
        if request.user.has_perm("practice.view_directory"):
            return admin.ModelAdmin.get_queryset(self, request)
        return super().get_queryset(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _whole_practice(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _whole_practice(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not _whole_practice(request):
            # Therapists keep their profile current but do not verify their own license or link logins.
            readonly += ["user", "license_verified", "directory_status", "profile_source", "is_active"]
        return readonly


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "default_duration_minutes", "default_rate")


@admin.register(ProgressArea)
class ProgressAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "category")
    list_filter = ("category",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color", "usage_count", "last_used")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # G3 – practice-wide numbers; a therapist's own are selectors.tag_usage.
        return super().get_queryset(request).annotate(
            usage_count=Count("note_tags"), last_used=Max("note_tags__note__session_date"),
        )

    @admin.display(ordering="usage_count")
    def usage_count(self, obj: Tag) -> int:
        return obj.usage_count  # type: ignore[attr-defined]

    @admin.display(ordering="last_used")
    def last_used(self, obj: Tag) -> date | None:
        return obj.last_used  # type: ignore[attr-defined]


# --- patients ------------------------------------------------------------------------------------------------


class SessionNoteInline(ReadOnlyInline):
    """Notes are written, signed and amended on their own page (through the services)."""

    model = SessionNote
    fields = ("session_date", "mood_rating", "is_private", "suicide_risk_level", "signed_at", "content")
    readonly_fields = fields


class TrackingFormSet(BaseInlineFormSet):
    """Mood and progress rows carry the patient's therapist; fill it in so validation sees whole rows."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]  # private formset hook
        form.instance.therapist_id = self.instance.therapist_id
        return form


class MoodEntryInline(admin.TabularInline):
    model = MoodEntry
    formset = TrackingFormSet
    extra = 0
    fields = ("entry_date", "mood_rating", "energy_level", "anxiety_level", "sleep_quality", "notes")


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    formset = TrackingFormSet
    extra = 0
    fields = ("entry_date", "progress_area", "score", "baseline_score", "target_score", "notes")


@admin.register(Patient)
class PatientAdmin(ServiceAdmin):
    list_display = ("full_name", "status", "preferred_session_type", "email", "therapist")
    list_filter = ("status", "preferred_session_type", "created_at")
    search_fields = ("first_name", "last_name")  # replaced by the trigram search below
    readonly_fields = ("archived_at", "created_at", "updated_at")
    inlines = (SessionNoteInline, MoodEntryInline, ProgressEntryInline)
    actions = ("archive_patients",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str,
    ) -> tuple[QuerySet, bool]:
        # G1: substring or fuzzy (trigram) match on the full name, served by the GIN index.
        return selectors.patient_search(patients=queryset, query=search_term), False

    def save_model(self, request: HttpRequest, obj: Patient, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.PATIENT_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.patient_update(patient=obj, changes=fields, actor=acting_user(request))
        else:
            fields.pop("status", None)
            therapist = self.acting_therapist(request, form)
            saved = services.patient_create(therapist=therapist, actor=acting_user(request), **fields)
        _adopt(obj, saved)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model not in (MoodEntry, ProgressEntry):
            return super().save_formset(request, form, formset, change)
        patient = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        record = services.mood_entry_record if formset.model is MoodEntry else services.progress_entry_record
        for inline_form in formset.forms:
            instance = inline_form.instance
            if inline_form in formset.deleted_forms:
                if instance.pk:
                    instance.delete()
                    formset.deleted_objects.append(instance)
            elif not inline_form.has_changed():
                continue
            elif instance.pk is None:
                data = {k: v for k, v in inline_form.cleaned_data.items() if k not in ("id", "patient", "DELETE")}
                formset.new_objects.append(record(patient=patient, actor=acting_user(request), **data))
            else:
                services.validate(instance)
                instance.save()
                formset.changed_objects.append((instance, inline_form.changed_data))
        return None

    def delete_model(self, request: HttpRequest, obj: Patient) -> None:
        # Deleting is for mistakes only (notes and bills protect a real patient); history keeps the row.
        super().delete_model(request, obj)

    @admin.action(description="Archive selected patients")
    def archive_patients(self, request: HttpRequest, queryset: QuerySet) -> None:
        for patient in queryset:
            services.patient_archive(patient=patient, actor=acting_user(request))


# --- appointments ---------------------------------------------------------------------------------------------


@admin.register(Appointment)
class AppointmentAdmin(ServiceAdmin):
    list_display = (
        "scheduled_start", "patient", "appointment_type", "status", "session_type", "scheduled_minutes",
        "actual_minutes", "overrun_minutes",
    )
    list_filter = ("status", "appointment_type", "scheduled_start", "session_type")
    date_hierarchy = "scheduled_start"
    list_select_related = ("patient", "session_type")
    readonly_fields = ("status", "cancellation_reason", "actual_start", "actual_end", "created_at", "updated_at")
    actions = ("complete_as_scheduled", "mark_no_show", "cancel_appointments")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("patient")
            if obj.status != AppointmentStatus.SCHEDULED:
                readonly += ["scheduled_start", "scheduled_end"]
        return readonly

    def save_model(self, request: HttpRequest, obj: Appointment, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        details = {k: data[k] for k in services.APPOINTMENT_DETAIL_FIELDS if k in data}
        if not change:
            saved = services.appointment_book(
                therapist=self.acting_therapist(request, form), patient=data["patient"],
                scheduled_start=data["scheduled_start"], scheduled_end=data["scheduled_end"],
                actor=acting_user(request), **details,
            )
        else:
            saved = obj
            if {"scheduled_start", "scheduled_end"} & set(form.changed_data):
                saved = services.appointment_reschedule(
                    appointment=obj, scheduled_start=data["scheduled_start"], scheduled_end=data["scheduled_end"],
                    actor=acting_user(request),
                )
            saved = services.appointment_update_details(appointment=saved, changes=details, actor=acting_user(request))
        _adopt(obj, saved)

    @admin.action(description="Mark as completed (as scheduled)")
    def complete_as_scheduled(self, request: HttpRequest, queryset: QuerySet) -> None:
        for appointment in queryset:
            self._run(request, lambda a=appointment: services.appointment_complete(
                appointment=a, actual_start=a.scheduled_start, actual_end=a.scheduled_end, actor=acting_user(request),
            ))

    @admin.action(description="Mark as no-show")
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet) -> None:
        for appointment in queryset:
            self._run(request, lambda a=appointment: services.appointment_mark_no_show(
                appointment=a, actor=acting_user(request),
            ))

    @admin.action(description="Cancel selected appointments")
    def cancel_appointments(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Cancelled in the admin by {request.user.get_username()}"
        for appointment in queryset:
            self._run(request, lambda a=appointment: services.appointment_cancel(
                appointment=a, reason=reason, actor=acting_user(request),
            ))


# --- notes ----------------------------------------------------------------------------------------------------


class SessionNoteForm(ServiceForm):
    tag_names = forms.CharField(
        required=False, label="Tags", help_text="Comma-separated, e.g. anxiety, progress, homework.",
    )

    class Meta:
        model = SessionNote
        fields = (
            "patient", "therapist", "appointment", "session_date", "content", "mood_rating", "session_goals",
            "homework_assigned", "next_session_focus", "is_private", "suicide_risk_level", "crisis_indicators",
            "safety_plan", "risk_assessed_at", "is_template", "template_name",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())


class AmendmentInline(ReadOnlyInline):
    model = SessionNoteAmendment
    fields = ("created_at", "author", "reason", "content")
    readonly_fields = fields
    show_change_link = False


@admin.register(SessionNote)
class SessionNoteAdmin(ServiceAdmin):
    form = SessionNoteForm
    list_display = ("session_date", "patient", "mood_rating", "is_private", "suicide_risk_level", "signed_at")
    list_filter = ("session_date", "is_private", "suicide_risk_level", ("signed_at", admin.EmptyFieldListFilter))
    list_select_related = ("patient",)
    readonly_fields = ("signed_at", "signed_by", "created_at", "updated_at")
    inlines = (AmendmentInline,)
    actions = ("sign_notes",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A signed note is shown read-only; PostgreSQL refuses changes anyway.
        if obj is not None and obj.is_signed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_signed:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: SessionNote, form: forms.ModelForm, change: bool) -> None:
        data = dict(form.cleaned_data)
        tags = [data.pop("tag_names", "") or ""]
        fields = {k: v for k, v in data.items() if k in services.NOTE_FIELDS}
        if change:
            saved = services.session_note_update(note=obj, changes=fields, tags=tags, actor=acting_user(request))
        else:
            saved = services.session_note_create(
                therapist=self.acting_therapist(request, form), patient=data["patient"], tags=tags,
                actor=acting_user(request), **fields,
            )
        _adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Tags were saved by the service; amendments are added on their own page.
        return None

    def delete_model(self, request: HttpRequest, obj: SessionNote) -> None:
        services.session_note_delete(note=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for note in queryset:
            self._run(request, lambda n=note: services.session_note_delete(note=n, actor=acting_user(request)))

    @admin.action(description="Sign and lock selected notes")
    def sign_notes(self, request: HttpRequest, queryset: QuerySet) -> None:
        signed = 0
        for note in queryset.filter(signed_at__isnull=True):
            if self._run(request, lambda n=note: services.session_note_sign(note=n, signed_by=acting_user(request))):
                signed += 1
        self.message_user(request, f"Signed {signed} note(s).")


class AmendmentForm(ServiceForm):
    class Meta:
        model = SessionNoteAmendment
        fields = ("note", "reason", "content")

    def prepare_instance(self) -> None:
        self.instance.author = self.request.user


@admin.register(SessionNoteAmendment)
class SessionNoteAmendmentAdmin(ServiceAdmin):
    therapist_path = "note__therapist"
    form = AmendmentForm
    list_display = ("created_at", "note", "author", "reason")
    list_filter = ("created_at",)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "note":
            field.queryset = field.queryset.filter(signed_at__isnull=False)
        return field

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SessionNoteAmendment, form: Any, change: bool) -> None:
        saved = services.session_note_amend(
            note=form.cleaned_data["note"], author=acting_user(request), content=form.cleaned_data["content"],
            reason=form.cleaned_data["reason"],
        )
        _adopt(obj, saved)


@admin.register(NoteTag)
class NoteTagAdmin(ScopedAdmin):
    """Read-only: tags are set on the note (through the service)."""

    therapist_path = "note__therapist"
    list_display = ("note", "tag", "created_at")
    list_filter = ("tag",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- mood and progress ------------------------------------------------------------------------------------------


class TrackingAdmin(ServiceAdmin):
    record_service: Any = None
    list_select_related = ("patient",)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.validate(obj)
            obj.save()
            return
        data = {k: v for k, v in form.cleaned_data.items() if k != "therapist"}
        saved = type(self).record_service(actor=acting_user(request), **data)
        _adopt(obj, saved)


@admin.register(MoodEntry)
class MoodEntryAdmin(TrackingAdmin):
    record_service = staticmethod(services.mood_entry_record)
    list_display = ("entry_date", "patient", "mood_rating", "energy_level", "anxiety_level", "sleep_quality")
    list_filter = ("entry_date",)
    exclude = ("therapist",)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(TrackingAdmin):
    record_service = staticmethod(services.progress_entry_record)
    list_display = ("entry_date", "patient", "progress_area", "score", "baseline_score", "target_score")
    list_filter = ("entry_date", "progress_area")
    exclude = ("therapist",)


# --- billing ----------------------------------------------------------------------------------------------------


@admin.register(FinancialRecord)
class FinancialRecordAdmin(ServiceAdmin):
    list_display = (
        "record_date", "patient", "record_type", "amount", "status", "due_date", "patient_responsibility",
        "invoice_number",
    )
    list_filter = ("status", "record_type", "record_date", "due_date", "session_type")
    list_select_related = ("patient",)
    search_fields = ("invoice_number",)
    readonly_fields = (
        "status", "paid_date", "transaction_date", "payment_method", "late_fee", "void_reason",
        "insurer_amount", "patient_responsibility", "created_at", "updated_at",
    )
    actions = ("mark_paid_today", "void_records")

    def save_model(self, request: HttpRequest, obj: FinancialRecord, form: Any, change: bool) -> None:
        if change:
            services.validate(obj)
            obj.save()
            return
        data = {k: v for k, v in form.cleaned_data.items() if k != "therapist"}
        saved = services.financial_record_create(
            therapist=self.acting_therapist(request, form), actor=acting_user(request), **data,
        )
        _adopt(obj, saved)

    @admin.action(description="Mark as paid today")
    def mark_paid_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        for record in queryset:
            self._run(request, lambda r=record: services.financial_record_pay(
                record=r, paid_date=timezone.localdate(), payment_method=r.payment_method or "other",
                actor=acting_user(request),
            ))

    @admin.action(description="Void selected bills")
    def void_records(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Voided in the admin by {request.user.get_username()}"
        for record in queryset:
            self._run(request, lambda r=record: services.financial_record_void(
                record=r, reason=reason, actor=acting_user(request),
            ))
