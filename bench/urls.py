"""Every real route, plus the bench-only floor views under ``/bench/`` (only with ``bench.settings``)."""

from __future__ import annotations

from django.urls import path

from bench import views, workspace_views
from sanctuary.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/plain/", views.plain_json, name="bench-plain"),
    path("bench/insert/", views.raw_insert, name="bench-insert"),
    path("bench/event/", views.raw_event, name="bench-event"),
    path("bench/raw-feedback/", views.raw_feedback, name="bench-raw-feedback"),
    path("bench/raw-eoi/", views.raw_eoi, name="bench-raw-eoi"),
    path("bench/raw-beacon/", views.raw_beacon, name="bench-raw-beacon"),
    path("bench/raw-survey/", views.raw_survey, name="bench-raw-survey"),
    path("bench/patients/", views.raw_patients, name="bench-patients"),
    path("bench/upcoming/", views.raw_upcoming, name="bench-upcoming"),
    path("bench/home/", workspace_views.raw_home, name="bench-home"),
    path("bench/calendar-week/", workspace_views.raw_calendar_week, name="bench-calendar-week"),
    path("bench/patient-chart/", workspace_views.raw_patient_chart, name="bench-patient-chart"),
    *project_urlpatterns,
]
