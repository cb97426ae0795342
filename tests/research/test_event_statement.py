"""The research state's upsert is generated from ``STATE_COLUMNS`` (issue 14): the generated statement is the
one written by hand before it, clause for clause, so every event kind behaves as it did (the behaviour itself
is tested per kind in test_webhook.py, test_intake.py and test_followups.py), and the table covers every
column of the model."""

from __future__ import annotations

from research.models import TherapistResearchState
from research.services import events

# The hand-written ``st`` CTE as it stood before the table (research/services/events.py at baedef3).
HAND_WRITTEN = """
    INSERT INTO research_therapistresearchstate AS s
        (therapist_id, stage, unsubscribed_at, bounced_at, complained_at, invited_at, variant, experiment_id,
         first_opened_at, last_opened_at, opens_count, machine_opens_count, first_clicked_at, last_clicked_at,
         clicks_count, survey_completed_at, last_sandbox_visit_at, sandbox_visits_count, last_feedback_at,
         feedback_count, followup_count, last_followup_at, steps_sent, last_event_at)
    SELECT ins.therapist_id,
           CASE WHEN ins.machine_open THEN 0 ELSE %(stage)s END,
           CASE WHEN %(unsubscribed)s THEN ins.occurred_at END,
           CASE WHEN %(bounced)s THEN ins.occurred_at END,
           CASE WHEN %(complained)s THEN ins.occurred_at END,
           CASE WHEN %(invited)s THEN ins.occurred_at END,
           COALESCE(NULLIF(%(variant)s, ''), att.ob_variant, ''),
           COALESCE(NULLIF(%(experiment_id)s, ''), att.ob_experiment, ''),
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN ins.occurred_at END,
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN ins.occurred_at END,
           CASE WHEN %(opened)s AND NOT ins.machine_open THEN 1 ELSE 0 END,
           CASE WHEN ins.machine_open THEN 1 ELSE 0 END,
           CASE WHEN %(clicked)s THEN ins.occurred_at END,
           CASE WHEN %(clicked)s THEN ins.occurred_at END,
           CASE WHEN %(clicked)s THEN 1 ELSE 0 END,
           CASE WHEN %(completed)s THEN ins.occurred_at END,
           CASE WHEN %(sandbox)s THEN ins.occurred_at END,
           CASE WHEN %(sandbox)s THEN 1 ELSE 0 END,
           CASE WHEN %(feedback)s THEN ins.occurred_at END,
           CASE WHEN %(feedback)s THEN 1 ELSE 0 END,
           CASE WHEN %(followup)s THEN 1 ELSE 0 END,
           CASE WHEN %(followup)s THEN ins.occurred_at END,
           %(step_bits)s,
           ins.occurred_at
      FROM ins CROSS JOIN att
     WHERE ins.therapist_id IS NOT NULL
    ON CONFLICT (therapist_id) DO UPDATE SET
        stage = GREATEST(s.stage, EXCLUDED.stage),
        unsubscribed_at = COALESCE(s.unsubscribed_at, EXCLUDED.unsubscribed_at),
        bounced_at = COALESCE(s.bounced_at, EXCLUDED.bounced_at),
        complained_at = COALESCE(s.complained_at, EXCLUDED.complained_at),
        invited_at = LEAST(s.invited_at, EXCLUDED.invited_at),
        variant = CASE WHEN s.variant = '' THEN EXCLUDED.variant ELSE s.variant END,
        experiment_id = CASE WHEN s.experiment_id = '' THEN EXCLUDED.experiment_id ELSE s.experiment_id END,
        first_opened_at = LEAST(s.first_opened_at, EXCLUDED.first_opened_at),
        last_opened_at = GREATEST(s.last_opened_at, EXCLUDED.last_opened_at),
        opens_count = s.opens_count + EXCLUDED.opens_count,
        machine_opens_count = s.machine_opens_count + EXCLUDED.machine_opens_count,
        first_clicked_at = LEAST(s.first_clicked_at, EXCLUDED.first_clicked_at),
        last_clicked_at = GREATEST(s.last_clicked_at, EXCLUDED.last_clicked_at),
        clicks_count = s.clicks_count + EXCLUDED.clicks_count,
        survey_completed_at = LEAST(s.survey_completed_at, EXCLUDED.survey_completed_at),
        last_sandbox_visit_at = GREATEST(s.last_sandbox_visit_at, EXCLUDED.last_sandbox_visit_at),
        sandbox_visits_count = s.sandbox_visits_count + EXCLUDED.sandbox_visits_count,
        last_feedback_at = GREATEST(s.last_feedback_at, EXCLUDED.last_feedback_at),
        feedback_count = s.feedback_count + EXCLUDED.feedback_count,
        followup_count = s.followup_count + EXCLUDED.followup_count,
        last_followup_at = GREATEST(s.last_followup_at, EXCLUDED.last_followup_at),
        steps_sent = s.steps_sent | EXCLUDED.steps_sent,
        last_event_at = GREATEST(s.last_event_at, EXCLUDED.last_event_at)
    RETURNING s.therapist_id
"""


def _words(sql: str) -> list[str]:
    return sql.split()


def test_the_generated_state_upsert_is_the_hand_written_one() -> None:
    assert _words(events._state_upsert(events.STATE_COLUMNS)) == _words(HAND_WRITTEN)
    assert _words(HAND_WRITTEN)[0] == "INSERT" and " ".join(_words(HAND_WRITTEN)) in " ".join(_words(events._SQL))


def test_every_state_column_is_declared_once_with_a_known_merge_rule() -> None:
    names = [name for name, _, _ in events.STATE_COLUMNS]
    assert len(names) == len(set(names))
    assert all(rule in events._MERGE for _, _, rule in events.STATE_COLUMNS)
    # Every column but the key (the conflict target) is declared: a new model field without a line here fails.
    model_columns = {field.column for field in TherapistResearchState._meta.concrete_fields} - {"therapist_id"}
    assert set(names) == model_columns
