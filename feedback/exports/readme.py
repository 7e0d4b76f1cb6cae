"""What every export file says about itself: shareable or internal, and the rule its figures or records follow.

XLSX files carry these lines in a `readme` sheet, JSON files as a top-level `readme`, tally files as rows of a
`readme` table; a record CSV starts each row with its classification, and its readme travels beside it (the
export's page in the admin, or `PATH.readme.txt` from `export_records`).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Consultation
from .anonymity import Generalisation


def _heading(consultation: Consultation, what: str) -> str:
    labels = {"concerns": _("Approved concerns"), "endorsements": _("Endorsements"), "tallies": _("Tallies")}
    return _("civictrust · %(what)s of “%(consultation)s”, exported on %(day)s.") % {
        "what": labels[what],
        "consultation": consultation.title,
        "day": timezone.localdate().isoformat(),
    }


def records_readme(*, consultation: Consultation, what: str, generalisation: Generalisation | None) -> list[str]:
    """The readme of a record export; `generalisation` None means an exact, internal file."""
    lines = [_heading(consultation, what)]
    if generalisation is None:
        lines += [
            _(
                "INTERNAL: exact records, for staff allowed to see them. Do not share this file outside "
                "civictrust: its small groups may identify people."
            ),
        ]
    else:
        k = generalisation.k
        lines += [
            _(
                "Shareable: no combination of day, community area and role in this file is held by fewer than "
                "%(k)d people (distinct participants for endorsements; concerns for concerns)."
            )
            % {"k": k},
            _(
                "Where fewer than %(k)d people shared one, their details were generalised step by step until at "
                "least %(k)d did: the day became its week (written like 2026-W49), then the role was replaced by "
                "“not shown”, then the community area, then both. Records still shared by fewer than %(k)d people "
                "within their week are left out."
            )
            % {"k": k},
            _(
                "Of %(total)d records, %(kept)d are in this file: %(week)d show the week instead of the day, "
                "%(role)d show no role and %(area)d no community area; %(left_out)d are left out."
            )
            % {
                "total": generalisation.rows_total,
                "kept": generalisation.rows_kept,
                "week": generalisation.rows_by_week,
                "role": generalisation.rows_without_role,
                "area": generalisation.rows_without_area,
                "left_out": generalisation.rows_left_out,
            },
            _(
                "A shareable export always covers the whole consultation, with no filter or selection, so that two "
                "exports cannot be compared to single someone out."
            ),
        ]
    lines += [
        _(
            "Rows are sorted by what they show (the day or week, then the remedy or topic), never by time, so their "
            "order tells nothing about who did what, or together."
        ),
        _(
            "No file holds a contact email, a participant id, a receipt or a report. Text a spreadsheet would run "
            "as a formula starts with an apostrophe."
        ),
    ]
    return lines


def tallies_readme(*, consultation: Consultation, internal: bool, min_cell: int) -> list[str]:
    """The readme of a tally export: the published figures (shareable) or every exact figure (internal)."""
    lines = [_heading(consultation, "tallies")]
    if internal:
        lines.append(
            _(
                "INTERNAL: every exact figure, including small groups that may identify people. Do not share this "
                "file outside civictrust."
            )
        )
    else:
        lines.append(
            _(
                "Shareable: the figures the public results page and API publish, counted on the day of the export. "
                "Totals per remedy and per topic are exact. Breakdowns by community area and role count people "
                "(distinct participants; concerns for concerns); a group of fewer than %(k)d people has no count, "
                "and when it alone would be hidden, the next smallest is hidden with it."
            )
            % {"k": min_cell}
        )
    return lines
