"""Settings shared by every environment. Values come from the environment (django-environ)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.templatetags.static import static

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

INSTALLED_APPS = [
    # The admin skin: its templates must come before the admin's own.
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "sanctuary.apps.SanctuaryAdminConfig",
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
    "knox",
    "axes",
    "corsheaders",
    "sanctuary",
    "practice",
    "research",
]

# The admin skin (django-unfold; Chart.js and fonts ship in the package, served by whitenoise). The sidebar
# and home page are per role: sanctuary/admin_site.py.
UNFOLD: dict[str, Any] = {
    "SITE_TITLE": "Sanctuary",
    "SITE_HEADER": "Sanctuary",
    "SITE_SUBHEADER": "Practice and research",
    "SITE_URL": "/",
    "SITE_SYMBOL": "spa",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": "sanctuary.admin_site.environment_label",
    "STYLES": [lambda request: static("sanctuary/workspace.css")],
    "SCRIPTS": [lambda request: static("sanctuary/workspace.js")],
    "COLORS": {
        # A calm teal instead of unfold's purple, one step darker than Tailwind's teal from 500 up, so that
        # unfold's primary-600 text (the current sidebar item) keeps WCAG AA contrast on its grey.
        "primary": {
            "50": "oklch(98.4% .014 180.72)",
            "100": "oklch(95.3% .051 180.801)",
            "200": "oklch(91% .096 180.426)",
            "300": "oklch(85.5% .138 181.071)",
            "400": "oklch(70.4% .14 182.503)",
            "500": "oklch(60% .118 184.704)",
            "600": "oklch(51.1% .096 186.391)",
            "700": "oklch(43.7% .078 188.216)",
            "800": "oklch(38.6% .063 188.416)",
            "900": "oklch(27.7% .046 192.524)",
            "950": "oklch(22% .04 192.5)",
        },
    },
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": "sanctuary.admin_site.is_superuser",
        "navigation": "sanctuary.admin_site.sidebar_navigation",
    },
}

# The workspace calendar's day (local hours) and the next-free-slot search within it, and the clinical hours
# per week a manager's utilisation figure is measured against.
WORKSPACE_DAY_HOURS = (env.int("WORKSPACE_DAY_START", default=8), env.int("WORKSPACE_DAY_END", default=20))
WORKSPACE_CLINICAL_HOURS_PER_WEEK = env.int("WORKSPACE_CLINICAL_HOURS_PER_WEEK", default=30)
# The currency bills are in (amounts are shown with its symbol, exports name it).
PRACTICE_CURRENCY = env.str("PRACTICE_CURRENCY", default="AUD")

# pghistory's middleware attaches the acting user and URL to history rows written in a request. Reads write no
# history, so GET requests get no context (pghistory's default includes GET, which prefixed every query of every
# page with two set_config calls).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Public research paths that write no history-tracked table: no pghistory context (sanctuary/middleware.py).
HISTORY_CONTEXT_EXEMPT_PATHS = (
    "/api/v1/research/survey/responses/",
    "/api/v1/research/feedback/",
    "/api/v1/research/sandbox-visits/",
    "/webhooks/resend/",
)

MIDDLEWARE = [
    # A database outage raised by any view is a 503 with Retry-After (sanctuary/outage.py).
    "sanctuary.outage.OutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware so preflight answers carry the CORS headers (research intake only).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Signs out sessions past their idle period or absolute age (sanctuary/sessions.py).
    "sanctuary.sessions.SessionLimitsMiddleware",
    # Attaches the acting user and request URL to every history row written in a request.
    "sanctuary.middleware.HistoryMiddleware",
    # Last, as django-axes requires: turns a lockout flagged during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

# A signed-in session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing
# in, whatever the activity (sanctuary/sessions.py); the cookie's age is the idle period.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Staff sign in through the admin and land on their home page (unfold's login form posts no "next").
LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a locked-out username+IP pair before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The client's address: the connection's, unless TRUSTED_PROXY_COUNT reverse proxies sit in front (then the
# address they saw, from X-Forwarded-For, counted from the right). With the default 0 a client-chosen
# X-Forwarded-For changes nothing, so it cannot reset a per-address limit (sanctuary/api/plumbing.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "sanctuary.api.plumbing.client_ip"

# Brute-force protection (django-axes): 5 failures per username+IP locks that pair out for an hour.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "sanctuary.api.auth.lockout_response"
AXES_VERBOSE = False

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

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_SCHEMA_CLASS": "sanctuary.api.schema.AutoSchema",
    # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sanctuary.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with depth and encoding limits, one parser for the whole API (sanctuary/api/plumbing.py); views that
    # take browser form posts add plumbing.FormParser.
    "DEFAULT_PARSER_CLASSES": ["sanctuary.api.plumbing.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "sanctuary.api.plumbing.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "sanctuary.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env.str("LOGIN_THROTTLE", default="20/min")},
    # DRF's throttles read the client's address the same way (None would trust any X-Forwarded-For).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# API tokens (django-rest-knox): stored as SHA-512 digests, expiring, revocable, listed per user.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12)),
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Sanctuary API",
    "DESCRIPTION": (
        "Practice management and therapist-matching research operations.\n\n"
        '**Errors** have one shape everywhere under `/api/` and `/webhooks/`: `{"error": {"status", "code", '
        '"message", "fields"?}}`; `fields` maps a field to its messages (strings). A database outage is a 503 '
        "with `Retry-After`.\n\n"
        "**Bodies** are JSON (UTF-8, no `NaN`), nested at most 32 levels deep; keys a body does not declare are a "
        "400 (`additionalProperties: false`). **Query parameters** given without a value (`?until=`) are a 400; "
        "`page` is a whole number from 1, and a page past the end is a 404.\n\n"
        "**Retries**: creates and state changes take an `Idempotency-Key` header (any unique string, e.g. a UUID). "
        "Within 24 hours, the same key and body return the first response again (with `Idempotent-Replayed: "
        "true`) without doing it twice; the same key with another body is a 422. Keys are per user, per client "
        "address on the public research endpoints."
    ),
    "VERSION": "1.0.0",
    # spectacular's enum hook, then: every request body refuses undeclared keys, and says so; every documented
    # default is a member of its enum (generated clients refuse the document otherwise).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sanctuary.api.schema.refuse_undeclared_fields",
        "sanctuary.api.schema.defaults_are_members",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own "django" logger has a console handler of its own; it would print every django.request
    # warning a second time on the way to the root handler.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# JSON fixtures for ``loaddata`` live in the top-level fixtures/ directory (DESIGN §2).
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Fixtures loaded by ``manage.py up`` into an empty database, in order.
DEMO_FIXTURES: list[str] = ["practice_demo", "research_demo"]
# Callables (dotted paths) run once after the demo fixtures are loaded.
DEMO_AFTER_LOAD: list[str] = ["practice.demo.rebase_demo_dates"]
# Callables (dotted paths) that make sure demo logins exist; each returns
# ``[(role, username, password), ...]`` for ``up`` to print.
DEMO_HOOKS: list[str] = [
    "sanctuary.demo.ensure_admin_login",
    "practice.demo.ensure_demo_logins",
    "research.demo.ensure_research_staff_login",
]


# The patient search (practice.selectors.expressions.name_search) matches a name when pg_trgm's word similarity
# reaches this; the default 0.6 missed one-letter typos in short first names ("Amilia" is 0.4 from "Amelia
# Chen"), while unrelated short queries stay under it ("Ann" is 0.25). A session setting, so the trigram GIN
# index still serves the ``%>`` operator.
PATIENT_SEARCH_WORD_SIMILARITY = 0.4


def with_session_settings(database: dict[str, Any]) -> dict[str, Any]:
    """Every connection starts with the session settings the queries rely on (libpq ``options``)."""
    options = dict(database.get("OPTIONS", {}))
    wanted = f"-c pg_trgm.word_similarity_threshold={PATIENT_SEARCH_WORD_SIMILARITY}"
    options["options"] = f"{options['options']} {wanted}" if options.get("options") else wanted
    return {**database, "OPTIONS": options}


def with_app_role(database: dict[str, Any], secret_key: str) -> dict[str, Any]:
    """Requests run as the least-privilege runtime role, migrations as ``DATABASE_URL``'s owner
    (sanctuary/db_roles.py). ``DATABASE_APP_USER=""`` keeps one role for everything (the guards are then
    only as strong as the owner's restraint)."""
    from sanctuary import db_roles

    return db_roles.with_runtime_role(
        database,
        app_user=env.str("DATABASE_APP_USER", default=db_roles.DEFAULT_APP_USER),
        app_password=env.str("DATABASE_APP_PASSWORD", default="") or db_roles.derived_password(secret_key),
    )


def database_from_env() -> dict[str, object]:
    """``DATABASE_URL`` when set, else the embedded server (started on first connection)."""
    if env.str("DATABASE_URL", default=""):
        return with_session_settings(dict(env.db("DATABASE_URL")))
    from sanctuary.devdb import default_server

    name = env.str("SANCTUARY_DB_NAME", default="sanctuary")
    embedded: dict[str, Any] = {"ENGINE": "sanctuary.db_embedded", "EMBEDDED_DATABASE": name}
    embedded.update(default_server().connection_settings(name))
    return with_session_settings(embedded)


# --- Research (directory CRM, public intake, Resend webhooks) ------------------------------------------------
# Public pages that may call the intake endpoints from a browser; nothing else gets CORS headers.
CORS_ALLOWED_ORIGINS = env.list("RESEARCH_SITE_ORIGINS", default=["https://therapair.com.au"])
CORS_URLS_REGEX = r"^/api/v1/research/.*$"
CORS_ALLOW_METHODS = ("GET", "POST", "OPTIONS")
CORS_PREFLIGHT_MAX_AGE = 86400
# Where links in research e-mails point (survey page, unsubscribe links).
RESEARCH_PUBLIC_BASE_URL = env.str("RESEARCH_PUBLIC_BASE_URL", default="https://therapair.com.au")
RESEARCH_SURVEY_URL = env.str("RESEARCH_SURVEY_URL", default="https://therapair.com.au/research/survey/")
RESEARCH_FROM_EMAIL = env.str("RESEARCH_FROM_EMAIL", default="Therapair Research <user-research@therapair.com.au>")
RESEARCH_REPLY_TO = env.str("RESEARCH_REPLY_TO", default="contact@therapair.com.au")
RESEARCH_CONSENT_VERSION = env.str("RESEARCH_CONSENT_VERSION", default="2025-11-13")
# Survey/sandbox tokens expire after 30 days; unsubscribe links keep working for a year.
RESEARCH_TOKEN_MAX_AGE = env.int("RESEARCH_TOKEN_MAX_AGE", default=30 * 24 * 3600)
RESEARCH_UNSUBSCRIBE_MAX_AGE = env.int("RESEARCH_UNSUBSCRIBE_MAX_AGE", default=365 * 24 * 3600)
# Public bodies are small JSON documents; anything larger is refused with 413 before parsing.
RESEARCH_MAX_BODY_BYTES = env.int("RESEARCH_MAX_BODY_BYTES", default=32 * 1024)
# An open this soon after delivery is a scanner or privacy proxy, not a person.
RESEARCH_MACHINE_OPEN_SECONDS = env.int("RESEARCH_MACHINE_OPEN_SECONDS", default=10)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update(
    {
        "research_intake": env.str("RESEARCH_INTAKE_THROTTLE", default="30/min"),
        "research_beacon": env.str("RESEARCH_BEACON_THROTTLE", default="120/min"),
    }
)
# Survey answer sets shared by several questions get one OpenAPI enum name each.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "YesNoEnum": ["yes", "no"],
        # plumbing.AcceptedField: a consent that must be given.
        "AcceptedEnum": [(True, True)],
        "YesMaybeNoEnum": ["yes", "maybe", "no"],
        "YesMaybeLaterNoEnum": ["yes", "maybe_later", "no"],
    }
)

# --- practice API (therapist endpoints) ---
# Several practice models have a ``status`` field with different choice sets; name each OpenAPI enum after
# its choices class. The therapist API's rate limit per user.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PatientStatusEnum": "practice.models.choices.PatientStatus",
        "AppointmentStatusEnum": "practice.models.choices.AppointmentStatus",
        "PaymentStatusEnum": "practice.models.choices.PaymentStatus",
        "SessionKindEnum": "practice.models.choices.SessionKind",
        "FinancialStatusFilterEnum": ["paid", "pending", "overdue"],
    }
)
THERAPIST_API_THROTTLE = env.str("THERAPIST_API_THROTTLE", default="600/min")
