"""Patient portal views: thin (input serializer → service or selector → output serializer).

Every queryset comes from a portal selector filtered to ``request.patient``, so another patient's id is a
404 before anything is loaded, and ``IsPatient`` makes every non-patient a 403 (anonymous a 401).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practice import services
from practice.api.permissions import IsPatient
from practice.api.portal.serializers import (
    AppointmentListQuerySerializer,
    CancellationRequestSerializer,
    InvoiceListQuerySerializer,
    InvoiceTotalsSerializer,
    MoodEntryInputSerializer,
    PortalAppointmentSerializer,
    PortalInvoiceSerializer,
    PortalMoodEntrySerializer,
    PortalProgressSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    ProgressListQuerySerializer,
)
from practice.models import Patient
from practice.selectors import portal as selectors
from sanctuary.api import plumbing
from sanctuary.api.idempotency import IdempotentMixin
from sanctuary.api.schema import LIST_ERRORS, error_responses
from sanctuary.users import acting_user

DETAIL_ERRORS = error_responses(401, 403, 404)
TAGS = ["patient portal"]


class PortalMixin(IdempotentMixin, APIView):
    permission_classes: Sequence[Any] = [IsPatient]

    @property
    def patient(self) -> Patient:
        return self.request.patient  # type: ignore[attr-defined]

    @property
    def acting_user(self) -> User:
        """The logged-in patient's user (IsPatient has already refused anyone else)."""
        return acting_user(self.request)

    def query_params(self, serializer_class: type) -> dict[str, Any]:
        return plumbing.validated_query(serializer_class, self.request.query_params)


@extend_schema(tags=TAGS)
class ProfileView(PortalMixin, generics.GenericAPIView):
    serializer_class = ProfileSerializer

    @extend_schema(responses={200: ProfileSerializer, **error_responses(401, 403)}, summary="Your profile")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(self.patient).data)

    @extend_schema(
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer, **error_responses(400, 401, 403)},
        summary="Update your contact details and preferred session type",
    )
    def patch(self, request: Request) -> Response:
        data = ProfileUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        patient = services.patient_update(patient=self.patient, changes=data.validated_data, actor=self.acting_user)
        patient.therapist = self.patient.therapist
        return Response(ProfileSerializer(patient).data)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[AppointmentListQuerySerializer],
        responses={200: PortalAppointmentSerializer(many=True), **LIST_ERRORS},
        summary="Your appointments",
    ),
)
class AppointmentListView(PortalMixin, generics.ListAPIView):
    serializer_class = PortalAppointmentSerializer

    def get_queryset(self) -> QuerySet:
        when = self.query_params(AppointmentListQuerySerializer).get("when")
        return selectors.portal_appointments(patient=self.patient, when=when)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, responses={200: PortalAppointmentSerializer, **DETAIL_ERRORS}, summary="One of your appointments"
    )
)
class AppointmentDetailView(PortalMixin, generics.RetrieveAPIView):
    serializer_class = PortalAppointmentSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_appointments(patient=self.patient)


class AppointmentCancelView(PortalMixin, generics.GenericAPIView):
    serializer_class = CancellationRequestSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_appointments(patient=self.patient)

    @extend_schema(
        tags=TAGS,
        request=CancellationRequestSerializer,
        responses={200: PortalAppointmentSerializer, **error_responses(400, 401, 403, 404, 409)},
        summary="Cancel one of your upcoming appointments",
        description="Cancels at once and records your reason for your therapist. Only a scheduled appointment "
        "that has not started can be cancelled here (otherwise 409: contact your therapist).",
    )
    def post(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        data = CancellationRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appointment_request_cancellation(
            appointment=appointment,
            patient=self.patient,
            reason=data.validated_data["reason"],
            actor=self.acting_user,
        )
        return Response(PortalAppointmentSerializer(self.get_object()).data)


@extend_schema(tags=TAGS)
class MoodEntryListView(PortalMixin, generics.ListAPIView):
    serializer_class = PortalMoodEntrySerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_mood_entries(patient=self.patient)

    @extend_schema(responses={200: PortalMoodEntrySerializer(many=True), **LIST_ERRORS}, summary="Your mood entries")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=MoodEntryInputSerializer,
        responses={201: PortalMoodEntrySerializer, **error_responses(400, 401, 403)},
        summary="Record how you feel (between sessions)",
    )
    def post(self, request: Request) -> Response:
        data = MoodEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("entry_date", timezone.localdate())
        entry = services.mood_entry_record(patient=self.patient, actor=self.acting_user, **values)
        created = self.get_queryset().get(pk=entry.pk)
        return Response(PortalMoodEntrySerializer(created).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, responses={200: PortalMoodEntrySerializer, **DETAIL_ERRORS}, summary="One of your mood entries"
    )
)
class MoodEntryDetailView(PortalMixin, generics.RetrieveAPIView):
    serializer_class = PortalMoodEntrySerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_mood_entries(patient=self.patient)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[ProgressListQuerySerializer],
        responses={200: PortalProgressSerializer(many=True), **LIST_ERRORS},
        summary="Your progress scores",
    )
)
class ProgressListView(PortalMixin, generics.ListAPIView):
    serializer_class = PortalProgressSerializer

    def get_queryset(self) -> QuerySet:
        area = self.query_params(ProgressListQuerySerializer).get("progress_area")
        entries = selectors.portal_progress(patient=self.patient)
        return entries.filter(progress_area_id=area) if area else entries


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, responses={200: PortalProgressSerializer, **DETAIL_ERRORS}, summary="One of your progress scores"
    )
)
class ProgressDetailView(PortalMixin, generics.RetrieveAPIView):
    serializer_class = PortalProgressSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_progress(patient=self.patient)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        parameters=[InvoiceListQuerySerializer],
        responses={200: PortalInvoiceSerializer(many=True), **LIST_ERRORS},
        summary="Your invoices",
    )
)
class InvoiceListView(PortalMixin, generics.ListAPIView):
    serializer_class = PortalInvoiceSerializer

    def get_queryset(self) -> QuerySet:
        wanted = self.query_params(InvoiceListQuerySerializer).get("status")
        invoices = selectors.portal_invoices(patient=self.patient)
        return invoices.filter(status=wanted) if wanted else invoices


@extend_schema_view(
    get=extend_schema(
        tags=TAGS, responses={200: PortalInvoiceSerializer, **DETAIL_ERRORS}, summary="One of your invoices"
    )
)
class InvoiceDetailView(PortalMixin, generics.RetrieveAPIView):
    serializer_class = PortalInvoiceSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.portal_invoices(patient=self.patient)


class InvoiceSummaryView(PortalMixin, generics.GenericAPIView):
    serializer_class = InvoiceTotalsSerializer

    @extend_schema(
        tags=TAGS,
        responses={200: InvoiceTotalsSerializer, **error_responses(401, 403)},
        summary="What you owe: in total, overdue, and on how many open bills",
    )
    def get(self, request: Request) -> Response:
        return Response(InvoiceTotalsSerializer(selectors.portal_invoice_totals(patient=self.patient)).data)
