"""Therapist API serializers: *input* serializers validate a request body (types, choices, scoped ids) and
never save; *output* serializers render model instances and selector rows.

Ids in bodies are resolved through the requester's own querysets (``ScopedRelatedField``), so another
therapist's patient, appointment or note is "does not exist" – a 400, never accepted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from practice.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    FinancialRecord,
    FinancialRecordType,
    InsuranceClaimStatus,
    MoodEntry,
    Patient,
    PatientStatus,
    PaymentMethod,
    PaymentStatus,
    ProgressArea,
    ProgressEntry,
    RiskLevel,
    SessionKind,
    SessionNote,
    SessionNoteAmendment,
    SessionType,
    Tag,
)
from practice.models.finance import MONEY_DIGITS, MONEY_PLACES, MONEY_TOTAL_DIGITS
from practice.selectors import FINANCIAL_PERIODS
from sanctuary.api import plumbing
from sanctuary.api.serializers import RowSerializer
from sanctuary.models import SCALE_MAX, SCALE_MIN

CalendarDateTimeField = plumbing.DateTimeField


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key resolved only among the requesting therapist's own rows."""

    def __init__(self, model: type[Any], therapist_field: str = "therapist", **kwargs: Any) -> None:
        self.model = model
        self.therapist_field = therapist_field
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        therapist = getattr(self.context.get("request"), "therapist", None)
        if therapist is None:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**{self.therapist_field: therapist})


