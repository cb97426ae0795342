"""Clients generated from the live OpenAPI document, used as an integrator would use them.

The Python client is generated with ``openapi-python-client`` (a dev dependency) from the live server's
``/api/schema/`` into a temporary folder, imported, and driven through the patient's, the therapist's and the
public intake's journeys against pytest-django's live server on 127.0.0.1 over the demo data. Every response
must parse into the generated model its operation documents, with no undeclared field left over
(``additional_properties``) anywhere in it: the document says exactly what the server sends.

The TypeScript client is ``openapi-typescript`` types plus ``openapi-fetch`` (``clients/typescript``, installed
with ``npm ci`` from its lock file): the probe is compiled with ``tsc --strict`` and run with node for the
patient's journey. Without node and npm those tests skip with one line saying so; ``.ci/run`` sets
``SANCTUARY_REQUIRE_NODE=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from django.utils import timezone

from practice.demo import DEMO_THERAPIST_ID
from research.tokens import survey_token_make
from sanctuary.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PYTHON_CONFIG = ROOT / "clients" / "python" / "config.yml"
TYPESCRIPT = ROOT / "clients" / "typescript"
PACKAGE = "sanctuary_client"

pytestmark = [pytest.mark.slow]


def _live_schema(base_url: str, folder: Path) -> Path:
    url = f"{base_url}/api/schema/?format=json"  # the live server, on 127.0.0.1
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (an http:// URL we built)
        document = json.load(response)
    path = folder / "openapi.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def schema_file(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _live_schema(str(live_server.url), tmp_path_factory.mktemp("schema"))


@pytest.fixture(scope="module")
def client_package(schema_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("python-client")
    bin_dir = Path(sys.executable).parent  # the generator runs ruff on what it writes; ruff is beside it
    generated = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(PYTHON_CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    # The generator's only complaint channel: "Warning(s) encountered …" followed by what it skipped.
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


class Api:
    """The generated package's operations and models, and the check every response goes through."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package, self.base_url = package, base_url
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.calls: list[str] = []

    def op(self, tag: str, name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")

    def anonymous(self) -> Any:
        return self.package.Client(base_url=self.base_url, raise_on_unexpected_status=True)

    def login(self, username: str) -> Any:
        body = self.models.LoginInput(username=username, password=DEMO_PASSWORD)
        token = self.parsed(
            self.op("v1", "v1_auth_login_create").sync_detailed(client=self.anonymous(), body=body),
            "Token",
            label="login",
        )
        return self.package.AuthenticatedClient(
            base_url=self.base_url, token=token.token, prefix="Token", raise_on_unexpected_status=True
        )

    def parsed(self, response: Any, model: str, *, label: str, status: int | None = None) -> Any:
        """A 2xx (``status`` when given) whose body parsed into ``model``, with nothing undeclared in it."""
        self.calls.append(label)
        assert 200 <= response.status_code < 300, (label, response.status_code, response.content[:500])
        if status is not None:
            assert response.status_code == status, (label, response.status_code)
        assert isinstance(response.parsed, getattr(self.models, model)), (label, type(response.parsed))
        undeclared = list(_undeclared(response.parsed, label))
        assert undeclared == [], undeclared
        return response.parsed

    def page(self, response: Any, model: str, *, label: str) -> list[Any]:
        """A paginated list: the page parses, and so does every item on it."""
        page = self.parsed(response, f"Paginated{model}List", label=label)
        assert all(isinstance(item, getattr(self.models, model)) for item in page.results), label
        return list(page.results)


def _undeclared(value: Any, where: str) -> Iterator[str]:
    if attrs.has(type(value)):
        extra = getattr(value, "additional_properties", None) or {}
        if extra:
            yield f"{where}: {type(value).__name__} has undeclared {sorted(extra)}"
        for field in attrs.fields(type(value)):
            if field.name != "additional_properties":
                yield from _undeclared(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _undeclared(item, f"{where}[{index}]")


@pytest.fixture
def api(client_package: ModuleType, demo_site: str) -> Api:
    return Api(client_package, demo_site)


def test_the_patient_journey_through_the_generated_python_client(api: Api) -> None:
    client = api.login("amelia")
    profile = api.parsed(
        api.op("patient_portal", "v1_me_retrieve").sync_detailed(client=client), "Profile", label="profile"
    )
    assert profile.first_name == "Amelia"
    upcoming = api.page(
        api.op("patient_portal", "v1_me_appointments_list").sync_detailed(
            client=client, when=api.models.V1MeAppointmentsListWhen.UPCOMING
        ),
        "PortalAppointment",
        label="upcoming",
    )
    assert upcoming and all(item.scheduled_start > timezone.now() for item in upcoming)
    api.parsed(
        api.op("patient_portal", "v1_me_appointments_retrieve").sync_detailed(upcoming[0].id, client=client),
        "PortalAppointment",
        label="one appointment",
    )
    entry = api.parsed(
        api.op("patient_portal", "v1_me_mood_entries_create").sync_detailed(
            client=client, body=api.models.MoodEntryInput(mood_rating=7, energy_level=6, notes="A calmer week.")
        ),
        "PortalMoodEntry",
        label="add a mood entry",
        status=201,
    )
    assert entry.mood_rating == 7 and entry.entry_date == timezone.localdate()
    moods = api.page(
        api.op("patient_portal", "v1_me_mood_entries_list").sync_detailed(client=client),
        "PortalMoodEntry",
        label="mood entries",
    )
    assert entry.id in {item.id for item in moods}
    api.page(
        api.op("patient_portal", "v1_me_progress_list").sync_detailed(client=client), "PortalProgress", label="progress"
    )
    invoices = api.page(
        api.op("patient_portal", "v1_me_invoices_list").sync_detailed(client=client), "PortalInvoice", label="invoices"
    )
    assert invoices
    api.parsed(
        api.op("patient_portal", "v1_me_invoices_retrieve").sync_detailed(invoices[0].id, client=client),
        "PortalInvoice",
        label="one invoice",
    )
    api.parsed(
        api.op("patient_portal", "v1_me_invoices_summary_retrieve").sync_detailed(client=client),
        "InvoiceTotals",
        label="invoice totals",
    )


def test_the_therapist_journey_through_the_generated_python_client(api: Api) -> None:
    client = api.login("sarah")
    v1, models = "v1", api.models
    patients = api.page(api.op(v1, "v1_patients_list").sync_detailed(client=client), "PatientList", label="patients")
    assert patients
    patient = patients[0]
    api.parsed(api.op(v1, "v1_patients_retrieve").sync_detailed(patient.id, client=client), "Patient", label="patient")
    api.parsed(
        api.op(v1, "v1_patients_summary_retrieve").sync_detailed(patient.id, client=client),
        "PatientSummary",
        label="patient summary",
    )
    api.parsed(
        api.op(v1, "v1_patients_timeline_retrieve").sync_detailed(patient.id, client=client),
        "Timeline",
        label="timeline",
    )
    appointments = api.page(
        api.op(v1, "v1_appointments_list").sync_detailed(client=client), "Appointment", label="appointments"
    )
    assert appointments
    api.parsed(
        api.op(v1, "v1_appointments_retrieve").sync_detailed(appointments[0].id, client=client),
        "Appointment",
        label="appointment",
    )
    # The demo's notes leave the risk level blank: the list must still parse (it did not, before).
    notes = api.page(
        api.op(v1, "v1_session_notes_list").sync_detailed(client=client), "SessionNote", label="session notes"
    )
    assert any(isinstance(note.suicide_risk_level, models.BlankEnum) for note in notes)
    for name, model in (
        ("v1_mood_entries_list", "MoodEntry"),
        ("v1_progress_entries_list", "ProgressEntry"),
        ("v1_financial_records_list", "FinancialRecord"),
        ("v1_tags_list", "Tag"),
        ("v1_session_types_list", "SessionType"),
        ("v1_progress_areas_list", "ProgressArea"),
    ):
        api.page(api.op(v1, name).sync_detailed(client=client), model, label=name)

    # Every dashboard.
    active = api.page(
        api.op(v1, "v1_dashboard_active_patients_list").sync_detailed(client=client),
        "ActivePatient",
        label="active patients",
    )
    assert active
    api.page(
        api.op(v1, "v1_dashboard_upcoming_appointments_list").sync_detailed(client=client),
        "UpcomingAppointment",
        label="upcoming appointments",
    )
    api.page(
        api.op(v1, "v1_dashboard_patient_balances_list").sync_detailed(client=client),
        "PatientBalance",
        label="patient balances",
    )
    period = models.V1DashboardFinancialSummaryRetrievePeriod
    for value in period:
        api.parsed(
            api.op(v1, "v1_dashboard_financial_summary_retrieve").sync_detailed(client=client, period=value),
            "FinancialSummary",
            label=f"financial summary ({value.value})",
        )

    # Write a note, then sign it.
    body = models.SessionNoteCreate(
        patient=patient.id,
        session_date=timezone.localdate(),
        content="Worked through the week's thought log.",
        tags=[],
        mood_rating=6,
        session_goals="Notice the first worry of the day.",
    )
    note = api.parsed(
        api.op(v1, "v1_session_notes_create").sync_detailed(client=client, body=body),
        "SessionNote",
        label="write a note",
        status=201,
    )
    assert note.signed_at is None
    signed = api.parsed(
        api.op(v1, "v1_session_notes_sign_create").sync_detailed(note.id, client=client),
        "SessionNote",
        label="sign the note",
    )
    assert signed.id == note.id and signed.signed_at is not None
    api.parsed(
        api.op(v1, "v1_session_notes_retrieve").sync_detailed(note.id, client=client),
        "SessionNote",
        label="the signed note",
    )


def test_the_public_intake_through_the_generated_python_client(api: Api) -> None:
    client, models = api.anonymous(), api.models
    token = survey_token_make(therapist_id=DEMO_THERAPIST_ID)
    session = api.parsed(
        api.op("v1", "research_survey_session").sync_detailed(client=client, token=token),
        "SurveySession",
        label="survey session",
    )
    assert session.therapist.first_name
    survey = models.SurveySubmit.from_dict(
        {
            "token": token,
            "session_id": "client-test",
            "consent": {"accepted": True, "version": session.consent.version},
            "survey": {  # the canonical values the schema lists (the site's labels are accepted too)
                "profession": "psychologist",
                "years_practice": "6-10",
                "client_types": ["adults"],
                "modalities": ["cbt"],
                "clients_find_you": ["referrals"],
                "match_factors": ["trust"],
                "biggest_gap": "Listings say nothing about fit.",
                "screens_clients": "yes",
                "open_to_sharing": "maybe",
                "questions_matter": ["values_and_beliefs"],
                "personality_test": "no",
                "too_personal": ["political_views"],
                "profile_detail_level": 7,
                "onboarding_time": "2-3_min",
                "free_listing_interest": "maybe_later",
                "future_contact": "no",
            },
        }
    )
    receipt = api.parsed(
        api.op("v1", "research_survey_submit").sync_detailed(client=client, body=survey),
        "SurveyReceipt",
        label="survey response",
    )
    again = api.parsed(
        api.op("v1", "research_survey_submit").sync_detailed(client=client, body=survey),
        "SurveyReceipt",
        label="the same survey again",
        status=200,
    )
    assert again.id == receipt.id and again.updated is True
    feedback = models.Feedback(
        rating=5, comment="Clear and quick.", token=token, section=models.FeedbackSectionEnum.OTHER
    )
    api.parsed(
        api.op("v1", "research_feedback_submit").sync_detailed(client=client, body=feedback),
        "FeedbackReceipt",
        label="feedback",
        status=201,
    )
    eoi = models.EOIFromTherapist.from_dict(
        {
            "audience": "therapist",
            "full_name": "Noor Example",
            "professional_title": "Counsellor",
            "email": "noor@example.test",
            "email_consent": True,
            "organisation": "Example Counselling",
            "specialisations": "Grief",
        }
    )
    eoi_receipt = api.parsed(
        api.op("v1", "research_eoi_submit").sync_detailed(client=client, body=eoi),
        "EOIReceipt",
        label="expression of interest",
        status=201,
    )
    assert eoi_receipt.status.value == "received"
    beacon = api.op("v1", "research_sandbox_visit").sync_detailed(
        client=client, body=models.SandboxVisit(token=token, session_id="client-test", page_path="/sandbox/")
    )
    assert beacon.status_code == 204 and beacon.parsed is None


PUBLIC_OPERATIONS = (
    "v1_auth_login_create",
    "research_survey_session",
    "research_survey_submit",
    "research_feedback_submit",
    "research_eoi_submit",
    "research_sandbox_visit",
)


def test_public_operations_take_an_anonymous_client_and_the_others_a_token(client_package: ModuleType) -> None:
    # ``security: []`` on the public operations; a token scheme on every other one.
    import inspect

    api = importlib.import_module(f"{PACKAGE}.api")
    for tag in ("v1", "patient_portal", "research_staff"):
        folder = Path(api.__file__).parent / tag
        for module_file in sorted(folder.glob("*.py")):
            if module_file.stem == "__init__":
                continue
            module = importlib.import_module(f"{PACKAGE}.api.{tag}.{module_file.stem}")
            annotation = str(inspect.signature(module.sync_detailed).parameters["client"].annotation)
            anonymous = "Client" in annotation.replace("AuthenticatedClient", "")
            assert anonymous == (module_file.stem in PUBLIC_OPERATIONS), (module_file.stem, annotation)


def test_the_research_staff_reads_through_the_generated_python_client(api: Api) -> None:
    client = api.login("research")
    staff = "research_staff"
    api.page(
        api.op(staff, "v1_research_staff_therapists_list").sync_detailed(client=client),
        "DirectoryTherapist",
        label="directory",
    )
    api.page(
        api.op(staff, "v1_research_staff_surveys_list").sync_detailed(client=client),
        "StaffSurveyResponse",
        label="survey responses",
    )
    api.page(
        api.op(staff, "v1_research_staff_feedback_list").sync_detailed(client=client), "StaffFeedback", label="feedback"
    )
    api.page(api.op(staff, "research_staff_eoi_list").sync_detailed(client=client), "EOIReviewItem", label="EOI queue")
    api.parsed(
        api.op(staff, "v1_research_staff_funnel_retrieve").sync_detailed(client=client), "Funnel", label="funnel"
    )


# --- TypeScript: openapi-typescript + openapi-fetch, compiled strictly, run with node -----------------------


def _node_missing() -> str | None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install nodejs npm)"
    return None


@pytest.fixture(scope="module")
def typescript(schema_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _node_missing()
    if reason is not None:
        if os.environ.get("SANCTUARY_REQUIRE_NODE") == "1":
            pytest.fail(f"TypeScript client tests required but {reason}")
        pytest.skip(f"TypeScript client tests skipped: {reason}")
    # Install exactly the locked packages (openapi-typescript, openapi-fetch, typescript) once per lock.
    installed = TYPESCRIPT / "node_modules" / ".package-lock.json"
    lock = (TYPESCRIPT / "package-lock.json").read_text()
    if not installed.exists() or json.loads(installed.read_text()).get("packages") != {
        k: v for k, v in json.loads(lock)["packages"].items() if k
    }:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=TYPESCRIPT,
            check=True,
            timeout=600,
            capture_output=True,
        )
    folder = tmp_path_factory.mktemp("typescript")
    for name in ("package.json", "probe.ts", "tsconfig.json"):
        shutil.copy(TYPESCRIPT / name, folder / name)
    (folder / "node_modules").symlink_to(TYPESCRIPT / "node_modules", target_is_directory=True)
    bin_dir = TYPESCRIPT / "node_modules" / ".bin"
    generated = subprocess.run(
        [str(bin_dir / "openapi-typescript"), str(schema_file), "-o", "schema.d.ts"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "warn" not in output.lower(), output
    compiled = subprocess.run(
        [str(bin_dir / "tsc"), "-p", "tsconfig.json"], cwd=folder, capture_output=True, text=True, timeout=300
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return folder


def test_the_typescript_client_compiles_strictly_and_runs_the_patient_journey(
    typescript: Path,
    demo_site: str,
) -> None:
    config = json.loads((typescript / "tsconfig.json").read_text())["compilerOptions"]
    assert config["strict"] is True
    run = subprocess.run(
        ["node", str(typescript / "dist" / "probe.js")],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "SANCTUARY_URL": demo_site,
            "SANCTUARY_USERNAME": "amelia",
            "SANCTUARY_PASSWORD": DEMO_PASSWORD,
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["profile"]["first_name"] == "Amelia"
    assert result["upcoming"] >= 1
    assert result["mood"]["mood_rating"] == 7
    assert result["invoices"] >= 1
    assert set(result["totals"]) == {"total_owed", "open_count"}


def test_the_typescript_probe_does_not_compile_against_a_wrong_field(typescript: Path) -> None:
    """The strict compile means something: a probe reading a field the schema does not have is refused."""
    broken = (typescript / "probe.ts").read_text().replace("profile.first_name", "profile.no_such_field")
    assert broken != (typescript / "probe.ts").read_text()
    (typescript / "broken.ts").write_text(broken)
    compiled = subprocess.run(
        [
            str(TYPESCRIPT / "node_modules" / ".bin" / "tsc"),
            "--strict",
            "--noEmit",
            "--module",
            "nodenext",
            "--target",
            "es2022",
            "--skipLibCheck",
            "broken.ts",
        ],
        cwd=typescript,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert compiled.returncode != 0 and "no_such_field" in compiled.stdout, compiled.stdout
