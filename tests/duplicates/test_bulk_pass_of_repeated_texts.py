"""The bulk pass over concerns loaded without keys, where many of them repeat a text word for word.

Bulk-loaded concerns repeat texts a lot (generate_demo_data writes about eight copies of each); the pass compares a
text once and gives each later copy its first concern's group and keys. These run on PostgreSQL too (DATABASE_URL),
where the pass writes with COPY and one UPDATE.
"""

from __future__ import annotations

from feedback.duplicates.services import record_missing_near_duplicates, record_near_duplicate
from feedback.duplicates.sketch import keys, shingles
from feedback.models import Concern, NearDuplicateKey
from tests.factories import ConcernFactory

TEXT = "Since the operation started, families are afraid to go to the clinic. Please hold a community meeting."
OTHER = "Where I work, older people refuse to take the bus to work. Schools need a plan to keep children safe."


def test_every_copy_of_a_text_joins_the_group_of_its_first_concern_with_the_same_keys(briefing):
    first = ConcernFactory(consultation=briefing, text=TEXT)
    other = ConcernFactory(consultation=briefing, text=OTHER)
    copies = [
        ConcernFactory(consultation=briefing, text=variant, status="pending")
        for variant in (TEXT.upper(), TEXT.replace(",", " ;"), TEXT.lower() + "!!", TEXT) * 5
    ]

    assert record_missing_near_duplicates(consultation=briefing) == 22

    links = dict(Concern.objects.values_list("pk", "near_duplicate_of_id"))
    assert links[first.pk] is None and links[other.pk] is None
    assert {links[copy.pk] for copy in copies} == {first.pk}
    expected = sorted(keys(TEXT, shingles(TEXT), scope=briefing.pk))
    for concern in (first, copies[0], copies[-1]):
        stored = NearDuplicateKey.objects.filter(concern=concern).values_list("key", flat=True)
        assert sorted(stored) == expected
    assert NearDuplicateKey.objects.count() == 22 * len(expected)


def test_a_loaded_copy_joins_the_group_a_concern_found_when_it_arrived(briefing):
    first = ConcernFactory(consultation=briefing, text=TEXT)
    record_near_duplicate(concern=first)
    arrived = ConcernFactory(consultation=briefing, text=TEXT.replace("families", "the families"))
    record_near_duplicate(concern=arrived)
    loaded = ConcernFactory(consultation=briefing, text=arrived.text.upper(), status="pending")

    assert record_missing_near_duplicates(consultation=briefing) == 1

    links = dict(Concern.objects.values_list("pk", "near_duplicate_of_id"))
    assert links == {first.pk: None, arrived.pk: first.pk, loaded.pk: first.pk}
    assert NearDuplicateKey.objects.filter(concern=loaded).count() == 7
