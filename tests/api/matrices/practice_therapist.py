"""Therapist endpoints (audience ``therapist``): Alice gets 2xx on her objects; Bob gets 404 on them (his own,
empty lists on list endpoints, and 400 when he names Alice's patient in a body); Charlie, no therapist, gets
403; anonymous 401. Session types, progress areas and tags are practice-wide lookups every therapist reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from practice import services
from tests.api.access import Endpoint, Expect

OWN_LIST = Expect(anonymous=401, owner=200, other_same_role=200, no_role=403)
OWN_OBJECT = Expect(anonymous=401, owner=200, other_same_role=404, no_role=403)
SHARED_LOOKUP = Expect(anonymous=401, owner=200, other_same_role=200, no_role=403)


def _object_write(body: Any = None, owner: int = 200) -> Expect:
    return Expect(anonymous=401, owner=owner, other_same_role=404, no_role=403, body=body)


def _create_for_alices_patient(body: Any) -> Expect:
    """Bob naming Alice's patient (or her note/appointment) in a body: "does not exist", a 400."""
    return Expect(anonymous=401, owner=201, other_same_role=400, no_role=403, body=body)


def _pk(key: str) -> Any:
    return lambda world: {"pk": world[key].pk}


def _today() -> str:
    return timezone.localdate().isoformat()


def _book(world: dict[str, Any]) -> dict[str, Any]:
    start = world["appointment"].scheduled_start + timedelta(days=1)
    return {
        "patient": str(world["patient"].pk),
        "scheduled_start": start.isoformat(),
        "session_type": str(world["session_type"].pk),
        "appointment_type": "Virtual",
    }


def _reschedule(world: dict[str, Any]) -> dict[str, Any]:
    return {"scheduled_start": (world["appointment"].scheduled_start + timedelta(days=2)).isoformat()}


def _note(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": str(world["patient"].pk),
        "session_date": _today(),
        "content": "Talked about sleep.",
        "tags": ["sleep", "homework"],
        "mood_rating": 5,
        "appointment": str(world["appointment"].pk),
    }


def _amend_signed(world: dict[str, Any]) -> dict[str, Any]:
    services.session_note_sign(note=world["note"], signed_by=world["users"]["alice"])
    return {"content": "Homework was 20 minutes.", "reason": "Correction"}


def _mood(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": str(world["patient"].pk),
        "entry_date": _today(),
        "mood_rating": 6,
        "session_note": str(world["note"].pk),
    }


def _progress(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": str(world["patient"].pk),
        "entry_date": _today(),
        "score": 6,
        "progress_area": str(world["progress_area"].pk),
    }


def _bill(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": str(world["patient"].pk),
        "amount": "150.00",
        "record_type": "session",
        "record_date": _today(),
        "appointment": str(world["appointment"].pk),
    }


NS = "v1:practice:"

