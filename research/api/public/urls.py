"""``/api/v1/research/``: the public intake (namespace ``v1:research-api``)."""

from __future__ import annotations

from django.urls import path

from research.api.public import views

app_name = "research-api"

urlpatterns = [
    path("survey/session/", views.SurveySessionView.as_view(), name="survey-session"),
    path("survey/responses/", views.SurveyResponseView.as_view(), name="survey-response"),
    path("feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("eoi/", views.EOIView.as_view(), name="eoi"),
    path("sandbox-visits/", views.SandboxVisitView.as_view(), name="sandbox-visit"),
]
