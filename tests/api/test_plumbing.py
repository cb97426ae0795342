"""The API's request plumbing: hostile bodies are 400s, every error under /api/ and /webhooks/ has the one
envelope, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from research.models import ExpressionOfInterest, Feedback
from sanctuary.api.plumbing import MAX_JSON_DEPTH
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

DEEP = b"[" * 3000 + b"]" * 3000
JUST_TOO_DEEP = b'{"a": ' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1)


def _envelope(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and error["code"] and error["message"]
    return dict(error)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login/",
        "/api/v1/research/feedback/",
        "/api/v1/research/survey/responses/",
        "/api/v1/research/eoi/",
        "/api/v1/research/sandbox-visits/",
    ],
)
@pytest.mark.parametrize("body", [DEEP, JUST_TOO_DEEP], ids=["3000-deep", "one-level-too-deep"])
def test_deeply_nested_json_is_a_400_on_every_public_endpoint(client: Client, path: str, body: bytes) -> None:
    error = _envelope(client.post(path, body, content_type="application/json"), 400)
    assert "nested deeper than" in error["message"]
    assert not Feedback.objects.exists() and not ExpressionOfInterest.objects.exists()


def test_deeply_nested_json_is_a_400_for_a_signed_in_therapist_too(world: dict[str, Any]) -> None:
    client = client_for("owner", world, "therapist")
    for path in ("/api/v1/patients/", "/api/v1/session-notes/", "/api/v1/appointments/"):
        _envelope(client.generic("POST", path, DEEP.decode(), content_type="application/json"), 400)


def test_json_as_deep_as_the_limit_is_parsed(client: Client) -> None:
    body = b'{"a": ' * (MAX_JSON_DEPTH - 1) + b"1" + b"}" * (MAX_JSON_DEPTH - 1)
    error = _envelope(client.post("/api/v1/research/feedback/", body, content_type="application/json"), 400)
    assert "nested" not in error["message"]  # refused for its content (no rating), not its shape


def test_invalid_utf8_is_a_400_in_json_and_in_form_bodies(client: Client) -> None:
    _envelope(
        client.post(
            "/api/v1/research/feedback/", b'{"rating": 4, "comment": "\xff\xfe"}', content_type="application/json"
        ),
        400,
    )
    _envelope(
        client.post(
            "/api/v1/research/eoi/",
            b"audience=individual&email=a%40b.test&full_name=\xff",
            content_type="application/x-www-form-urlencoded",
        ),
        400,
    )
    assert not ExpressionOfInterest.objects.exists() and not Feedback.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/v1/no-such-endpoint/", "/webhooks/other/", "/api/v2/patients/"]
)
def test_an_unrouted_api_path_is_a_json_404(client: Client, path: str) -> None:
    assert _envelope(client.get(path), 404)["code"] == "not_found"


def test_the_webhooks_errors_have_the_envelope(client: Client) -> None:
    from tests.research.conftest import sign

    unsigned = client.post("/webhooks/resend/", b"{}", content_type="application/json")
    assert _envelope(unsigned, 400)["code"] == "invalid_signature"
    signature = sign(DEEP, msg_id="msg_deep")
    headers: dict[str, Any] = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signature.items()}
    assert _envelope(client.post("/webhooks/resend/", DEEP, content_type="application/json", **headers), 400)


def test_nested_field_errors_are_lists_of_strings(world: dict[str, Any]) -> None:
    client = client_for("owner", world, "therapist")
    response = client.post(
        "/api/v1/session-notes/",
        {
            "patient": str(world["patient"].pk),
            "session_date": "2030-01-01",
            "content": "x",
            "tags": [1, {"no": "dict"}],
        },
        format="json",
    )
    error = _envelope(response, 400)
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in error["fields"].values()
    ), error


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/research/feedback/", {"rating": 4, "comment": 12345}, "comment"),
        ("/api/v1/research/feedback/", {"rating": 4, "page_path": 12345}, "page_path"),
        ("/api/v1/research/feedback/", {"rating": 4, "session_id": 7}, "session_id"),
        (
            "/api/v1/research/eoi/",
            {
                "audience": "therapist",
                "email": "e@example.test",
                "full_name": "Dr X",
                "professional_title": "Psychologist",
                "email_consent": True,
                "specialisations": 12345,
            },
            "specialisations",
        ),
        ("/api/v1/research/eoi/", {"audience": "individual", "email": 42, "email_consent": True}, "email"),
    ],
)
def test_public_intake_refuses_values_of_the_wrong_type(
    client: Client, path: str, body: dict[str, Any], field: str
) -> None:
    error = _envelope(client.post(path, body, content_type="application/json"), 400)
    assert field in error["fields"], error
    assert not Feedback.objects.exists() and not ExpressionOfInterest.objects.exists()


@pytest.mark.parametrize("name", ["Ada\x00", "Ada\nAlpha", "Ada\x1b[31m", "Ada\u009bX"])
def test_a_patient_name_with_control_characters_is_refused(world: dict[str, Any], name: str) -> None:
    from practice.models import Patient

    before = Patient.objects.count()
    response = client_for("owner", world, "therapist").post(
        "/api/v1/patients/",
        {"first_name": name, "last_name": "Alpha"},
        format="json",
    )
    error = _envelope(response, 400)
    assert "first_name" in error["fields"]
    assert Patient.objects.count() == before


@pytest.mark.parametrize("path", ["/api/v1/patients/x%0Ay/", "/api/v1/me/invoices/k%0Aj/", "/api/nothing%0A/here/"])
def test_a_path_with_an_encoded_line_break_is_a_json_404_too(world: dict[str, Any], path: str) -> None:
    response = client_for("owner", world, "therapist").get(path)
    assert _envelope(response, 404)["code"] == "not_found"


# --- query strings and bodies through the one plumbing --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/appointments/", "until="),
        ("/api/v1/appointments/", "status=&patient="),
        ("/api/v1/session-notes/", "page="),
        ("/api/v1/session-notes/", "page=x"),
        ("/api/v1/session-notes/", "page=0"),
        ("/api/v1/session-notes/", "page=%D9%A3"),  # an Arabic-Indic digit: isdigit() says yes, we say no
        ("/api/v1/patients/", "archived=-7889965"),
        ("/api/v1/patients/", "archived="),
        ("/api/v1/dashboard/financial-summary/", "status="),
        ("/api/v1/financial-records/", "period="),
    ],
)
def test_an_empty_or_malformed_query_value_is_a_400_naming_it(world: dict[str, Any], path: str, query: str) -> None:
    error = _envelope(client_for("owner", world, "therapist").get(f"{path}?{query}"), 400)
    assert set(error["fields"]) == {part.split("=")[0] for part in query.split("&")}


def test_a_page_past_the_end_is_still_a_404(world: dict[str, Any]) -> None:
    response = client_for("owner", world, "therapist").get("/api/v1/session-notes/?page=99")
    assert _envelope(response, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("role", "path", "query"),
    [
        ("staff", "/api/v1/research/staff/therapists/", "accepting_new_clients="),
        ("staff", "/api/v1/research/staff/eois/", "status="),
        ("patient", "/api/v1/me/appointments/", "when="),
    ],
)
def test_empty_query_values_are_refused_on_the_other_apis_too(
    world: dict[str, Any],
    role: str,
    path: str,
    query: str,
) -> None:
    error = _envelope(client_for("owner", world, role).get(f"{path}?{query}"), 400)
    assert set(error["fields"]) == {query.split("=")[0]}


def test_a_therapist_body_with_an_undeclared_key_is_a_400_and_writes_nothing(world: dict[str, Any]) -> None:
    from practice.models import Patient

    before = Patient.objects.count()
    response = client_for("owner", world, "therapist").post(
        "/api/v1/patients/", {"first_name": "Ada", "last_name": "Lark", "nickname": "A"}, format="json"
    )
    assert _envelope(response, 400)["fields"] == {"nickname": ["Unknown field: this request does not take it."]}
    assert Patient.objects.count() == before


def test_the_schema_states_what_validation_decides() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    # every request body refuses undeclared keys
    assert components["PatientInput"]["additionalProperties"] is False
    assert components["SurveyAnswers"]["additionalProperties"] is False
    # blank stored values are documented as such in responses
    assert {"type": "string", "maxLength": 0} in components["Appointment"]["properties"]["meeting_url"]["anyOf"]
    assert components["FinancialRecord"]["properties"]["insurance_claim_status"]["oneOf"][1] == {
        "$ref": "#/components/schemas/BlankEnum"
    }
    # names refuse control characters, required text refuses "" and spaces, amounts need a digit
    name = components["PatientInput"]["properties"]["first_name"]
    assert name["minLength"] == 1 and "\\u001f" in name["pattern"]
    assert components["FinancialRecordInput"]["properties"]["amount"]["pattern"] == "^\\d{1,8}(?:\\.\\d{1,2})?$"
    # consent must be given; an EOI's required fields depend on its audience
    assert components["AcceptedEnum"] == {"type": "boolean", "enum": [True]}
    organisation = next(v for v in components["EOI"]["oneOf"] if v["title"] == "EOI from organisation")
    assert {"contact_name", "position", "organisation_name"} <= set(organisation["required"])
    # query parameters: a page is a whole number from 1
    page = next(p for p in schema["paths"]["/api/v1/session-notes/"]["get"]["parameters"] if p["name"] == "page")
    assert page["schema"] == {"type": "integer", "minimum": 1}
