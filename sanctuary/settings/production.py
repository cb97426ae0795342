"""Production settings: every secret from the environment, no defaults, secure cookies and HSTS.

Required: DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS, RESEND_API_KEY, RESEND_WEBHOOK_SECRET. Startup fails
without them (django-environ raises ImproperlyConfigured).
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env, with_app_role, with_session_settings

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# DATABASE_URL is the owner's (migrations); requests run as DATABASE_APP_USER (sanctuary/db_roles.py).
DATABASES = {"default": with_app_role(with_session_settings(dict(env.db("DATABASE_URL"))), SECRET_KEY)}
# Persistent connections on WSGI: one connection per worker, health-checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

MAILERS = {"default": {"BACKEND": "anymail.backends.resend.EmailBackend"}}
ANYMAIL = {"RESEND_API_KEY": env.str("RESEND_API_KEY")}
# Svix signing secret of the Resend webhook endpoint ("whsec_…"); unsigned deliveries are refused.
RESEND_WEBHOOK_SECRET = env.str("RESEND_WEBHOOK_SECRET")
