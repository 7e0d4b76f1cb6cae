"""Which labels staff edited survive a rebuild of the themes. Pure: no models.

A rebuild finds new groups. An edited label moves to the new theme that clearly continues the old one:
the two are each other's best match and share at least half their concerns (Jaccard index), counting
only the concerns both builds saw, so concerns that arrived since, or were rejected since, do not
dilute a theme that otherwise stayed the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Share of their concerns an old and a new theme must have in common for the old label to carry over.
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class PreviousTheme:
    label: str
    concern_ids: frozenset[int]
    edited: bool


def _overlap(first: frozenset[int], second: frozenset[int]) -> float:
    either = len(first | second)
    return len(first & second) / either if either else 0.0


def carried_labels(previous: Sequence[PreviousTheme], new: Sequence[Sequence[int]]) -> dict[int, str]:
    """{index in `new`: the edited label it keeps} for each new theme that clearly continues an edited one.

    Deterministic; each edited label goes to at most one new theme and each new theme gets at most one.
    """
    old_seen = frozenset().union(*(theme.concern_ids for theme in previous)) if previous else frozenset()
    new_sets = [frozenset(ids) for ids in new]
    new_seen = frozenset().union(*new_sets) if new_sets else frozenset()
    both_saw = old_seen & new_seen
    old_common = [theme.concern_ids & both_saw for theme in previous]
    new_common = [ids & both_saw for ids in new_sets]

    def best_new(old_index: int) -> tuple[float, int]:
        return max(((_overlap(old_common[old_index], n), -i) for i, n in enumerate(new_common)), default=(0.0, 0))

    def best_old(new_index: int) -> int:
        scores = [(_overlap(o, new_common[new_index]), -i) for i, o in enumerate(old_common)]
        return -max(scores)[1]

    carried: dict[int, str] = {}
    for old_index, theme in enumerate(previous):
        if not theme.edited:
            continue
        score, negative_index = best_new(old_index)
        new_index = -negative_index
        if score >= MIN_OVERLAP and best_old(new_index) == old_index and new_index not in carried:
            carried[new_index] = theme.label
    return carried
