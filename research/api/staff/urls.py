"""``/api/v1/research/staff/``: research staff reads (namespace ``v1:research-staff``).

The EOI review endpoints under ``research/staff/eois/`` are in ``research.api.eoi``.
"""

from __future__ import annotations

from django.urls import path

from research.api.staff import views as staff

app_name = "research-staff"

urlpatterns = [
    path("therapists/", staff.TherapistDirectoryView.as_view(), name="therapist-list"),
    path("surveys/", staff.SurveyResponseListView.as_view(), name="survey-list"),
    path("feedback/", staff.FeedbackListView.as_view(), name="feedback-list"),
    path("funnel/", staff.FunnelView.as_view(), name="funnel"),
]