def shared_field(model: type[Any], **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A practice-wide lookup (session types, progress areas)."""
    return serializers.PrimaryKeyRelatedField(
        queryset=model._default_manager.all(),
        pk_field=serializers.UUIDField(),
        **kwargs,
    )


# --- patients -----------------------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer):
    full_name = plumbing.CharField(read_only=True)
    total_sessions = serializers.IntegerField(read_only=True, help_text="Documented sessions (session notes).")
    last_session_date = serializers.DateField(read_only=True, allow_null=True)
    next_session_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "date_of_birth",
            "emergency_contact_name",
            "emergency_contact_phone",
            "avatar_url",
            "preferred_session_type",
            "status",
            "notes",
            "archived_at",
            "total_sessions",
            "last_session_date",
            "next_session_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PatientListSerializer(RowSerializer):
    """A row of the patient list or search: who, how to reach them, where they stand. The clinical notes,
    emergency contact and record dates are on the patient's own page (``PatientSerializer``)."""

    id = serializers.UUIDField()
    first_name = plumbing.CharField()
    last_name = plumbing.CharField()
    full_name = plumbing.CharField()
    email = plumbing.CharField()
    phone = plumbing.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    avatar_url = plumbing.CharField()
    preferred_session_type = serializers.ChoiceField(SessionKind.choices)
    status = serializers.ChoiceField(PatientStatus.choices)
    archived_at = serializers.DateTimeField(allow_null=True)
    total_sessions = serializers.IntegerField(help_text="Documented sessions (session notes).")
    last_session_date = serializers.DateField(allow_null=True)
    next_session_at = serializers.DateTimeField(allow_null=True)


class PatientInputSerializer(serializers.Serializer):
    first_name = plumbing.NameField(max_length=100)
    last_name = plumbing.NameField(max_length=100)
    email = plumbing.EmailField(max_length=255, required=False, allow_blank=True)
    phone = plumbing.CharField(max_length=20, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    emergency_contact_name = plumbing.NameField(max_length=200, required=False, allow_blank=True)
    emergency_contact_phone = plumbing.CharField(max_length=20, required=False, allow_blank=True)
    avatar_url = plumbing.URLField(max_length=500, required=False, allow_blank=True)
    preferred_session_type = serializers.ChoiceField(SessionKind.choices, required=False)
    notes = plumbing.CharField(required=False, allow_blank=True)


class PatientUpdateSerializer(PatientInputSerializer):
    status = serializers.ChoiceField(PatientStatus.choices, required=False)


class PatientSearchSerializer(serializers.Serializer):
    """Search terms travel in the body, never in the URL (they are patient names)."""

    query = plumbing.CharField(max_length=200, help_text="Part of a name; fuzzy (trigram) matching.")
    status = serializers.ChoiceField(PatientStatus.choices, required=False)


# --- appointments -------------------------------------------------------------------------------------------


class AppointmentSerializer(serializers.ModelSerializer):
    patient_name = plumbing.CharField(source="patient.full_name", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "patient",
            "patient_name",
            "session_type",
            "scheduled_start",
            "scheduled_end",
            "actual_start",
            "actual_end",
            "appointment_type",
            "status",
            "meeting_url",
            "location",
            "preparation_notes",
            "private_notes",
            "cancellation_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AppointmentDetailsSerializer(serializers.Serializer):
    session_type = shared_field(SessionType, required=False, allow_null=True)
    appointment_type = serializers.ChoiceField(AppointmentType.choices, required=False)
    meeting_url = plumbing.URLField(max_length=500, required=False, allow_blank=True)
    location = plumbing.CharField(required=False, allow_blank=True)
    preparation_notes = plumbing.CharField(required=False, allow_blank=True)
    private_notes = plumbing.CharField(required=False, allow_blank=True)


class AppointmentBookSerializer(AppointmentDetailsSerializer):
    patient = ScopedRelatedField(Patient)
    scheduled_start = CalendarDateTimeField()
    scheduled_end = CalendarDateTimeField(
        required=False,
        allow_null=True,
        help_text="Defaults to the session type's duration (else 50 minutes).",
    )


class RescheduleSerializer(serializers.Serializer):
    scheduled_start = CalendarDateTimeField()
    scheduled_end = CalendarDateTimeField(
        required=False,
        allow_null=True,
        help_text="Defaults to keeping the appointment's length.",
    )


class CancelSerializer(serializers.Serializer):
    reason = plumbing.CharField(max_length=2000, help_text="Why the appointment is cancelled.")


class CompleteSerializer(serializers.Serializer):
    actual_start = CalendarDateTimeField(required=False, allow_null=True)
    actual_end = CalendarDateTimeField(required=False, allow_null=True)


class UpcomingAppointmentSerializer(RowSerializer):
    """A row of the upcoming-appointments dashboard: the original view's columns, with ids to link to."""

    id = serializers.UUIDField()
    patient = serializers.UUIDField()
    patient_name = plumbing.CharField()
    patient_avatar = plumbing.CharField()
    therapist_name = plumbing.CharField()
    session_type = serializers.UUIDField(allow_null=True)
    session_type_name = plumbing.CharField(allow_null=True)
    default_duration_minutes = serializers.IntegerField(allow_null=True)
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    appointment_type = serializers.ChoiceField(AppointmentType.choices)
    status = serializers.ChoiceField(AppointmentStatus.choices)
    location = plumbing.CharField()
    meeting_url = plumbing.CharField()


# --- session notes ------------------------------------------------------------------------------------------


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionNoteAmendment
        fields = ["id", "author", "reason", "content", "created_at"]
        read_only_fields = fields


class SessionNoteSerializer(serializers.ModelSerializer):
    tags: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    is_signed = serializers.BooleanField(read_only=True)

    class Meta:
        model = SessionNote
        fields = [
            "id",
            "patient",
            "appointment",
            "session_date",
            "content",
            "mood_rating",
            "tags",
            "session_goals",
            "homework_assigned",
            "next_session_focus",
            "is_private",
            "suicide_risk_level",
            "crisis_indicators",
            "safety_plan",
            "risk_assessed_at",
            "is_template",
            "template_name",
            "is_signed",
            "signed_at",
            "signed_by",
            "amendments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SessionNoteUpdateSerializer(serializers.Serializer):
    session_date = serializers.DateField(required=False)
    content = plumbing.CharField(required=False)
    tags = serializers.ListField(
        child=plumbing.CharField(max_length=50),
        required=False,
        max_length=50,
        help_text="Tag names; created when new. Replaces the note's tags.",
    )
    mood_rating = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    appointment = ScopedRelatedField(Appointment, required=False, allow_null=True)
    session_goals = plumbing.CharField(required=False, allow_blank=True)
    homework_assigned = plumbing.CharField(required=False, allow_blank=True)
    next_session_focus = plumbing.CharField(required=False, allow_blank=True)
    is_private = serializers.BooleanField(required=False)
    suicide_risk_level = serializers.ChoiceField(RiskLevel.choices, required=False, allow_blank=True)
    crisis_indicators = serializers.ListField(
        child=plumbing.CharField(max_length=200),
        required=False,
        max_length=50,
    )
    safety_plan = plumbing.CharField(required=False, allow_blank=True)
    is_template = serializers.BooleanField(required=False)
    template_name = plumbing.CharField(max_length=100, required=False, allow_blank=True)


class SessionNoteCreateSerializer(SessionNoteUpdateSerializer):
    patient = ScopedRelatedField(Patient)
    session_date = serializers.DateField()
    content = plumbing.CharField()


class AmendSerializer(serializers.Serializer):
    content = plumbing.CharField()
    reason = plumbing.CharField(max_length=300)


# --- mood and progress --------------------------------------------------------------------------------------


class MoodEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = MoodEntry
        fields = [
            "id",
            "patient",
            "session_note",
            "entry_date",
            "mood_rating",
            "notes",
            "energy_level",
            "anxiety_level",
            "sleep_quality",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MoodEntryRecordSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    session_note = ScopedRelatedField(SessionNote, required=False, allow_null=True)
    entry_date = serializers.DateField()
    mood_rating = serializers.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX)
    notes = plumbing.CharField(required=False, allow_blank=True)
    energy_level = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    anxiety_level = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    sleep_quality = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)


class ProgressEntrySerializer(serializers.ModelSerializer):
    progress_area_name = plumbing.CharField(source="progress_area.name", read_only=True, allow_null=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id",
            "patient",
            "progress_area",
            "progress_area_name",
            "session_note",
            "entry_date",
            "score",
            "baseline_score",
            "target_score",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProgressEntryRecordSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    progress_area = shared_field(ProgressArea, required=False, allow_null=True)
    session_note = ScopedRelatedField(SessionNote, required=False, allow_null=True)
    entry_date = serializers.DateField()
    score = serializers.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX)
    baseline_score = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    target_score = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    notes = plumbing.CharField(required=False, allow_blank=True)


# --- billing ------------------------------------------------------------------------------------------------


class FinancialRecordSerializer(serializers.ModelSerializer):
    patient_name = plumbing.CharField(source="patient.full_name", read_only=True)

    class Meta:
        model = FinancialRecord
        fields = [
            "id",
            "patient",
            "patient_name",
            "appointment",
            "record_date",
            "transaction_date",
            "amount",
            "record_type",
            "status",
            "session_type",
            "description",
            "invoice_number",
            "payment_method",
            "late_fee",
            "discount_applied",
            "notes",
            "due_date",
            "paid_date",
            "void_reason",
            "insurer_name",
            "insurance_policy_number",
            "insurance_claim_id",
            "insurance_claim_status",
            "coverage_percent",
            "copay_amount",
            "insurer_amount",
            "patient_responsibility",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FinancialRecordInputSerializer(serializers.Serializer):
    patient = ScopedRelatedField(Patient)
    appointment = ScopedRelatedField(Appointment, required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, min_value=0)
    record_type = serializers.ChoiceField(FinancialRecordType.choices)
    record_date = serializers.DateField()
    due_date = serializers.DateField(required=False, allow_null=True)
    session_type = serializers.ChoiceField(SessionKind.choices, required=False, allow_blank=True)
    description = plumbing.CharField(required=False, allow_blank=True)
    invoice_number = plumbing.CharField(max_length=50, required=False, allow_blank=True)
    discount_applied = serializers.DecimalField(
        required=False,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        min_value=0,
    )
    insurer_name = plumbing.CharField(max_length=200, required=False, allow_blank=True)
    insurance_policy_number = plumbing.CharField(max_length=100, required=False, allow_blank=True)
    insurance_claim_id = plumbing.CharField(max_length=100, required=False, allow_blank=True)
    insurance_claim_status = serializers.ChoiceField(
        InsuranceClaimStatus.choices,
        required=False,
        allow_blank=True,
    )
    coverage_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
    )
    copay_amount = serializers.DecimalField(
        required=False,
        allow_null=True,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        min_value=0,
    )
    notes = plumbing.CharField(required=False, allow_blank=True)


class PaySerializer(serializers.Serializer):
    paid_date = serializers.DateField()
    payment_method = serializers.ChoiceField(PaymentMethod.choices)
    transaction_date = serializers.DateField(required=False, allow_null=True)


class VoidSerializer(serializers.Serializer):
    reason = plumbing.CharField(max_length=2000, help_text="Why the bill is voided.")


SUMMARY_STATUSES = [
    (PaymentStatus.PAID.value, "Paid"),
    (PaymentStatus.PENDING.value, "Pending"),
    (PaymentStatus.OVERDUE.value, "Overdue"),
]


class FinancialFilterSerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        [(p, p) for p in FINANCIAL_PERIODS],
        required=False,
        default="all",
        help_text="all, or the last week (7 days), month or quarter (3 months) by record date.",
    )
    status = serializers.ChoiceField(
        SUMMARY_STATUSES,
        required=False,
        help_text="Overdue includes pending bills past their due date.",
    )


class FinancialSummarySerializer(serializers.Serializer):
    period = plumbing.CharField()
    status = plumbing.CharField(allow_null=True)
    since = serializers.DateField(allow_null=True)
    total = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    paid = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    paid_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text="Null when there are no records.",
    )
    pending = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    pending_count = serializers.IntegerField()
    overdue = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    overdue_count = serializers.IntegerField()


class PatientBalanceSerializer(RowSerializer):
    id = serializers.UUIDField()
    patient_name = plumbing.CharField()
    total_records = serializers.IntegerField()
    total_amount = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    total_paid = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    total_pending = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    total_overdue = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)


