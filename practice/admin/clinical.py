"""Appointments, session notes (written, signed and amended on the note itself), and mood and progress entries."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from unfold.widgets import UnfoldAdminTextInputWidget

from practice import selectors, services
from practice.admin.base import ScopedAdmin, ServiceAdmin, ServiceForm, _therapist, _whole_practice, badge
from practice.models import (
    Appointment,
    AppointmentStatus,
    MoodEntry,
    NoteTag,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
)
from sanctuary import display
from sanctuary.admin import ReadOnlyInline, ReadOnlyMixin, adopt
from sanctuary.users import acting_user

STATUS_BADGES = {
    AppointmentStatus.SCHEDULED: "scheduled",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "no-show",
}


# --- appointments ---------------------------------------------------------------------------------------------


class AppointmentForm(ServiceForm):
    class Meta:
        model = Appointment
        fields = (
            "patient",
            "therapist",
            "session_type",
            "scheduled_start",
            "scheduled_end",
            "appointment_type",
            "meeting_url",
            "location",
            "preparation_notes",
            "private_notes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "scheduled_end" in self.fields and self.instance._state.adding:
            # The service ends it after the session type's length (50 minutes without one).
            self.fields["scheduled_end"].required = False
            self.fields["scheduled_end"].help_text = "Leave blank to use the session type's length."

    def prepare_instance(self) -> None:
        super().prepare_instance()
        instance = self.instance
        if instance.scheduled_start and not instance.scheduled_end:
            minutes = (
                instance.session_type.default_duration_minutes
                if instance.session_type
                else services.DEFAULT_SESSION_MINUTES
            )
            instance.scheduled_end = instance.scheduled_start + timedelta(minutes=minutes)


@admin.register(Appointment)
class AppointmentAdmin(ServiceAdmin):
    form = AppointmentForm
    list_display = (
        "when",
        "patient",
        "therapist",
        "appointment_type",
        "status_badge",
        "session_type",
        "scheduled_minutes",
        "actual_minutes",
        "overrun_minutes",
    )
    list_display_links = ("when",)
    list_filter = ("status", "appointment_type", "session_type")
    date_hierarchy = "scheduled_start"
    list_select_related = ("patient", "session_type", "therapist")
    readonly_fields = ("status", "cancellation_reason", "actual_start", "actual_end", "created_at", "updated_at")
    actions = ("complete_as_scheduled", "mark_no_show", "cancel_appointments")
    change_form_outer_before_template = "practice/admin/appointment_tools.html"
    ordering = ("-scheduled_start",)

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if _whole_practice(request) else [name for name in shown if name != "therapist"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        session = ["patient", "session_type", "scheduled_start", "scheduled_end", "appointment_type"]
        if _whole_practice(request) or obj is not None:
            session.insert(1, "therapist")
        fieldsets: list[tuple[str, dict[str, Any]]] = [
            ("Session", {"fields": session}),
            (
                "Where",
                {
                    "fields": ["location", "meeting_url"],
                    "description": "An address or room for in-person sessions, a video link for virtual ones.",
                },
            ),
            ("Notes", {"fields": ["preparation_notes", "private_notes"]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Record",
                    {
                        "fields": [
                            "status",
                            "cancellation_reason",
                            "actual_start",
                            "actual_end",
                            "created_at",
                            "updated_at",
                        ]
                    },
                )
            )
        return fieldsets

    @admin.display(description="when", ordering="scheduled_start")
    def when(self, obj: Appointment) -> str:
        text = f"{display.datetime_label(obj.scheduled_start)} – {display.time_label(obj.scheduled_end)}"
        if obj.status == AppointmentStatus.CANCELLED:
            return format_html("<s>{}</s>", text)
        return text

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: Appointment) -> str:
        return badge(STATUS_BADGES[AppointmentStatus(obj.status)], obj.get_status_display())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["patient", "therapist"]
            if obj.status != AppointmentStatus.SCHEDULED:
                readonly += ["scheduled_start", "scheduled_end"]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """The calendar opens booking with the start filled (``?scheduled_start=2026-12-07T09:00``, local)."""
        initial = super().get_changeform_initial_data(request)
        raw = request.GET.get("scheduled_start", "")
        start = parse_datetime(raw) if raw else None
        if start is not None:
            initial["scheduled_start"] = timezone.make_aware(start) if timezone.is_naive(start) else start
        else:
            initial.pop("scheduled_start", None)
        return initial

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        form = context["adminform"].form
        slot = None
        for error in form.errors.as_data().get("scheduled_start", []):
            slot = (error.params or {}).get("next_free_slot") or slot
        if slot is not None:
            query = {"scheduled_start": display.local(slot).strftime("%Y-%m-%dT%H:%M")}
            for name in ("patient", "therapist", "session_type", "appointment_type"):
                value = form.data.get(name)
                if value:
                    query[name] = value
            context["next_free_slot"] = {
                "label": display.datetime_label(slot),
                "url": reverse("admin:practice_appointment_add") + "?" + urlencode(query),
            }
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Appointment, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        details = {k: data[k] for k in services.APPOINTMENT_DETAIL_FIELDS if k in data}
        if not change:
            saved = services.appointment_book(
                therapist=self.acting_therapist(request, form),
                patient=data["patient"],
                scheduled_start=data["scheduled_start"],
                scheduled_end=data.get("scheduled_end"),
                actor=acting_user(request),
                **details,
            )
        else:
            saved = obj
            if {"scheduled_start", "scheduled_end"} & set(form.changed_data):
                saved = services.appointment_reschedule(
                    appointment=obj,
                    scheduled_start=data["scheduled_start"],
                    scheduled_end=data["scheduled_end"],
                    actor=acting_user(request),
                )
            saved = services.appointment_update_details(appointment=saved, changes=details, actor=acting_user(request))
        adopt(obj, saved)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Appointments are cancelled (the reason is kept), not deleted.
        return False

    @admin.action(description="Mark as completed (as scheduled)")
    def complete_as_scheduled(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda a: services.appointment_complete(
                appointment=a,
                actual_start=a.scheduled_start,
                actual_end=a.scheduled_end,
                actor=acting_user(request),
            ),
            "Marked {count} appointment{s} as completed.",
        )

    @admin.action(description="Mark as no-show")
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda a: services.appointment_mark_no_show(
                appointment=a,
                actor=acting_user(request),
            ),
            "Marked {count} appointment{s} as a no-show.",
        )

    @admin.action(description="Cancel selected appointments")
    def cancel_appointments(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Cancelled in the admin by {request.user.get_username()}"
        self.run_bulk(
            request,
            queryset,
            lambda a: services.appointment_cancel(
                appointment=a,
                reason=reason,
                actor=acting_user(request),
            ),
            "Cancelled {count} appointment{s}.",
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        from practice.admin.pages import schedule_urls
        from practice.admin.workspace import calendar_urls

        return [*calendar_urls(self), *schedule_urls(self), *super().get_urls()]


# --- notes ----------------------------------------------------------------------------------------------------


class SessionNoteForm(ServiceForm):
    tag_names = forms.CharField(
        required=False,
        label="Tags",
        help_text="Comma-separated, e.g. anxiety, progress, homework.",
        widget=UnfoldAdminTextInputWidget,
    )

    class Meta:
        model = SessionNote
        fields = (
            "patient",
            "therapist",
            "appointment",
            "session_date",
            "content",
            "mood_rating",
            "session_goals",
            "homework_assigned",
            "next_session_focus",
            "is_private",
            "suicide_risk_level",
            "crisis_indicators",
            "safety_plan",
            "risk_assessed_at",
            "is_template",
            "template_name",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
        for name, rows in NOTE_TEXT_ROWS.items():
            if name in self.fields:
                self.fields[name].widget.attrs["rows"] = rows


# Room for what each part of a note usually holds: the session itself gets space, the rest a few lines.
NOTE_TEXT_ROWS = {
    "content": 8,
    "session_goals": 2,
    "homework_assigned": 2,
    "next_session_focus": 2,
    "crisis_indicators": 2,
    "safety_plan": 3,
}


class AmendmentInline(ReadOnlyInline):
    model = SessionNoteAmendment
    fields = ("created_at", "author", "reason", "content")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "amendments"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SessionNoteAmendment]:
        return super().get_queryset(request).select_related("author")


# Copied from a template into a new note ("start from template").
TEMPLATE_FIELDS = ("content", "session_goals", "homework_assigned", "next_session_focus")


class AttestationForm(forms.Form):
    attest = forms.BooleanField(
        label="I confirm this note is an accurate and complete record of the session. Once signed it is locked; "
        "any later correction is added as an amendment.",
    )


@admin.register(SessionNote)
class SessionNoteAdmin(ServiceAdmin):
    form = SessionNoteForm
    list_display = ("session_date", "patient", "state", "mood_rating", "tag_list", "suicide_risk_level")
    list_display_links = ("session_date",)
    list_filter = ("is_private", "suicide_risk_level", ("signed_at", admin.EmptyFieldListFilter), "is_template")
    list_select_related = ("patient",)
    readonly_fields = ("signed_at", "signed_by", "created_at", "updated_at")
    inlines = (AmendmentInline,)
    actions = ("sign_notes",)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Amendments exist only on a signed note.
        return super().get_inlines(request, obj) if obj is not None and obj.is_signed else ()

    change_form_outer_before_template = "practice/admin/note_tools.html"
    ordering = ("-session_date", "-created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="state", ordering="signed_at")
    def state(self, obj: SessionNote) -> str:
        if obj.is_template:
            return badge("template", "Template")
        return badge("signed", "Signed") if obj.is_signed else badge("draft", "Draft")

    @admin.display(description="tags")
    def tag_list(self, obj: SessionNote) -> str:
        tags = sorted(obj.tags.all(), key=lambda t: t.name)
        if not tags:
            return "–"
        return format_html_join(" ", '<span class="sanctuary-tag">{}</span>', ((t.name,) for t in tags))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        session = ["patient", "appointment", "session_date", "mood_rating", "tag_names"]
        if _whole_practice(request) or obj is not None:
            session.insert(1, "therapist")
        if obj is not None and obj.is_signed:
            # Read-only view: the form-only tag field has no value to show; the note's own tags do.
            session[session.index("tag_names")] = "tag_list"
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            ("Session", {"fields": session}),
            ("Note", {"fields": ["content", "session_goals", "homework_assigned", "next_session_focus", "is_private"]}),
            (
                "Risk assessment",
                {
                    "fields": ["suicide_risk_level", "crisis_indicators", "safety_plan", "risk_assessed_at"],
                    "description": "Leave the level blank when risk was not assessed in this session. A high or "
                    "imminent level needs a safety plan.",
                },
            ),
            ("Template", {"fields": ["is_template", "template_name"], "classes": ["collapse"]}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["signed_at", "signed_by", "created_at", "updated_at"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["patient", "therapist", "tag_list"]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """Today's date; the patient, appointment or template the link came from (``?template=<id>`` copies
        its text into the new note)."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("session_date", timezone.localdate())
        template_id = request.GET.get("template")
        if template_id:
            template = selectors.note_templates(therapist=None if _whole_practice(request) else _therapist(request))
            source = template.filter(pk=template_id).first() if _is_uuid(template_id) else None
            if source is not None:
                initial.update({name: getattr(source, name) for name in TEMPLATE_FIELDS})
                initial["tag_names"] = ", ".join(t.name for t in source.tags.all())
        initial.pop("template", None)
        return initial

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        obj = context.get("original")
        if obj is None:
            own = None if _whole_practice(request) else _therapist(request)
            query = {k: v for k, v in request.GET.items() if k != "template"}
            context["note_templates"] = [
                (t.template_name, "?" + urlencode({**query, "template": t.pk}))
                for t in selectors.note_templates(therapist=own)
            ]
        return super().render_change_form(request, context, *args, **kwargs)

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
                therapist=self.acting_therapist(request, form),
                patient=data["patient"],
                tags=tags,
                actor=acting_user(request),
                **fields,
            )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Tags were saved by the service (the form has no m2m field); the amendments inline is read-only, and
        # saving its formset only records that nothing changed, which the admin's change message reads.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: SessionNote) -> None:
        services.session_note_delete(note=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda n: services.session_note_delete(note=n, actor=acting_user(request)),
            "Deleted {count} draft note{s}.",
        )

    @admin.action(description="Sign and lock selected notes")
    def sign_notes(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset.filter(signed_at__isnull=True),
            lambda n: services.session_note_sign(note=n, signed_by=acting_user(request)),
            "Signed and locked {count} note{s}.",
        )

    # --- signing on the note ------------------------------------------------------------------------------
    def get_urls(self):  # type: ignore[no-untyped-def]
        sign = path("<uuid:pk>/sign/", self.admin_site.admin_view(self.sign_view), name="practice_sessionnote_sign")
        return [sign, *super().get_urls()]

    def sign_view(self, request: HttpRequest, pk: Any) -> HttpResponse:
        note = get_object_or_404(self.get_queryset(request).select_related("patient"), pk=pk)
        change_url = reverse("admin:practice_sessionnote_change", args=[note.pk])
        if note.is_signed:
            self.message_user(request, "This note is already signed.", messages.INFO)
            return HttpResponseRedirect(change_url)
        if not self.has_change_permission(request, note):
            raise PermissionDenied
        form = AttestationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.session_note_sign(note=note, signed_by=acting_user(request))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, f"Signed and locked: {note}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": note,
            "note": note,
            "title": "Sign and lock",
            "subtitle": str(note),
            "form": form,
            "change_url": change_url,
            "tags": sorted(t.name for t in note.tags.all()),
        }
        return TemplateResponse(request, "practice/admin/note_sign.html", context)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


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
    list_select_related = ("note__patient", "author")

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
            note=form.cleaned_data["note"],
            author=acting_user(request),
            content=form.cleaned_data["content"],
            reason=form.cleaned_data["reason"],
        )
        adopt(obj, saved)

    def response_add(self, request: HttpRequest, obj: SessionNoteAmendment, post_url_continue: Any = None) -> Any:
        # Back to the note, where the amendment now shows under it.
        self.message_user(request, "Amendment added to the signed note.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:practice_sessionnote_change", args=[obj.note_id]))


