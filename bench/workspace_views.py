"""Floors of the workspace pages (issue 12): the rows each admin page shows, read with hand-written SQL and
rendered by a plain Django template, behind the same middleware but without the admin (no session check, no
unfold skin, no ORM). ``home ÷ raw-home`` is then what the admin page costs on top of reading and printing
its rows: the admin's permission checks, the skin, the sidebar, the selectors' ORM.

The therapist comes from the ``X-Therapist`` header (the floor has no login), the patient from ``?patient=``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils import timezone
from django.views.decorators.http import require_GET


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_APPOINTMENTS = """
    SELECT a.id, a.scheduled_start, a.scheduled_end, a.status, a.appointment_type,
           p.first_name || ' ' || p.last_name AS patient_name, st.name AS session_type
      FROM practice_appointment a
      JOIN practice_patient p ON p.id = a.patient_id
      LEFT JOIN practice_sessiontype st ON st.id = a.session_type_id
     WHERE a.therapist_id = %s AND a.scheduled_start >= %s AND a.scheduled_start < %s
     ORDER BY a.scheduled_start"""
_UNSIGNED = """
    SELECT n.id, n.session_date, p.first_name || ' ' || p.last_name AS patient_name
      FROM practice_sessionnote n JOIN practice_patient p ON p.id = n.patient_id
     WHERE n.therapist_id = %s AND n.signed_at IS NULL AND NOT n.is_template
     ORDER BY n.session_date, n.created_at LIMIT 10"""
_AT_RISK = """
    SELECT p.id, p.first_name || ' ' || p.last_name AS patient_name, r.suicide_risk_level, r.risk_assessed_at
      FROM practice_patient p
      JOIN LATERAL (SELECT n.suicide_risk_level, n.risk_assessed_at FROM practice_sessionnote n
                     WHERE n.patient_id = p.id AND n.risk_assessed_at IS NOT NULL
                     ORDER BY n.risk_assessed_at DESC LIMIT 1) r ON true
     WHERE p.therapist_id = %s AND r.suicide_risk_level IN ('high', 'imminent')
     ORDER BY r.risk_assessed_at DESC"""
_OVERDUE = """
    SELECT f.id, f.amount, p.first_name || ' ' || p.last_name AS patient_name,
           greatest(%s::date - coalesce(f.due_date, f.record_date), 0) AS days_overdue
      FROM practice_financialrecord f JOIN practice_patient p ON p.id = f.patient_id
     WHERE f.therapist_id = %s
       AND (f.status = 'overdue' OR (f.status = 'pending' AND f.due_date < %s::date))
     ORDER BY days_overdue DESC, p.last_name LIMIT 10"""
_THERAPIST = "SELECT first_name || ' ' || last_name AS name, license_expiry FROM practice_therapist WHERE id = %s"
_DURATIONS = """
    SELECT a.id, a.scheduled_start, p.first_name || ' ' || p.last_name AS patient_name,
           (extract(epoch FROM a.actual_end - a.actual_start) / 60)::int
             - (extract(epoch FROM a.scheduled_end - a.scheduled_start) / 60)::int AS variance
      FROM practice_appointment a JOIN practice_patient p ON p.id = a.patient_id
     WHERE a.therapist_id = %s AND a.status = 'completed' AND a.scheduled_start >= %s
       AND a.actual_start IS NOT NULL AND a.actual_end IS NOT NULL
       AND abs((extract(epoch FROM a.actual_end - a.actual_start) / 60)::int
               - (extract(epoch FROM a.scheduled_end - a.scheduled_start) / 60)::int) > 5
     ORDER BY a.scheduled_start DESC LIMIT 20"""

_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
<h1>{{ title }}</h1>{% block body %}{% endblock %}</body></html>"""

_HOME = engines["django"].from_string(
    _PAGE.replace(
        "{% block body %}{% endblock %}",
        """
<h2>Today and the week ahead</h2><ul>{% for a in week %}<li>{{ a.scheduled_start|date:"D j M, g:i a" }}
 {{ a.patient_name }} {{ a.session_type|default:"Session" }} {{ a.appointment_type }} {{ a.status }}</li>
{% endfor %}</ul>
<h2>Notes to sign</h2><ul>{% for n in unsigned %}<li>{{ n.patient_name }} {{ n.session_date }}</li>{% endfor %}</ul>
<h2>At risk</h2><ul>{% for r in at_risk %}<li>{{ r.patient_name }} {{ r.suicide_risk_level }}</li>{% endfor %}</ul>
<h2>Overdue</h2><ul>{% for b in overdue %}<li>{{ b.patient_name }} {{ b.amount }} {{ b.days_overdue }}</li>
{% endfor %}</ul>
<h2>Licence</h2><p>{{ therapist.name }} {{ therapist.license_expiry }}</p>
<h2>Durations</h2><ul>{% for d in durations %}<li>{{ d.patient_name }} {{ d.variance }}</li>{% endfor %}</ul>""",
    )
)

_CALENDAR = engines["django"].from_string(
    _PAGE.replace(
        "{% block body %}{% endblock %}",
        """
{% for day, events in days %}<section><h2>{{ day|date:"D j M" }}</h2>{% for a in events %}
<a href="/admin/practice/appointment/{{ a.id }}/change/" style="top:{{ a.scheduled_start|date:'G' }}%">
{{ a.scheduled_start|date:"g:i" }}–{{ a.scheduled_end|date:"g:i a" }} {{ a.patient_name }} {{ a.status }}</a>
{% endfor %}</section>{% endfor %}""",
    )
)

