"""What each demo role does in a real browser, end to end, with axe-core on every page visited (WCAG 2 A/AA:
0 violations). The demo data is the one ``manage.py up`` loads; times are the practice's (Melbourne)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from practice.models import Appointment, Patient, SessionNote, SessionNoteAmendment, Therapist
from research.models import ExpressionOfInterest, ProfileStatus
from sanctuary import roles
from tests.browser.conftest import Browser

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AMELIA = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"


def _next_free_weekday(days_ahead: int = 14) -> str:
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def test_the_therapist_books_is_refused_an_overlap_writes_signs_and_amends_a_note(browser: Browser) -> None:
    browser.login("sarah")
    assert "Today," in browser.driver.title and "Notes to sign" in browser.text
    browser.assert_accessible()

    # The calendar: choose an empty slot, which opens booking with its start filled in.
    day = _next_free_weekday()
    browser.open(f"/admin/practice/appointment/calendar/?date={day}")
    browser.assert_accessible()
    slot = browser.find(f'a.ws-cal-slot[href*="scheduled_start={day}T10:00"]')
    slot.click()
    browser._left(slot)
    assert browser.find("input[name=scheduled_start_1]").get_attribute("value").startswith("10:00")
    browser.assert_accessible()
    browser.select("patient", text="Amelia Chen")
    browser.submit()
    assert "was added successfully" in browser.text
    booked = timezone.localtime(Appointment.objects.filter(patient_id=AMELIA).latest("created_at").scheduled_start)
    assert (booked.date().isoformat(), booked.strftime("%H:%M")) == (day, "10:00")

    # The same slot again: refused, with the clashing session named and the next free slot offered.
    browser.open(f"/admin/practice/appointment/add/?scheduled_start={day}T10:20")
    browser.select("patient", text="Chloe Davis")
    browser.submit()
    assert "already has an appointment at this time: Amelia Chen" in browser.text
    assert "Next free slot" in browser.text
    browser.assert_accessible()
    browser.click_link("instead")  # "Book <next free slot> instead"
    assert browser.find("input[name=scheduled_start_1]").get_attribute("value").startswith("10:50")

    # A note for Amelia's new session: write it, sign it on the note, then amend it.
    browser.open(f"/admin/practice/sessionnote/add/?patient={AMELIA}")
    browser.assert_accessible()
    browser.fill("content", "Worked on the exposure ladder; anxiety lower at work.")
    browser.fill("mood_rating", "7")
    browser.fill("tag_names", "anxiety, progress")
    browser.submit()
    assert "was added successfully" in browser.text
    note = SessionNote.objects.filter(patient_id=AMELIA).latest("created_at")
    browser.open(f"/admin/practice/sessionnote/{note.pk}/change/")
    browser.click_link("Sign and lock")
    browser.assert_accessible()
    browser.submit("#content form [type=submit]", navigates=False)  # without the attestation it does not go
    assert browser.path.endswith("/sign/")
    note.refresh_from_db()
    assert note.signed_at is None
    browser.find("input[name=attest]").click()
    browser.submit("#content form [type=submit]")
    assert "Signed and locked" in browser.text
    assert "anxiety" in browser.text and "progress" in browser.text  # tags still shown on the signed note
    browser.assert_accessible()
    browser.click_link("Add amendment")
    browser.fill("reason", "Addendum")
    browser.fill("content", "Also agreed a sleep routine.")
    browser.submit()
    assert "Amendment added" in browser.text
    assert SessionNoteAmendment.objects.filter(note=note).count() == 1
    note.refresh_from_db()
    assert note.signed_at is not None


def test_the_therapist_reads_the_home_and_a_patient_chart_with_its_chart_drawn(browser: Browser) -> None:
    browser.login("sarah")
    for card in ("Today's sessions", "Notes to sign", "Patients at risk", "Overdue bills", "The week ahead"):
        assert card in browser.text, card
    browser.click_link("Patients")
    browser.assert_accessible()
    browser.click_link("Patient list")
    browser.assert_accessible()
    browser.click_link("Open chart")
    for header in ("Next session", "Amount owed", "Latest risk level", "Total sessions", "Status"):
        assert header in browser.text, header
    assert browser.charts_drawn() >= 1
    browser.assert_accessible()
    browser.open("/admin/research/therapistresearchstate/funnel/")
    assert "This page is not available to you" in browser.text
    browser.assert_accessible()


def test_the_manager_books_for_another_therapists_patient_and_sees_the_form_error(browser: Browser) -> None:
    # A second clinician, so the manager can pick the wrong one.
    user = User.objects.create_user("lee", "lee@example.test", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.THERAPIST))
    lee = Therapist.objects.create(user=user, email="lee@clinic.example", first_name="Dr. Lee", last_name="Park")
    Patient.objects.create(therapist=lee, first_name="Nora", last_name="Quinn")
    browser.login("manager")
    assert "By therapist" in browser.text
    browser.assert_accessible()
    browser.open(f"/admin/practice/appointment/add/?scheduled_start={_next_free_weekday(15)}T13:00")
    browser.select("patient", text="Amelia Chen – Dr. Sarah Johnson")
    browser.select("therapist", text="Dr. Lee Park")
    browser.submit()
    assert "This patient is not under this therapist's care." in browser.text
    browser.assert_accessible()
    assert not Appointment.objects.filter(therapist=lee).exists()
    browser.open("/admin/practice/appointment/calendar/")
    browser.assert_accessible()


def test_research_staff_convert_one_eoi_reject_another_and_are_refused_clinical_pages(browser: Browser) -> None:
    browser.login("research")
    assert "Funnel per arm" in browser.text and "Not enough data" in browser.text
    assert browser.charts_drawn() == 1
    browser.assert_accessible()
    browser.click_link("Review EOIs")
    browser.assert_accessible()
    pending = ExpressionOfInterest.objects.get(profile_status=ProfileStatus.PENDING)
    browser.click_link(str(pending))
    browser.assert_accessible()
    browser.click_link("Preview & convert")
    browser.assert_accessible()
    browser.submit("#content form [type=submit]")
    assert "Created the profile" in browser.text or "Merged into the profile" in browser.text
    pending.refresh_from_db()
    assert pending.profile_status == ProfileStatus.CREATED

    reviewing = ExpressionOfInterest.objects.get(profile_status=ProfileStatus.IN_PROGRESS)
    browser.open(f"/admin/research/expressionofinterest/{reviewing.pk}/review/reject/")
    browser.fill("reason", "Not a registered practitioner.")
    browser.submit("#content form [type=submit]")
    assert "Rejected." in browser.text
    reviewing.refresh_from_db()
    assert reviewing.profile_status == ProfileStatus.REJECTED

    browser.open("/admin/research/therapistresearchstate/funnel/")
    assert browser.charts_drawn() == 1
    browser.assert_accessible()
    browser.open("/admin/research/surveyresponse/summary/")
    assert browser.charts_drawn() >= 10
    browser.assert_accessible()
    for clinical in ("/admin/practice/patient/", "/admin/practice/sessionnote/", "/admin/practice/appointment/"):
        browser.open(clinical)
        assert "This page is not available to you" in browser.text, clinical
    browser.assert_accessible()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/practice/patient/",
        "/admin/practice/appointment/",
        "/admin/practice/sessionnote/",
        "/admin/practice/financialrecord/",
        "/admin/",
        "/admin/practice/appointment/calendar/",
        f"/admin/practice/patient/{AMELIA}/chart/",
    ],
)
def test_at_390_px_pages_do_not_scroll_sideways(browser: Browser, path: str) -> None:
    browser.login("sarah")
    browser.resize(390, 844)
    browser.open(path)
    assert browser.page_width() <= 390, f"{path} is {browser.page_width()} px wide"
    # A list shows its key columns without scrolling its table sideways either.
    overflow = browser.driver.execute_script(
        "var t = document.getElementById('result_list');return t ? t.scrollWidth - t.parentElement.clientWidth : 0;"
    )
    assert overflow <= 1, f"{path}: the list is {overflow} px wider than the screen"
    browser.assert_accessible()


def test_the_start_page_and_the_error_pages_are_accessible(browser: Browser) -> None:
    browser.open("/")
    assert "Sign in" in browser.text
    browser.assert_accessible()
    browser.open("/no-such-page/")
    assert "We could not find that page" in browser.text
    browser.assert_accessible()


def test_the_therapist_uses_the_original_apps_pages(browser: Browser, tmp_path: Any) -> None:
    """Issue 21: the patient workspace, the schedule with its countdown and the financial overview's export."""
    browser.login("sarah")
    browser.click_link("Patients")
    assert "Mood trend" in browser.text
    drawn = browser.driver.execute_script("return document.querySelectorAll('svg.ws-spark polyline').length")
    assert drawn == 3
    browser.assert_accessible()
    browser.fill("q", "Amilia")
    browser.submit("form[role=search] [type=submit]")
    assert "Amelia Chen" in browser.text and "Benjamin Carter" not in browser.text
    browser.click_link("Amelia Chen")
    for stat in ("Last session", "Next session", "Total sessions"):
        assert stat in browser.text, stat
    assert browser.charts_drawn() >= 1

    browser.open("/admin/practice/appointment/schedule/")
    countdown = browser.find("[data-ws-countdown]")
    first = countdown.text
    browser.wait.until(lambda d: countdown.text != first)  # it ticks
    assert countdown.text.startswith("Starts in")
    assert "Session focus" in browser.text and "Previous session notes" in browser.text
    browser.assert_accessible()

    browser.open("/admin/practice/financialrecord/overview/")
    assert "$850.00" in browser.text and "58.8 % of total" in browser.text and "1 invoice" in browser.text
    assert browser.charts_drawn() == 1
    browser.assert_accessible()
    browser.select("status", text="Paid")
    browser.submit("form[aria-label='Filter the records'] [type=submit]")
    assert "$500.00" in browser.text
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.click_link_no_navigation("Export CSV")
    browser.wait.until(lambda d: any(p.suffix == ".csv" for p in tmp_path.iterdir()))
    exported = next(p for p in tmp_path.iterdir() if p.suffix == ".csv").read_text()
    rows = list(csv.reader(io.StringIO(exported)))
    assert len(rows) == 1 + 3 and {row[6] for row in rows[1:]} == {"Paid"}
