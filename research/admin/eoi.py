"""The EOI review queue (pending first), the review pages (start, preview and convert, reject, reopen) and
the audit trail of every review step."""

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
from unfold.admin import ModelAdmin

from research.eoi_mapping import Change, PlannedField, is_verified
from research.models import (
    EOIAudience,
    EOIReviewEvent,
    ExpressionOfInterest,
    ProfileStatus,
    ReviewSource,
)
from research.selectors import eoi_conversion_preview
from research.services import (
    eoi_convert_to_profile,
    eoi_reject,
    eoi_reopen,
    eoi_start_review,
)
from sanctuary import roles
from sanctuary.admin import ReadOnlyInline, ReadOnlyMixin


class EOIReviewEventInline(ReadOnlyInline):
    model = EOIReviewEvent
    fields = (
        "occurred_at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "source",
        "therapist",
        "reason",
        "diff_summary",
    )
    readonly_fields = fields

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
        "",
        '<tr class="change-{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                f.change,
                f.eoi_field,
                f.eoi_value,
                f.therapist_field,
                _show(f.current),
                _show(f.proposed),
                CHANGE_LABELS[f.change],
            )
            for f in plan
        ),
    )
    return format_html(
        '<table class="eoi-mapping-preview"><thead><tr><th>EOI field</th><th>EOI value</th><th>Profile field</th>'
        "<th>Current profile value</th><th>Mapped value</th><th>What will happen</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        rows,
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


class QueueStatusFilter(admin.ChoicesFieldListFilter):
    """The status filter of a queue that opens on "Pending": its "All" keeps a parameter
    (``profile_status__isnull=False``, true of every row), so choosing it does not land on the default again."""

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice["display"] == "All":
                choice["query_string"] = changelist.get_query_string(
                    {self.lookup_kwarg_isnull: "False"},
                    [self.lookup_kwarg],
                )
            yield choice


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(ReadOnlyMixin, ModelAdmin):
    # Read-only as a model admin: EOIs arrive through the public form, and the review pages below are the only
    # writes, each through a service.
    """The EOI review queue: pending first, filter by status and audience; convert (one at a time, after the
    preview) or reject. The submission itself is the submitter's words: read-only, changed by no form."""

    list_display = ("submitted_at", "__str__", "status_badge", "audience", "email", "profile_link")
    list_display_links = ("submitted_at", "__str__")
    list_filter = (("profile_status", QueueStatusFilter), "audience")
    search_fields = ("email", "full_name", "contact_name", "organisation_name", "organisation")
    list_select_related = ("therapist",)
    readonly_fields = (
        "profile_status",
        "reviewed_by",
        "reviewed_at",
        "review_reason",
        "created_at",
        "updated_at",
        "import_key",
        "profile_link",
        "review_actions",
        "conversion_preview",
    )
    inlines = [EOIReviewEventInline]
    # Bulk reject with one reason is fine; converting stays one EOI at a time, after its preview.
    actions = ["reject_selected"]
    ordering = ("submitted_at",)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # The queue opens on what needs a decision; "All" in the status filter shows the rest.
        if request.method == "GET" and not request.GET:
            return HttpResponseRedirect(f"{request.path}?profile_status__exact={ProfileStatus.PENDING}")
        return super().changelist_view(request, extra_context)

    @admin.display(description="status", ordering="profile_status")
    def status_badge(self, obj: ExpressionOfInterest) -> str:
        kind = {
            ProfileStatus.PENDING: "pending",
            ProfileStatus.IN_PROGRESS: "draft",
            ProfileStatus.CREATED: "paid",
            ProfileStatus.REJECTED: "overdue",
        }.get(ProfileStatus(obj.profile_status), "cancelled")
        return format_html(
            '<span class="sanctuary-badge sanctuary-badge--{}">{}</span>', kind, obj.get_profile_status_display()
        )

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
        for action, label in (
            ("start", "Start review"),
            ("convert", "Preview & convert"),
            ("reject", "Reject"),
            ("reopen", "Reopen (managers)"),
        ):
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
            head = format_html(
                "Converting merges into the existing profile {} ({}{}).",
                existing,
                existing.get_profile_source_display(),
                ", verified" if is_verified(existing) else "",
            )
        return format_html("<p>{}</p>{}", head, _plan_table(plan))

    # --- review pages -----------------------------------------------------------------------------------
    def get_urls(self):  # type: ignore[no-untyped-def]
        review = [
            path(
                f"<uuid:pk>/review/{action}/",
                self.admin_site.admin_view(self.review_view),
                {"action": action},
                name=f"research_eoi_{action}",
            )
            for action in REVIEW_FROM
        ]
        return [*review, *super().get_urls()]

    def review_view(self, request: HttpRequest, pk: Any, action: str) -> HttpResponse:
        eoi = self.get_object(request, str(pk))
        if eoi is None or not self.has_view_permission(request, eoi) or not roles.may_review_eois(request.user):
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
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": eoi,
            "eoi": eoi,
            "title": f"{REVIEW_TITLES[action]}: {eoi}",
            "action": action,
            "form": form,
            "existing": existing,
            "verified": existing is not None and is_verified(existing),
            "preview": _plan_table(plan) if action == "convert" else "",
            "change_url": change_url,
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
                    eoi_reject(
                        eoi_id=eoi.pk, actor=request.user, reason=form.cleaned_data["reason"], source=ReviewSource.ADMIN
                    )
                    done += 1
                except (ValidationError, PermissionDenied) as error:
                    failed.append(f"{eoi}: {_error_text(error)}")
            self.message_user(request, f"Rejected {done} EOI(s).", messages.SUCCESS if done else messages.WARNING)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reject selected EOIs",
            "action": "bulk_reject",
            "form": form,
            "queryset": queryset,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "research/admin/eoi_review.html", context)


REVIEW_FROM: dict[str, tuple[str, ...]] = {
    "start": (ProfileStatus.PENDING,),
    "convert": (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS),
    "reject": (ProfileStatus.PENDING, ProfileStatus.IN_PROGRESS),
    "reopen": (ProfileStatus.REJECTED,),
}
REVIEW_TITLES = {
    "start": "Start review",
    "convert": "Convert to a therapist profile",
    "reject": "Reject",
    "reopen": "Reopen",
}


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Not allowed."


@admin.register(EOIReviewEvent)
class EOIReviewEventAdmin(ReadOnlyMixin, ModelAdmin):
    """The audit trail of the EOI review: who, when, through what, and the field-by-field diff."""

    list_display = ("occurred_at", "action", "eoi", "actor", "source", "therapist", "from_status", "to_status")
    list_filter = ("action", "source")
    search_fields = ("eoi__email", "eoi__full_name", "actor__username", "therapist__last_name")
    list_select_related = ("eoi", "actor", "therapist")
    readonly_fields = (
        "eoi",
        "action",
        "from_status",
        "to_status",
        "actor",
        "source",
        "occurred_at",
        "therapist",
        "reason",
        "diff_table",
        "txid",
    )
    exclude = ("diff",)

    @admin.display(description="diff")
    def diff_table(self, obj: EOIReviewEvent) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    d.get("eoi_field"),
                    d.get("therapist_field"),
                    _show(d.get("current")),
                    _show(d.get("proposed")),
                    d.get("change"),
                )
                for d in obj.diff
            ),
        )
        return format_html(
            "<table><thead><tr><th>EOI field</th><th>Profile field</th><th>Before</th>"
            "<th>EOI value</th><th>Change</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )
