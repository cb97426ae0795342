"""Research URLs: ``api/v1/research/`` (public intake), ``webhooks/resend/`` and ``research/unsubscribe/``."""

from __future__ import annotations

from django.urls import include, path

from research import views
from research.api.webhooks import resend_webhook

urlpatterns = [
    path("api/v1/research/", include("research.api.urls")),
    path("webhooks/resend/", resend_webhook, name="resend-webhook"),
    path("research/unsubscribe/<str:token>/", views.unsubscribe, name="research-unsubscribe"),
]
