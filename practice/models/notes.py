"""Session notes, their tags, and the amendments that are the only way to change a signed note.

A signed note is frozen **in PostgreSQL** (pgtrigger), so neither the ORM, a bulk ``update()`` nor raw SQL can
alter or delete it, and its tags cannot be changed either. Corrections are ``SessionNoteAmendment`` rows,
which are append-only themselves.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from practice.models.choices import ELEVATED_RISK_LEVELS, RiskLevel
from practice.models.history import clinical_history
from sanctuary import display
from sanctuary.models import TimeStampedModel, scale_check

# SET_NULL from a deleted appointment (on_delete) is the one update allowed on a signed note: it detaches the
# note without touching a word of it. Everything else raises.
SIGNED_NOTE_LOCK = """
    IF TG_OP = 'UPDATE'
       AND OLD.appointment_id IS NOT NULL AND NEW.appointment_id IS NULL
       AND (to_jsonb(NEW) - 'appointment_id' - 'updated_at') = (to_jsonb(OLD) - 'appointment_id' - 'updated_at')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'session note % is signed and locked; record an amendment instead', OLD.id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'practice_sessionnote_signed_locked';
"""

SIGNED_NOTE_TAGS_LOCK = """
    IF EXISTS (
        SELECT 1 FROM practice_sessionnote
        WHERE signed_at IS NOT NULL
          AND id IN (
              CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.note_id END,
              CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.note_id END)
    ) THEN
        RAISE EXCEPTION 'the tags of a signed session note are locked'
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'practice_notetag_signed_note_locked';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
"""

AMENDMENT_NEEDS_SIGNED_NOTE = """
    IF NOT EXISTS (SELECT 1 FROM practice_sessionnote WHERE id = NEW.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'only a signed session note can be amended; edit the draft instead'
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'practice_sessionnoteamendment_note_signed';
    END IF;
    RETURN NEW;
"""


@clinical_history()
class SessionNote(TimeStampedModel):
    """Therapy session notes and documentation."""

    RiskLevel = RiskLevel

    appointment = models.ForeignKey(
        "practice.Appointment",
        null=True,
        blank=True,
        related_name="session_notes",
        # The original cascaded: deleting an appointment deleted the clinical record. Now the note stays.
        on_delete=models.SET_NULL,
    )
    patient = models.ForeignKey(
        "practice.Patient",
        on_delete=models.PROTECT,
        related_name="session_notes",
        # Covered by the (patient, session_date) index below.
        db_index=False,
    )
    therapist = models.ForeignKey(
        "practice.Therapist",
        on_delete=models.PROTECT,
        related_name="session_notes",
        # Covered by the (therapist, session_date) index below.
        db_index=False,
    )
    session_date = models.DateField()
    content = models.TextField()
    mood_rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 (low) – 10 (high)")
    session_goals = models.TextField(blank=True)
    homework_assigned = models.TextField(blank=True)
    next_session_focus = models.TextField(blank=True)
    is_template = models.BooleanField(default=False, help_text="A reusable note template, not a session.")
    template_name = models.CharField(max_length=100, blank=True)
    tags = models.ManyToManyField("practice.Tag", through="practice.NoteTag", related_name="session_notes", blank=True)

    # G6: psychotherapy notes. Never shown to the patient (portal/API selectors exclude them).
    is_private = models.BooleanField(default=False)

    # G7: risk assessment.
    suicide_risk_level = models.CharField(
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
        help_text="Blank: not assessed in this session.",
    )
    crisis_indicators = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    safety_plan = models.TextField(blank=True)
    risk_assessed_at = models.DateTimeField(null=True, blank=True)

    # Sign and lock.
    signed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="signed_session_notes",
    )

    class Meta:
        ordering = ["-session_date", "-created_at"]
        db_table_comment = "Therapy session notes and documentation"
        constraints = [
            scale_check("mood_rating", "practice_sessionnote_mood_rating_range", nullable=True),
            models.CheckConstraint(
                condition=Q(suicide_risk_level="") | Q(suicide_risk_level__in=RiskLevel.values),
                name="practice_sessionnote_suicide_risk_level_valid",
            ),
            models.CheckConstraint(
                condition=(Q(suicide_risk_level="") & Q(risk_assessed_at__isnull=True))
                | (~Q(suicide_risk_level="") & Q(risk_assessed_at__isnull=False)),
                name="practice_sessionnote_risk_assessed_at_with_level",
                violation_error_message="A risk level needs the time it was assessed, and vice versa.",
            ),
            models.CheckConstraint(
                condition=~Q(suicide_risk_level__in=ELEVATED_RISK_LEVELS) | ~Q(safety_plan=""),
                name="practice_sessionnote_elevated_risk_has_safety_plan",
                violation_error_message="A high or imminent risk assessment needs a safety plan.",
            ),
            models.CheckConstraint(
                condition=Q(is_template=False) | ~Q(template_name=""),
                name="practice_sessionnote_template_named",
                violation_error_message="A note template needs a name.",
            ),
            models.CheckConstraint(
                condition=Q(signed_by__isnull=True) | Q(signed_at__isnull=False),
                name="practice_sessionnote_signed_by_with_signed_at",
            ),
            models.CheckConstraint(
                condition=Q(is_template=False) | Q(signed_at__isnull=True),
                name="practice_sessionnote_template_not_signed",
            ),
        ]
        indexes = [
            # Session count / last session per patient (G2), the patient's notes list, patient_summary.
            models.Index(fields=["patient", "-session_date"], name="practice_note_patient_date"),
            # A therapist's recent notes (admin changelist, dashboard).
            models.Index(fields=["therapist", "-session_date"], name="practice_note_therapist_date"),
            # at_risk_patients (G7): latest risk assessment per patient, only assessed notes.
            models.Index(
                fields=["patient", "-risk_assessed_at"],
                condition=Q(risk_assessed_at__isnull=False),
                name="practice_note_risk_assessed",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="signed_note_locked",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__signed_at__isnull=False),
                func=SIGNED_NOTE_LOCK,
            ),
        ]

    def __str__(self) -> str:
        if self.is_template:
            return f"Template: {self.template_name}"
        label = f"Note of {display.date_label(self.session_date)} – {self.patient.full_name}"
        return label + (" (signed)" if self.is_signed else " (draft)")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class NoteTag(TimeStampedModel):
    """Junction table linking notes to tags."""

    note = models.ForeignKey("practice.SessionNote", on_delete=models.CASCADE, related_name="note_tags")
    tag = models.ForeignKey(
        "practice.Tag",
        related_name="note_tags",
        # The original cascaded; removing a tag would silently rewrite clinical records, so it is protected.
        on_delete=models.PROTECT,
    )

    class Meta:
        db_table_comment = "Junction table linking notes to tags"
        constraints = [
            # Also the index for "tags of a note".
            models.UniqueConstraint(fields=["note", "tag"], name="practice_notetag_note_tag_unique"),
        ]
        indexes = [
            # tag_usage (G3): usage count and last use per tag.
            models.Index(fields=["tag", "note"], name="practice_notetag_tag_note"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="signed_note_tags_locked",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=SIGNED_NOTE_TAGS_LOCK,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.note} · {self.tag}"


class SessionNoteAmendment(TimeStampedModel):
    """An addendum to a signed note: the only way to correct or extend it. Append-only."""

    note = models.ForeignKey("practice.SessionNote", on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    content = models.TextField()

    class Meta:
        ordering = ["created_at"]
        db_table_comment = "Amendments to signed session notes (append-only)"
        constraints = [
            models.CheckConstraint(condition=~Q(content=""), name="practice_sessionnoteamendment_content_required"),
            models.CheckConstraint(condition=~Q(reason=""), name="practice_sessionnoteamendment_reason_required"),
        ]
        triggers = [
            pgtrigger.Protect(name="amendment_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="amendment_needs_signed_note",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func=AMENDMENT_NEEDS_SIGNED_NOTE,
            ),
        ]

    def __str__(self) -> str:
        when = display.date_label(display.local(self.created_at).date()) if self.created_at else "new"
        return f"Amendment ({when}) to the {self.note}"
