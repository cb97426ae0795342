"""Admin for the research CRM, plus research panels on the therapist page.

``practice`` must never import ``research``, so the therapist page is extended from here: take the
ModelAdmin practice registered for ``Therapist`` (practice precedes research in INSTALLED_APPS, so its
admin is autodiscovered first), subclass it with the research inlines/fields, and re-register.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from practice.models import Therapist
from research import selectors
from research.eoi_mapping import Change, PlannedField, is_verified
from research.models import (
    EngagementEvent,
    EOIAudience,
    EOIReviewEvent,
    ExpressionOfInterest,
    Feedback,
    OutboundEmail,
    ProfileStatus,
    ReviewSource,
    Suppression,
    SurveyResponse,
    TherapistResearchState,
)
from research.services import (
    eoi_conversion_preview,
    eoi_convert_to_profile,
    eoi_reject,
    eoi_reopen,
    eoi_start_review,
)
from sanctuary.admin import ReadOnlyInline


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


class EOIReviewEventInline(admin.TabularInline):
    model = EOIReviewEvent
    fields = ("occurred_at", "action", "from_status", "to_status", "actor", "source", "therapist", "reason",
              "diff_summary")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EOIReviewEvent]:
        return super().get_queryset(request).select_related("actor", "therapist")

    @admin.display(description="changes")
    def diff_summary(self, obj: EOIReviewEvent) -> str:
        return _diff_summary(obj.diff)


def _diff_summary(diff: list[dict[str, Any]]) -> str:
    parts = [f"{d['therapist_field']}: {d['change']}" for d in diff if d.get("change") != "no_value"]
    return "; ".join(parts)


def _plan_table(plan: list[PlannedField]) -> str:
    rows = format_html_join(
        "", "<tr class=\"change-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((f.change, f.eoi_field, f.eoi_value, f.therapist_field, _show(f.current), _show(f.proposed),
          CHANGE_LABELS[f.change]) for f in plan),
    )
    return format_html(
        "<table class=\"eoi-mapping-preview\"><thead><tr><th>EOI field</th><th>EOI value</th><th>Profile field</th>"
        "<th>Current profile value</th><th>Mapped value</th><th>What will happen</th></tr></thead>"
        "<tbody>{}</tbody></table>", rows,
    )


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(value) or "(empty)"
    return str(value) or "(empty)"


CHANGE_LABELS = {
    Change.SET: "set on the new profile",
    Change.FILL: "fills the empty field",
    Change.EXTEND: "list extended with the new items",
    Change.SAME: "unchanged (same value)",
    Change.KEPT_VERIFIED: "kept: the profile is verified",
    Change.KEPT_CONFLICT: "kept: differs, review by hand",
    Change.NO_VALUE: "nothing to map",
}


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(admin.ModelAdmin):
    """The EOI review queue: filter by status and audience; convert (one at a time, after the preview) or reject."""

    list_display = ("submitted_at", "audience", "__str__", "email", "profile_status", "profile_link")
    list_filter = ("profile_status", "audience")
    search_fields = ("email", "full_name", "contact_name", "organisation_name", "organisation")
    list_select_related = ("therapist",)
    autocomplete_fields = ("therapist",)
    # The status workflow runs through research.services.eoi_review only, never through this form.
    readonly_fields = ("profile_status", "reviewed_by", "reviewed_at", "review_reason", "created_at", "updated_at",
                       "import_key", "profile_link", "review_actions", "conversion_preview")
    inlines = [EOIReviewEventInline]
    # Bulk reject with one reason is fine; converting stays one EOI at a time, after its preview.
    actions = ["reject_selected"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        review = ("profile_link", "review_actions", "conversion_preview")
        fieldsets = [(n, {**o, "fields": [f for f in o["fields"] if f not in review]}) for n, o in fieldsets]
        if obj is not None and obj.audience == EOIAudience.THERAPIST:
            fieldsets.insert(0, ("Profile review", {"fields": review}))
        return fieldsets

    @admin.display(description="profile")
    def profile_link(self, obj: ExpressionOfInterest) -> str:
        if obj.therapist_id is None:
            return "—"
        url = reverse("admin:practice_therapist_change", args=[obj.therapist_id])
        return format_html('<a href="{}">{}</a>', url, obj.therapist)

    @admin.display(description="review")
    def review_actions(self, obj: ExpressionOfInterest) -> str:
        links = []
        for action, label in (("start", "Start review"), ("convert", "Preview & convert"), ("reject", "Reject"),
                              ("reopen", "Reopen (managers)")):
            if obj.profile_status in REVIEW_FROM[action]:
                url = reverse(f"admin:research_eoi_{action}", args=[obj.pk])
                links.append((url, label))
        if not links:
            return "No review step possible from here."
        return format_html_join(" · ", '<a class="button" href="{}">{}</a>', links)

    @admin.display(description="mapping preview")
    def conversion_preview(self, obj: ExpressionOfInterest) -> str:
        existing, plan = eoi_conversion_preview(eoi=obj)
        if existing is None:
            head = "No therapist has this e-mail: converting creates a new profile (source: EOI)."
        else:
            head = format_html("Converting merges into the existing profile {} ({}{}).", existing,
                               existing.get_profile_source_display(), ", verified" if is_verified(existing) else "")
        return format_html("<p>{}</p>{}", head, _plan_table(plan))

    # --- review pages -----------------------------------------------------------------------------------
    def get_urls(self):  # type: ignore[no-untyped-def]
        review = [
            path(f"<uuid:pk>/review/{action}/", self.admin_site.admin_view(self.review_view),
                 {"action": action}, name=f"research_eoi_{action}")
            for action in REVIEW_FROM
        ]
        return [*review, *super().get_urls()]

    def review_view(self, request: HttpRequest, pk: Any, action: str) -> HttpResponse:
        eoi = self.get_object(request, str(pk))
        if eoi is None or not self.has_change_permission(request, eoi):
            raise PermissionDenied
        change_url = reverse("admin:research_expressionofinterest_change", args=[eoi.pk])
        needs_reason = action in ("reject", "reopen")
        form = RejectForm(request.POST or None) if needs_reason else None
        if request.method == "POST" and (form is None or form.is_valid()):
            reason = form.cleaned_data["reason"] if form is not None else ""
            try:
                message = self._run(request, eoi, action, reason)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _error_text(error), messages.ERROR)
            else:
                self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        existing, plan = eoi_conversion_preview(eoi=eoi)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": eoi, "eoi": eoi,
            "title": f"{REVIEW_TITLES[action]}: {eoi}", "action": action, "form": form,
            "existing": existing, "verified": existing is not None and is_verified(existing),
            "preview": _plan_table(plan) if action == "convert" else "", "change_url": change_url,
        }
        return TemplateResponse(request, "research/admin/eoi_review.html", context)

    def _run(self, request: HttpRequest, eoi: ExpressionOfInterest, action: str, reason: str) -> str:
        actor = request.user
        source = ReviewSource.ADMIN
        if action == "start":
            eoi_start_review(eoi_id=eoi.pk, actor=actor, source=source)
            return "Review started."
        if action == "convert":
            result = eoi_convert_to_profile(eoi_id=eoi.pk, actor=actor, source=source)
            verb = "Created the profile" if result.created else "Merged into the profile"
            return f"{verb} {result.therapist} (fields written: {', '.join(result.changed_fields) or 'none'})."
        if action == "reject":
            eoi_reject(eoi_id=eoi.pk, actor=actor, reason=reason, source=source)
            return "Rejected."
        eoi_reopen(eoi_id=eoi.pk, actor=actor, reason=reason, source=source)
        return "Reopened: back in the queue as pending."

    @admin.action(description="Reject selected EOIs (asks for one reason)")
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[ExpressionOfInterest]) -> Any:
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, failed = 0, []
            for eoi in queryset:
                try:
                    eoi_reject(eoi_id=eoi.pk, actor=request.user, reason=form.cleaned_data["reason"],
                               source=ReviewSource.ADMIN)
                    done += 1
                except (ValidationError, PermissionDenied) as error:
                    failed.append(f"{eoi}: {_error_text(error)}")
            self.message_user(request, f"Rejected {done} EOI(s).", messages.SUCCESS if done else messages.WARNING)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": "Reject selected EOIs",
            "action": "bulk_reject", "form": form, "queryset": queryset,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "research/admin/eoi_review.html", context)


REVIEW_FROM: dict[str, tuple[str, ...]] = {
    "start": (ProfileStatus.PENDING,),
    "convert": (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS),
    "reject": (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS),
    "reopen": (ProfileStatus.REJECTED,),
}
REVIEW_TITLES = {"start": "Start review", "convert": "Convert to a therapist profile", "reject": "Reject",
                 "reopen": "Reopen"}


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Not allowed."


@admin.register(EOIReviewEvent)
class EOIReviewEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The audit trail of the EOI review: who, when, through what, and the field-by-field diff."""

    list_display = ("occurred_at", "action", "eoi", "actor", "source", "therapist", "from_status", "to_status")
    list_filter = ("action", "source")
    search_fields = ("eoi__email", "eoi__full_name", "actor__username", "therapist__last_name")
    list_select_related = ("eoi", "actor", "therapist")
    readonly_fields = ("eoi", "action", "from_status", "to_status", "actor", "source", "occurred_at", "therapist",
                       "reason", "diff_table", "txid")
    exclude = ("diff",)

    @admin.display(description="diff")
    def diff_table(self, obj: EOIReviewEvent) -> str:
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((d.get("eoi_field"), d.get("therapist_field"), _show(d.get("current")), _show(d.get("proposed")),
              d.get("change")) for d in obj.diff),
        )
        return format_html("<table><thead><tr><th>EOI field</th><th>Profile field</th><th>Before</th>"
                           "<th>EOI value</th><th>Change</th></tr></thead><tbody>{}</tbody></table>", rows)


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
