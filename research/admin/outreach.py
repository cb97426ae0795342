"""Outreach: the e-mails sent, the append-only engagement log, the suppression list, each therapist's research
state, and the funnel page with the A/B experiment's verdict."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from unfold.admin import ModelAdmin

from research import selectors
from research.models import EngagementEvent, OutboundEmail, Suppression, TherapistResearchState
from research.services import suppression_add, suppression_remove
from sanctuary import roles
from sanctuary.admin import ReadOnlyMixin, adopt
from sanctuary.users import acting_user


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("created_at", "therapist", "step", "variant", "status", "sent_at", "provider_message_id")
    list_filter = ("step", "status", "variant", "experiment_id")
    search_fields = ("to_email", "provider_message_id", "therapist__last_name")
    list_select_related = ("therapist",)


@admin.register(EngagementEvent)
class EngagementEventAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("occurred_at", "kind", "therapist", "status", "machine_open", "provider_event_id")
    list_filter = ("kind", "status", "machine_open")
    search_fields = ("email", "provider_event_id", "therapist__last_name")
    list_select_related = ("therapist",)
    date_hierarchy = "occurred_at"


@admin.register(Suppression)
class SuppressionAdmin(ModelAdmin):
    list_display = ("email", "reason", "created_at", "note")
    list_filter = ("reason",)
    search_fields = ("email",)
    fields = ("email", "note")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Suppression, form: Any, change: bool) -> None:
        saved = suppression_add(
            email=form.cleaned_data["email"], note=form.cleaned_data.get("note", ""), actor=acting_user(request)
        )
        adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Suppression) -> None:
        suppression_remove(suppression=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for suppression in queryset:
            suppression_remove(suppression=suppression, actor=acting_user(request))


@admin.register(TherapistResearchState)
class TherapistResearchStateAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = (
        "therapist",
        "stage",
        "variant",
        "opens_count",
        "clicks_count",
        "followup_count",
        "last_followup_at",
        "next_action",
        "suppressed",
    )
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
        return [
            path("funnel/", self.admin_site.admin_view(self.funnel_view), name="research_funnel"),
            *super().get_urls(),
        ]

    def funnel_view(self, request: HttpRequest) -> TemplateResponse:
        """The A/B funnel: research staff only (it is about research participants, not patients, but it is
        the research team's work and nobody else's)."""
        if not roles.is_research_staff(request.user) or not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.funnel_by_variant()
        context = {
            **self.admin_site.each_context(request),
            "title": "Research funnel",
            "subtitle": "EXP-01 A/B",
            "rows": rows,
            "verdict": selectors.experiment_verdict(rows),
            "stages": selectors.funnel_stage_counts(),
            "chart": funnel_chart(rows),
            "min_recipients": selectors.EXPERIMENT_MIN_RECIPIENTS,
            "min_difference": selectors.EXPERIMENT_MIN_DIFFERENCE_POINTS,
        }
        return TemplateResponse(request, "research/admin/funnel.html", context)


def funnel_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars per arm for each funnel step (``workspace.js`` draws it)."""
    steps = (("invited", "Invited"), ("opened", "Opened"), ("clicked", "Clicked"), ("completed", "Completed"))
    return {
        "labels": [label for _, label in steps],
        "min": 0,
        "step": 1,
        "series": [{"label": f"Arm {row['variant']}", "data": [row[key] for key, _ in steps]} for row in rows],
    }
