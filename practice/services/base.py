"""What every practice service shares: validation with constraint errors keyed to their field, saving that
translates a database constraint into a ``ValidationError``, row locks and the acting user."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q

from practice.models import (
    Patient,
    Therapist,
)
from sanctuary.errors import Conflict, constraint_name

DEFAULT_SESSION_MINUTES = 50

# Constraints that involve several columns: the field a form should show the error on.
CONSTRAINT_FIELDS: dict[str, str] = {
    "practice_patient_email_per_therapist_ci_unique": "email",
    "practice_patient_archived_not_active": "status",
    "practice_appointment_end_after_start": "scheduled_end",
    "practice_appointment_actual_end_after_actual_start": "actual_end",
    "practice_appointment_no_overlap": "scheduled_start",
    "practice_sessionnote_risk_assessed_at_with_level": "risk_assessed_at",
    "practice_sessionnote_elevated_risk_has_safety_plan": "safety_plan",
    "practice_sessionnote_template_named": "template_name",
    "practice_sessionnote_signed_by_with_signed_at": "signed_at",
    "practice_sessionnote_template_not_signed": "is_template",
    "practice_notetag_note_tag_unique": "tag",
    "practice_financialrecord_discount_within_amount": "discount_applied",
    "practice_financialrecord_coverage_or_copay": "copay_amount",
    "practice_financialrecord_paid_has_paid_date": "paid_date",
    "practice_financialrecord_due_on_or_after_record": "due_date",
    "practice_financialrecord_invoice_per_therapist_unique": "invoice_number",
}

# Constraints whose violation means "clashes with another row", not "bad input": raised as ``Conflict``
# when they are the only thing wrong.
CONFLICT_CONSTRAINTS = frozenset({"practice_appointment_no_overlap"})

# Constraint name -> a function saying, in the user's terms, what the row clashes with and what to do instead
# (filled in by the aggregate's module; ``None`` falls back to the constraint's own message).
CONFLICT_EXPLAINERS: dict[str, Callable[[Any], ValidationError | None]] = {}


def _explained(constraint_name: str, instance: models.Model, fallback: list[str]) -> list[Any]:
    explain = CONFLICT_EXPLAINERS.get(constraint_name)
    explanation = explain(instance) if explain is not None else None
    return [explanation] if explanation is not None else fallback


# --- plumbing ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _acting(actor: User | None) -> Iterator[None]:
    """One transaction, with the acting user on every history row it writes (inside a request the
    middleware has already attached the user and URL; commands and jobs get it from here)."""
    with transaction.atomic():
        if actor is None:
            yield
        else:
            with pghistory.context(user=actor.pk):
                yield


def _constraint_field(model: type[models.Model], constraint: models.BaseConstraint) -> str:
    if constraint.name in CONSTRAINT_FIELDS:
        return CONSTRAINT_FIELDS[constraint.name]
    fields: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Q):
            for child in node.children:
                walk(child)
        elif isinstance(node, tuple):
            fields.add(node[0].split("__")[0])
            walk(node[1])
        elif isinstance(node, models.F):
            fields.add(node.name.split("__")[0])  # type: ignore[attr-defined]  # F.name is untyped in the stubs

    condition = getattr(constraint, "condition", None)
    if condition is not None:
        walk(condition)
    for field_name in getattr(constraint, "fields", ()):
        fields.add(field_name)
    return fields.pop() if len(fields) == 1 else NON_FIELD_ERRORS


def validate(instance: models.Model) -> None:
    """``full_clean()`` with every constraint error keyed to the field it concerns. Clashes with other rows
    (``CONFLICT_CONSTRAINTS``) are checked only once the input itself is valid, and raised as ``Conflict``."""
    errors: dict[str, list[str]] = {}
    clashes_only = True
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
        clashes_only = False
    model = type(instance)
    for constraint in model._meta.constraints:
        if constraint.name in CONFLICT_CONSTRAINTS and errors:
            # Clashes are only meaningful for valid input (a reversed time range cannot be compared at all).
            continue
        try:
            constraint.validate(model, instance)
        except ValidationError as error:
            clashes_only = clashes_only and constraint.name in CONFLICT_CONSTRAINTS
            messages = _explained(constraint.name, instance, error.messages)
            errors.setdefault(_constraint_field(model, constraint), []).extend(messages)
    if errors:
        raise (Conflict if clashes_only else ValidationError)(errors)


def _integrity_error(instance: models.Model, error: IntegrityError) -> ValidationError:
    model = type(instance)
    name = constraint_name(error)
    for constraint in model._meta.constraints:
        if constraint.name == name:
            messages = _explained(name, instance, [str(constraint.get_violation_error_message())])
            error_class = Conflict if constraint.name in CONFLICT_CONSTRAINTS else ValidationError
            return error_class({_constraint_field(model, constraint): messages})
    return ValidationError({NON_FIELD_ERRORS: [f"The change conflicts with existing data ({name or 'integrity'})."]})


def _save[M: models.Model](instance: M, *, update_fields: Iterable[str] | None = None) -> M:
    validate(instance)
    try:
        # A savepoint, so a constraint that only fires at INSERT time (a concurrent booking) leaves the
        # surrounding transaction usable.
        with transaction.atomic():
            if update_fields is None:
                instance.save()
            else:
                instance.save(update_fields=[*update_fields, "updated_at"])
    except IntegrityError as error:
        raise _integrity_error(instance, error) from error
    return instance


def _delete(instance: models.Model, what: str, *, instead: str = "") -> None:
    """Delete a row entered by mistake; one that other records still need (PROTECT) stays."""
    try:
        with transaction.atomic():
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as error:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"This {what} is still used by other records, so it cannot be deleted{instead}."]}
        ) from error


def _apply(instance: models.Model, changes: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in unknown})
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _locked[M: models.Model](model: type[M], pk: Any) -> M:
    """Re-read the row under a lock that still lets other transactions insert rows referencing it."""
    return model._default_manager.select_for_update(no_key=True).get(pk=pk)


def _require_same_therapist(therapist: Therapist, patient: Patient) -> None:
    if patient.therapist_id != therapist.pk:
        raise ValidationError({"patient": ["This patient is not under this therapist's care."]})
