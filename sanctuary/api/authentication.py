"""The API's token authentication (the default DRF authentication class; kept apart from ``auth``'s views,
which DRF's settings would otherwise import while they are being defined)."""

from __future__ import annotations

import binascii
from hmac import compare_digest

import knox.auth
import knox.crypto
import knox.settings
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(knox.auth.TokenAuthentication):
    """knox's token check in ONE query: the token, its user and the user's therapist profile together
    (``select_related``), so the therapist API's permission needs no query of its own.

    knox also scans all of the user's other tokens on every request to delete the expired ones; here only
    the presented token's expiry is checked (an expired token is deleted and refused, as in knox), and the
    user's other expired tokens are swept when they log in (``LoginView``).
    """

    user_related: tuple[str, ...] = ("user", "user__therapist_profile")

    # Overrides knox 5.1.0's authenticate_credentials and its private _cleanup_token; knox's AUTO_REFRESH branch
    # is not reproduced (sanctuary.checks refuses the setting). Canary: tests/sanctuary/test_upstream_canaries.py.
    def authenticate_credentials(self, token: bytes) -> tuple[User, AuthToken]:
        invalid = exceptions.AuthenticationFailed(_("Invalid token."))
        text = token.decode("utf-8")
        try:
            digest = knox.crypto.hash_token(text)
        except (TypeError, binascii.Error) as error:
            raise invalid from error
        candidates = AuthToken.objects.filter(token_key=text[: knox.settings.CONSTANTS.TOKEN_KEY_LENGTH])
        for auth_token in candidates.select_related(*self.user_related):
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                user, checked = self.validate_user(auth_token)
                return user, checked
        raise invalid

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """True (and the token deleted) when the presented token has expired."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            user = auth_token.user
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=user.get_username(), source="auth_token")
            return True
        return False
