"""Bills: the scoped list, recording and correcting a bill through the services, and the pay and void actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from practice import services
from practice.admin.base import ServiceAdmin, _whole_practice, badge
from practice.models import OPEN_PAYMENT_STATUSES, FinancialRecord, PaymentStatus
from sanctuary import display
from sanctuary.admin import adopt
from sanctuary.users import acting_user

STATUS_BADGES = {
    PaymentStatus.PAID: "paid",
    PaymentStatus.PENDING: "pending",
    PaymentStatus.OVERDUE: "overdue",
    PaymentStatus.CANCELLED: "cancelled",
    PaymentStatus.REFUNDED: "refunded",
}


@admin.register(FinancialRecord)
class FinancialRecordAdmin(ServiceAdmin):
    list_display = (
        "billed",
        "patient",
        "record_type",
        "amount_display",
        "status_badge",
        "due_date",
        "patient_responsibility",
        "invoice_number",
        "therapist",
    )
    list_display_links = ("billed",)
    list_filter = ("status", "record_type", "session_type")
    list_select_related = ("patient", "therapist")
    search_fields = ("invoice_number",)
    readonly_fields = (
        "status",
        "paid_date",
        "transaction_date",
        "payment_method",
        "late_fee",
        "void_reason",
        "insurer_amount",
        "patient_responsibility",
        "created_at",
        "updated_at",
    )
    actions = ("mark_paid_today", "void_records")
    ordering = ("-record_date", "-created_at")

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if _whole_practice(request) else [name for name in shown if name != "therapist"]

    @admin.display(description="date", ordering="record_date")
    def billed(self, obj: FinancialRecord) -> str:
        return display.date_label(obj.record_date, weekday=False)

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, obj: FinancialRecord) -> str:
        return display.money(obj.amount)

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj: FinancialRecord) -> str:
        return badge(STATUS_BADGES[PaymentStatus(obj.status)], obj.get_status_display())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += ["patient", "therapist"]
            if obj.status not in OPEN_PAYMENT_STATUSES:
                # A settled bill is a financial record: only its notes and claim details still change.
                editable = {"notes", "insurance_claim_id", "insurance_claim_status"}
                readonly += [f for f in services.BILL_FIELDS if f not in editable]
        return readonly

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("record_date", timezone.localdate())
        return initial

    def save_model(self, request: HttpRequest, obj: FinancialRecord, form: Any, change: bool) -> None:
        if change:
            changes = {k: form.cleaned_data[k] for k in form.changed_data if k in services.BILL_FIELDS}
            saved = services.financial_record_update(record=obj, changes=changes, actor=acting_user(request))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "therapist"}
            saved = services.financial_record_create(
                therapist=self.acting_therapist(request, form),
                actor=acting_user(request),
                **data,
            )
        adopt(obj, saved)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Bills are voided (with a reason), never deleted.
        return False

    def get_urls(self):  # type: ignore[no-untyped-def]
        from practice.admin.pages import financial_urls

        return [*financial_urls(self), *super().get_urls()]

    @admin.action(description="Mark as paid today")
    def mark_paid_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.run_bulk(
            request,
            queryset,
            lambda r: services.financial_record_pay(
                record=r,
                paid_date=timezone.localdate(),
                payment_method=r.payment_method or "other",
                actor=acting_user(request),
            ),
            "Marked {count} bill{s} as paid.",
        )

    @admin.action(description="Void selected bills")
    def void_records(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Voided in the admin by {request.user.get_username()}"
        self.run_bulk(
            request,
            queryset,
            lambda r: services.financial_record_void(
                record=r,
                reason=reason,
                actor=acting_user(request),
            ),
            "Voided {count} bill{s}.",
        )
