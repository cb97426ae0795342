"""Therapists, patients (with their notes, mood and progress inline) and the shared lookups."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Max, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from practice import selectors, services
from practice.admin.base import ScopedAdmin, ServiceAdmin, _adopt, _whole_practice
from practice.models import (
    MoodEntry,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionType,
    Tag,
    Therapist,
)
from sanctuary.admin import ReadOnlyInline
from sanctuary.users import acting_user

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
