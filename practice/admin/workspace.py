"""The therapist's workspace in the admin: the home pages (a therapist's day, a manager's practice), the
calendar (week and day, click an empty slot to book) and the patient chart, plus the practice's navigation.

Pages read through ``practice.selectors.workspace`` only and are scoped like every practice admin: a
therapist sees their own patients and calendar; another therapist's patient is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join

from practice.admin.base import (
    _therapist,
    _whole_practice,
    is_clinician,
    scoped_patients,
    scoped_therapists,
    sees_clinical,
)
from practice.models import Appointment, AppointmentStatus
from practice.selectors import workspace
from sanctuary import display
from sanctuary.admin_site import Home, NavGroup, NavItem, workspace_site

# --- home pages ------------------------------------------------------------------------------------------------


def therapist_home_view(request: HttpRequest, context: dict[str, Any]) -> TemplateResponse:
    therapist = _therapist(request)
    assert therapist is not None
    home = workspace.therapist_home(therapist=therapist)
    context.update(
        {
            "title": f"Today, {display.date_label(home.today)}",
            "subtitle": therapist.full_name,
            "home": home,
            "calendar_url": reverse("admin:practice_appointment_calendar"),
        }
    )
    return TemplateResponse(request, "practice/admin/home_therapist.html", context)


def manager_home_view(request: HttpRequest, context: dict[str, Any]) -> TemplateResponse:
    home = workspace.practice_home()
    context.update(
        {
            "title": f"The practice today, {display.date_label(home.today)}",
            "home": home,
            "totals": home.totals,
            "clinical_hours": settings.WORKSPACE_CLINICAL_HOURS_PER_WEEK,
            "calendar_url": reverse("admin:practice_appointment_calendar"),
        }
    )
    return TemplateResponse(request, "practice/admin/home_manager.html", context)


# --- the patient chart -----------------------------------------------------------------------------------------


def patient_chart_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    view = model_admin.admin_site.admin_view(partial(patient_chart_view, model_admin))
    return [path("<uuid:pk>/chart/", view, name="practice_patient_chart")]


def _chart_series(chart: workspace.PatientChart) -> dict[str, Any]:
    """What the page's line charts draw (``workspace.js``), on the 1–10 scale of every rating: mood, energy,
    anxiety and sleep, and per progress area the scores against the baseline and the target."""
    moods = chart.moods
    lines: list[dict[str, Any]] = [
        {"label": "Mood", "data": [m.mood_rating for m in moods]},
        {"label": "Energy", "data": [m.energy_level for m in moods]},
        {"label": "Anxiety", "data": [m.anxiety_level for m in moods]},
        {"label": "Sleep", "data": [m.sleep_quality for m in moods]},
    ]
    mood = {
        "labels": [display.date_label(m.entry_date, weekday=False) for m in moods],
        "min": 1,
        "max": 10,
        "step": 1,
        # A scale nobody recorded draws nothing but a legend entry: leave it out.
        "series": [line for line in lines if any(value is not None for value in line["data"])],
    }
    progress = []
    for index, area in enumerate(chart.progress):
        points = len(area.points)
        series: list[dict[str, Any]] = [{"label": "Score", "data": [score for _, score in area.points]}]
        if area.baseline is not None:
            series.append({"label": "Baseline", "data": [area.baseline] * points, "dashed": True, "color": "#6b7280"})
        if area.target is not None:
            series.append({"label": "Target", "data": [area.target] * points, "dashed": True, "color": "#15803d"})
        span = (area.target - area.baseline) if area.baseline is not None and area.target is not None else 0
        toward_target = (
            max(0, min(100, round(100 * (area.latest - area.baseline) / span))) if span > 0 else None  # type: ignore[operator]
        )
        progress.append(
            {
                "id": f"progress-{index}",
                "area": area,
                "toward_target": toward_target,
                "data": {
                    "labels": [display.date_label(day, weekday=False) for day, _ in area.points],
                    "series": series,
                    "min": 1,
                    "max": 10,
                    "step": 1,
                },
            }
        )
    return {"mood": mood, "progress": progress}


def patient_chart_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: UUID) -> HttpResponse:
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    chart = workspace.patient_chart(patients=scoped_patients(request), patient_id=pk)
    patient = chart.patient
    today = timezone.localdate()
    add = {
        "note": reverse("admin:practice_sessionnote_add") + f"?patient={patient.pk}&session_date={today.isoformat()}",
        "appointment": reverse("admin:practice_appointment_add") + f"?patient={patient.pk}",
        "mood": reverse("admin:practice_moodentry_add") + f"?patient={patient.pk}",
        "progress": reverse("admin:practice_progressentry_add") + f"?patient={patient.pk}",
        "bill": reverse("admin:practice_financialrecord_add") + f"?patient={patient.pk}",
    }
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": patient,
        "title": patient.full_name,
        "subtitle": "Patient chart",
        "chart": chart,
        "summary": chart.summary,
        "series": _chart_series(chart),
        "add": add,
        "edit_url": reverse("admin:practice_patient_change", args=[patient.pk]),
        "show_therapist": _whole_practice(request),
    }
    return TemplateResponse(request, "practice/admin/patient_chart.html", context)


# --- the calendar ------------------------------------------------------------------------------------------------


def calendar_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    view = model_admin.admin_site.admin_view(partial(calendar_view, model_admin))
    return [path("calendar/", view, name="practice_appointment_calendar")]


SLOT_MINUTES = 30
STATUS_CLASSES = {
    AppointmentStatus.SCHEDULED: "scheduled",
    AppointmentStatus.COMPLETED: "completed",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "no-show",
}


@dataclass(frozen=True)
class CalendarEvent:
    appointment: Appointment
    top: float  # percent of the day column
    height: float
    lane: int
    lanes: int
    status_class: str
    label: str


@dataclass(frozen=True)
class CalendarSlot:
    top: float
    height: float
    url: str
    label: str


@dataclass(frozen=True)
class CalendarDay:
    day: date
    label: str
    is_today: bool
    events: list[CalendarEvent]
    slots: list[CalendarSlot]

    @property
    def slots_html(self) -> str:
        """The day's bookable half hours as links: up to 24 a day, built here rather than by a template loop
        (calendar week 33 -> 25 ms on the bench database, issue 12)."""
        return format_html_join(
            "",
            '<a class="ws-cal-slot" href="{}" style="top: {}%; height: {}%"><span class="sr-only">{}</span></a>',
            ((slot.url, f"{slot.top:.4f}", f"{slot.height:.4f}", slot.label) for slot in self.slots),
        )


def _lanes(events: list[Appointment]) -> dict[Any, tuple[int, int]]:
    """Side-by-side lanes for overlapping events of one day (several therapists, or a cancelled session under
    its replacement): each event gets (lane, lanes in its cluster)."""
    placed: dict[Any, tuple[int, int]] = {}
    cluster: list[tuple[Appointment, int]] = []
    cluster_end: datetime | None = None

    def close() -> None:
        width = max((lane for _, lane in cluster), default=-1) + 1
        for appointment, lane in cluster:
            placed[appointment.pk] = (lane, width)

    for appointment in events:
        if cluster_end is not None and appointment.scheduled_start >= cluster_end:
            close()
            cluster, cluster_end = [], None
        taken = {lane for other, lane in cluster if other.scheduled_end > appointment.scheduled_start}
        lane = next(i for i in range(len(cluster) + 1) if i not in taken)
        cluster.append((appointment, lane))
        cluster_end = max(cluster_end or appointment.scheduled_end, appointment.scheduled_end)
    close()
    return placed


def _chosen_therapists(request: HttpRequest) -> tuple[list[Any], list[Any]]:
    allowed = scoped_therapists(request)
    wanted = set(request.GET.getlist("therapist"))
    chosen = [t for t in allowed if str(t.pk) in wanted] or allowed
    return allowed, chosen


def calendar_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    view = "day" if request.GET.get("view") == "day" else "week"
    today = timezone.localdate()
    anchor = parse_date(request.GET.get("date", "")) if request.GET.get("date") else None
    anchor = anchor if anchor is not None and 1900 <= anchor.year <= 2999 else today
    first = anchor if view == "day" else workspace.week_start(anchor)
    days = [first + timedelta(days=i) for i in range(1 if view == "day" else 7)]
    allowed, chosen = _chosen_therapists(request)
    start, end = workspace.local_midnight(days[0]), workspace.local_midnight(days[-1] + timedelta(days=1))
    appointments = list(workspace.appointments_between(therapists=chosen, start=start, end=end))

    first_hour, last_hour = workspace.workday_hours()
    for a in appointments:
        first_hour = min(first_hour, display.local(a.scheduled_start).hour)
        end_local = display.local(a.scheduled_end)
        last_hour = max(last_hour, end_local.hour + (1 if end_local.minute else 0))
    last_hour = min(max(last_hour, first_hour + 1), 24)
    span = (last_hour - first_hour) * 60

    can_book = model_admin.has_add_permission(request)
    add_url = reverse("admin:practice_appointment_add")
    book_therapist = chosen[0].pk if len(chosen) == 1 else None
    now = timezone.now()
    by_day: dict[date, list[Appointment]] = {day: [] for day in days}
    for a in appointments:
        by_day.setdefault(display.local(a.scheduled_start).date(), []).append(a)
    calendar_days = []
    for day in days:
        opens = workspace.local_midnight(day) + timedelta(hours=first_hour)
        day_label = display.date_label(day)
        todays = by_day[day]
        lanes = _lanes(todays)
        events = []
        for a in todays:
            top = (a.scheduled_start - opens) / timedelta(minutes=1)
            length = max((a.scheduled_end - a.scheduled_start) / timedelta(minutes=1), 15)
            lane, width = lanes[a.pk]
            who = f" ({a.therapist.full_name})" if len(chosen) > 1 else ""
            events.append(
                CalendarEvent(
                    appointment=a,
                    top=100 * top / span,
                    height=100 * min(length, span - top) / span,
                    lane=lane,
                    lanes=width,
                    status_class=STATUS_CLASSES[AppointmentStatus(a.status)],
                    label=f"{display.time_range_label(a.scheduled_start, a.scheduled_end)} {a.patient.full_name}{who}",
                )
            )
        slots = []
        if can_book:
            for minute in range(0, span, SLOT_MINUTES):
                slot_start = opens + timedelta(minutes=minute)
                if slot_start < now:
                    continue
                # ``opens`` is on the practice's wall clock already: label and link need no conversion.
                hour, minutes = first_hour + minute // 60, minute % 60
                query = f"?scheduled_start={day.isoformat()}T{hour:02d}:{minutes:02d}"
                if book_therapist is not None and _whole_practice(request):
                    query += f"&therapist={book_therapist}"
                slots.append(
                    CalendarSlot(
                        top=100 * minute / span,
                        height=100 * SLOT_MINUTES / span,
                        url=add_url + query,
                        label=f"Book {day_label}, {display.clock_label(hour, minutes)}",
                    )
                )
        calendar_days.append(CalendarDay(day=day, label=day_label, is_today=day == today, events=events, slots=slots))

    step = timedelta(days=1 if view == "day" else 7)

    def link(**changes: Any) -> str:
        params = {"view": view, "date": first.isoformat(), **changes}
        query = "&".join(f"{k}={v}" for k, v in params.items())
        if len(chosen) != len(allowed):
            query += "".join(f"&therapist={t.pk}" for t in chosen)
        return "?" + query

    hours = [
        {
            "label": display.time_label(workspace.local_midnight(first) + timedelta(hours=h)),
            "top": 100 * (h - first_hour) * 60 / span,
        }
        for h in range(first_hour, last_hour)
    ]
    title = (
        f"{display.date_label(days[0])}"
        if view == "day"
        else f"Week of {display.date_label(days[0])} – {display.date_label(days[-1])}"
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": "Calendar",
        "view": view,
        "days": calendar_days,
        "hours": hours,
        "height_px": (last_hour - first_hour) * 64,
        "allowed": allowed,
        "chosen": {t.pk for t in chosen},
        "pick_therapists": _whole_practice(request),
        "previous_url": link(date=(first - step).isoformat()),
        "next_url": link(date=(first + step).isoformat()),
        "today_url": link(date=today.isoformat()),
        "week_url": link(view="week"),
        "day_url": link(view="day"),
        "anchor": first.isoformat(),
        "can_book": can_book,
        "list_url": reverse("admin:practice_appointment_changelist"),
    }
    return TemplateResponse(request, "practice/admin/calendar.html", context)


# --- registration: the practice's homes and navigation -------------------------------------------------------


def _manager(request: HttpRequest) -> bool:
    return _whole_practice(request)


def _with_perm(perm: str, check: Callable[[HttpRequest], bool]) -> Callable[[HttpRequest], bool]:
    return lambda request: check(request) and request.user.has_perm(perm)


workspace_site().register_home(Home(name="practice", order=10, applies=_manager, view=manager_home_view))
workspace_site().register_home(Home(name="therapist", order=20, applies=is_clinician, view=therapist_home_view))
workspace_site().register_navigation(
    NavGroup(
        title="Practice",
        order=10,
        items=(
            NavItem("Today", "today", "admin:index", sees_clinical),
            NavItem(
                "Patients",
                "group",
                "admin:practice_patient_workspace",
                _with_perm("practice.view_patient", sees_clinical),
                section="admin:practice_patient_changelist",
            ),
            NavItem(
                "Schedule",
                "schedule",
                "admin:practice_appointment_schedule",
                _with_perm("practice.view_appointment", sees_clinical),
            ),
            NavItem(
                "Calendar",
                "calendar_month",
                "admin:practice_appointment_calendar",
                _with_perm("practice.view_appointment", sees_clinical),
                section="admin:practice_appointment_changelist",
            ),
            NavItem(
                "Notes",
                "edit_note",
                "admin:practice_sessionnote_changelist",
                _with_perm("practice.view_sessionnote", sees_clinical),
            ),
            NavItem(
                "Billing",
                "payments",
                "admin:practice_financialrecord_overview",
                _with_perm("practice.view_financialrecord", sees_clinical),
                section="admin:practice_financialrecord_changelist",
            ),
        ),
    )
)
workspace_site().register_navigation(
    NavGroup(
        title="Practice records",
        order=20,
        items=(
            NavItem("Therapists", "badge", "admin:practice_therapist_changelist", _manager),
            NavItem("Appointments (list)", "event_list", "admin:practice_appointment_changelist", _manager),
            NavItem("Mood entries", "mood", "admin:practice_moodentry_changelist", _manager),
            NavItem("Progress entries", "trending_up", "admin:practice_progressentry_changelist", _manager),
            NavItem("Amendments", "history_edu", "admin:practice_sessionnoteamendment_changelist", _manager),
            NavItem("Session types", "category", "admin:practice_sessiontype_changelist", _manager),
            NavItem("Tags", "sell", "admin:practice_tag_changelist", _manager),
            NavItem("Progress areas", "flag", "admin:practice_progressarea_changelist", _manager),
        ),
    )
)
