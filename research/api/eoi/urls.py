"""``/api/v1/research/staff/eois/`` (namespace ``v1:eoi-review``)."""

from __future__ import annotations

from django.urls import path

from research.api.eoi.views import EOIConvertView, EOIListView, EOIPreviewView, EOIRejectView, EOIStartReviewView

app_name = "eoi-review"

urlpatterns = [
    path("", EOIListView.as_view(), name="list"),
    path("<uuid:pk>/preview/", EOIPreviewView.as_view(), name="preview"),
    path("<uuid:pk>/start-review/", EOIStartReviewView.as_view(), name="start-review"),
    path("<uuid:pk>/convert/", EOIConvertView.as_view(), name="convert"),
    path("<uuid:pk>/reject/", EOIRejectView.as_view(), name="reject"),
]
