"""The research desk: its home page (funnel per arm, EOIs waiting for review, recent engagement) and the
research part of the navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from research import selectors
from research.admin.outreach import funnel_chart
from sanctuary import roles
from sanctuary.admin_site import Home, NavGroup, NavItem, workspace_site


def research_home_view(request: HttpRequest, context: dict[str, Any]) -> TemplateResponse:
    rows = selectors.funnel_by_variant()
    pending = selectors.eois_awaiting_review()
    context.update(
        {
            "title": "Research",
            "subtitle": "Therapist-matching research",
            "rows": rows,
            "verdict": selectors.experiment_verdict(rows),
            "chart": funnel_chart(rows),
            "pending_count": pending.count(),
            "pending": list(pending[:8]),
            "events": list(selectors.recent_engagement(limit=12)),
            "funnel_url": reverse("admin:research_funnel"),
            "queue_url": reverse("admin:research_expressionofinterest_changelist"),
        }
    )
    return TemplateResponse(request, "research/admin/home.html", context)


def _research_staff(request: HttpRequest) -> bool:
    return roles.is_research_staff(request.user)


def _research_only(request: HttpRequest) -> bool:
    """The research home is for the research team; a manager's home is the practice."""
    return _research_staff(request) and not roles.is_practice_manager(request.user)


def _eoi_reviewer(request: HttpRequest) -> bool:
    return roles.may_review_eois(request.user)


def _perm(perm: str) -> Any:
    return lambda request: _research_staff(request) and request.user.has_perm(perm)


workspace_site().register_home(Home(name="research", order=30, applies=_research_only, view=research_home_view))
workspace_site().register_navigation(
    NavGroup(
        title="Research",
        order=40,
        items=(
            NavItem("Research home", "science", "admin:index", _research_only),
            NavItem("Directory", "contacts", "admin:practice_therapist_changelist", _perm("practice.view_directory")),
            NavItem("EOIs", "how_to_reg", "admin:research_expressionofinterest_changelist", _eoi_reviewer),
            NavItem(
                "Surveys", "quiz", "admin:research_surveyresponse_changelist", _perm("research.view_surveyresponse")
            ),
            NavItem("Feedback", "reviews", "admin:research_feedback_changelist", _perm("research.view_feedback")),
            NavItem("Funnel", "filter_alt", "admin:research_funnel", _perm("research.view_therapistresearchstate")),
        ),
    )
)
workspace_site().register_navigation(
    NavGroup(
        title="Outreach",
        order=50,
        items=(
            NavItem(
                "Engagement log",
                "timeline",
                "admin:research_engagementevent_changelist",
                _perm("research.view_engagementevent"),
            ),
            NavItem(
                "E-mails sent", "mail", "admin:research_outboundemail_changelist", _perm("research.view_outboundemail")
            ),
            NavItem(
                "Research state",
                "insights",
                "admin:research_therapistresearchstate_changelist",
                _perm("research.view_therapistresearchstate"),
            ),
            NavItem(
                "Suppressions", "block", "admin:research_suppression_changelist", _perm("research.view_suppression")
            ),
            NavItem(
                "EOI audit trail",
                "fact_check",
                "admin:research_eoireviewevent_changelist",
                _perm("research.view_eoireviewevent"),
            ),
        ),
    )
)
