"""Therapists, patients and the shared lookups; every save and delete through a service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from practice import selectors, services
from practice.admin.base import ScopedAdmin, ServiceAdmin, _whole_practice, sees_clinical
from practice.models import Patient, ProgressArea, SessionType, Tag, Therapist
from sanctuary.admin import adopt
from sanctuary.users import acting_user

# --- therapists and lookups ----------------------------------------------------------------------------------


class LicenseExpiryFilter(admin.SimpleListFilter):
    title = "license"
    parameter_name = "license"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("expiring", f"Expired or expiring within {selectors.LICENSE_WARNING_DAYS} days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "expiring":
            return queryset.filter(pk__in=selectors.licenses_expiring().values("pk"))
        return queryset


@admin.register(Therapist)
class TherapistAdmin(ScopedAdmin):
    therapist_path = "pk"
    list_display = ("full_name", "email", "title", "license_number", "license_expiry", "license_warning", "is_active")
    list_filter = (LicenseExpiryFilter, "license_verified", "directory_status", "profile_source", "is_active")
    search_fields = ("first_name", "last_name", "email", "license_number")
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="License (G8)")
    def license_warning(self, obj: Therapist) -> str:
        today = timezone.localdate()
        if obj.license_expiry is None:
            return ""
        if obj.license_expiry < today:
            return "EXPIRED"
        if obj.license_expires_within(selectors.LICENSE_WARNING_DAYS, today=today):
            return f"expires in {(obj.license_expiry - today).days} days"
        return "ok"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The directory is not clinical data: whoever may see all of it (research staff, managers) does.
        if request.user.has_perm("practice.view_directory"):
            return ModelAdmin.get_queryset(self, request)
        return super().get_queryset(request)

    # The directory is open to research staff too (by model permission), not only to clinical roles.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return ModelAdmin.has_module_permission(self, request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return ModelAdmin.has_view_permission(self, request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _whole_practice(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _whole_practice(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not _whole_practice(request):
            # Therapists keep their profile current but do not verify their own license or link logins.
            readonly += ["user", "license_verified", "directory_status", "profile_source", "is_active"]
        return readonly

    def save_model(self, request: HttpRequest, obj: Therapist, form: forms.ModelForm, change: bool) -> None:
        fields = {k: v for k, v in form.cleaned_data.items() if k in services.THERAPIST_FIELDS}
        if change:
            saved = services.therapist_update(therapist=obj, changes=fields, actor=acting_user(request))
        else:
            saved = services.therapist_create(fields=fields, actor=acting_user(request))
        if "user" in form.cleaned_data and form.cleaned_data["user"] != saved.user:
            saved = services.therapist_link_user(therapist=saved, user=form.cleaned_data["user"])
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The array fields are saved by the service; inlines shown here (research panels) are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request: HttpRequest, obj: Therapist) -> None:
        services.therapist_delete(therapist=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for therapist in queryset:
            services.therapist_delete(therapist=therapist, actor=acting_user(request))


class LookupAdmin(ModelAdmin):
    """Practice-wide lookup rows, kept by managers through ``lookup_save``/``lookup_delete``."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        adopt(obj, services.lookup_save(instance=obj, actor=acting_user(request)))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.lookup_delete(instance=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            services.lookup_delete(instance=obj, actor=acting_user(request))


@admin.register(SessionType)
class SessionTypeAdmin(LookupAdmin):
    list_display = ("name", "default_duration_minutes", "default_rate")


@admin.register(ProgressArea)
class ProgressAreaAdmin(LookupAdmin):
    list_display = ("name", "category")
    list_filter = ("category",)


@admin.register(Tag)
class TagAdmin(LookupAdmin):
    list_display = ("name", "color", "usage_count", "last_used")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # G3 – practice-wide numbers; a therapist's own are selectors.tag_usage.
        return (
            super()
            .get_queryset(request)
            .annotate(
                usage_count=Count("note_tags"),
                last_used=Max("note_tags__note__session_date"),
            )
        )

    @admin.display(ordering="usage_count")
    def usage_count(self, obj: Tag) -> int:
        return obj.usage_count  # type: ignore[attr-defined]

    @admin.display(ordering="last_used")
    def last_used(self, obj: Tag) -> date | None:
        return obj.last_used  # type: ignore[attr-defined]


