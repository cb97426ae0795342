"""Who may use the practice API: therapists (their own practice) and patients (the portal, their own data).

The permission only says *which kind of user* may call an endpoint (otherwise 403). *Which objects* they
reach is decided by each view's ``get_queryset()``, scoped to ``request.therapist`` / ``request.patient``,
so another therapist's or patient's object is a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from practice.models import Patient
from practice.selectors import therapist_for_user


class IsTherapist(BasePermission):
    """An active therapist with a login; sets ``request.therapist``."""

    message = "Only therapists can use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        therapist = therapist_for_user(user)
        request.therapist = therapist  # type: ignore[attr-defined]
        return therapist is not None


class IsPatient(BasePermission):
    """A patient with a portal login; sets ``request.patient``."""

    message = "Only patients can use the patient portal."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        patient = Patient.objects.filter(user=user).select_related("therapist").first()
        request.patient = patient  # type: ignore[attr-defined]
        return patient is not None
