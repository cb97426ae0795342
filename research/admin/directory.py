"""The therapist directory as research staff see it: research columns on the list, research panels on the page.

``practice`` must never import ``research``, so the therapist page is extended from here: take the ModelAdmin
practice registered for ``Therapist`` (practice precedes research in INSTALLED_APPS, so its admin is
autodiscovered first; ``AdminSite.get_model_admin`` is Django's public way to ask), subclass it with the
research columns, inlines and fields, and register that instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from practice.models import Therapist
from research.models import (
    EngagementEvent,
    ExpressionOfInterest,
    Feedback,
    OutboundEmail,
    SurveyResponse,
    TherapistResearchState,
)
from sanctuary import display, roles
from sanctuary.admin import ReadOnlyInline


class SurveyInline(ReadOnlyInline):
    model = SurveyResponse
    fields = ("submitted_at", "profession", "years_practice", "fee_per_match", "monthly_subscription")
    readonly_fields = fields


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = ("submitted_at", "rating", "section", "comment", "survey_response")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        return super().get_queryset(request).select_related("survey_response")


class EOIInline(ReadOnlyInline):
    model = ExpressionOfInterest
    fields = ("submitted_at", "audience", "profile_status", "professional_title")
    readonly_fields = fields


class OutboundEmailInline(ReadOnlyInline):
    model = OutboundEmail
    fields = ("step", "subject", "variant", "status", "sent_at")
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = EngagementEvent
    fields = ("occurred_at", "kind", "status", "machine_open", "context")
    readonly_fields = fields
    show_change_link = False


RESEARCH_INLINES = [SurveyInline, FeedbackInline, EOIInline, OutboundEmailInline, EventInline]
RESEARCH_FIELDS = ("research_stage", "research_next_action", "research_followups")
# What research staff look for in the directory (the clinicians' licence columns are the practice's).
RESEARCH_LIST_DISPLAY = ("full_name", "profession", "region", "funnel_stage", "directory_status")
RESEARCH_LIST_FILTER = ("directory_status", "profile_source", "research_state__stage", "region")

_BaseTherapistAdmin: type[admin.ModelAdmin] = type(admin.site.get_model_admin(Therapist))


class TherapistResearchAdmin(_BaseTherapistAdmin):  # type: ignore[misc, valid-type]
    """Practice's therapist admin (whatever it is) plus the research columns and panels."""

    if not getattr(_BaseTherapistAdmin, "search_fields", ()):
        # The research admins' autocomplete fields need a searchable therapist admin.
        search_fields = ("first_name", "last_name", "email")

    def _research_view(self, request: HttpRequest) -> bool:
        """Research staff who are not also running the practice get the research columns."""
        return roles.is_research_staff(request.user) and not roles.is_practice_manager(request.user)

    def get_list_display(self, request: HttpRequest) -> Any:
        return RESEARCH_LIST_DISPLAY if self._research_view(request) else super().get_list_display(request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        return RESEARCH_LIST_FILTER if self._research_view(request) else super().get_list_filter(request)

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        inlines = list(super().get_inlines(request, obj))
        return inlines + RESEARCH_INLINES if obj is not None else inlines

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *RESEARCH_FIELDS]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        named = [f for _, opts in fieldsets for f in opts.get("fields", ())]
        if obj is not None and not any(name in named for name in RESEARCH_FIELDS):
            fieldsets.append(("Research", {"fields": RESEARCH_FIELDS}))
        elif obj is None:
            fieldsets = [
                (n, {**o, "fields": [f for f in o.get("fields", ()) if f not in RESEARCH_FIELDS]}) for n, o in fieldsets
            ]
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Therapist]:
        return super().get_queryset(request).select_related("research_state")

    def _state(self, obj: Therapist) -> TherapistResearchState | None:
        try:
            return obj.research_state
        except TherapistResearchState.DoesNotExist:
            return None

    @admin.display(description="funnel stage", ordering="research_state__stage")
    def funnel_stage(self, obj: Therapist) -> str:
        return self.research_stage(obj)

    @admin.display(description="research stage")
    def research_stage(self, obj: Therapist) -> str:
        state = self._state(obj)
        if state is None:
            return "Not invited"
        flags = [
            name
            for name, at in (
                ("unsubscribed", state.unsubscribed_at),
                ("bounced", state.bounced_at),
                ("complained", state.complained_at),
            )
            if at
        ]
        return state.get_stage_display() + (f" ({', '.join(flags)})" if flags else "")

    @admin.display(description="next follow-up action")
    def research_next_action(self, obj: Therapist) -> str:
        state = self._state(obj)
        return state.next_action().label if state else "Nothing: not invited yet"

    @admin.display(description="follow-ups")
    def research_followups(self, obj: Therapist) -> str:
        state = self._state(obj)
        if state is None or not state.followup_count or state.last_followup_at is None:
            return "none sent"
        return format_html("{} sent, last {}", state.followup_count, display.datetime_label(state.last_followup_at))


admin.site.unregister(Therapist)
admin.site.register(Therapist, TherapistResearchAdmin)
