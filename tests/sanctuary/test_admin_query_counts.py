"""Every admin changelist, and the workspace pages (homes, calendar week, patient chart), run the same number
of queries for 1 row as for 50, for every role that may open them.

The changelists come from the admin site's registry: every registered model needs a row builder below, so a
model registered without one fails ``test_every_registered_model_has_a_row_builder``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from pghistory.models import Events

from practice import services
from practice.models import (
    Appointment,
    FinancialRecord,
    MoodEntry,
    NoteTag,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
    SessionType,
    Tag,
    Therapist,
)
from research.models import (
    EngagementEvent,
    EOIReviewEvent,
    ExpressionOfInterest,
    Feedback,
    OutboundEmail,
    Suppression,
    SurveyResponse,
    TherapistResearchState,
)
from sanctuary import roles
from tests.practice.factories import (
    AppointmentFactory,
    FinancialRecordFactory,
    MoodEntryFactory,
    PatientFactory,
    ProgressEntryFactory,
    SessionNoteFactory,
    TherapistFactory,
)
from tests.research.eoi_support import make_eoi

_n = itertools.count(1)
START = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.get_default_timezone())


class World:
    def __init__(self) -> None:
        self.superuser = User.objects.create_superuser("root", "root@example.test", "x")
        self.manager = User.objects.create_user("mona", "mona@example.test", "x", is_staff=True)
        self.manager.groups.add(Group.objects.get(name=roles.PRACTICE_MANAGER))
        self.research = User.objects.create_user("rita", "rita@example.test", "x", is_staff=True)
        self.research.groups.add(Group.objects.get(name=roles.RESEARCH_STAFF))
        self.alice = User.objects.create_user("alice", "alice@example.test", "x", is_staff=True)
        self.alice.groups.add(Group.objects.get(name=roles.THERAPIST))
        self.therapist = TherapistFactory(user=self.alice, first_name="Alice")
        self.patient = PatientFactory(therapist=self.therapist)


def _appointment(w: World) -> Appointment:
    n = next(_n)
    patient = PatientFactory(therapist=w.therapist)
    return AppointmentFactory(
        patient=patient,
        scheduled_start=START + timedelta(hours=n),
        scheduled_end=START + timedelta(hours=n, minutes=50),
    )


def _note(w: World) -> SessionNote:
    note = SessionNoteFactory(patient=PatientFactory(therapist=w.therapist))
    NoteTag.objects.create(note=note, tag=Tag.objects.get_or_create(name=f"tag{next(_n)}")[0])
    return note


def _amendment(w: World) -> SessionNoteAmendment:
    note = services.session_note_sign(note=_note(w), signed_by=w.alice)
    return services.session_note_amend(note=note, author=w.alice, content="More.", reason="Addendum")


def _research_state(w: World) -> TherapistResearchState:
    return TherapistResearchState.objects.create(therapist=TherapistFactory(), stage=1, variant="A")


def _survey(w: World) -> SurveyResponse:
    return SurveyResponse.objects.create(
        therapist=TherapistFactory(),
        profession="psychologist",
        years_practice="3-5",
        consent_version="v1",
        consented_at=timezone.now(),
        submitted_at=timezone.now(),
        client_types=["adults"],
    )


def _outbound(w: World) -> OutboundEmail:
    therapist = TherapistFactory()
    return OutboundEmail.objects.create(therapist=therapist, to_email=therapist.email, step=1, subject="Hello")


# One row of each registered model, visible to the role that lists it (Alice's own for clinical rows).
BUILDERS: dict[type, Callable[[World], Any]] = {
    Patient: lambda w: PatientFactory(therapist=w.therapist),
    Appointment: _appointment,
    SessionNote: _note,
    SessionNoteAmendment: _amendment,
    NoteTag: _note,
    MoodEntry: lambda w: MoodEntryFactory(patient=PatientFactory(therapist=w.therapist)),
    ProgressEntry: lambda w: ProgressEntryFactory(
        patient=PatientFactory(therapist=w.therapist),
        progress_area=ProgressArea.objects.create(name=f"Area {next(_n)}"),
    ),
    FinancialRecord: lambda w: FinancialRecordFactory(
        patient=PatientFactory(therapist=w.therapist), invoice_number=f"INV-{next(_n)}"
    ),
    SessionType: lambda w: SessionType.objects.create(name=f"Type {next(_n)}"),
    ProgressArea: lambda w: ProgressArea.objects.create(name=f"Area {next(_n)}"),
    Tag: lambda w: Tag.objects.create(name=f"tag{next(_n)}"),
    Therapist: lambda w: TherapistFactory(),
    ExpressionOfInterest: lambda w: make_eoi(),
    EOIReviewEvent: lambda w: EOIReviewEvent.objects.create(
        eoi=make_eoi(),
        action="review_started",
        from_status="pending",
        to_status="in_progress",
        actor=w.research,
        source="admin",
        occurred_at=timezone.now(),
    ),
    SurveyResponse: _survey,
    Feedback: lambda w: Feedback.objects.create(
        rating=4,
        comment="Nice",
        section="other",
        audience="website",
        submitted_at=timezone.now(),
        therapist=TherapistFactory(),
    ),
    OutboundEmail: _outbound,
    EngagementEvent: lambda w: EngagementEvent.objects.create(
        kind="email_sent",
        occurred_at=timezone.now(),
        therapist=TherapistFactory(),
        outbound_email=_outbound(w),
    ),
    Suppression: lambda w: Suppression.objects.create(email=f"s{next(_n)}@example.test", reason="manual"),
    TherapistResearchState: _research_state,
    User: lambda w: User.objects.create_user(f"user{next(_n)}"),
    Group: lambda w: Group.objects.create(name=f"Group {next(_n)}"),
    AuthToken: lambda w: AuthToken.objects.create(user=w.alice),
    AccessAttempt: lambda w: AccessAttempt.objects.create(
        username=f"u{next(_n)}", ip_address="127.0.0.1", failures_since_start=1
    ),
    AccessLog: lambda w: AccessLog.objects.create(username=f"u{next(_n)}", ip_address="127.0.0.1"),
    AccessFailureLog: lambda w: AccessFailureLog.objects.create(username=f"u{next(_n)}", ip_address="127.0.0.1"),
    Events: lambda w: PatientFactory(therapist=w.therapist),  # each insert is a history event
}


def test_every_registered_model_has_a_row_builder() -> None:
    assert set(admin.site._registry) - set(BUILDERS) == set()


ROLE_USERS = ("superuser", "manager", "alice", "research")


def _changelists_for(user: User) -> list[tuple[type, str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return [
        (m["model"], m["admin_url"])
        for app in admin.site.get_app_list(request)
        for m in app["models"]
        if m["perms"].get("view") and m.get("admin_url")
    ]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("role", ROLE_USERS)
def test_every_changelist_runs_the_same_queries_for_1_and_50_rows(role: str, db: None) -> None:
    world = World()
    user = getattr(world, role)
    client = Client()
    client.force_login(user)
    different = []
    for model, url in _changelists_for(user):
        BUILDERS[model](world)
        one = _queries(client, url)
        for _ in range(49):
            BUILDERS[model](world)
        fifty = _queries(client, url)
        if one != fifty:
            different.append((model.__name__, one, fifty))
    assert different == []


def _workspace_rows(world: World, n: int) -> None:
    """``n`` of everything the workspace pages list, on one patient's chart and in one week."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    patient = world.patient
    for _ in range(n):
        i = next(_n)
        start = timezone.make_aware(datetime.combine(monday, datetime.min.time())) + timedelta(minutes=10 * i)
        other = PatientFactory(therapist=world.therapist)
        AppointmentFactory(patient=other, scheduled_start=start, scheduled_end=start + timedelta(minutes=10))
        services.mood_entry_record(
            patient=patient, entry_date=date(2030, 1, 1) + timedelta(days=i), mood_rating=5, energy_level=4
        )
        services.progress_entry_record(
            patient=patient,
            entry_date=date(2030, 1, 1) + timedelta(days=i),
            score=5,
            progress_area=ProgressArea.objects.get_or_create(name=f"Area {i % 3}")[0],
            baseline_score=3,
            target_score=8,
        )
        services.session_note_create(
            therapist=world.therapist,
            patient=patient,
            session_date=today,
            content="x",
            tags=[f"tag{i % 4}"],
            suicide_risk_level="high",
            safety_plan="Plan",
        )
        FinancialRecordFactory(
            patient=patient, status="overdue", record_date=today, due_date=today, amount=Decimal("10.00")
        )


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("alice", "/admin/"),
        ("manager", "/admin/"),
        ("research", "/admin/"),
        ("alice", "/admin/practice/appointment/calendar/"),
        ("manager", "/admin/practice/appointment/calendar/"),
        ("alice", "/admin/practice/patient/{patient}/chart/"),
        ("manager", "/admin/practice/patient/{patient}/chart/"),
    ],
)
def test_the_workspace_pages_run_the_same_queries_for_1_and_50_rows(role: str, url: str, db: None) -> None:
    world = World()
    client = Client()
    client.force_login(getattr(world, role))
    url = url.format(patient=world.patient.pk)
    _workspace_rows(world, 1)
    one = _queries(client, url)
    _workspace_rows(world, 49)
    assert _queries(client, url) == one
