"""``POST /webhooks/resend/``: Resend tracking events, verified with the Svix scheme by the ``svix`` library.

``svix`` (maintained by Svix, who deliver Resend's webhooks; already pulled in by django-anymail[resend])
checks the HMAC over the RAW body and the ``svix-id``/``svix-timestamp``, accepts any of several
space-separated ``v1,`` signatures (secret rotation) and refuses timestamps more than 5 minutes off.
Anything that fails → 400 and nothing is written. Verified events are stored under their ``svix-id`` in one
SQL statement (research.services.events); duplicates and unknown types answer 200.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ParseError
from svix.webhooks import Webhook, WebhookVerificationError

from research.services.resend import MalformedPayload, resend_event_ingest
from sanctuary.api.plumbing import error_response, parse_json

MAX_BODY = 256 * 1024


@lru_cache(maxsize=4)
def _verifier(secret: str) -> Webhook:
    return Webhook(secret)


def _bad(code: str, message: str) -> JsonResponse:
    return error_response(400, code, message)


@csrf_exempt
@require_POST
def resend_webhook(request: HttpRequest) -> JsonResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return error_response(413, "payload_too_large", "Request body too large.")
    body = request.body
    headers = {
        "svix-id": request.headers.get("svix-id", ""),
        "svix-timestamp": request.headers.get("svix-timestamp", ""),
        "svix-signature": request.headers.get("svix-signature", ""),
    }
    try:
        _verifier(settings.RESEND_WEBHOOK_SECRET).verify(body, headers)
    except (WebhookVerificationError, ValueError, TypeError, RecursionError):
        # ValueError/TypeError: malformed signature lists or base64, which the library does not wrap.
        return _bad("invalid_signature", "Invalid webhook signature.")
    svix_id = headers["svix-id"]
    if len(svix_id) > 100:
        return _bad("invalid", "Invalid svix-id.")
    try:
        payload = parse_json(body)
        status, _ = resend_event_ingest(svix_id=svix_id, payload=payload)
    except (ParseError, ValueError, MalformedPayload):
        return _bad("invalid", "Malformed event.")
    return JsonResponse({"status": status})
