"""Research URLs outside the API: ``webhooks/resend/`` and ``research/unsubscribe/`` (the public intake is
mounted with the rest of ``/api/v1/`` in ``sanctuary/api/urls.py``)."""

from __future__ import annotations

from django.urls import path

from research import views
from research.api.webhooks import resend_webhook

urlpatterns = [
    path("webhooks/resend/", resend_webhook, name="resend-webhook"),
    path("research/unsubscribe/<str:token>/", views.unsubscribe, name="research-unsubscribe"),
]
