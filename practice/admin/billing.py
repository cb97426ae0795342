"""Bills: the scoped list, recording a bill through the service, and the pay and void actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from practice import services
from practice.admin.base import ServiceAdmin, _adopt
from practice.models import (
    FinancialRecord,
)
from sanctuary.users import acting_user

# --- billing ----------------------------------------------------------------------------------------------------


@admin.register(FinancialRecord)
class FinancialRecordAdmin(ServiceAdmin):
    list_display = (
        "record_date", "patient", "record_type", "amount", "status", "due_date", "patient_responsibility",
        "invoice_number",
    )
    list_filter = ("status", "record_type", "record_date", "due_date", "session_type")
    list_select_related = ("patient",)
    search_fields = ("invoice_number",)
    readonly_fields = (
        "status", "paid_date", "transaction_date", "payment_method", "late_fee", "void_reason",
        "insurer_amount", "patient_responsibility", "created_at", "updated_at",
    )
    actions = ("mark_paid_today", "void_records")

    def save_model(self, request: HttpRequest, obj: FinancialRecord, form: Any, change: bool) -> None:
        if change:
            services.validate(obj)
            obj.save()
            return
        data = {k: v for k, v in form.cleaned_data.items() if k != "therapist"}
        saved = services.financial_record_create(
            therapist=self.acting_therapist(request, form), actor=acting_user(request), **data,
        )
        _adopt(obj, saved)

    @admin.action(description="Mark as paid today")
    def mark_paid_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        for record in queryset:
            self._run(request, lambda r=record: services.financial_record_pay(
                record=r, paid_date=timezone.localdate(), payment_method=r.payment_method or "other",
                actor=acting_user(request),
            ))

    @admin.action(description="Void selected bills")
    def void_records(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Voided in the admin by {request.user.get_username()}"
        for record in queryset:
            self._run(request, lambda r=record: services.financial_record_void(
                record=r, reason=reason, actor=acting_user(request),
            ))