@admin.register(NoteTag)
class NoteTagAdmin(ReadOnlyMixin, ScopedAdmin):
    """Read-only: tags are set on the note (through the service)."""

    therapist_path = "note__therapist"
    list_display = ("note", "tag", "created_at")
    list_filter = ("tag",)
    list_select_related = ("note__patient", "tag")


# --- mood and progress ------------------------------------------------------------------------------------------


class TrackingAdmin(ServiceAdmin):
    record_service: Any = None
    update_service: Any = None
    delete_service: Any = None
    list_select_related: tuple[str, ...] = ("patient",)
    exclude = ("therapist",)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k != "therapist"}
        if change:
            data.pop("patient", None)
            saved = type(self).update_service(entry=obj, changes=data, actor=acting_user(request))
        else:
            saved = type(self).record_service(actor=acting_user(request), **data)
        adopt(obj, saved)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "patient"] if obj is not None else readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("entry_date", timezone.localdate())
        return initial

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).delete_service(entry=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda e: type(self).delete_service(entry=e, actor=acting_user(request)),
            "Deleted entries: {count}.",
        )


@admin.register(MoodEntry)
class MoodEntryAdmin(TrackingAdmin):
    record_service = staticmethod(services.mood_entry_record)
    update_service = staticmethod(services.mood_entry_update)
    delete_service = staticmethod(services.mood_entry_delete)
    list_display = ("entry_date", "patient", "mood_rating", "energy_level", "anxiety_level", "sleep_quality")
    list_filter = ("entry_date",)
    ordering = ("-entry_date", "-created_at")


@admin.register(ProgressEntry)
class ProgressEntryAdmin(TrackingAdmin):
    record_service = staticmethod(services.progress_entry_record)
    update_service = staticmethod(services.progress_entry_update)
    delete_service = staticmethod(services.progress_entry_delete)
    list_display = ("entry_date", "patient", "progress_area", "score", "baseline_score", "target_score")
    list_filter = ("entry_date", "progress_area")
    list_select_related = ("patient", "progress_area")
    ordering = ("-entry_date", "-created_at")
