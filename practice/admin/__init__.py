"""Admin for every practice model, scoped: a therapist sees and edits only their own patients and everything
under them; superusers and the "Practice manager" group see the whole practice.

A foreign object is simply not in the queryset, so the admin answers with its "does not exist" redirect.
Writes that matter (appointments, notes, signing, amendments, billing, mood, progress) go through services.

One module per area (``people``, ``clinical``, ``billing``; scoping and service-backed bases in ``base``; the
home pages, calendar, patient chart and navigation in ``workspace``); importing this package registers them all.
"""

from practice.admin import billing, clinical, people, workspace  # noqa: F401  (registers the model admins)
