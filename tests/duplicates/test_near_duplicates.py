"""A concern that nearly repeats another is linked to it when it arrives, or by the bulk pass of the theme build."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.duplicates.services import record_missing_near_duplicates, record_near_duplicate
from feedback.duplicates.sketch import keys, normalise, shingles, similarity
from feedback.models import Concern, NearDuplicateKey
from feedback.participation.services import submit_concern
from tests.factories import ConcernFactory

ORIGINAL = (
    "Since the raids started my neighbours keep their children home from school on Mondays, "
    "and nobody answers the phone at the parish office any more."
)
EDITED = (
    "Since the raids started, my neighbors keep their kids home from school on Mondays, "
    "and nobody answers the phone at the parish office any more!"
)
UNRELATED = "The clinic on 26th Street is full of families who skipped their appointments for weeks."
SAME_PHRASE = "Nobody answers the phone at the parish office any more, but the food pantry is still open."


def submit(consultation, text: str) -> Concern:
    return submit_concern(
        consultation=consultation, text=text, role="resident", community_area="30", language="en"
    ).concern


def test_a_text_pasted_again_with_other_capitals_and_punctuation_is_the_same_text():
    assert normalise("¡Hola, Señora GARCÍA!!  ") == normalise("hola senora garcia")
    pasted = shingles(ORIGINAL.upper().replace(",", " ;"))
    assert similarity(shingles(ORIGINAL), pasted) == 1.0


def test_small_edits_stay_similar_and_a_shared_stock_phrase_does_not():
    assert similarity(shingles(ORIGINAL), shingles(EDITED)) >= 0.75
    assert similarity(shingles(ORIGINAL), shingles(SAME_PHRASE)) < 0.5
    assert similarity(shingles(ORIGINAL), shingles(UNRELATED)) < 0.2


def test_keys_depend_on_the_consultation_and_never_on_the_process():
    hashes = shingles(ORIGINAL)
    assert keys(ORIGINAL, hashes, scope=1) == keys(ORIGINAL, shingles(ORIGINAL), scope=1)
    assert not set(keys(ORIGINAL, hashes, scope=1)) & set(keys(ORIGINAL, hashes, scope=2))
    # Fixed values: a change to the hashing would orphan every key stored in a database.
    assert keys("abc", shingles("abc"), scope=7)[0] == keys("ABC!", shingles("ABC!"), scope=7)[0]


def test_a_concern_pasted_again_is_linked_to_the_first_when_it_arrives(briefing):
    first = submit(briefing, ORIGINAL)
    again = submit(briefing, ORIGINAL.upper())
    edited = submit(briefing, EDITED)
    unrelated = submit(briefing, UNRELATED)

    rows = dict(Concern.objects.values_list("pk", "near_duplicate_of_id"))
    assert rows == {first.pk: None, again.pk: first.pk, edited.pk: first.pk, unrelated.pk: None}


def test_every_concern_of_a_group_points_at_the_first_one(briefing):
    first = submit(briefing, ORIGINAL)
    second = submit(briefing, EDITED)
    # Nearer to the second than to the first: still linked to the group's first concern.
    third = submit(briefing, EDITED.replace("Mondays", "Tuesdays"))
    assert Concern.objects.get(pk=third.pk).near_duplicate_of_id == first.pk
    assert Concern.objects.get(pk=second.pk).near_duplicate_of_id == first.pk


def test_concerns_of_another_consultation_are_never_linked(briefing):
    other = type(briefing).objects.create(title="Other", slug="other", summary="s", source_citation="c")
    submit(briefing, ORIGINAL)
    elsewhere = submit(other, ORIGINAL)
    assert Concern.objects.get(pk=elsewhere.pk).near_duplicate_of_id is None


def test_arrival_costs_a_fixed_number_of_queries(briefing):
    for number in range(30):
        ConcernFactory(consultation=briefing, text=f"{ORIGINAL} ({number})")
    record_missing_near_duplicates(consultation=briefing)
    concern = ConcernFactory(consultation=briefing, text=EDITED, status="pending")
    with CaptureQueriesContext(connection) as queries:
        record_near_duplicate(concern=concern)
    assert len(queries) <= 7  # savepoint, keys shared, candidates, link, old keys, new keys, release


def test_a_changed_text_replaces_its_keys_and_its_link(briefing):
    first = submit(briefing, ORIGINAL)
    edited = submit(briefing, EDITED)
    before = set(NearDuplicateKey.objects.filter(concern=edited).values_list("key", flat=True))

    Concern.objects.filter(pk=edited.pk).update(text=UNRELATED)
    edited.refresh_from_db()
    record_near_duplicate(concern=edited)

    after = set(NearDuplicateKey.objects.filter(concern=edited).values_list("key", flat=True))
    assert after == set(keys(UNRELATED, shingles(UNRELATED), scope=briefing.pk))
    assert not before & after
    assert Concern.objects.get(pk=edited.pk).near_duplicate_of_id is None
    assert first.pk != edited.pk


def test_the_bulk_pass_links_concerns_loaded_without_keys_as_arrival_would(briefing):
    first = ConcernFactory(consultation=briefing, text=ORIGINAL)
    ConcernFactory(consultation=briefing, text=UNRELATED)
    edited = ConcernFactory(consultation=briefing, text=EDITED, status="pending")
    again = ConcernFactory(consultation=briefing, text=ORIGINAL.lower(), status="pending")

    assert record_missing_near_duplicates(consultation=briefing) == 4
    assert record_missing_near_duplicates(consultation=briefing) == 0  # idempotent

    rows = dict(Concern.objects.values_list("pk", "near_duplicate_of_id"))
    assert rows[edited.pk] == rows[again.pk] == first.pk
    assert list(rows.values()).count(None) == 2
    assert NearDuplicateKey.objects.filter(concern=first).count() == 7


@pytest.mark.parametrize("text", ["!!!!!!!!!!!!", "ab"])
def test_texts_with_little_or_nothing_to_compare_are_handled(briefing, text):
    first = ConcernFactory(consultation=briefing, text=text)
    second = ConcernFactory(consultation=briefing, text=text)
    record_missing_near_duplicates(consultation=briefing)
    assert Concern.objects.get(pk=second.pk).near_duplicate_of_id == first.pk
