"""The patient portal, ``/api/v1/me/``: a patient's own profile, appointments, mood, progress and invoices.

Everything is scoped to ``request.patient`` (set by ``IsPatient``). What a patient never sees, by
construction rather than by filtering output: session notes (no endpoint reads them), private and
preparation notes of appointments, risk assessments, therapists' notes on progress and billing records,
and anything of another patient (their ids are 404s).
"""
