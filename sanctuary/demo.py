"""Demo logins for ``manage.py up`` (local development only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

# Local demo logins only: `up` creates them, production never runs `up`.
DEMO_PASSWORD = "sanctuary-demo"  # noqa: S105


def ensure_login(username: str, *, email: str = "", is_staff: bool = False, is_superuser: bool = False):  # type: ignore[no-untyped-def]
    """Create the login if it is missing; an existing login (and its password) is left alone."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"email": email, "is_staff": is_staff or is_superuser, "is_superuser": is_superuser},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def ensure_admin_login() -> list[tuple[str, str, str]]:
    ensure_login("admin", email="admin@sanctuary.example", is_superuser=True)
    return [("superuser", "admin", DEMO_PASSWORD)]
