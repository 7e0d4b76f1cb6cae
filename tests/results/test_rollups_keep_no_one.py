"""The roll-ups keep counts only: no participant id, no time finer than a day, nothing of a concern's words.

Worst case: one person from Hegewisch (a rare area) with a rare role endorses five remedies and sends a concern.
"""

from __future__ import annotations

import uuid

from django.db import models

from feedback.models import ConcernRollup, ConcernTotal, EndorsementRollup, EndorsementTotal, ParticipantRollup
from feedback.participation.services import endorse_remedy, submit_concern

ROLLUPS = (EndorsementRollup, EndorsementTotal, ConcernRollup, ConcernTotal, ParticipantRollup)


def test_no_rollup_has_a_field_that_could_hold_an_id_a_time_or_words():
    for model in ROLLUPS:
        for field in model._meta.get_fields():
            assert not isinstance(field, models.UUIDField | models.DateTimeField | models.TextField), (model, field)


def test_one_persons_actions_leave_only_counts_in_the_rollups(briefing):
    person = uuid.uuid4()
    for remedy in briefing.remedies.select_related("consultation")[:5]:
        endorse_remedy(remedy=remedy, participant=person, role="other", community_area="55")
    submit_concern(
        consultation=briefing,
        text="My neighbour on Baltimore Avenue was taken.",
        role="other",
        community_area="55",
        language="en",
    )
    stored = [str(value) for model in ROLLUPS for row in model.objects.values_list() for value in row]
    assert stored  # the actions were counted
    assert not any(str(person) in value or person.hex in value for value in stored)
    assert not any("Baltimore" in value for value in stored)
    assert ParticipantRollup.objects.get(consultation=briefing, grouping="area", community_area="55").participants == 1
