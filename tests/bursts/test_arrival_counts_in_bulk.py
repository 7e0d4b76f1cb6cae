"""Arrival counts added many at once (a bulk load: 200,000 of them at a million endorsements) sum exactly as
the same counts added one by one: repeated minutes add up, existing minutes grow, nothing is lost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.bursts.arrivals import add_arrivals, minute_of
from feedback.counters import BULK_ROWS
from feedback.models import ArrivalCount, ArrivalKind, Consultation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [BULK_ROWS - 1, BULK_ROWS * 3], ids=["one by one", "in bulk"])
def test_a_batch_of_arrivals_adds_to_what_each_minute_already_had(briefing, rows):
    consultation = Consultation.objects.get(slug="chicago")
    remedy_ids = list(consultation.remedies.values_list("pk", flat=True)[:3])
    start = minute_of(timezone.now()) - timedelta(days=2)
    ArrivalCount.objects.create(
        consultation=consultation, kind=ArrivalKind.ENDORSEMENT, subject=remedy_ids[0], minute=start,
        arrivals=5, from_new_participants=2,
    )  # fmt: skip
    batch = [
        (consultation.pk, ArrivalKind.ENDORSEMENT, remedy_ids[n % 3], start + timedelta(minutes=n % 700), 1, n % 2)
        for n in range(rows)
    ]
    expected = Counter({(remedy_ids[0], start): 5})
    expected_new = Counter({(remedy_ids[0], start): 2})
    for _id, _kind, subject, minute, arrivals, new in batch:
        expected[(subject, minute)] += arrivals
        expected_new[(subject, minute)] += new

    add_arrivals(batch)

    kept = ArrivalCount.objects.filter(consultation=consultation)
    assert {(row.subject, row.minute): row.arrivals for row in kept} == dict(expected)
    assert {(row.subject, row.minute): row.from_new_participants for row in kept} == dict(expected_new)
    assert sum(expected.values()) == rows + 5
