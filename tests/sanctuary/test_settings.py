"""Settings load with and without DATABASE_URL; production refuses to start without its secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.sanctuary.helpers import PROJECT_ROOT

PRINT_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "keys = ('ENGINE', 'NAME', 'HOST', 'PORT', 'USER', 'CONN_MAX_AGE', 'APP_USER', 'APP_PASSWORD'); "
    "print(json.dumps({k: str(d[k]) for k in keys if k in d}))"
)
PRODUCTION_SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 64 + "-test-only-production-secret",
    "DATABASE_URL": "postgres://sanctuary:secret@db.internal:5432/sanctuary",
    "DJANGO_ALLOWED_HOSTS": "sanctuary.example.org",
    "RESEND_API_KEY": "re_test_dummy",
    "RESEND_WEBHOOK_SECRET": "whsec_dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0",
}


def run_python(code: str, settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", *PRODUCTION_SECRETS)}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_uses_database_url_when_set() -> None:
    result = run_python(
        PRINT_DATABASE, "sanctuary.settings.local", DATABASE_URL="postgres://alice:pw@db.example:6543/clinic"
    )
    config = json.loads(result.stdout)
    # DATABASE_URL's user owns the schema (migrations); requests log in as the runtime role.
    assert config["ENGINE"] == "sanctuary.db_backend"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == ("clinic", "db.example", "6543", "alice")
    assert config["APP_USER"] == "sanctuary_app" and len(config["APP_PASSWORD"]) == 64


def test_an_empty_app_user_keeps_one_role() -> None:
    result = run_python(
        PRINT_DATABASE,
        "sanctuary.settings.local",
        DATABASE_URL="postgres://alice:pw@db.example:6543/clinic",
        DATABASE_APP_USER="",
    )
    config = json.loads(result.stdout)
    assert config["ENGINE"] == "django.db.backends.postgresql" and "APP_USER" not in config


def test_it_uses_the_embedded_server_over_a_unix_socket_without_database_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run_python(PRINT_DATABASE, "sanctuary.settings.local", SANCTUARY_PGDATA=str(tmp_path / "pgdata"))
    config = json.loads(result.stdout)
    assert config["ENGINE"] == "sanctuary.db_embedded"
    assert config["NAME"] == "sanctuary"
    assert config["HOST"].startswith("/")  # a socket directory, not a TCP host
    # Loading settings must not start a server: only connecting does.
    assert not (tmp_path / "pgdata").exists()


def test_production_refuses_to_start_without_its_secrets() -> None:
    result = run_python("import django; django.setup()", "sanctuary.settings.production")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", sorted(PRODUCTION_SECRETS))
def test_production_names_each_missing_secret(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION_SECRETS.items() if k != missing}
    result = run_python("import django; django.setup()", "sanctuary.settings.production", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_passes_check_deploy_with_zero_issues() -> None:
    code = (
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG']; "
        "import runpy; runpy.run_path('manage.py', run_name='__main__')"
    )
    result = run_python(code, "sanctuary.settings.production", **PRODUCTION_SECRETS)
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_uses_persistent_connections() -> None:
    result = run_python(PRINT_DATABASE, "sanctuary.settings.production", **PRODUCTION_SECRETS)
    assert int(json.loads(result.stdout)["CONN_MAX_AGE"]) > 0
