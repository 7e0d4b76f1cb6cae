"""Writes: each concern's near-duplicate keys, and its link to the concern it nearly repeats.

A concern nearly repeats another when the Jaccard index of their 5-character shingles is at least
NEAR_DUPLICATE_SIMILARITY (sketch.py); equal normalised texts score 1. Every concern of a group points at
the group's first concern (its *root*, which points at none), so a group is found in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef

from ..models import Concern, Consultation, NearDuplicateKey
from .sketch import NEAR_DUPLICATE_SIMILARITY, keys, normalise, shingles, similarity

# Candidates checked with the exact similarity, those sharing the most keys first: a bound on the work per
# concern when many concerns share a stock phrase.
MAX_CANDIDATES = 20
# In a bulk pass, only the latest concerns sharing one key are counted: each of them points at its root.
MAX_SHARING_PER_KEY = 200
BULK_BATCH = 5_000


@dataclass(frozen=True)
class _Sketch:
    shingles: np.ndarray
    keys: list[int]


def _sketch(text: str, consultation_id: int) -> _Sketch:
    hashes = shingles(text)
    return _Sketch(hashes, keys(text, hashes, scope=consultation_id))


def _most_similar(sketch: _Sketch, candidates) -> int | None:
    """The root of the candidate most similar to `sketch` (the lowest id on a tie), if similar enough.

    `candidates` are (id, shingle hashes, root id or None) tuples.
    """
    best, best_score = None, NEAR_DUPLICATE_SIMILARITY
    for pk, hashes, root in sorted(candidates, key=lambda candidate: candidate[0]):
        score = similarity(sketch.shingles, hashes) if len(sketch.shingles) else float(not len(hashes))
        if score > best_score or (best is None and score >= best_score):
            best, best_score = root or pk, score
    return best


def record_near_duplicate(*, concern: Concern) -> int | None:
    """Store the keys of `concern`'s current text and link it to the concern of its consultation it nearly repeats.

    Returns the id of that group's root, or None when the concern repeats no other. Call it when a
    concern arrives and again whenever its text changes: the keys of the old text are replaced, so
    nothing derived from removed words is kept. Atomic; five queries whatever the number of concerns.
    """
    sketch = _sketch(concern.text, concern.consultation_id)
    with transaction.atomic():
        sharing = (
            NearDuplicateKey.objects.filter(key__in=sketch.keys)
            .exclude(concern_id=concern.pk)
            .values("concern_id")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "concern_id")[:MAX_CANDIDATES]
        )
        candidates = Concern.objects.filter(pk__in=[row["concern_id"] for row in sharing]).values_list(
            "pk", "text", "near_duplicate_of_id"
        )
        root = _most_similar(sketch, [(pk, shingles(text), root) for pk, text, root in candidates])
        if root == concern.pk:  # it is the root of a group: it stays the root
            root = None
        Concern.objects.filter(pk=concern.pk).update(near_duplicate_of_id=root)
        NearDuplicateKey.objects.filter(concern_id=concern.pk).delete()
        NearDuplicateKey.objects.bulk_create(NearDuplicateKey(concern_id=concern.pk, key=key) for key in sketch.keys)
    concern.near_duplicate_of_id = root
    return root


def record_missing_near_duplicates(*, consultation: Consultation) -> int:
    """Keys and links for every concern of `consultation` that has no keys yet; returns how many it did.

    For concerns loaded in bulk (generate_demo_data) and those from before near-duplicates existed;
    the theme build runs it first. Each concern is compared with the concerns before it (by id), in
    memory: one read of the consultation's concerns, then bulk writes (COPY and one UPDATE on
    PostgreSQL). Idempotent and atomic.
    """
    has_keys = Exists(NearDuplicateKey.objects.filter(concern=OuterRef("pk")))
    rows = list(
        Concern.objects.filter(consultation=consultation)
        .annotate(has_keys=has_keys)
        .order_by("pk")
        .values_list("pk", "text", "near_duplicate_of_id", "has_keys")
    )
    if all(row[3] for row in rows):
        return 0
    ids_by_key: dict[int, list[int]] = defaultdict(list)
    shingles_by_id: dict[int, np.ndarray] = {}
    roots: dict[int, int | None] = {}
    missing: list[tuple[int, _Sketch]] = []
    # A text seen earlier in the pass (once normalised) has the same shingles and keys, and joins the group of
    # its first concern: that concern shares every key with it at similarity 1, the best any candidate can reach.
    # Bulk-loaded concerns repeat texts a lot, and this skips comparing each copy again.
    first_with_text: dict[str, tuple[int, _Sketch]] = {}
    for pk, text, root, already in rows:
        normalised = normalise(text)
        seen = first_with_text.get(normalised)
        sketch = seen[1] if seen else _sketch(text, consultation.pk)
        shingles_by_id[pk] = sketch.shingles
        if already:
            roots[pk] = root
        elif seen:
            roots[pk] = roots[seen[0]] or seen[0]
        else:
            roots[pk] = _root_among_earlier(sketch, ids_by_key, shingles_by_id, roots)
        if not already:
            missing.append((pk, sketch))
        first_with_text.setdefault(normalised, (pk, sketch))
        for key in sketch.keys:
            ids_by_key[key].append(pk)
    with transaction.atomic():
        _write_links_and_keys(
            [(pk, roots[pk]) for pk, _sketch in missing if roots[pk]],
            ((pk, key) for pk, sketch in missing for key in sketch.keys),
        )
    return len(missing)


def _write_links_and_keys(links: list[tuple[int, int]], key_rows: Iterator[tuple[int, int]]) -> None:
    """Set each (concern id, root id) link and insert the (concern id, key) rows, in the caller's transaction.

    On PostgreSQL one UPDATE from two arrays and one COPY: Django's bulk_update writes a CASE of every id per
    batch, and its bulk_create an INSERT per batch, which together took most of a 100,000-concern pass.
    """
    if connection.vendor != "postgresql":
        Concern.objects.bulk_update(
            [Concern(pk=pk, near_duplicate_of_id=root) for pk, root in links],
            ["near_duplicate_of_id"],
            batch_size=BULK_BATCH,
        )
        NearDuplicateKey.objects.bulk_create(
            (NearDuplicateKey(concern_id=pk, key=key) for pk, key in key_rows), batch_size=BULK_BATCH
        )
        return
    concerns = connection.ops.quote_name(Concern._meta.db_table)
    keys_table = connection.ops.quote_name(NearDuplicateKey._meta.db_table)
    with connection.cursor() as cursor:
        # The table names are the models' own, quoted; the values travel as parameters.
        update = (
            f"UPDATE {concerns} AS concern SET near_duplicate_of_id = link.root "  # noqa: S608  # nosec B608
            "FROM unnest(%s::bigint[], %s::bigint[]) AS link(id, root) WHERE concern.id = link.id"
        )
        cursor.execute(
            update,
            [[pk for pk, _root in links], [root for _pk, root in links]],
        )
        with cursor.copy(f"COPY {keys_table} (concern_id, key) FROM STDIN") as copy:
            for row in key_rows:
                copy.write_row(row)


def _root_among_earlier(sketch: _Sketch, ids_by_key, shingles_by_id, roots) -> int | None:
    """`record_near_duplicate`'s choice, made in memory against the concerns already seen."""
    shared: dict[int, int] = defaultdict(int)
    for key in sketch.keys:
        for other in ids_by_key.get(key, ())[-MAX_SHARING_PER_KEY:]:
            shared[other] += 1
    ranked = sorted(shared, key=lambda other: (-shared[other], other))[:MAX_CANDIDATES]
    return _most_similar(sketch, [(other, shingles_by_id[other], roots[other]) for other in ranked])
