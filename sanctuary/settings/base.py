"""Settings shared by every environment. Values come from the environment (django-environ)."""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "anymail",
    "sanctuary",
    "practice",
    "research",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attaches the acting user and request URL to every history row written in a request.
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "sanctuary.urls"
WSGI_APPLICATION = "sanctuary.wsgi.application"
ASGI_APPLICATION = "sanctuary.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sanctuary" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-au"
TIME_ZONE = env.str("SANCTUARY_TIME_ZONE", default="Australia/Melbourne")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Services own their transactions (atomic blocks), so requests are not wrapped in one.
ATOMIC_REQUESTS = False

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sanctuary API",
    "DESCRIPTION": "Practice management and therapist-matching research operations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

PGHISTORY_CONTEXT_FIELD = None  # default: denormalised JSON context on each event row

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# JSON fixtures for ``loaddata`` live in the top-level fixtures/ directory (DESIGN §2).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Fixtures loaded by ``manage.py up`` into an empty database, in order.
DEMO_FIXTURES: list[str] = ["practice_demo"]
# Callables (dotted paths) run once after the demo fixtures are loaded.
DEMO_AFTER_LOAD: list[str] = ["practice.demo.rebase_demo_dates"]
# Callables (dotted paths) that make sure demo logins exist; each returns
# ``[(role, username, password), ...]`` for ``up`` to print.
DEMO_HOOKS: list[str] = ["sanctuary.demo.ensure_admin_login", "practice.demo.ensure_demo_logins"]


def database_from_env() -> dict[str, object]:
    """``DATABASE_URL`` when set, else the embedded server (started on first connection)."""
    if env.str("DATABASE_URL", default=""):
        config = env.db("DATABASE_URL")
        config.setdefault("ENGINE", "django.db.backends.postgresql")
        return config
    from sanctuary.devdb import default_server

    name = env.str("SANCTUARY_DB_NAME", default="sanctuary")
    config: dict[str, object] = {"ENGINE": "sanctuary.db_embedded", "EMBEDDED_DATABASE": name}
    config.update(default_server().connection_settings(name))
    return config
