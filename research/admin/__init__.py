"""Admin for the research CRM, by area: ``intake`` (surveys, feedback), ``eoi`` (the review queue and its audit
trail), ``outreach`` (e-mails, engagement log, suppressions, research state, funnel), ``directory`` (research
columns and panels on the therapist directory) and ``workspace`` (the research home and navigation).
Importing this package registers them all."""

from research.admin import directory, eoi, intake, outreach, workspace  # noqa: F401  (registers the model admins)
