"""Therapist endpoints: thin views – input serializer → one service → output serializer.

Every ``get_queryset()`` is scoped to ``request.therapist`` (another therapist's id is a 404), reads go
through ``practice.selectors`` where one exists, and writes only through ``practice.services``; the one
exception handler turns service errors into 400 (bad input) or 409 (``Conflict``: an overlapping booking;
``InvalidTransition``: e.g. editing a signed note).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from practice import selectors, services
from practice.api.therapist import filters
from practice.api.therapist import serializers as s
from practice.api.therapist.base import TherapistAPIMixin, TherapistViewSet
from practice.models import (
    Appointment,
    FinancialRecord,
    MoodEntry,
    Patient,
    ProgressArea,
    ProgressEntry,
    SessionNote,
    SessionNoteAmendment,
    SessionType,
    Tag,
)
from sanctuary.api.plumbing import FilterBackend, check_filter_query
from sanctuary.db import BoundQuery

# --- patients -------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List your patients (filter by status / archived)"),
    retrieve=extend_schema(summary="A patient, with session count, last and next session"),
)
class PatientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.PatientSerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.PatientFilter

    def get_queryset(self) -> QuerySet[Patient]:
        if self.swagger_fake_view:
            return Patient.objects.none()
        return selectors.patients_with_session_stats(therapist=self.therapist).order_by("last_name", "first_name")

    def _out(self, patient: Patient, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.PatientSerializer(self.get_queryset().get(pk=patient.pk)).data, status=code)

    @extend_schema(responses={200: s.PatientListSerializer(many=True)})
    def list(self, request: Request) -> Response:
        """The list is the compiled ``patient_list`` statement (rows, not instances); the filterset still
        validates the query string (400 with field errors) and documents it."""
        check_filter_query(filters.PatientFilter, request.query_params)
        filterset = filters.PatientFilter(request.query_params, queryset=Patient.objects.none(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        chosen = filterset.form.cleaned_data
        rows = selectors.patient_list(
            therapist=self.therapist,
            status=chosen.get("status") or None,
            archived=chosen.get("archived"),
        )
        page = self.paginate_rows(rows)
        return self.get_paginated_response(s.PatientListSerializer(page, many=True).data)

    @extend_schema(request=s.PatientInputSerializer, responses={201: s.PatientSerializer}, summary="Add a patient")
    def create(self, request: Request) -> Response:
        data = self.validated(s.PatientInputSerializer)
        patient = services.patient_create(therapist=self.therapist, actor=self.actor, **data)
        return self._out(patient, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PatientUpdateSerializer,
        responses={200: s.PatientSerializer},
        summary="Change a patient's details or status",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        patient = self.get_object()
        changes = self.validated(s.PatientUpdateSerializer, partial=True)
        return self._out(services.patient_update(patient=patient, changes=changes, actor=self.actor))

    @extend_schema(
        request=None,
        responses={200: s.PatientSerializer},
        summary="Archive a patient (never deleted: notes and bills are records)",
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._out(services.patient_archive(patient=self.get_object(), actor=self.actor))

    @extend_schema(
        request=s.PatientSearchSerializer,
        responses={200: s.PatientListSerializer(many=True)},
        summary="Fuzzy name search (trigram); the terms go in the body, never in the URL",
    )
    @action(detail=False, methods=["post"], filter_backends=[])
    def search(self, request: Request) -> Response:
        data = self.validated(s.PatientSearchSerializer)
        rows = selectors.patient_search_rows(query=data["query"], therapist=self.therapist, status=data.get("status"))
        page = self.paginate_rows(rows)
        return self.get_paginated_response(s.PatientListSerializer(page, many=True).data)

    @extend_schema(
        responses={200: s.PatientSummarySerializer},
        summary="Sessions, latest and average mood, amount owed, next appointment",
    )
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: str) -> Response:
        try:
            row = selectors.patient_summary(therapist=self.therapist, patient_id=self.kwargs["pk"])
        except (Patient.DoesNotExist, ValueError, DjangoValidationError) as error:  # missing, foreign or not a UUID
            raise Http404 from error
        return Response(s.PatientSummarySerializer(row).data)

    @extend_schema(
        parameters=[s.TimelineFilterSerializer],
        responses={200: s.TimelineSerializer},
        summary="Mood, progress and tagged session notes on one date axis, oldest first",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        patient = self.get_object()
        window = self.validated_query(s.TimelineFilterSerializer)
        events = selectors.patient_timeline(patient=patient, **window)
        return Response(s.TimelineSerializer({"patient": patient.pk, "events": events}).data)


# --- appointments ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your appointments (by date range, patient id, status)"),
    retrieve=extend_schema(summary="An appointment"),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.AppointmentSerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.AppointmentFilter

    def get_queryset(self) -> QuerySet[Appointment]:
        if self.swagger_fake_view:
            return Appointment.objects.none()
        return (
            Appointment.objects.filter(therapist=self.therapist).select_related("patient").order_by("scheduled_start")
        )

    def _out(self, appointment: Appointment, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.AppointmentSerializer(appointment).data, status=code)

    @extend_schema(
        request=s.AppointmentBookSerializer,
        responses={201: s.AppointmentSerializer},
        summary="Book an appointment (409 when it overlaps another)",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.AppointmentBookSerializer)
        appointment = services.appointment_book(therapist=self.therapist, actor=self.actor, **data)
        return self._out(appointment, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AppointmentDetailsSerializer,
        responses={200: s.AppointmentSerializer},
        summary="Change an appointment's details (not its time or status)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        changes = self.validated(s.AppointmentDetailsSerializer, partial=True)
        return self._out(
            services.appointment_update_details(appointment=appointment, changes=changes, actor=self.actor)
        )

    @extend_schema(
        request=s.RescheduleSerializer,
        responses={200: s.AppointmentSerializer},
        summary="Move a scheduled appointment (409 when it overlaps another)",
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        data = self.validated(s.RescheduleSerializer)
        return self._out(services.appointment_reschedule(appointment=appointment, actor=self.actor, **data))

    @extend_schema(
        request=s.CancelSerializer,
        responses={200: s.AppointmentSerializer},
        summary="Cancel a scheduled appointment, with a reason",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        data = self.validated(s.CancelSerializer)
        return self._out(services.appointment_cancel(appointment=appointment, reason=data["reason"], actor=self.actor))

    @extend_schema(
        request=s.CompleteSerializer,
        responses={200: s.AppointmentSerializer},
        summary="Mark a session as held, with its actual start and end",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        appointment = self.get_object()
        data = self.validated(s.CompleteSerializer)
        return self._out(services.appointment_complete(appointment=appointment, actor=self.actor, **data))

    @extend_schema(request=None, responses={200: s.AppointmentSerializer}, summary="Mark a no-show")
    @action(detail=True, methods=["post"], url_path="no-show", url_name="no-show")
    def no_show(self, request: Request, pk: str) -> Response:
        return self._out(services.appointment_mark_no_show(appointment=self.get_object(), actor=self.actor))


# --- session notes --------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your session notes (by patient id, signed, dates)"),
    retrieve=extend_schema(summary="A session note with its tags and amendments"),
)
class SessionNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.SessionNoteSerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.SessionNoteFilter

    def get_queryset(self) -> QuerySet[SessionNote]:
        if self.swagger_fake_view:
            return SessionNote.objects.none()
        return (
            SessionNote.objects.filter(therapist=self.therapist)
            .prefetch_related(
                "tags",
                Prefetch("amendments", queryset=SessionNoteAmendment.objects.order_by("created_at")),
            )
            .order_by("-session_date", "-created_at")
        )

    def _out(self, note: SessionNote, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.SessionNoteSerializer(self.get_queryset().get(pk=note.pk)).data, status=code)

    @extend_schema(
        request=s.SessionNoteCreateSerializer,
        responses={201: s.SessionNoteSerializer},
        summary="Write a session note, with tags",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.SessionNoteCreateSerializer)
        note = services.session_note_create(therapist=self.therapist, actor=self.actor, **data)
        return self._out(note, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SessionNoteUpdateSerializer,
        responses={200: s.SessionNoteSerializer},
        summary="Edit a draft note (a signed note is read-only: 409)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        note = self.get_object()
        changes = self.validated(s.SessionNoteUpdateSerializer, partial=True)
        tags = changes.pop("tags", None)
        return self._out(services.session_note_update(note=note, changes=changes, tags=tags, actor=self.actor))

    @extend_schema(request=None, responses={204: None}, summary="Delete a draft note (a signed note stays: 409)")
    def destroy(self, request: Request, pk: str) -> Response:
        services.session_note_delete(note=self.get_object(), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None, responses={200: s.SessionNoteSerializer}, summary="Sign a note; from then on it is locked"
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        return self._out(services.session_note_sign(note=self.get_object(), signed_by=self.actor))

    @extend_schema(
        request=s.AmendSerializer,
        responses={201: s.AmendmentSerializer},
        summary="Amend a signed note (an unsigned one is edited instead: 409)",
    )
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str) -> Response:
        note = self.get_object()
        data = self.validated(s.AmendSerializer)
        amendment = services.session_note_amend(note=note, author=self.actor, **data)
        return Response(s.AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


# --- mood and progress ----------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Mood entries of your patients (by patient id, dates)"),
    retrieve=extend_schema(summary="A mood entry"),
)
class MoodEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.MoodEntrySerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.MoodEntryFilter

    def get_queryset(self) -> QuerySet[MoodEntry]:
        if self.swagger_fake_view:
            return MoodEntry.objects.none()
        return MoodEntry.objects.filter(therapist=self.therapist).order_by("-entry_date", "-created_at")

    @extend_schema(
        request=s.MoodEntryRecordSerializer, responses={201: s.MoodEntrySerializer}, summary="Record a mood entry"
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.MoodEntryRecordSerializer)
        entry = services.mood_entry_record(actor=self.actor, **data)
        return Response(s.MoodEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Progress entries of your patients (by patient id, dates)"),
    retrieve=extend_schema(summary="A progress entry"),
)
class ProgressEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.ProgressEntrySerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.ProgressEntryFilter

    def get_queryset(self) -> QuerySet[ProgressEntry]:
        if self.swagger_fake_view:
            return ProgressEntry.objects.none()
        return (
            ProgressEntry.objects.filter(therapist=self.therapist)
            .select_related("progress_area")
            .order_by("-entry_date", "-created_at")
        )

    @extend_schema(
        request=s.ProgressEntryRecordSerializer,
        responses={201: s.ProgressEntrySerializer},
        summary="Record a progress entry",
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.ProgressEntryRecordSerializer)
        entry = services.progress_entry_record(actor=self.actor, **data)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(s.ProgressEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- billing --------------------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(summary="A financial record"),
)
class FinancialRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.FinancialRecordSerializer
    filter_backends = [FilterBackend]
    filterset_class = filters.FinancialRecordFilter

    def get_queryset(self) -> QuerySet[FinancialRecord]:
        if self.swagger_fake_view:
            return FinancialRecord.objects.none()
        records = FinancialRecord.objects.filter(therapist=self.therapist)
        if self.action == "list":
            period = self.validated_query(s.FinancialFilterSerializer)
            records = selectors.financial_records(
                therapist=self.therapist,
                status=period.get("status"),
                since=selectors.financial_period_start(period["period"]),
            )
        return records.select_related("patient").order_by("-record_date", "-created_at")

    @extend_schema(
        parameters=[s.FinancialFilterSerializer],
        summary="Your financial records (period and status as on the Financial page; patient id)",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _out(self, record: FinancialRecord, code: int = status.HTTP_200_OK) -> Response:
        return Response(s.FinancialRecordSerializer(self.get_queryset().get(pk=record.pk)).data, status=code)

    @extend_schema(
        request=s.FinancialRecordInputSerializer, responses={201: s.FinancialRecordSerializer}, summary="Bill a patient"
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.FinancialRecordInputSerializer)
        record = services.financial_record_create(therapist=self.therapist, actor=self.actor, **data)
        return self._out(record, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PaySerializer, responses={200: s.FinancialRecordSerializer}, summary="Mark an open bill as paid"
    )
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        data = self.validated(s.PaySerializer)
        return self._out(services.financial_record_pay(record=record, actor=self.actor, **data))

    @extend_schema(
        request=s.VoidSerializer,
        responses={200: s.FinancialRecordSerializer},
        summary="Void an unpaid bill, with a reason",
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str) -> Response:
        record = self.get_object()
        data = self.validated(s.VoidSerializer)
        return self._out(services.financial_record_void(record=record, reason=data["reason"], actor=self.actor))


# --- practice-wide lookups ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Note tags, with how often you used each"),
    retrieve=extend_schema(summary="A note tag"),
)
class TagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    """Tags are practice-wide and created by naming them on a note; the usage numbers are yours only."""

    serializer_class = s.TagSerializer

    def get_queryset(self) -> QuerySet[Tag]:
        if self.swagger_fake_view:
            return Tag.objects.none()
        return selectors.tag_usage(therapist=self.therapist)


@extend_schema_view(list=extend_schema(summary="Session types"), retrieve=extend_schema(summary="A session type"))
class SessionTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.SessionTypeSerializer

    def get_queryset(self) -> QuerySet[SessionType]:
        return SessionType.objects.order_by("name")


@extend_schema_view(list=extend_schema(summary="Progress areas"), retrieve=extend_schema(summary="A progress area"))
class ProgressAreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TherapistViewSet):
    serializer_class = s.ProgressAreaSerializer

    def get_queryset(self) -> QuerySet[ProgressArea]:
        return ProgressArea.objects.order_by("name")


# --- dashboards -----------------------------------------------------------------------------------------------


class RowsListView(TherapistAPIMixin, generics.ListAPIView):
    """A dashboard list: one page of a selector's compiled statement (``rows()``), rendered by a
    ``RowSerializer``. ``queryset`` is only there for the schema generator."""

    filter_backends: list[Any] = []

    def rows(self) -> BoundQuery:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_rows(self.rows())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UpcomingAppointmentsView(RowsListView):
    serializer_class = s.UpcomingAppointmentSerializer
    queryset = Appointment.objects.none()

    def rows(self) -> BoundQuery:
        return selectors.upcoming_appointments(therapist=self.therapist)

    @extend_schema(summary="Dashboard: scheduled appointments from now on, soonest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class ActivePatientsView(RowsListView):
    serializer_class = s.ActivePatientSerializer
    queryset = Patient.objects.none()

    def rows(self) -> BoundQuery:
        return selectors.active_patients_with_appointments(therapist=self.therapist)

    @extend_schema(summary="Dashboard: active patients with session counts, last and next session")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PatientBalancesView(RowsListView):
    serializer_class = s.PatientBalanceSerializer
    queryset = Patient.objects.none()

    def rows(self) -> BoundQuery:
        return selectors.financial_summary(therapist=self.therapist)

    @extend_schema(summary="Dashboard: per patient, billed, paid, pending and overdue amounts")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class FinancialSummaryView(TherapistAPIMixin, generics.GenericAPIView):
    serializer_class = s.FinancialSummarySerializer
    pagination_class = None

    @extend_schema(
        parameters=[s.FinancialFilterSerializer],
        responses={200: OpenApiResponse(s.FinancialSummarySerializer)},
        summary="Dashboard: total, paid (and %), pending (and count), overdue – by period and status",
    )
    def get(self, request: Request) -> Response:
        filters_in = self.validated_query(s.FinancialFilterSerializer)
        period, status_filter = filters_in["period"], filters_in.get("status")
        since = selectors.financial_period_start(period)
        overview = selectors.financial_overview(therapist=self.therapist, since=since, status=status_filter)
        body = {
            "period": period,
            "status": status_filter,
            "since": since,
            "total": overview.total,
            "paid": overview.paid,
            "paid_percent": overview.paid_percent,
            "pending": overview.pending,
            "pending_count": overview.pending_count,
            "overdue": overview.overdue,
            "overdue_count": overview.overdue_count,
        }
        return Response(s.FinancialSummarySerializer(body).data)
