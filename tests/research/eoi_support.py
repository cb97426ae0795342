"""Builders for the EOI review tests: EOIs in any state, reviewers, managers."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group, User
from django.utils import timezone

from practice.models import Therapist
from research.models import EOIAudience, ExpressionOfInterest, ProfileStatus
from sanctuary import roles

_n = itertools.count()


def make_eoi(**fields: Any) -> ExpressionOfInterest:
    """An EOI inserted straight in the requested state (the transition trigger only guards UPDATEs)."""
    n = next(_n)
    status = fields.setdefault("profile_status", ProfileStatus.PENDING)
    fields.setdefault(
        "audience", EOIAudience.THERAPIST if status != ProfileStatus.NOT_APPLICABLE else EOIAudience.SUPPORTER
    )
    fields.setdefault("email", f"eoi{n}@example.test")
    fields.setdefault("email_consent", True)
    fields.setdefault("submitted_at", timezone.now())
    if fields["audience"] == EOIAudience.THERAPIST:
        fields.setdefault("full_name", f"Dr. Jane{n} van der Berg")
        fields.setdefault("professional_title", "Clinical Psychologist")
        fields.setdefault("organisation", "Harbour Psychology")
        fields.setdefault("specialisations", "Trauma, Anxiety; LGBTQ+ affirming care")
    if status in (ProfileStatus.CREATED, ProfileStatus.REJECTED):
        fields.setdefault("reviewed_at", timezone.now())
    if status == ProfileStatus.REJECTED:
        fields.setdefault("review_reason", "spam")
    if status == ProfileStatus.CREATED and "therapist" not in fields:
        fields["therapist"] = Therapist.objects.create(email=f"made{n}@example.test", first_name="Made")
    return ExpressionOfInterest.objects.create(**fields)


def make_user(username: str, *groups: str, **flags: Any) -> User:
    user = User.objects.create_user(username, f"{username}@example.test", "x-unused", **flags)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def reviewer(username: str = "rita") -> User:
    return make_user(username, roles.RESEARCH_STAFF, is_staff=True)


def manager(username: str = "mona") -> User:
    return make_user(username, roles.PRACTICE_MANAGER, is_staff=True)