_CHART = engines["django"].from_string(
    _PAGE.replace(
        "{% block body %}{% endblock %}",
        """
<p>{{ summary.status }} {{ summary.total_sessions }} {{ summary.last_session }} {{ summary.next_session }}
 {{ summary.owed }} {{ risk.suicide_risk_level }}</p>
{{ moods|json_script:"moods" }}
<ul>{% for p in progress %}<li>{{ p.area }} {{ p.score }} {{ p.baseline_score }} {{ p.target_score }}</li>
{% endfor %}</ul>
<ol>{% for n in notes %}<li>{{ n.session_date }} {{ n.mood_rating }} {{ n.tags }} {{ n.content|truncatechars:400 }}
 {{ n.amendments }}</li>{% endfor %}</ol>
<ul>{% for a in upcoming %}<li>{{ a.scheduled_start }} {{ a.session_type }}</li>{% endfor %}</ul>""",
    )
)


@require_GET
def raw_home(request: HttpRequest) -> HttpResponse:
    therapist = request.headers.get("X-Therapist", "")
    now = timezone.now()
    today = timezone.localtime(now).date()
    context = {
        "title": "Today",
        "week": _rows(_APPOINTMENTS, [therapist, _midnight(today), _midnight(today + timedelta(days=7))]),
        "unsigned": _rows(_UNSIGNED, [therapist]),
        "at_risk": _rows(_AT_RISK, [therapist]),
        "overdue": _rows(_OVERDUE, [today, therapist, today]),
        "therapist": (_rows(_THERAPIST, [therapist]) or [{}])[0],
        "durations": _rows(_DURATIONS, [therapist, now - timedelta(days=30)]),
    }
    return HttpResponse(_HOME.render(context, request))


@require_GET
def raw_calendar_week(request: HttpRequest) -> HttpResponse:
    therapist = request.headers.get("X-Therapist", "")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    events = _rows(_APPOINTMENTS, [therapist, _midnight(monday), _midnight(monday + timedelta(days=7))])
    week = [monday + timedelta(days=i) for i in range(7)]
    days = [(day, [e for e in events if timezone.localtime(e["scheduled_start"]).date() == day]) for day in week]
    return HttpResponse(_CALENDAR.render({"title": "Calendar", "days": days}, request))


_SUMMARY = """
    SELECT p.status,
           (SELECT count(*) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template)
             AS total_sessions,
           (SELECT max(n.session_date) FROM practice_sessionnote n WHERE n.patient_id = p.id AND NOT n.is_template)
             AS last_session,
           (SELECT min(a.scheduled_start) FROM practice_appointment a
             WHERE a.patient_id = p.id AND a.status = 'scheduled' AND a.scheduled_start >= %s) AS next_session,
           (SELECT coalesce(sum(f.patient_responsibility), 0) FROM practice_financialrecord f
             WHERE f.patient_id = p.id AND f.status IN ('pending', 'overdue')) AS owed
      FROM practice_patient p WHERE p.id = %s"""
_RISK = """SELECT suicide_risk_level, risk_assessed_at FROM practice_sessionnote
            WHERE patient_id = %s AND risk_assessed_at IS NOT NULL ORDER BY risk_assessed_at DESC LIMIT 1"""
_MOODS = """SELECT entry_date, mood_rating, energy_level, anxiety_level, sleep_quality FROM practice_moodentry
             WHERE patient_id = %s ORDER BY entry_date, created_at"""
_PROGRESS = """SELECT coalesce(pa.name, 'General') AS area, e.entry_date, e.score, e.baseline_score, e.target_score
                 FROM practice_progressentry e LEFT JOIN practice_progressarea pa ON pa.id = e.progress_area_id
                WHERE e.patient_id = %s ORDER BY e.entry_date, e.created_at"""
_NOTES = """
    SELECT n.id, n.session_date, n.mood_rating, n.content, n.signed_at,
           coalesce((SELECT array_agg(t.name ORDER BY t.name) FROM practice_notetag nt
                       JOIN practice_tag t ON t.id = nt.tag_id WHERE nt.note_id = n.id), '{}') AS tags,
           (SELECT count(*) FROM practice_sessionnoteamendment m WHERE m.note_id = n.id) AS amendments
      FROM practice_sessionnote n WHERE n.patient_id = %s AND NOT n.is_template
     ORDER BY n.session_date DESC, n.created_at DESC"""
_UPCOMING = """SELECT a.scheduled_start, st.name AS session_type FROM practice_appointment a
                 LEFT JOIN practice_sessiontype st ON st.id = a.session_type_id
                WHERE a.patient_id = %s AND a.status = 'scheduled' AND a.scheduled_start >= %s
                ORDER BY a.scheduled_start LIMIT 5"""


@require_GET
def raw_patient_chart(request: HttpRequest) -> HttpResponse:
    pk = request.GET.get("patient", "")
    now = timezone.now()
    moods = _rows(_MOODS, [pk])
    context = {
        "title": "Patient chart",
        "summary": (_rows(_SUMMARY, [now, pk]) or [{}])[0],
        "risk": (_rows(_RISK, [pk]) or [{}])[0],
        "moods": {
            "labels": [str(m["entry_date"]) for m in moods],
            "series": [[m["mood_rating"] for m in moods], [m["energy_level"] for m in moods]],
        },
        "progress": _rows(_PROGRESS, [pk]),
        "notes": _rows(_NOTES, [pk]),
        "upcoming": _rows(_UPCOMING, [pk, now]),
    }
    return HttpResponse(_CHART.render(context, request))
