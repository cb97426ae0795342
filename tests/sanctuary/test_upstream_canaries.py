"""Upgrade canaries: the third-party internals the code overrides or calls, each checked for what the code relies
on, so that a newer release that changes one fails here, by name, rather than somewhere downstream.

Last checked against Django 6.1.3, djangorestframework 3.18.3, django-rest-knox 5.1.0 and drf-spectacular 0.30.0
(each override's comment names its release). A newer installed version does not fail by itself: these checks
decide.
"""

from __future__ import annotations

import inspect

import pytest
from django.core.checks import Error
from django.test import RequestFactory


def test_knox_still_has_the_methods_our_token_check_replaces() -> None:
    import knox.auth

    base = knox.auth.TokenAuthentication
    # authenticate_credentials(token) is what DRF's authenticate() calls; ours replaces it whole.
    assert list(inspect.signature(base.authenticate_credentials).parameters) == ["self", "token"]
    assert "authenticate_credentials" in inspect.getsource(base.authenticate)
    # The private cleanup we override, and the branch we do not reproduce (sanctuary.checks guards it).
    assert list(inspect.signature(base._cleanup_token).parameters) == ["self", "auth_token"]
    source = inspect.getsource(base.authenticate_credentials)
    assert "AUTO_REFRESH" in source and "renew_token" in source
    assert list(inspect.signature(base.validate_user).parameters) == ["self", "auth_token"]


def test_knox_auto_refresh_is_refused_at_startup(settings) -> None:  # type: ignore[no-untyped-def]
    from knox.settings import knox_settings

    from sanctuary.checks import knox_auto_refresh_bypassed

    assert knox_auto_refresh_bypassed() == []
    settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH": True}
    knox_settings.reload()
    try:
        errors = knox_auto_refresh_bypassed()
        assert [error.id for error in errors] == ["sanctuary.E001"] and isinstance(errors[0], Error)
    finally:
        settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH": False}
        knox_settings.reload()


def test_spectacular_still_has_the_private_helpers_the_schema_extends() -> None:
    from drf_spectacular.openapi import AutoSchema

    assert list(inspect.signature(AutoSchema._get_response_bodies).parameters)[:2] == ["self", "direction"]
    parameters = list(inspect.signature(AutoSchema._get_response_for_code).parameters)
    assert parameters[:3] == ["self", "serializer", "status_code"] and "direction" in parameters  # called so
    assert "bypass_extensions" in inspect.signature(AutoSchema._map_serializer_field).parameters
    assert "bypass_extensions" in inspect.signature(AutoSchema._map_serializer).parameters


@pytest.mark.django_db
def test_djangos_compiler_gives_what_query_templates_read() -> None:
    from django.db.models.query import ValuesIterable

    from practice.models import Patient

    queryset = Patient.objects.filter(last_name="x").values("id", "last_name")
    assert queryset._iterable_class is ValuesIterable
    query = queryset.query
    assert hasattr(query, "selected") and tuple(query.values_select) == ("id", "last_name")
    assert isinstance(dict(query.annotation_select), dict) and query.is_sliced is False
    compiler = query.get_compiler("default")
    sql, params = compiler.as_sql()
    assert "%s" in sql and params == ("x",)
    assert "results" in inspect.signature(compiler.results_iter).parameters


def test_drfs_binding_dict_binds_fields_to_their_serializer() -> None:
    from rest_framework import serializers
    from rest_framework.utils.serializer_helpers import BindingDict

    parent = serializers.Serializer()
    bound = BindingDict(parent)
    bound["name"] = serializers.CharField()
    assert bound["name"].parent is parent and bound["name"].field_name == "name"


def test_drfs_request_keeps_the_django_request_as_underscore_request() -> None:
    from rest_framework.request import Request

    django_request = RequestFactory().get("/")
    assert Request(django_request)._request is django_request
