"""Survey responses (answers read-only as their labels, a chart per question, CSV export) and widget feedback.

Answers are the respondent's words: no form changes them. Staff set the review fields (processing status
and notes, feedback status) through ``research.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from unfold.admin import ModelAdmin

from research import selectors
from research.models import Feedback, SurveyResponse
from research.services import feedback_review, survey_response_review
from sanctuary.admin import adopt, streamed_csv
from sanctuary.users import acting_user

STAFF_FIELDS = ("processing_status", "notes")


def _labels_display(field: ArrayField) -> Callable[[Any, Any], str]:
    labels = dict(field.base_field.flatchoices)

    def show(admin_obj: Any, obj: Any) -> str:
        values = getattr(obj, field.name) or []
        return ", ".join(str(labels.get(v, v)) for v in values) or "–"

    show.short_description = field.verbose_name  # type: ignore[attr-defined]
    show.__name__ = f"{field.name}_labels"
    return show


class SurveyResponseAdmin(ModelAdmin):
    list_display = (
        "submitted_at",
        "therapist",
        "profession",
        "years_practice",
        "fee_per_match",
        "monthly_subscription",
        "processing_status",
    )
    list_filter = ("processing_status", "profession", "years_practice", "free_listing_interest", "future_contact")
    search_fields = ("email", "therapist__first_name", "therapist__last_name", "therapist__email")
    list_select_related = ("therapist",)
    date_hierarchy = "submitted_at"
    list_before_template = "research/admin/survey_tools.html"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        answers = []
        for field in SurveyResponse._meta.concrete_fields:
            if field.name in (*STAFF_FIELDS, "id", "import_key", "created_at", "updated_at"):
                continue
            is_multi = isinstance(field, ArrayField) and field.base_field.choices
            answers.append(f"{field.name}_labels" if is_multi else field.name)
        return [
            ("Review", {"fields": STAFF_FIELDS}),
            ("Answers", {"fields": answers}),
            ("Record", {"fields": ("import_key", "created_at", "updated_at")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = []
        for _, options in self.get_fieldsets(request, obj)[1:]:
            fields += list(options["fields"])
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # responses arrive through the survey

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SurveyResponse, form: Any, change: bool) -> None:
        saved = survey_response_review(
            response=obj,
            processing_status=form.cleaned_data["processing_status"],
            notes=form.cleaned_data["notes"],
            actor=acting_user(request),
        )
        adopt(obj, saved)

    # --- summary and export ----------------------------------------------------------------------------------
    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path("summary/", self.admin_site.admin_view(self.summary_view), name="research_surveyresponse_summary"),
            path("export.csv", self.admin_site.admin_view(self.export_view), name="research_surveyresponse_export"),
            *super().get_urls(),
        ]

    def _filtered(self, request: HttpRequest) -> QuerySet[SurveyResponse]:
        """The responses the changelist shows for the same query string (filters, search, date)."""
        return self.get_changelist_instance(request).get_queryset(request)

    def summary_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        total, summaries = selectors.survey_summary(responses=self._filtered(request))
        charts = []
        for index, summary in enumerate(summaries):
            # Long option lists read better as horizontal bars, one row per option.
            horizontal = len(summary.counts) > 4
            chart = {
                "id": f"question-{index}",
                "summary": summary,
                "height_rem": 2 + 1.6 * len(summary.counts) if horizontal else 10,
                "data": {
                    "labels": [label for label, _ in summary.counts],
                    "series": [{"label": "Responses", "data": [count for _, count in summary.counts]}],
                    "min": 0,
                    "step": 1,
                    "horizontal": horizontal,
                },
            }
            charts.append(chart)
        context = {
            **self.admin_site.each_context(request),
            "title": "Survey answers",
            "subtitle": f"{total} response{'s' if total != 1 else ''}",
            "total": total,
            "charts": charts,
            "query": request.GET.urlencode(),
            "changelist_url": reverse("admin:research_surveyresponse_changelist"),
            "export_url": reverse("admin:research_surveyresponse_export"),
        }
        return TemplateResponse(request, "research/admin/survey_summary.html", context)

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.survey_export_rows(responses=self._filtered(request))
        return streamed_csv(rows, f"survey-responses-{timezone.localtime():%Y-%m-%d}.csv")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # The summary and the export keep the list's filters.
        query = request.GET.urlencode()
        extra = {
            "summary_url": reverse("admin:research_surveyresponse_summary") + (f"?{query}" if query else ""),
            "export_url": reverse("admin:research_surveyresponse_export") + (f"?{query}" if query else ""),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})


def _add_label_displays(admin_class: type[ModelAdmin], model: Any) -> None:
    """``<field>_labels`` for each multi-choice answer: its option labels, not the stored codes."""
    for field in model._meta.concrete_fields:
        if isinstance(field, ArrayField) and field.base_field.choices:
            setattr(admin_class, f"{field.name}_labels", _labels_display(field))


_add_label_displays(SurveyResponseAdmin, SurveyResponse)
admin.site.register(SurveyResponse, SurveyResponseAdmin)


class FeedbackAdmin(ModelAdmin):
    list_display = ("submitted_at", "rating", "section", "audience", "therapist", "status", "short_comment")
    list_filter = ("status", "rating", "section", "audience")
    search_fields = ("comment", "email", "tracking_id", "session_id", "therapist__last_name", "therapist__email")
    list_select_related = ("therapist",)
    fields = (
        "status",
        "rating",
        "comment",
        "tags_labels",
        "section",
        "audience",
        "page_path",
        "page_title",
        "therapist",
        "survey_response",
        "email",
        "tracking_id",
        "session_id",
        "context",
        "submitted_at",
        "legacy_rating_6",
        "import_key",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [name for name in self.fields if name != "status"]

    @admin.display(description="comment")
    def short_comment(self, obj: Feedback) -> str:
        return obj.comment[:80]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # feedback arrives through the widget

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Feedback, form: Any, change: bool) -> None:
        saved = feedback_review(feedback=obj, status=form.cleaned_data["status"], actor=acting_user(request))
        adopt(obj, saved)


_add_label_displays(FeedbackAdmin, Feedback)
admin.site.register(Feedback, FeedbackAdmin)
