"""``create_profile_from_eoi``: the same service, a confirmation unless --yes, clear failures.

A ``CommandError`` is what ``manage.py`` turns into a message on stderr and exit status 1.
"""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from practice.models import Therapist
from research.models import EOIReviewEvent, ProfileStatus, ReviewSource
from tests.research.eoi_support import make_eoi, make_user, reviewer

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: io.StringIO | None = None) -> str:
    out = io.StringIO()
    options = {"stdout": out}
    if stdin is not None:
        options["stdin"] = stdin
    call_command("create_profile_from_eoi", *args, **options)
    return out.getvalue()


def test_yes_converts_through_the_service_and_prints_the_mapping() -> None:
    reviewer("rita")
    eoi = make_eoi(full_name="Dr. Jane van der Berg", organisation="Harbour Psychology")
    output = run(str(eoi.pk), "--by", "rita", "--yes")
    assert "full_name" in output and "last_name" in output and "'van der Berg'" in output
    assert "organisation       → organisation" in output
    assert "Created profile" in output
    eoi.refresh_from_db()
    assert eoi.profile_status == ProfileStatus.CREATED
    assert EOIReviewEvent.objects.filter(eoi=eoi, action="created", source=ReviewSource.COMMAND).exists()


def test_answering_yes_on_stdin_converts() -> None:
    reviewer("rita")
    eoi = make_eoi()
    output = run(str(eoi.pk), "--by", "rita", stdin=io.StringIO("y\n"))
    assert "Convert this EOI? [y/N]" in output
    assert Therapist.objects.filter(eois=eoi).exists()


@pytest.mark.parametrize("answer", ["n\n", "\n", "", "maybe\n"])
def test_anything_but_yes_refuses_and_changes_nothing(answer: str) -> None:
    reviewer("rita")
    eoi = make_eoi()
    with pytest.raises(CommandError, match="Not confirmed: nothing was changed"):
        run(str(eoi.pk), "--by", "rita", stdin=io.StringIO(answer))
    eoi.refresh_from_db()
    assert eoi.profile_status == ProfileStatus.PENDING
    assert not Therapist.objects.exists()


def test_a_closed_stdin_without_yes_refuses_cleanly() -> None:
    reviewer("rita")
    eoi = make_eoi()
    closed = io.StringIO()
    closed.close()
    with pytest.raises(CommandError, match="Not confirmed"):
        run(str(eoi.pk), "--by", "rita", stdin=closed)
    assert not Therapist.objects.exists()


@pytest.mark.parametrize("bad_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_a_bad_id_is_a_clear_error(bad_id: str) -> None:
    reviewer("rita")
    with pytest.raises(CommandError, match="No expression of interest with id"):
        run(bad_id, "--by", "rita", "--yes")


def test_an_unknown_user_is_a_clear_error() -> None:
    eoi = make_eoi()
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run(str(eoi.pk), "--by", "ghost", "--yes")


@pytest.mark.parametrize("status", [ProfileStatus.CREATED, ProfileStatus.REJECTED, ProfileStatus.NOT_APPLICABLE])
def test_a_wrong_state_is_a_clear_error(status: str) -> None:
    reviewer("rita")
    eoi = make_eoi(profile_status=status)
    with pytest.raises(CommandError, match="Cannot convert this EOI"):
        run(str(eoi.pk), "--by", "rita", "--yes")


def test_a_user_without_a_review_role_is_refused() -> None:
    make_user("charlie")
    eoi = make_eoi()
    with pytest.raises(CommandError, match="You may not convert"):
        run(str(eoi.pk), "--by", "charlie", "--yes")
