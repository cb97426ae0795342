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