ENDPOINTS: list[Endpoint] = [
    # patients
    Endpoint(
        f"{NS}patient-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": Expect(
                anonymous=401,
                owner=201,
                other_same_role=201,
                no_role=403,
                body=lambda world: {"first_name": "Nia", "last_name": "New"},
            ),
        },
    ),
    Endpoint(
        f"{NS}patient-search",
        audience="therapist",
        methods={
            "POST": Expect(
                anonymous=401, owner=200, other_same_role=200, no_role=403, body=lambda world: {"query": "alpha"}
            ),
        },
    ),
    Endpoint(
        f"{NS}patient-detail",
        kwargs=_pk("patient"),
        audience="therapist",
        methods={
            "GET": OWN_OBJECT,
            "PATCH": _object_write(lambda world: {"phone": "0400 000 000"}),
        },
    ),
    Endpoint(f"{NS}patient-archive", kwargs=_pk("patient"), audience="therapist", methods={"POST": _object_write()}),
    Endpoint(f"{NS}patient-summary", kwargs=_pk("patient"), audience="therapist", methods={"GET": OWN_OBJECT}),
    Endpoint(f"{NS}patient-timeline", kwargs=_pk("patient"), audience="therapist", methods={"GET": OWN_OBJECT}),
    # appointments
    Endpoint(
        f"{NS}appointment-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": _create_for_alices_patient(_book),
        },
    ),
    Endpoint(
        f"{NS}appointment-detail",
        kwargs=_pk("appointment"),
        audience="therapist",
        methods={
            "GET": OWN_OBJECT,
            "PATCH": _object_write(lambda world: {"location": "Room 2"}),
        },
    ),
    Endpoint(
        f"{NS}appointment-reschedule",
        kwargs=_pk("appointment"),
        audience="therapist",
        methods={"POST": _object_write(_reschedule)},
    ),
    Endpoint(
        f"{NS}appointment-cancel",
        kwargs=_pk("appointment"),
        audience="therapist",
        methods={"POST": _object_write(lambda world: {"reason": "Patient unwell"})},
    ),
    Endpoint(
        f"{NS}appointment-complete",
        kwargs=_pk("started_appointment"),
        audience="therapist",
        methods={"POST": _object_write(lambda world: {})},
    ),
    Endpoint(
        f"{NS}appointment-no-show", kwargs=_pk("appointment"), audience="therapist", methods={"POST": _object_write()}
    ),
    # session notes
    Endpoint(
        f"{NS}session-note-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": _create_for_alices_patient(_note),
        },
    ),
    Endpoint(
        f"{NS}session-note-detail",
        kwargs=_pk("note"),
        audience="therapist",
        methods={
            "GET": OWN_OBJECT,
            "PATCH": _object_write(lambda world: {"homework_assigned": "Sleep diary", "tags": ["sleep"]}),
            "DELETE": _object_write(owner=204),
        },
    ),
    Endpoint(f"{NS}session-note-sign", kwargs=_pk("note"), audience="therapist", methods={"POST": _object_write()}),
    Endpoint(
        f"{NS}session-note-amend",
        kwargs=_pk("note"),
        audience="therapist",
        methods={"POST": _object_write(_amend_signed, owner=201)},
    ),
    # mood and progress
    Endpoint(
        f"{NS}mood-entry-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": _create_for_alices_patient(_mood),
        },
    ),
    Endpoint(f"{NS}mood-entry-detail", kwargs=_pk("mood"), audience="therapist", methods={"GET": OWN_OBJECT}),
    Endpoint(
        f"{NS}progress-entry-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": _create_for_alices_patient(_progress),
        },
    ),
    Endpoint(f"{NS}progress-entry-detail", kwargs=_pk("progress"), audience="therapist", methods={"GET": OWN_OBJECT}),
    # billing
    Endpoint(
        f"{NS}financial-record-list",
        audience="therapist",
        methods={
            "GET": OWN_LIST,
            "POST": _create_for_alices_patient(_bill),
        },
    ),
    Endpoint(f"{NS}financial-record-detail", kwargs=_pk("invoice"), audience="therapist", methods={"GET": OWN_OBJECT}),
    Endpoint(
        f"{NS}financial-record-pay",
        kwargs=_pk("invoice"),
        audience="therapist",
        methods={
            "POST": _object_write(lambda world: {"paid_date": _today(), "payment_method": "credit_card"}),
        },
    ),
    Endpoint(
        f"{NS}financial-record-void",
        kwargs=_pk("invoice"),
        audience="therapist",
        methods={"POST": _object_write(lambda world: {"reason": "Billed twice"})},
    ),
    # practice-wide lookups
    Endpoint(f"{NS}tag-list", audience="therapist", methods={"GET": SHARED_LOOKUP}),
    Endpoint(f"{NS}tag-detail", kwargs=_pk("tag"), audience="therapist", methods={"GET": SHARED_LOOKUP}),
    Endpoint(f"{NS}session-type-list", audience="therapist", methods={"GET": SHARED_LOOKUP}),
    Endpoint(
        f"{NS}session-type-detail", kwargs=_pk("session_type"), audience="therapist", methods={"GET": SHARED_LOOKUP}
    ),
    Endpoint(f"{NS}progress-area-list", audience="therapist", methods={"GET": SHARED_LOOKUP}),
    Endpoint(
        f"{NS}progress-area-detail", kwargs=_pk("progress_area"), audience="therapist", methods={"GET": SHARED_LOOKUP}
    ),
    # dashboards
    Endpoint(f"{NS}dashboard-upcoming-appointments", audience="therapist", methods={"GET": OWN_LIST}),
    Endpoint(f"{NS}dashboard-active-patients", audience="therapist", methods={"GET": OWN_LIST}),
    Endpoint(f"{NS}dashboard-financial-summary", audience="therapist", methods={"GET": OWN_LIST}),
    Endpoint(f"{NS}dashboard-patient-balances", audience="therapist", methods={"GET": OWN_LIST}),
]
