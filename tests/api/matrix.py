"""All entries of the access matrix: every module in ``tests/api/matrices/`` contributes ``ENDPOINTS``.

Add a module per API area (practice, portal, research staff …) rather than growing one file.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.api import matrices
from tests.api.access import Endpoint


def _collect() -> list[Endpoint]:
    endpoints: list[Endpoint] = []
    for module in sorted(pkgutil.iter_modules(matrices.__path__), key=lambda m: m.name):
        endpoints.extend(importlib.import_module(f"{matrices.__name__}.{module.name}").ENDPOINTS)
    return endpoints


MATRIX: list[Endpoint] = _collect()
