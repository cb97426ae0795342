"""Research staff endpoints: members of the Research staff group (or superusers); never clinical data."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from research.permissions import RESEARCH_STAFF_GROUP


class IsResearchStaff(BasePermission):
    message = "Only research staff can use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return bool(user.is_superuser or user.groups.filter(name=RESEARCH_STAFF_GROUP).exists())
