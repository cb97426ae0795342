"""The therapist's workspace in the admin, as its users drive it: forms submitted, pages read.

Each "broken today" item of the workspace issue has a test here that failed before its fix.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from practice import selectors, services
from practice.models import Appointment, AppointmentStatus, Patient, SessionNote
from tests.practice.factories import AppointmentFactory, PatientFactory

MELBOURNE = ZoneInfo("Australia/Melbourne")


def _login(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _next_monday(hour: int, minute: int = 0) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=(7 - today.weekday()) or 7)
    return datetime(monday.year, monday.month, monday.day, hour, minute, tzinfo=MELBOURNE)


# --- 1. notes save; a manager's cross-therapist booking is a form error ------------------------------------


def test_a_therapist_writes_a_session_note_in_the_admin_and_edits_the_draft(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    _login(client, practice.alice)
    form = {
        "patient": practice.alice_patient.pk,
        "session_date": "2030-05-01",
        "content": "Talked about work.",
        "tag_names": "Work, sleep",
        "mood_rating": "6",
    }
    response = client.post("/admin/practice/sessionnote/add/", form)
    assert response.status_code == 302, response.content[:500]
    note = SessionNote.objects.get()
    assert (note.therapist, sorted(t.name for t in note.tags.all())) == (practice.alice_therapist, ["sleep", "work"])
    change = client.post(
        f"/admin/practice/sessionnote/{note.pk}/change/",
        {**form, "content": "Talked about work and rest.", "tag_names": "work"},
    )
    assert change.status_code == 302
    note.refresh_from_db()
    assert note.content == "Talked about work and rest." and [t.name for t in note.tags.all()] == ["work"]


def test_a_manager_booking_under_the_wrong_therapist_gets_a_form_error_not_a_500(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    _login(client, practice.manager)
    start = _next_monday(10)
    form = {
        "patient": practice.alice_patient.pk,
        "therapist": practice.bob_therapist.pk,
        "scheduled_start_0": start.date().isoformat(),
        "scheduled_start_1": "10:00",
        "appointment_type": "In-Person",
    }
    response = client.post("/admin/practice/appointment/add/", form)
    assert response.status_code == 200
    assert "not under this therapist" in response.content.decode()
    assert not Appointment.objects.exists()


def test_a_manager_who_leaves_the_therapist_blank_books_with_the_patients_own(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    _login(client, practice.manager)
    start = _next_monday(10)
    response = client.post(
        "/admin/practice/appointment/add/",
        {
            "patient": practice.alice_patient.pk,
            "scheduled_start_0": start.date().isoformat(),
            "scheduled_start_1": "10:00",
            "appointment_type": "In-Person",
        },
    )
    assert response.status_code == 302
    booked = Appointment.objects.get()
    assert booked.therapist == practice.alice_therapist
    assert booked.scheduled_end - booked.scheduled_start == timedelta(minutes=50)


# --- 2. a signed note keeps showing its tags -----------------------------------------------------------------


def test_a_signed_note_shows_its_tags(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 5, 1),
        content="Signed.",
        tags=["anxiety", "homework"],
    )
    services.session_note_sign(note=note, signed_by=practice.alice)
    page = _login(client, practice.alice).get(f"/admin/practice/sessionnote/{note.pk}/change/").content.decode()
    assert 'class="sanctuary-tag">anxiety<' in page and 'class="sanctuary-tag">homework<' in page
    assert "Tag names" not in page and "Add amendment" in page


# --- 3. pickers and labels read in local time with the patient's name ----------------------------------------


def test_appointment_labels_read_local_time_and_the_patients_name(practice) -> None:  # type: ignore[no-untyped-def]
    start = datetime(2026, 12, 7, 9, 0, tzinfo=MELBOURNE)
    appointment = AppointmentFactory(
        patient=practice.alice_patient, scheduled_start=start, scheduled_end=start + timedelta(minutes=50)
    )
    year = "" if timezone.localdate().year == 2026 else " 2026"  # the year shows only when it is not this one
    assert str(appointment) == f"Mon 7 Dec{year}, 9:00 am – Ada Alpha"
    appointment.status = AppointmentStatus.CANCELLED
    assert str(appointment) == f"Mon 7 Dec{year}, 9:00 am – Ada Alpha (cancelled)"


def test_the_note_form_lists_only_the_chosen_patients_appointments(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    other = PatientFactory(therapist=practice.alice_therapist, first_name="Otto", last_name="Other")
    mine = AppointmentFactory(
        patient=practice.alice_patient, scheduled_start=_next_monday(9), scheduled_end=_next_monday(9, 50)
    )
    theirs = AppointmentFactory(patient=other, scheduled_start=_next_monday(11), scheduled_end=_next_monday(11, 50))
    _login(client, practice.alice)
    page = client.get("/admin/practice/sessionnote/add/", {"patient": practice.alice_patient.pk}).content.decode()
    assert str(mine.pk) in page and str(theirs.pk) not in page
    assert "9:00 am – Ada Alpha" in page
    refused = client.post(
        "/admin/practice/sessionnote/add/",
        {
            "patient": practice.alice_patient.pk,
            "appointment": theirs.pk,
            "session_date": "2030-05-01",
            "content": "Wrong appointment.",
        },
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not SessionNote.objects.exists()


# --- 5. entry, permissions and friendly errors -------------------------------------------------------------


def test_the_start_page_says_where_to_go(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Sign in" in body and "/api/docs/" in body and "Patients" in body


def test_an_unknown_page_is_a_friendly_404_with_a_way_back(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_a_therapist_cannot_open_the_research_funnel(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    response = _login(client, practice.alice).get("/admin/research/therapistresearchstate/funnel/")
    assert response.status_code == 403
    assert "Back to your workspace" in response.content.decode()


def test_research_staff_refused_a_clinical_page_get_a_way_back(client: Client, db: None) -> None:
    from research.demo import ensure_research_staff_login

    ensure_research_staff_login()
    response = _login(client, User.objects.get(username="research")).get("/admin/practice/patient/")
    assert response.status_code == 403
    assert 'href="/admin/"' in response.content.decode()


# --- 6. fuzzy search finds one-letter typos --------------------------------------------------------------------


def test_a_one_letter_typo_in_a_short_first_name_still_finds_the_patient(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    PatientFactory(therapist=practice.alice_therapist, first_name="Amelia", last_name="Chen")
    names = [p.full_name for p in selectors.patient_search(patients=Patient.objects.all(), query="Amilia")]
    assert names == ["Amelia Chen"]
    page = _login(client, practice.alice).get("/admin/practice/patient/", {"q": "Amilia"}).content.decode()
    assert "Amelia Chen" in page


def test_an_unrelated_short_query_finds_nobody(practice) -> None:  # type: ignore[no-untyped-def]
    PatientFactory(therapist=practice.alice_therapist, first_name="Amelia", last_name="Chen")
    assert list(selectors.patient_search(patients=Patient.objects.all(), query="Ann")) == []


# --- 7. completing a future session; bulk actions say what they did -----------------------------------------


def test_a_future_appointment_cannot_be_marked_completed(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    future = AppointmentFactory(
        patient=practice.alice_patient, scheduled_start=_next_monday(9), scheduled_end=_next_monday(9, 50)
    )
    _login(client, practice.alice)
    response = client.post(
        "/admin/practice/appointment/",
        {
            "action": "complete_as_scheduled",
            "_selected_action": [future.pk],
        },
        follow=True,
    )
    body = response.content.decode()
    assert "has not started yet" in body and "Marked 0 appointments as completed." in body
    future.refresh_from_db()
    assert future.status == AppointmentStatus.SCHEDULED


def test_a_bulk_action_confirms_how_many_rows_it_changed(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    rows = [
        AppointmentFactory(
            patient=practice.alice_patient, scheduled_start=_next_monday(9 + i), scheduled_end=_next_monday(9 + i, 50)
        )
        for i in range(2)
    ]
    response = _login(client, practice.alice).post(
        "/admin/practice/appointment/",
        {
            "action": "cancel_appointments",
            "_selected_action": [a.pk for a in rows],
        },
        follow=True,
    )
    assert "Cancelled 2 appointments." in response.content.decode()


# --- 8. the patient page: no login picker for therapists; patient accounts only for managers -------------------


def test_the_patient_page_offers_portal_logins_only_to_managers_and_only_patient_accounts(
    client: Client,
    practice,  # type: ignore[no-untyped-def]
) -> None:
    User.objects.create_user("portal_pat", "pat@example.test", "x")
    url = f"/admin/practice/patient/{practice.alice_patient.pk}/change/"
    assert 'name="user"' not in _login(client, practice.alice).get(url).content.decode()
    page = _login(Client(), practice.manager).get(url).content.decode()
    assert 'name="user"' in page
    picker = page.split('name="user"')[1].split("</select>")[0]
    assert "portal_pat" in picker and "alice" not in picker and "manager" not in picker
    assert page.index("Patient portal login") > page.index("Emergency contact")


# --- the workspace pages -------------------------------------------------------------------------------------


def test_the_therapist_home_shows_the_day_the_notes_to_sign_and_the_risks(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    now = timezone.localtime()
    AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=now + timedelta(minutes=30),
        scheduled_end=now + timedelta(minutes=80),
    )
    draft = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=timezone.localdate(),
        content="Draft.",
        suicide_risk_level="high",
        safety_plan="Call the crisis line.",
    )
    page = _login(client, practice.alice).get("/admin/").content.decode()
    assert "Today's sessions" in page and "Ada Alpha" in page
    assert f"/admin/practice/sessionnote/{draft.pk}/sign/" in page
    assert "Patients at risk" in page and "sanctuary-badge--high" in page
    assert "Bob" not in page  # another therapist's name never shows on Alice's day


def test_the_manager_home_lists_every_clinician_with_the_practice_numbers(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    page = _login(client, practice.manager).get("/admin/").content.decode()
    assert "By therapist" in page and "Utilisation" in page and "Income this month" in page
    assert practice.alice_therapist.full_name in page and practice.bob_therapist.full_name in page


def test_the_calendar_week_shows_sessions_at_local_times_and_strikes_cancelled_ones(
    client: Client,
    practice,  # type: ignore[no-untyped-def]
) -> None:
    start = _next_monday(9)
    kept = AppointmentFactory(
        patient=practice.alice_patient, scheduled_start=start, scheduled_end=start + timedelta(minutes=50)
    )
    cancelled = AppointmentFactory(
        patient=practice.alice_patient,
        scheduled_start=_next_monday(11),
        scheduled_end=_next_monday(11, 50),
        status=AppointmentStatus.CANCELLED,
    )
    page = (
        _login(client, practice.alice)
        .get("/admin/practice/appointment/calendar/", {"date": start.date().isoformat()})
        .content.decode()
    )
    assert "9:00 – 9:50 am Ada Alpha" in page
    assert f"/admin/practice/appointment/{kept.pk}/change/" in page
    assert "ws-cal-event--cancelled" in page and f"/admin/practice/appointment/{cancelled.pk}/change/" in page
    # An empty slot opens booking with its start filled in.
    assert f"/admin/practice/appointment/add/?scheduled_start={start.date().isoformat()}T10:00" in page


def test_booking_from_an_empty_slot_prefills_the_start_and_an_overlap_offers_the_next_free_slot(
    client: Client,
    practice,  # type: ignore[no-untyped-def]
) -> None:
    start = _next_monday(9)
    AppointmentFactory(patient=practice.alice_patient, scheduled_start=start, scheduled_end=start + timedelta(hours=1))
    _login(client, practice.alice)
    form = client.get(
        "/admin/practice/appointment/add/", {"scheduled_start": f"{start.date().isoformat()}T09:30"}
    ).content.decode()
    assert 'value="09:30:00"' in form or 'value="09:30"' in form
    clash = client.post(
        "/admin/practice/appointment/add/",
        {
            "patient": practice.alice_patient.pk,
            "scheduled_start_0": start.date().isoformat(),
            "scheduled_start_1": "09:30",
            "appointment_type": "In-Person",
        },
    )
    body = clash.content.decode()
    assert clash.status_code == 200
    assert "already has an appointment at this time: Ada Alpha" in body
    assert "Next free slot" in body and "10:00 am" in body
    assert f"scheduled_start={start.date().isoformat()}T10%3A00" in body
    assert Appointment.objects.count() == 1


def test_the_patient_chart_has_its_header_charts_and_notes_and_another_therapists_patient_is_404(
    client: Client,
    practice,  # type: ignore[no-untyped-def]
) -> None:
    services.mood_entry_record(patient=practice.alice_patient, entry_date=date(2030, 1, 1), mood_rating=4)
    services.mood_entry_record(patient=practice.alice_patient, entry_date=date(2030, 1, 8), mood_rating=6)
    services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 1, 8),
        content="Better week.",
        tags=["sleep"],
    )
    _login(client, practice.alice)
    page = client.get(f"/admin/practice/patient/{practice.alice_patient.pk}/chart/").content.decode()
    for text in (
        "Next session",
        "Amount owed",
        "Latest risk level",
        "Total sessions",
        "Not scheduled",
        'data-ws-chart="line"',
        "mood-data",
        "Better week.",
        'class="sanctuary-tag">sleep<',
    ):
        assert text in page, text
    assert client.get(f"/admin/practice/patient/{practice.bob_patient.pk}/chart/").status_code == 404


def test_signing_on_the_note_needs_the_attestation_then_locks_it(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    note = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 1, 8),
        content="To sign.",
    )
    _login(client, practice.alice)
    url = f"/admin/practice/sessionnote/{note.pk}/sign/"
    assert "I confirm this note is an accurate" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200
    note.refresh_from_db()
    assert note.signed_at is None
    assert client.post(url, {"attest": "on"}).status_code == 302
    note.refresh_from_db()
    assert note.signed_at is not None and note.signed_by == practice.alice


def test_a_new_note_can_start_from_a_template(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    template = services.session_note_create(
        therapist=practice.alice_therapist,
        patient=practice.alice_patient,
        session_date=date(2030, 1, 1),
        content="Check-in:\nGoals:\nPlan:",
        homework_assigned="Sleep diary",
        is_template=True,
        template_name="Weekly check-in",
    )
    _login(client, practice.alice)
    add = client.get("/admin/practice/sessionnote/add/").content.decode()
    assert "Start from a template" in add and "Weekly check-in" in add
    page = client.get("/admin/practice/sessionnote/add/", {"template": template.pk}).content.decode()
    assert "Check-in:" in page and "Sleep diary" in page


def test_another_therapists_template_is_not_offered(client: Client, practice) -> None:  # type: ignore[no-untyped-def]
    services.session_note_create(
        therapist=practice.bob_therapist,
        patient=practice.bob_patient,
        session_date=date(2030, 1, 1),
        content="Bob's own template.",
        is_template=True,
        template_name="Bob's template",
    )
    add = _login(client, practice.alice).get("/admin/practice/sessionnote/add/").content.decode()
    assert "Bob's template" not in add


@pytest.mark.parametrize(
    ("username", "expected", "absent"),
    [
        ("alice", ["Today", "Calendar", "Patients", "Notes", "Billing"], ["Directory", "Funnel", "Therapists"]),
        ("manager", ["Today", "Calendar", "Therapists", "Session types"], ["Funnel", "Research home"]),
    ],
)
def test_the_sidebar_shows_each_role_its_own_pages(
    client: Client,
    practice,
    username: str,
    expected: list[str],
    absent: list[str],  # type: ignore[no-untyped-def]
) -> None:
    page = _login(client, getattr(practice, username)).get("/admin/").content.decode()
    sidebar = page.split('id="nav-sidebar-inner"')[1].split("</nav>")[0]
    for title in expected:
        assert title in sidebar, title
    for title in absent:
        assert title not in sidebar, title
