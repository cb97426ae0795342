"""The original Therapist Sanctuary app's pages, in the admin, on real data: the patient workspace (its
"Dashboard"), the schedule with its session focus, and the financial overview with its export.

What the prototype faked is real here: the search is the trigram search, the mood trend is the patient's last
five entries, the session preparation comes from the last note and the appointment, the session timer records
the actual start and end (G9), the revenue trend is drawn from the bills and "Export" writes the filtered rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from practice import selectors, services
from practice.admin.base import _therapist, _whole_practice, scoped_patients, scoped_therapists, sees_clinical
from practice.models import Appointment, AppointmentStatus, AppointmentType, FinancialRecord, PaymentStatus
from sanctuary import display
from sanctuary.admin import streamed_csv
from sanctuary.users import acting_user

# --- small drawings --------------------------------------------------------------------------------------------


def sparkline(values: list[int], *, width: int = 96, height: int = 28, low: int = 1, high: int = 10) -> str:
    """An inline SVG line of 1–10 ratings (no script, no image request), labelled with its values."""
    if not values:
        return format_html('<span class="ws-muted">{}</span>', "No mood entries yet")
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) * (height - 4) / (high - low):.1f}" for i, v in enumerate(values)
    )
    label = f"Mood trend, last {len(values)}: {', '.join(str(v) for v in values)} (of 10)"
    return format_html(
        '<svg class="ws-spark" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"/></svg>',
        width,
        height,
        width,
        height,
        label,
        points,
    )


# --- the patient workspace ----------------------------------------------------------------------------------


def patient_workspace_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    view = model_admin.admin_site.admin_view(partial(patient_workspace_view, model_admin))
    return [path("workspace/", view, name="practice_patient_workspace")]


def patient_workspace_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    query = request.GET.get("q", "")[:100]
    cards = selectors.patient_cards(patients=scoped_patients(request), query=query)
    for card in cards:
        card["sparkline"] = sparkline(card["moods"])
        card["initials"] = f"{card['first_name'][:1]}{card['last_name'][:1]}".upper()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Patients",
        "subtitle": "Workspace",
        "cards": cards,
        "query": query,
        "show_therapist": _whole_practice(request),
        "list_url": reverse("admin:practice_patient_changelist"),
        "can_add": model_admin.has_add_permission(request),
    }
    return TemplateResponse(request, "practice/admin/patient_workspace.html", context)


# --- the schedule with its session focus ------------------------------------------------------------------


def schedule_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    site = model_admin.admin_site
    return [
        path("schedule/", site.admin_view(partial(schedule_view, model_admin)), name="practice_appointment_schedule"),
        path(
            "<uuid:pk>/start/",
            site.admin_view(partial(session_start_view, model_admin)),
            name="practice_appointment_start",
        ),
        path(
            "<uuid:pk>/end/", site.admin_view(partial(session_end_view, model_admin)), name="practice_appointment_end"
        ),
    ]


def _scoped_appointments(request: HttpRequest) -> Any:
    appointments = Appointment.objects.all()
    if _whole_practice(request):
        return appointments
    therapist = _therapist(request)
    return appointments.none() if therapist is None else appointments.filter(therapist=therapist)


UPCOMING_SHOWN = 30


def schedule_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    allowed = scoped_therapists(request)
    chosen = next((t for t in allowed if str(t.pk) == request.GET.get("therapist")), allowed[0] if allowed else None)
    upcoming: list[dict[str, Any]] = (
        selectors.upcoming_appointments(therapist=chosen)[:UPCOMING_SHOWN] if chosen is not None else []
    )
    focus_id = request.GET.get("focus") or (str(upcoming[0]["id"]) if upcoming else None)
    focus = None
    if focus_id:
        try:
            focus = selectors.session_focus(appointments=_scoped_appointments(request), appointment_id=UUID(focus_id))
        except ValueError:
            focus = None
    base = {"therapist": chosen.pk} if chosen is not None and len(allowed) > 1 else {}
    for row in upcoming:
        row["select_url"] = "?" + urlencode({**base, "focus": row["id"]})
        row["is_virtual"] = row["appointment_type"] == AppointmentType.VIRTUAL
        row["selected"] = focus is not None and row["id"] == focus.appointment.pk
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Schedule",
        "subtitle": "Session focus",
        "upcoming": upcoming,
        "focus": focus,
        "therapists": allowed if len(allowed) > 1 else [],
        "chosen": chosen,
        "now": timezone.now(),
        "can_change": model_admin.has_change_permission(request),
        "early_minutes": services.EARLY_START_MINUTES,
    }
    if focus is not None:
        appointment = focus.appointment
        context["focus_virtual"] = appointment.appointment_type == AppointmentType.VIRTUAL
        context["focus_started"] = appointment.actual_start is not None
        context["focus_live"] = appointment.status == AppointmentStatus.SCHEDULED
    return TemplateResponse(request, "practice/admin/schedule.html", context)


def _session_step(model_admin: admin.ModelAdmin, request: HttpRequest, pk: UUID, step: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    appointment = get_object_or_404(_scoped_appointments(request), pk=pk)
    if not model_admin.has_change_permission(request, appointment):
        raise PermissionDenied
    try:
        if step == "start":
            services.appointment_start(appointment=appointment, actor=acting_user(request))
            model_admin.message_user(request, f"Session started: {appointment}.", messages.SUCCESS)
        else:
            fresh = Appointment.objects.get(pk=appointment.pk)
            services.appointment_complete(
                appointment=fresh,
                actual_start=fresh.actual_start or timezone.now(),
                actual_end=timezone.now(),
                actor=acting_user(request),
            )
            model_admin.message_user(request, f"Session ended and recorded: {appointment}.", messages.SUCCESS)
    except ValidationError as error:
        model_admin.message_user(request, " ".join(error.messages), messages.ERROR)
    return HttpResponseRedirect(reverse("admin:practice_appointment_schedule") + f"?focus={appointment.pk}")


def session_start_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: UUID) -> HttpResponse:
    return _session_step(model_admin, request, pk, "start")


def session_end_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: UUID) -> HttpResponse:
    return _session_step(model_admin, request, pk, "end")


# --- the financial overview -------------------------------------------------------------------------------

PERIOD_LABELS = {"all": "All time", "week": "Last 7 days", "month": "Last month", "quarter": "Last 3 months"}
STATUS_LABELS = {
    "": "All statuses",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.PENDING: "Pending",
    PaymentStatus.OVERDUE: "Overdue",
}
STATUS_ICONS = {
    PaymentStatus.PAID: "check_circle",
    PaymentStatus.PENDING: "schedule",
    PaymentStatus.OVERDUE: "error",
    PaymentStatus.CANCELLED: "block",
    PaymentStatus.REFUNDED: "undo",
}
RECORDS_SHOWN = 100


def financial_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    site = model_admin.admin_site
    return [
        path(
            "overview/",
            site.admin_view(partial(financial_overview_view, model_admin)),
            name="practice_financialrecord_overview",
        ),
        path(
            "overview/export.csv",
            site.admin_view(partial(financial_export_view, model_admin)),
            name="practice_financialrecord_export",
        ),
    ]


def _financial_filters(request: HttpRequest) -> dict[str, Any]:
    """The page's filters from its query string: unknown values fall back to "all" (a filter, not an error)."""
    period = request.GET.get("period", "all")
    period = period if period in PERIOD_LABELS else "all"
    status = request.GET.get("status", "")
    status = status if status in STATUS_LABELS else ""
    allowed = scoped_therapists(request)
    wanted = request.GET.get("therapist", "")
    therapist = next((t for t in allowed if str(t.pk) == wanted), None)
    if therapist is None and not _whole_practice(request):
        therapist = allowed[0] if allowed else None
    today = timezone.localdate()
    return {
        "period": period,
        "status": status,
        "therapist": therapist,
        "therapists": allowed,
        "today": today,
        "since": selectors.financial_period_start(period, today),
    }


