#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.version_info < (3, 12):  # noqa: UP036 - fail loudly, never fall back to an older Django
        sys.exit(f"Sanctuary needs Python >= 3.12 (Django 6.1); this is {sys.version.split()[0]}.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanctuary.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
