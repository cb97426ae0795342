"""How long a login lasts: admin sessions end after an idle period and after an absolute maximum, and a
password change ends every API token of its user.

- ``SessionLimitsMiddleware``: a session unused for ``SESSION_IDLE_MINUTES`` (default 30) has expired
  (the cookie's age, renewed at most once a minute of activity), and one signed in more than
  ``SESSION_MAX_HOURS`` ago (default 12) is signed out whatever its activity.
- ``revoke_tokens_on_password_change``: Django changes passwords in several places (the admin, the
  ``changepassword`` command, the password-change views); every one of them saves the user, so that save
  is where tokens issued under the old password are deleted. Sessions need nothing: Django already refuses a
  session whose password hash is stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

STARTED = "_sanctuary_started_at"
SEEN = "_sanctuary_seen_at"
# Renew the idle expiry at most this often: a session write per page would cost every request a query.
RENEW_EVERY_SECONDS = 60


class SessionLimitsMiddleware:
    """After the authentication middleware: sign out a session past its absolute age, and keep an active one's
    idle expiry moving."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            now = time.time()
            started = session.get(STARTED)
            if started is None:
                session[STARTED] = now
            elif now - float(started) > settings.SESSION_MAX_HOURS * 3600:
                logout(request)
            if request.user.is_authenticated and now - float(session.get(SEEN, 0)) > RENEW_EVERY_SECONDS:
                session[SEEN] = now  # saving the session renews its cookie age: the idle timeout
        return self.get_response(request)


def stamp_session_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the absolute age counts from signing in, and the first page after it writes nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        session[STARTED] = session[SEEN] = time.time()


def revoke_tokens_on_password_change(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_save`` of the user model: a changed password hash deletes the user's API tokens."""
    if instance.pk is None or kwargs.get("raw"):
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        from knox.models import AuthToken

        AuthToken.objects.filter(user_id=instance.pk).delete()
