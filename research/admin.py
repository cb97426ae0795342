"""Admin for the research CRM, plus research panels on the therapist page.

``practice`` must never import ``research``, so the therapist page is extended from here: take the
ModelAdmin practice registered for ``Therapist`` (practice precedes research in INSTALLED_APPS, so its
admin is autodiscovered first), subclass it with the research inlines/fields, and re-register.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from practice.models import Therapist
from research import selectors
from research.models import (
    EngagementEvent,
    ExpressionOfInterest,
    Feedback,
    OutboundEmail,
    Suppression,
    SurveyResponse,
    TherapistResearchState,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ("submitted_at", "therapist", "profession", "years_practice", "fee_per_match",
                    "monthly_subscription", "processing_status")
    list_filter = ("processing_status", "profession", "years_practice", "free_listing_interest", "future_contact")
    search_fields = ("email", "therapist__first_name", "therapist__last_name", "therapist__email")
    list_select_related = ("therapist",)
    autocomplete_fields = ("therapist",)
    readonly_fields = ("created_at", "updated_at", "import_key")
    date_hierarchy = "submitted_at"


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("submitted_at", "rating", "section", "audience", "therapist", "status", "short_comment")
    list_filter = ("status", "rating", "section", "audience")
    search_fields = ("comment", "email", "tracking_id", "session_id", "therapist__last_name", "therapist__email")
    list_select_related = ("therapist",)
    autocomplete_fields = ("therapist",)
    raw_id_fields = ("survey_response",)
    readonly_fields = ("created_at", "updated_at", "import_key", "legacy_rating_6")

    @admin.display(description="comment")
    def short_comment(self, obj: Feedback) -> str:
        return obj.comment[:80]


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    list_display = ("submitted_at", "audience", "__str__", "email", "profile_status", "therapist")
    list_filter = ("profile_status", "audience")
    search_fields = ("email", "full_name", "contact_name", "organisation_name", "organisation")
    list_select_related = ("therapist",)
    autocomplete_fields = ("therapist",)
    # The status workflow (review, convert, reject) is issue 5's service; not editable by hand here.
    readonly_fields = ("profile_status", "reviewed_by", "reviewed_at", "review_reason", "created_at", "updated_at",
                       "import_key")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "therapist", "step", "variant", "status", "sent_at", "provider_message_id")
    list_filter = ("step", "status", "variant", "experiment_id")
    search_fields = ("to_email", "provider_message_id", "therapist__last_name")
    list_select_related = ("therapist",)


@admin.register(EngagementEvent)
class EngagementEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "therapist", "status", "machine_open", "provider_event_id")
    list_filter = ("kind", "status", "machine_open")
    search_fields = ("email", "provider_event_id", "therapist__last_name")
    list_select_related = ("therapist",)
    date_hierarchy = "occurred_at"


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at", "note")
    list_filter = ("reason",)
    search_fields = ("email",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TherapistResearchState)
class TherapistResearchStateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("therapist", "stage", "variant", "opens_count", "clicks_count", "followup_count",
                    "last_followup_at", "next_action", "suppressed")
    list_filter = ("stage", "variant", "experiment_id")
    search_fields = ("therapist__first_name", "therapist__last_name", "therapist__email")
    list_select_related = ("therapist",)

    @admin.display(description="next action")
    def next_action(self, obj: TherapistResearchState) -> str:
        return obj.next_action().label

    @admin.display(boolean=True, description="suppressed")
    def suppressed(self, obj: TherapistResearchState) -> bool:
        return obj.is_suppressed

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [path("funnel/", self.admin_site.admin_view(self.funnel_view), name="research_funnel"),
                *super().get_urls()]

    def funnel_view(self, request: HttpRequest) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "title": "Research funnel (EXP-01 A/B)",
                   "rows": selectors.funnel_by_variant(), "opts": self.model._meta}
        return TemplateResponse(request, "research/admin/funnel.html", context)


# ------------------------------------------------------------------------------------- therapist page
class _TherapistInline(admin.TabularInline):
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SurveyInline(_TherapistInline):
    model = SurveyResponse
    fields = ("submitted_at", "profession", "years_practice", "fee_per_match", "monthly_subscription")
    readonly_fields = fields


class FeedbackInline(_TherapistInline):
    model = Feedback
    fields = ("submitted_at", "rating", "section", "comment", "survey_response")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        return super().get_queryset(request).select_related("survey_response")


class EOIInline(_TherapistInline):
    model = ExpressionOfInterest
    fields = ("submitted_at", "audience", "profile_status", "professional_title")
    readonly_fields = fields


class OutboundEmailInline(_TherapistInline):
    model = OutboundEmail
    fields = ("step", "subject", "variant", "status", "sent_at")
    readonly_fields = fields


class EventInline(_TherapistInline):
    model = EngagementEvent
    fields = ("occurred_at", "kind", "status", "machine_open", "context")
    readonly_fields = fields
    show_change_link = False


RESEARCH_INLINES = [SurveyInline, FeedbackInline, EOIInline, OutboundEmailInline, EventInline]
RESEARCH_FIELDS = ("research_stage", "research_next_action", "research_followups")

_base = admin.site._registry.get(Therapist)
_BaseTherapistAdmin: type[admin.ModelAdmin] = type(_base) if _base is not None else admin.ModelAdmin


class TherapistResearchAdmin(_BaseTherapistAdmin):  # type: ignore[misc, valid-type]
    """Practice's therapist admin (whatever it is) plus the research panels."""

    if _base is None:
        list_display = ("__str__", "email", "profession", "directory_status")
    if not getattr(_BaseTherapistAdmin, "search_fields", ()):
        # The research admins' autocomplete fields need a searchable therapist admin.
        search_fields = ("first_name", "last_name", "email")

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
            fieldsets = [(n, {**o, "fields": [f for f in o.get("fields", ()) if f not in RESEARCH_FIELDS]})
                         for n, o in fieldsets]
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Therapist]:
        return super().get_queryset(request).select_related("research_state")

    def _state(self, obj: Therapist) -> TherapistResearchState | None:
        try:
            return obj.research_state
        except TherapistResearchState.DoesNotExist:
            return None

    @admin.display(description="research stage")
    def research_stage(self, obj: Therapist) -> str:
        state = self._state(obj)
        if state is None:
            return "Not invited"
        flags = [name for name, at in (("unsubscribed", state.unsubscribed_at), ("bounced", state.bounced_at),
                                       ("complained", state.complained_at)) if at]
        return state.get_stage_display() + (f" ({', '.join(flags)})" if flags else "")

    @admin.display(description="next follow-up action")
    def research_next_action(self, obj: Therapist) -> str:
        state = self._state(obj)
        return state.next_action().label if state else "Nothing: not invited yet"

    @admin.display(description="follow-ups")
    def research_followups(self, obj: Therapist) -> str:
        state = self._state(obj)
        if state is None or not state.followup_count:
            return "none sent"
        return format_html("{} sent, last {}", state.followup_count, f"{state.last_followup_at:%Y-%m-%d}")


if _base is not None:
    admin.site.unregister(Therapist)
admin.site.register(Therapist, TherapistResearchAdmin)
