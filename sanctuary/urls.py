from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from sanctuary.api import plumbing
from sanctuary.health import health
from sanctuary.views import landing

# Uncaught errors: a database outage is a 503, anything else the friendly 500 page (sanctuary/outage.py).
handler500 = "sanctuary.outage.server_error"

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("sanctuary.api.urls")),
    path("", landing, name="landing"),
    path("", include("research.urls")),
    # Whatever no route serves under /api/ and /webhooks/ is a 404 in the API's error envelope, not a page.
    # ([\s\S], not ".": a path may hold an encoded line break, and "." would let it fall through to the HTML 404.)
    re_path(r"^(?P<path>(?:api|webhooks)/[\s\S]*)$", plumbing.not_found, name="api-not-found"),
]
