"""``/api/``: version 1 endpoints, the OpenAPI schema and its locally served documentation."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from sanctuary.api import auth

auth_urls = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("logout-all/", auth.LogoutAllView.as_view(), name="logout-all"),
    path("tokens/", auth.TokenListView.as_view(), name="token-list"),
    path("tokens/<str:token_key>/", auth.TokenDetailView.as_view(), name="token-detail"),
]

v1 = [
    path("auth/", include((auth_urls, "auth"))),
    path("me/", include("practice.api.portal.urls")),
    path("research/staff/eois/", include("research.api.eoi.urls")),
    path("research/staff/", include("research.api.staff.urls")),
    path("research/", include("research.api.public.urls")),
    path("", include(("practice.api.therapist.urls", "practice"))),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