# --- patients ------------------------------------------------------------------------------------------------


class PortalLoginField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_username()} ({obj.email})" if obj.email else obj.get_username()


@admin.register(Patient)
class PatientAdmin(ServiceAdmin):
    list_display = ("full_name", "status", "preferred_session_type", "chart_link", "therapist")
    list_display_links = ("full_name",)
    list_filter = ("status", "preferred_session_type")
    search_fields = ("first_name", "last_name")  # replaced by the trigram search below
    readonly_fields = ("archived_at", "created_at", "updated_at")
    list_select_related = ("therapist",)
    actions = ("archive_patients",)
    change_form_outer_before_template = "practice/admin/patient_tools.html"

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if _whole_practice(request) else [name for name in shown if name != "therapist"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        patient = ["first_name", "last_name", "preferred_session_type", "status"]
        if _whole_practice(request):
            patient.append("therapist")
        fieldsets: list[tuple[str, dict[str, Any]]] = [
            ("Patient", {"fields": patient}),
            ("Contact", {"fields": ["email", "phone", "date_of_birth"]}),
            ("Emergency contact", {"fields": ["emergency_contact_name", "emergency_contact_phone"]}),
            ("Notes", {"fields": ["notes", "avatar_url"]}),
        ]
        if obj is not None:
            fieldsets.append(("Record", {"fields": ["archived_at", "created_at", "updated_at"]}))
        if _whole_practice(request):
            # Linking a portal login is the practice's job, not the clinician's, and rarely needed: last.
            fieldsets.append(
                (
                    "Patient portal login",
                    {
                        "fields": ["user"],
                        "description": "Only patient accounts are listed (no staff login can become a patient's).",
                    },
                )
            )
        return fieldsets

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            # Patient accounts only: no staff, no therapist logins, none already linked to another patient.
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = (
                User.objects.filter(
                    is_staff=False,
                    is_superuser=False,
                    therapist_profile__isnull=True,
                )
                .filter(Q(patient_profile__isnull=True) | Q(patient_profile__pk=object_id))
                .order_by("username")
            )
            kwargs["form_class"] = PortalLoginField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        search_term: str,
    ) -> tuple[QuerySet, bool]:
        # G1: substring or fuzzy (trigram) match on the full name, served by the GIN index.
        return selectors.patient_search(patients=queryset, query=search_term), False

    @admin.display(description="chart")
    def chart_link(self, obj: Patient) -> str:
        url = reverse("admin:practice_patient_chart", args=[obj.pk])
        return format_html('<a href="{}">Open chart<span class="sr-only"> of {}</span></a>', url, obj.full_name)

    def save_model(self, request: HttpRequest, obj: Patient, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in services.PATIENT_FIELDS if name in form.cleaned_data}
        actor = acting_user(request)
        if change:
            saved = services.patient_update(patient=obj, changes=fields, actor=actor)
        else:
            fields.pop("status", None)
            saved = services.patient_create(therapist=self.acting_therapist(request, form), actor=actor, **fields)
        if "user" in form.changed_data:
            saved = services.patient_link_user(patient=saved, user=form.cleaned_data["user"], actor=actor)
        adopt(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Patient) -> None:
        services.patient_delete(patient=obj, actor=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda p: services.patient_delete(patient=p, actor=acting_user(request)),
            "Deleted {count} patient{s}.",
        )

    @admin.action(description="Archive selected patients")
    def archive_patients(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda p: services.patient_archive(patient=p, actor=acting_user(request)),
            "Archived {count} patient{s}.",
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        from practice.admin.pages import patient_workspace_urls
        from practice.admin.workspace import patient_chart_urls

        return [*patient_workspace_urls(self), *patient_chart_urls(self), *super().get_urls()]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return sees_clinical(request) and super().has_module_permission(request)
