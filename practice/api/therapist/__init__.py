"""The therapist API (``/api/v1/``): a therapist's own patients, calendar, notes, tracking, billing and
dashboards. Every queryset is scoped to ``request.therapist``; every write goes through ``practice.services``."""
