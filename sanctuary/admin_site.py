"""The admin site: django-unfold's skin, a home page per role and a role-aware sidebar.

``sanctuary`` sits below the domain apps, so it knows neither patients nor surveys. Each app registers what
it brings when its admin module is imported (autodiscovery):

- **homes**: ``site.register_home(name, applies, view, order)``; the index shows the first home whose
  ``applies(request)`` is true (a therapist's day, a manager's practice, the research desk), else the
  plain list of what the user may open;
- **navigation**: ``site.register_navigation(group)``; the sidebar shows each group's items whose
  ``permission(request)`` is true, so a therapist sees Today, Calendar, Patients, Notes and Billing and
  research staff see the directory and the research CRM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from unfold.sites import UnfoldAdminSite

from sanctuary import roles

type Check = Callable[[HttpRequest], bool]


@dataclass(frozen=True)
class NavItem:
    title: str
    icon: str  # a Material Symbols name (the font ships with unfold)
    url_name: str  # reversed in the admin namespace, e.g. "admin:practice_patient_changelist"
    permission: Check
    query: str = ""
    # The pages this item stands for, when more than its link's: a URL name whose path prefixes them all
    # (the patient workspace's item stays current on the patient list, chart and forms).
    section: str = ""


@dataclass(frozen=True)
class NavGroup:
    title: str
    order: int
    items: tuple[NavItem, ...]


@dataclass(frozen=True)
class Home:
    name: str
    order: int
    applies: Check
    view: Callable[[HttpRequest, dict[str, Any]], HttpResponse]


@dataclass
class _Registry:
    homes: list[Home] = field(default_factory=list)
    navigation: list[NavGroup] = field(default_factory=list)


class SanctuaryAdminSite(UnfoldAdminSite):
    site_header = "Sanctuary"
    site_title = "Sanctuary"
    index_title = "Home"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._workspace = _Registry()

    # --- what the apps register ------------------------------------------------------------------------
    def register_home(self, home: Home) -> None:
        self._workspace.homes = sorted([*self._workspace.homes, home], key=lambda h: h.order)

    def register_navigation(self, group: NavGroup) -> None:
        self._workspace.navigation = sorted([*self._workspace.navigation, group], key=lambda g: g.order)

    # --- every page ---------------------------------------------------------------------------------------
    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """Django's context for every admin page, with ``available_apps`` built only if a template reads it.

        Django builds the whole app list (every model's permissions and URLs) for every page; with unfold's
        sidebar it is read only by the superuser's "all applications" menu. Building it lazily took 12 ms off
        each admin page on the bench database (bare skin page 24.8 ms -> see bench/RESULTS.md, issue 12).
        """
        request._sanctuary_lazy_app_list = True  # type: ignore[attr-defined]
        try:
            return super().each_context(request)
        finally:
            request._sanctuary_lazy_app_list = False  # type: ignore[attr-defined]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        if app_label is None and getattr(request, "_sanctuary_lazy_app_list", False):
            build = super().get_app_list
            return SimpleLazyObject(lambda: build(request))  # type: ignore[return-value]
        return super().get_app_list(request, app_label)

    # --- the home page -----------------------------------------------------------------------------------
    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        for home in self._workspace.homes:
            if home.applies(request):
                context = {**self.each_context(request), "title": self.index_title, **(extra_context or {})}
                request.current_app = self.name
                response = home.view(request, context)
                assert isinstance(response, TemplateResponse)
                return response
        return super().index(request, extra_context)

    # --- the sidebar -------------------------------------------------------------------------------------
    def sidebar_navigation(self, request: HttpRequest) -> list[dict[str, Any]]:
        """Unfold's ``SIDEBAR.navigation`` for this request: only groups with at least one item allowed."""
        groups: list[dict[str, Any]] = []
        for nav in self._workspace.navigation:
            items = []
            for item in nav.items:
                if not item.permission(request):
                    continue
                try:
                    link = reverse(item.url_name, current_app=self.name)
                except NoReverseMatch:
                    continue
                section = reverse(item.section, current_app=self.name) if item.section else link
                items.append({"title": item.title, "icon": item.icon, "link": link + item.query, "_path": section})
            if items:
                groups.append({"title": nav.title, "separator": True, "collapsible": False, "items": items})
        # One item is current: the one whose link is the longest prefix of this page ("/admin/" would match all).
        matches = [i["_path"] for g in groups for i in g["items"] if request.path.startswith(i["_path"])]
        current = max(matches, key=len, default=None)
        for group in groups:
            for item in group["items"]:
                item["active"] = item.pop("_path") == current and (current != "/admin/" or request.path == current)
        return groups


def workspace_site() -> SanctuaryAdminSite:
    """``admin.site``, typed as what it is here (``SanctuaryAdminConfig`` makes it our site)."""
    from django.contrib import admin

    site = admin.site
    assert isinstance(site, SanctuaryAdminSite)
    return site


def sidebar_navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The dotted path unfold's settings name (``UNFOLD["SIDEBAR"]["navigation"]``)."""
    return workspace_site().sidebar_navigation(request)


def is_superuser(request: HttpRequest) -> bool:
    return roles.is_superuser(request.user)


def environment_label(request: HttpRequest) -> list[str] | None:
    """Unfold's environment badge: say so when the server runs with DEBUG on (never in production)."""
    from django.conf import settings

    return ["Development", "warning"] if settings.DEBUG else None
