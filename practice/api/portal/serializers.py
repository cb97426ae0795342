"""Portal serializers: explicit allow-lists of fields. Nothing clinical beyond the patient's own scores.

Output serializers name every field they show (never ``__all__`` or ``exclude``), so a new model column
stays hidden until someone decides a patient may see it. Input serializers reject unknown keys, so a
patient who sends a field they may not change gets a 400 instead of a silent no-op.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from rest_framework import serializers

from practice.models import (
    Appointment,
    AppointmentStatus,
    FinancialRecord,
    MoodEntry,
    Patient,
    ProgressEntry,
    SessionKind,
)
from practice.models.finance import MONEY_DIGITS, MONEY_PLACES, MONEY_TOTAL_DIGITS
from sanctuary.api import plumbing
from sanctuary.models import SCALE_MAX, SCALE_MIN

StrictInputSerializer = plumbing.StrictInputSerializer


# --- profile ---------------------------------------------------------------------------------------------------


class TherapistNameSerializer(serializers.Serializer):
    name = plumbing.CharField(source="full_name")
    title = plumbing.CharField()


class ProfileSerializer(serializers.ModelSerializer):
    therapist = TherapistNameSerializer(read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "date_of_birth",
            "emergency_contact_name",
            "emergency_contact_phone",
            "preferred_session_type",
            "status",
            "therapist",
        ]
        read_only_fields = fields


class ProfileUpdateSerializer(StrictInputSerializer):
    """The contact details a patient keeps up to date themselves; name, e-mail (their login's address) and
    status stay with the practice."""

    phone = plumbing.CharField(max_length=20, allow_blank=True, required=False)
    emergency_contact_name = plumbing.NameField(max_length=200, allow_blank=True, required=False)
    emergency_contact_phone = plumbing.CharField(max_length=20, allow_blank=True, required=False)
    preferred_session_type = serializers.ChoiceField(choices=SessionKind.choices, required=False)


# --- appointments ---------------------------------------------------------------------------------------------


class PortalAppointmentSerializer(serializers.ModelSerializer):
    session_type_name = serializers.SerializerMethodField()
    therapist_name = serializers.SerializerMethodField()
    can_cancel = serializers.SerializerMethodField(help_text="Scheduled and not yet started.")

    class Meta:
        model = Appointment
        fields = [
            "id",
            "scheduled_start",
            "scheduled_end",
            "appointment_type",
            "status",
            "session_type_name",
            "therapist_name",
            "meeting_url",
            "location",
            "can_cancel",
        ]
        read_only_fields = fields

    def get_session_type_name(self, appointment: Appointment) -> str | None:
        return appointment.session_type.name if appointment.session_type_id else None  # type: ignore[union-attr]

    def get_therapist_name(self, appointment: Appointment) -> str:
        return appointment.therapist.full_name

    def get_can_cancel(self, appointment: Appointment) -> bool:
        return appointment.status == AppointmentStatus.SCHEDULED and appointment.scheduled_start > timezone.now()


class AppointmentListQuerySerializer(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=[("upcoming", "Upcoming"), ("past", "Past")],
        required=False,
        help_text="`upcoming`: from now, soonest first; `past`: before now, latest first; omitted: all, latest first.",
    )


class CancellationRequestSerializer(StrictInputSerializer):
    reason = plumbing.CharField(max_length=1000, help_text="Why you cannot come; your therapist sees this.")


# --- mood and progress ------------------------------------------------------------------------------------------


class PortalMoodEntrySerializer(serializers.ModelSerializer):
    notes = plumbing.CharField(
        source="own_notes", read_only=True, help_text="Your own note; empty for entries recorded in a session."
    )

    class Meta:
        model = MoodEntry
        fields = [
            "id",
            "entry_date",
            "mood_rating",
            "energy_level",
            "anxiety_level",
            "sleep_quality",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class MoodEntryInputSerializer(StrictInputSerializer):
    entry_date = serializers.DateField(required=False, help_text="Defaults to today; not in the future.")
    mood_rating = serializers.IntegerField(min_value=SCALE_MIN, max_value=SCALE_MAX)
    energy_level = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    anxiety_level = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    sleep_quality = serializers.IntegerField(required=False, allow_null=True, min_value=SCALE_MIN, max_value=SCALE_MAX)
    notes = plumbing.CharField(max_length=2000, required=False, allow_blank=True)

    def validate_entry_date(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError("A mood entry cannot be for a future date.")
        if value.year < plumbing.EARLIEST_YEAR:
            raise serializers.ValidationError("Enter a real date.")
        return value


class ProgressAreaRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = plumbing.CharField()


class PortalProgressSerializer(serializers.ModelSerializer):
    progress_area = ProgressAreaRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProgressEntry
        fields = ["id", "progress_area", "entry_date", "score", "baseline_score", "target_score"]
        read_only_fields = fields


class ProgressListQuerySerializer(serializers.Serializer):
    progress_area = serializers.UUIDField(required=False, help_text="Only this progress area (its id).")


# --- invoices ---------------------------------------------------------------------------------------------------


class PortalInvoiceSerializer(serializers.ModelSerializer):
    # A string, not a second enum of the patient's ``preferred_session_type`` choice set under another name.
    session_type = plumbing.CharField(read_only=True, help_text="Individual, Couples, Family, or blank.")
    amount_owed = serializers.DecimalField(
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        read_only=True,
        help_text="What you still owe on this bill (your share after insurance, plus late fees); 0 when settled.",
    )

    class Meta:
        model = FinancialRecord
        fields = [
            "id",
            "invoice_number",
            "record_date",
            "due_date",
            "paid_date",
            "record_type",
            "session_type",
            "description",
            "status",
            "amount",
            "discount_applied",
            "insurer_amount",
            "late_fee",
            "patient_responsibility",
            "amount_owed",
        ]
        read_only_fields = fields


class InvoiceListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FinancialRecord.Status.choices, required=False)


class InvoiceTotalsSerializer(serializers.Serializer):
    total_owed = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    overdue_owed = serializers.DecimalField(max_digits=MONEY_TOTAL_DIGITS, decimal_places=MONEY_PLACES)
    open_count = serializers.IntegerField()