def _records(filters: dict[str, Any]) -> Any:
    return (
        selectors.financial_records(
            therapist=filters["therapist"],
            since=filters["since"],
            status=filters["status"] or None,
            today=filters["today"],
        )
        .select_related("patient", "therapist")
        .order_by("-record_date", "-created_at")
    )


def _shown_status(record: FinancialRecord, today: date) -> str:
    """A pending bill past its due date reads as overdue (G5), as the cards count it."""
    if record.status == PaymentStatus.PENDING and record.due_date is not None and record.due_date < today:
        return PaymentStatus.OVERDUE
    return str(record.status)


def financial_overview_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    if not _whole_practice(request) and _therapist(request) is None:
        raise PermissionDenied
    filters = _financial_filters(request)
    overview = selectors.financial_overview(
        therapist=filters["therapist"], since=filters["since"], status=filters["status"] or None, today=filters["today"]
    )
    records = list(_records(filters)[: RECORDS_SHOWN + 1])
    rows = []
    for record in records[:RECORDS_SHOWN]:
        shown = _shown_status(record, filters["today"])
        rows.append(
            {
                "record": record,
                "status": shown,
                "status_label": PaymentStatus(shown).label,
                "icon": STATUS_ICONS[PaymentStatus(shown)],
            }
        )
    trend = selectors.revenue_by_month(
        therapist=filters["therapist"], since=filters["since"], status=filters["status"] or None, today=filters["today"]
    )
    query = {
        k: v
        for k, v in (
            ("period", filters["period"]),
            ("status", filters["status"]),
            ("therapist", filters["therapist"].pk if filters["therapist"] else ""),
        )
        if v
    }
    percent = overview.paid_percent
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Financial overview",
        "subtitle": "Revenue and patient payments",
        "overview": overview,
        "rows": rows,
        "more": len(records) > RECORDS_SHOWN,
        "shown": RECORDS_SHOWN,
        "paid_percent": f"{percent if percent is not None else 0:.1f}",
        "periods": PERIOD_LABELS,
        "statuses": STATUS_LABELS,
        "filters": filters,
        "period_label": PERIOD_LABELS[filters["period"]],
        "pick_therapist": _whole_practice(request),
        "export_url": reverse("admin:practice_financialrecord_export") + (f"?{urlencode(query)}" if query else ""),
        "list_url": reverse("admin:practice_financialrecord_changelist"),
        "chart": {
            "labels": [f"{row['month']:%b %Y}" for row in trend],
            "min": 0,
            "series": [
                {"label": "Billed", "data": [float(row["billed"]) for row in trend]},
                {"label": "Paid", "data": [float(row["paid"]) for row in trend]},
            ],
        },
        "trend": trend,
        "currency": display.currency_code(),
    }
    return TemplateResponse(request, "practice/admin/financial_overview.html", context)


