"""Signed research tokens (``django.core.signing``; never a hand-made JWT).

Two purposes, each with its own salt so one can never be replayed as the other:

* ``survey`` — carried by invitation links; identifies the therapist (by id, no e-mail in the token) and
  the A/B arm. Expires after ``RESEARCH_TOKEN_MAX_AGE`` (30 days). Reusable within that time: the survey
  upserts, the sandbox beacon deduplicates by session.
* ``unsubscribe`` — in every research e-mail (link and List-Unsubscribe header); identifies the address.
  Valid for ``RESEARCH_UNSUBSCRIBE_MAX_AGE`` (a year) so old e-mails can still opt out. The address is
  *encrypted* (Fernet: AES with an HMAC, keyed from ``SECRET_KEY``), not only signed: a signed token is
  base64 that anyone holding the link (an access log, a forwarded e-mail) can decode back to the address.
  Links sent before encryption (signed ``{"e": address}``) are still honoured until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken as FernetInvalid
from django.conf import settings
from django.core import signing

SURVEY_SALT = "research.survey.v1"
UNSUBSCRIBE_SALT = "research.unsubscribe.v1"


class InvalidToken(Exception):
    """The token is malformed, tampered with or expired (the message says which, without details)."""


@dataclass(frozen=True)
class SurveyClaims:
    therapist_id: uuid.UUID
    variant: str = ""
    experiment_id: str = ""


def survey_token_make(*, therapist_id: uuid.UUID, variant: str = "", experiment_id: str = "") -> str:
    payload: dict[str, str] = {"t": str(therapist_id)}
    if variant:
        payload["v"] = variant
    if experiment_id:
        payload["x"] = experiment_id
    return signing.dumps(payload, salt=SURVEY_SALT, compress=True)


def survey_token_read(token: str) -> SurveyClaims:
    payload = _load(token, SURVEY_SALT, settings.RESEARCH_TOKEN_MAX_AGE)
    try:
        return SurveyClaims(uuid.UUID(payload["t"]), str(payload.get("v", "")), str(payload.get("x", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidToken("Malformed token.") from exc


def _unsubscribe_cipher() -> Fernet:
    key = hashlib.sha256(f"{UNSUBSCRIBE_SALT}.encrypted:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def unsubscribe_token_make(*, email: str) -> str:
    """An opaque token for ``email``: nothing personal can be read from it without the server's key."""
    payload = json.dumps({"e": email.strip().lower()}).encode()
    return _unsubscribe_cipher().encrypt(payload).decode().rstrip("=")


def unsubscribe_token_read(token: str) -> str:
    if not token or len(token) > 1000:
        raise InvalidToken("Malformed token.")
    if ":" in token:  # a signed link sent before the tokens were encrypted
        payload = _load(token, UNSUBSCRIBE_SALT, settings.RESEARCH_UNSUBSCRIBE_MAX_AGE)
    else:
        payload = _decrypt(token)
    email = payload.get("e") if isinstance(payload, dict) else None
    if not isinstance(email, str) or "@" not in email:
        raise InvalidToken("Malformed token.")
    return email


def _decrypt(token: str) -> dict:  # type: ignore[type-arg]
    padded = token + "=" * (-len(token) % 4)
    cipher = _unsubscribe_cipher()
    try:
        raw = cipher.decrypt(padded.encode(), ttl=settings.RESEARCH_UNSUBSCRIBE_MAX_AGE)
    except FernetInvalid as exc:
        # Fernet does not say why; tell an expired link (authentic, but old) from a broken one.
        try:
            cipher.decrypt(padded.encode())
        except FernetInvalid:
            raise InvalidToken("Invalid token.") from exc
        raise InvalidToken("This link has expired.") from exc
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise InvalidToken("Malformed token.") from exc
    if not isinstance(payload, dict):
        raise InvalidToken("Malformed token.")
    return payload


def _load(token: str, salt: str, max_age: int) -> dict:  # type: ignore[type-arg]
    if not token or len(token) > 1000:
        raise InvalidToken("Malformed token.")
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidToken("This link has expired.") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken("Invalid token.") from exc
    if not isinstance(payload, dict):
        raise InvalidToken("Malformed token.")
    return payload
