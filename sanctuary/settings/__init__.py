"""Settings modules: ``local`` (default; development and tests) and ``production``.

Pick one with ``DJANGO_SETTINGS_MODULE`` (``sanctuary.settings.production`` in deployments).
"""
