"""Docker cannot run here, so check docker-compose.yml against what the settings actually read."""

from __future__ import annotations

import re

import yaml

from tests.sanctuary.helpers import PROJECT_ROOT

SETTINGS_DIR = PROJECT_ROOT / "sanctuary" / "settings"
ENV_READ = re.compile(r'env\.(?:str|bool|int|list|db)\(\s*"([A-Z0-9_]+)"(\s*\)|\s*,\s*default=)?')


def variables_read_by(*modules: str) -> tuple[set[str], set[str]]:
    """(all variables read, those read without a default) by the given settings modules."""
    read, required = set(), set()
    for module in modules:
        for match in ENV_READ.finditer((SETTINGS_DIR / module).read_text()):
            read.add(match.group(1))
            if match.group(2) and match.group(2).strip() == ")":
                required.add(match.group(1))
    return read, required


def load_compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_web_service_sets_every_required_production_variable_and_nothing_unknown() -> None:
    web = load_compose()["services"]["web"]
    environment = web["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "sanctuary.settings.production"
    read, required = variables_read_by("base.py", "production.py")
    assert required <= set(environment), f"missing: {required - set(environment)}"
    assert set(environment) - {"DJANGO_SETTINGS_MODULE"} <= read, f"unknown: {set(environment) - read}"


def test_web_talks_to_the_db_service_and_waits_for_its_healthcheck() -> None:
    compose = load_compose()
    db = compose["services"]["db"]
    web = compose["services"]["web"]
    assert db["image"].startswith("postgres:18")
    assert "healthcheck" in db
    assert any(volume.endswith("/var/lib/postgresql") or "/var/lib/postgresql" in volume for volume in db["volumes"])
    assert set(compose["volumes"]) >= {v.split(":")[0] for v in db["volumes"]}
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    db_url = web["environment"]["DATABASE_URL"]
    assert "@db:5432/" in db_url
    user, password, name = (db["environment"][k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"))
    assert db_url.startswith(f"postgres://{user}:") and db_url.endswith(f"/{name}")
    assert password in db_url or "${" in password
