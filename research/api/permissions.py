"""Research staff endpoints: members of the Research staff group (or superusers); never clinical data."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sanctuary import roles


class IsResearchStaff(BasePermission):
    message = "Only research staff can use this endpoint."

    def has_permission(self, request: Request, view: Any) -> bool:
        return roles.is_research_staff(request.user)
