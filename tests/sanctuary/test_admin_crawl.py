"""Every admin page (list, add, change, plus the custom dashboards) opens without a server error for every
demo role, on the demo data. Scoping itself is tested per app; this catches pages that crash."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

EXTRA_PAGES = ["/admin/", "/admin/research/therapistresearchstate/funnel/"]


@pytest.fixture
def demo(db: None) -> list[str]:
    for fixture in settings.DEMO_FIXTURES:
        call_command("loaddata", fixture, verbosity=0)
    usernames = []
    for hook in settings.DEMO_HOOKS:
        usernames += [username for _, username, _ in import_string(hook)()]
    return usernames


def admin_pages() -> list[str]:
    pages = list(EXTRA_PAGES)
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    return pages


def test_no_admin_page_fails_for_any_demo_role(demo: list[str]) -> None:
    pages = admin_pages()
    assert len(pages) > 50
    failures = []
    for username in demo:
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        failures += [(username, page, status) for page in pages if (status := client.get(page).status_code) >= 500]
    assert failures == []