# --- lookups ------------------------------------------------------------------------------------------------


class TagSerializer(serializers.ModelSerializer):
    usage_count = serializers.IntegerField(read_only=True, help_text="On your session notes.")
    last_used = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "color", "description", "usage_count", "last_used"]
        read_only_fields = fields


class SessionTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionType
        fields = ["id", "name", "description", "default_duration_minutes", "default_rate"]
        read_only_fields = fields


class ProgressAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressArea
        fields = ["id", "name", "description", "category"]
        read_only_fields = fields


# --- dashboards ---------------------------------------------------------------------------------------------


class ActivePatientSerializer(RowSerializer):
    id = serializers.UUIDField()
    patient_name = plumbing.CharField()
    avatar_url = plumbing.CharField()
    preferred_session_type = plumbing.CharField()
    status = plumbing.CharField()
    total_sessions = serializers.IntegerField()
    last_session_date = serializers.DateField(allow_null=True)
    next_session_at = serializers.DateTimeField(allow_null=True)


class PatientSummarySerializer(RowSerializer):
    id = serializers.UUIDField()
    patient_name = plumbing.CharField()
    status = plumbing.CharField()
    total_sessions = serializers.IntegerField()
    last_session_date = serializers.DateField(allow_null=True)
    latest_mood = serializers.IntegerField(allow_null=True)
    avg_mood = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    total_amount_owed = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    next_appointment = serializers.DateTimeField(allow_null=True)


class TimelineFilterSerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class TimelineEventSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField([("mood", "mood"), ("progress", "progress"), ("note", "note")])
    id = serializers.UUIDField()
    mood_rating = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    progress_area = plumbing.CharField(allow_null=True)
    tags = serializers.ListField(child=plumbing.CharField())
    signed = serializers.BooleanField(allow_null=True)


class TimelineSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    events = TimelineEventSerializer(many=True)
