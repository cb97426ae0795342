"""Therapist routes, mounted at ``/api/v1/`` in the ``practice`` namespace (``v1:practice:patient-list`` …)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from practice.api.therapist import views

router = SimpleRouter()
router.register("patients", views.PatientViewSet, basename="patient")
router.register("appointments", views.AppointmentViewSet, basename="appointment")
router.register("session-notes", views.SessionNoteViewSet, basename="session-note")
router.register("mood-entries", views.MoodEntryViewSet, basename="mood-entry")
router.register("progress-entries", views.ProgressEntryViewSet, basename="progress-entry")
router.register("financial-records", views.FinancialRecordViewSet, basename="financial-record")
router.register("tags", views.TagViewSet, basename="tag")
router.register("session-types", views.SessionTypeViewSet, basename="session-type")
router.register("progress-areas", views.ProgressAreaViewSet, basename="progress-area")

urlpatterns = [
    path(
        "dashboard/upcoming-appointments/",
        views.UpcomingAppointmentsView.as_view(),
        name="dashboard-upcoming-appointments",
    ),
    path("dashboard/active-patients/", views.ActivePatientsView.as_view(), name="dashboard-active-patients"),
    path("dashboard/financial-summary/", views.FinancialSummaryView.as_view(), name="dashboard-financial-summary"),
    path("dashboard/patient-balances/", views.PatientBalancesView.as_view(), name="dashboard-patient-balances"),
    *router.urls,
]
