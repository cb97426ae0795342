"""Appointments, session notes (sign, amend, tags) and mood and progress entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from practice import services
from practice.admin.base import ScopedAdmin, ServiceAdmin, ServiceForm, _adopt
from practice.models import (
    Appointment,
    AppointmentStatus,
    MoodEntry,
    NoteTag,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
)
from sanctuary.admin import ReadOnlyInline
from sanctuary.users import acting_user

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
