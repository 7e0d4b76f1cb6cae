"""Concurrent writers lose no count in the roll-ups (PostgreSQL: real transactions, one connection per thread)."""

from __future__ import annotations

import uuid

import pytest

from feedback.models import EndorsementRollup, ParticipantRollup
from feedback.participation.services import describe_endorser, endorse_remedy, withdraw_endorsement
from feedback.results.rollups import check_rollups
from feedback.results.tallies import TallyFilters, tallies_for
from tests.parallel import needs_postgresql, run_in_parallel

pytestmark = pytest.mark.django_db(transaction=True)


def everyone(consultation) -> int:
    return ParticipantRollup.objects.get(consultation=consultation, grouping="").participants


def test_thirty_residents_endorsing_one_remedy_at_once_are_all_counted(briefing):
    needs_postgresql()
    remedy = briefing.remedies.select_related("consultation").first()
    run_in_parallel(
        [
            lambda: endorse_remedy(remedy=remedy, participant=uuid.uuid4(), role="resident", community_area="30")
            for _ in range(30)
        ]
    )
    assert EndorsementRollup.objects.get(remedy=remedy, community_area="30", role="resident").endorsements == 30
    assert everyone(briefing) == 30
    assert check_rollups().drifts == []


def test_one_person_endorsing_from_two_tabs_at_once_is_one_participant(briefing):
    needs_postgresql()
    remedies = list(briefing.remedies.select_related("consultation")[:6])
    person = uuid.uuid4()
    run_in_parallel([lambda remedy=remedy: endorse_remedy(remedy=remedy, participant=person) for remedy in remedies])
    assert tallies_for(briefing).total_endorsements == 6
    assert everyone(briefing) == 1
    assert check_rollups().drifts == []


def test_endorsing_withdrawing_and_moving_area_at_once_leaves_no_drift(briefing):
    needs_postgresql()
    remedies = list(briefing.remedies.select_related("consultation")[:3])
    people = [uuid.uuid4() for _ in range(8)]
    for person in people[:4]:
        endorse_remedy(remedy=remedies[0], participant=person, community_area="14")
    calls = [
        lambda person=person: withdraw_endorsement(remedy=remedies[0], participant=person) for person in people[:2]
    ]
    calls += [
        lambda person=person: describe_endorser(
            consultation=briefing, participant=person, role="advocate", community_area="55"
        )
        for person in people[2:4]
    ]
    calls += [lambda person=person: endorse_remedy(remedy=remedies[1], participant=person) for person in people]
    run_in_parallel(calls)
    assert check_rollups().drifts == []
    assert tallies_for(briefing, TallyFilters(community_area="55")).total_participants == 2


def test_a_repair_running_among_endorsers_loses_none_of_their_counts(briefing):
    needs_postgresql()
    remedy = briefing.remedies.select_related("consultation").first()
    endorse_remedy(remedy=remedy, participant=uuid.uuid4())
    EndorsementRollup.objects.filter(remedy=remedy).update(endorsements=40)  # drifted
    calls = [lambda: endorse_remedy(remedy=remedy, participant=uuid.uuid4()) for _ in range(20)]
    calls.append(lambda: check_rollups(repair=True))
    run_in_parallel(calls)
    assert check_rollups().drifts == []
    assert tallies_for(briefing).total_endorsements == 21