def _export_rows(records: Any, today: date) -> Iterator[list[str]]:
    yield [
        "Date",
        "Patient",
        "Therapist",
        "Type",
        "Session type",
        f"Amount ({display.currency_code()})",
        "Status",
        "Due date",
        "Paid date",
        "Invoice number",
        "Patient responsibility",
    ]
    for record in records.iterator(chunk_size=2000):
        yield [
            record.record_date.isoformat(),
            record.patient.full_name,
            record.therapist.full_name,
            record.get_record_type_display(),
            record.session_type,
            f"{record.amount:.2f}",
            PaymentStatus(_shown_status(record, today)).label,
            record.due_date.isoformat() if record.due_date else "",
            record.paid_date.isoformat() if record.paid_date else "",
            record.invoice_number,
            f"{record.patient_responsibility:.2f}",
        ]


def financial_export_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> StreamingHttpResponse:
    """Exactly the rows the overview's filters select (all of them, not just the page shown), as CSV."""
    if not sees_clinical(request) or not model_admin.has_view_permission(request):
        raise PermissionDenied
    if not _whole_practice(request) and _therapist(request) is None:
        raise PermissionDenied
    filters = _financial_filters(request)
    name = f"financial-records-{filters['period']}-{filters['status'] or 'all'}-{filters['today']:%Y-%m-%d}.csv"
    return streamed_csv(_export_rows(_records(filters), filters["today"]), name)
