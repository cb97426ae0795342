from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from sanctuary.health import health
from sanctuary.views import landing

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("sanctuary.api.urls")),
    path("", landing, name="landing"),
    path("", include("research.urls")),
]
