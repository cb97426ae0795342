"""Benchmark-only settings: production behaviour where it costs time, local conveniences where it does not.

Like production: DEBUG off, the same apps and middleware stack, persistent database connections with health
checks (CONN_MAX_AGE), no access log. Unlike production: plain HTTP on 127.0.0.1 (no SSL redirect or secure
cookies, which would only turn every request into a redirect), a non-secret key, e-mail kept in memory, and
the embedded PostgreSQL (its own database, ``sanctuary_bench``) when DATABASE_URL is unset. ROOT_URLCONF adds
the bench-only floor views beside every real route. Never used outside bench/.
"""

from __future__ import annotations

from sanctuary.settings.base import *  # noqa: F403
from sanctuary.settings.base import env, with_app_role, with_session_settings

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="bench-only-not-a-secret-" + "x" * 40)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ROOT_URLCONF = "bench.urls"

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": dict(env.db("DATABASE_URL"))}
else:
    from sanctuary.devdb import default_server

    _name = env.str("BENCH_DB_NAME", default="sanctuary_bench")
    DATABASES = {
        "default": {
            "ENGINE": "sanctuary.db_embedded",
            "EMBEDDED_DATABASE": _name,
            **default_server().connection_settings(_name),
        },
    }
DATABASES["default"] = with_app_role(with_session_settings(DATABASES["default"]), SECRET_KEY)
# As in production settings: one persistent, health-checked connection per worker.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Production serves collectstatic's output; here whitenoise indexes the apps' static files at startup instead
# (the same in-memory index of static files, without a collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# The load run sends hundreds of requests/s from one client address and one therapist login: the research
# intake throttles (production default 30/min and 120/min per client) and the therapist API's per-user throttle
# (600/min) are raised so that they still run (the cache lookup is part of the measured cost) but never refuse.
# Override with the same env variables as production.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(  # noqa: F405
    {
        "research_intake": env.str("RESEARCH_INTAKE_THROTTLE", default="1000000/min"),
        "research_beacon": env.str("RESEARCH_BEACON_THROTTLE", default="1000000/min"),
    }
)
THERAPIST_API_THROTTLE = env.str("THERAPIST_API_THROTTLE", default="1000000/min")
# The Svix signing secret the webhook scenario signs with (bench.lib.payloads.BENCH_WEBHOOK_SECRET).
RESEND_WEBHOOK_SECRET = env.str(
    "RESEND_WEBHOOK_SECRET",
    default="whsec_c2FuY3R1YXJ5LWJlbmNoLW9ubHktd2ViaG9vay1rZXk=",
)
