"""Local development and test settings: safe defaults, embedded PostgreSQL unless DATABASE_URL is set."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import database_from_env, env, with_app_role

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Local only: never used by production settings, which require their own secret.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])

DATABASES = {"default": with_app_role(database_from_env(), SECRET_KEY)}

# Serve static files straight from the apps in development (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Django 6.1 mailers: console output locally (tests swap in locmem automatically).
MAILERS = {"default": {"BACKEND": env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")}}

# Local only: a throwaway Svix secret ("whsec_" + base64) so the webhook works in development and tests.
RESEND_WEBHOOK_SECRET = env.str(
    "RESEND_WEBHOOK_SECRET",
    default="whsec_bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1ub3QtYS1zZWNyZXQ=",
)
