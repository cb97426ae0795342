"""Unsubscribe pages (signed links; the address lives only inside the signed token).

``GET`` shows a confirmation page and changes nothing — link scanners and previews fetch URLs. ``POST``
unsubscribes: the page's button, and RFC 8058 one-click (``List-Unsubscribe=One-Click`` in the body, sent by
mail clients without cookies, hence no CSRF token: the signed token is the authorisation).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from research.services import research_unsubscribe
from research.tokens import InvalidToken, unsubscribe_token_read


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = unsubscribe_token_read(token)
    except InvalidToken as exc:
        return render(request, "research/unsubscribe.html", {"state": "invalid", "reason": str(exc)}, status=400)
    if request.method == "GET":
        return render(request, "research/unsubscribe.html", {"state": "confirm", "masked": _mask(email)})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    research_unsubscribe(email=email, occurred_at=timezone.now(), one_click=one_click)
    if one_click:
        return HttpResponse("Unsubscribed.", content_type="text/plain")
    return render(request, "research/unsubscribe.html", {"state": "done", "masked": _mask(email)})
