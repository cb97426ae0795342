"""``/api/v1/me/``: the patient portal (namespace ``v1:portal``)."""

from __future__ import annotations

from django.urls import path

from practice.api.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("appointments/", views.AppointmentListView.as_view(), name="appointment-list"),
    path("appointments/<uuid:pk>/", views.AppointmentDetailView.as_view(), name="appointment-detail"),
    path("appointments/<uuid:pk>/cancel/", views.AppointmentCancelView.as_view(), name="appointment-cancel"),
    path("mood-entries/", views.MoodEntryListView.as_view(), name="mood-list"),
    path("mood-entries/<uuid:pk>/", views.MoodEntryDetailView.as_view(), name="mood-detail"),
    path("progress/", views.ProgressListView.as_view(), name="progress-list"),
    path("progress/<uuid:pk>/", views.ProgressDetailView.as_view(), name="progress-detail"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/summary/", views.InvoiceSummaryView.as_view(), name="invoice-summary"),
    path("invoices/<uuid:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
]
