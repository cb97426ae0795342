from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

_OWN_BASETEMP = "_sanctuary_own_basetemp"

# Tests may run the embedded server without fsync (a test database holds nothing worth keeping); `up` and
# everything else run it durably. Set before any connection starts the server.
os.environ.setdefault("SANCTUARY_PG_FAST", "1")


def pytest_configure(config: pytest.Config) -> None:
    """Give every test session its own temp root.

    pytest's default root (/tmp/pytest-of-<user>/pytest-N) is shared by all sessions of one user and
    keeps only the three newest; with sessions running side by side (CI beside a developer's run), one
    session's clean-up deletes another's live directories — including embedded PostgreSQL data dirs.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="sanctuary-pytest-")
        setattr(config, _OWN_BASETEMP, config.option.basetemp)


def pytest_unconfigure(config: pytest.Config) -> None:
    own = getattr(config, _OWN_BASETEMP, None)
    if own:
        shutil.rmtree(Path(own), ignore_errors=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; PBKDF2's deliberate slowness buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_site(transactional_db: None, live_server: Any) -> str:
    """The demo practice and research data with their logins, as ``manage.py up`` loads them, served on
    127.0.0.1 by pytest-django's live server; returns its base URL."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    for fixture in settings.DEMO_FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    for hook in settings.DEMO_AFTER_LOAD:
        import_string(hook)()
    for hook in settings.DEMO_HOOKS:
        import_string(hook)()
    return str(live_server.url)
