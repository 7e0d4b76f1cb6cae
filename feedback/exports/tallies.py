"""Tally exports as tables (CSV or JSON long table, XLSX sheets): the published figures, or every exact one.

A shareable tally export holds exactly what the public results publish (`results.public`: breakdowns by
people, small groups hidden), counted on the day of the export. The exact tallies are internal, for staff
holding `feedback.export_internal`: the database counts each table once, grouped by every dimension (a
"cube"), and the breakdowns are sums of it. Either file starts with a `readme` table saying which it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from ..briefing.selectors import published_remedies
from ..community_areas import COMMUNITY_AREA_CHOICES
from ..models import Concern, Consultation, Role, Topic
from ..results import tallies as results
from ..results.public import count_published_figures, label_results
from ..results.tallies import TallyFilters, TallyRow
from .formats import FORMATS, ExportError, ProgressCallback, dataset_file
from .neutralise import neutralise, xlsx_cell
from .readme import tallies_readme

# --- Tallies -----------------------------------------------------------------------------------------

TALLY_HEADERS = ("table", "key", "label", "group_key", "group", "count", "verified")
AREA_LABELS = dict(COMMUNITY_AREA_CHOICES)
ROLE_LABELS = dict(Role.choices)
STATUS_LABELS = dict(Concern.Status.choices)


@dataclass
class TallyTable:
    """One table of the tallies: rows of (key, label, group key, group label, count).

    `verified` holds, row by row, how many of each count came from verified participants; None (for the table or
    a row) where no verified figure is given, which the files leave empty rather than write a false 0.
    """

    name: str
    rows: list[tuple[str, str, str, str, int | None]]  # a count of None: hidden (a shareable breakdown)
    verified: list[int | None] | None = None


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value)) if value else _("Not given")


def _sum_by(cube: dict[tuple, int], *positions: int, where=None) -> dict:
    """Add up a cube's counts by the key parts at `positions` (one part: plain keys)."""
    sums: dict = {}
    for key, n in cube.items():
        if where is not None and not where(key):
            continue
        part = key[positions[0]] if len(positions) == 1 else tuple(key[position] for position in positions)
        sums[part] = sums.get(part, 0) + n
    return sums


def _breakdown_rows(counts: dict, labels: dict) -> list[tuple[str, str, str, str, int]]:
    """Rows of a breakdown, largest first, "Not given" last (as the results pages order them)."""
    rows = sorted(
        ((value, _label(labels, value), n) for value, n in counts.items() if value), key=lambda r: (-r[2], r[1])
    )
    if counts.get(""):
        rows.append(("", _label(labels, ""), counts[""]))
    return [(value, label, "", "", n) for value, label, n in rows]


def tally_tables(
    consultation: Consultation, filters: TallyFilters | None = None, on_progress: ProgressCallback | None = None
) -> list[TallyTable]:
    """Every tally of the consultation, exactly, as tables, each row with its verified count beside it.

    The tables of `_counted_tables`, then the same again for verified participants only (for the
    `verified` column): about fifteen queries whatever the data.
    """
    filters = filters or TallyFilters()
    tables = _counted_tables(consultation, filters, on_progress)
    verified = {table.name: table for table in _counted_tables(consultation, replace(filters, verified_only=True))}
    for table in tables:
        counts = {(row[0], row[2]): row[4] for row in verified[table.name].rows}
        table.verified = [counts.get((row[0], row[2]), 0) for row in table.rows]
    return tables


def _counted_tables(
    consultation: Consultation, filters: TallyFilters, on_progress: ProgressCallback | None = None
) -> list[TallyTable]:
    """Every tally of the consultation, exactly, as tables; seven queries whatever the data.

    Endorsements per remedy overall, by community area and by role; concerns per topic (those
    that count: pending and approved), per topic and status (all), by status, area and role;
    per-day counts; totals. The database counts each table once, grouped by every dimension
    (`results.endorsement_cube`, `concern_cube`), and the breakdowns are sums of those exact
    counts. Remedy tables list the published remedies, in their order.
    """
    progress = on_progress or (lambda done, total: None)
    steps = 5
    remedies = list(published_remedies(consultation))
    topics = list(Topic.objects.filter(consultation=consultation))
    endorsements = results.endorsement_cube(consultation, filters)  # (remedy, area, role)
    progress(1, steps)
    participants = results.distinct_participants(consultation, filters)
    progress(2, steps)
    concerns = results.concern_cube(
        consultation, filters, topic_ids=[topic.pk for topic in topics]
    )  # (topic, status, area, role)
    progress(3, steps)
    endorsement_days, concern_days = results.export_day_counts(consultation, filters)
    progress(4, steps)

    def counted(key: tuple) -> bool:
        return key[1] in results.COUNTED_CONCERN_STATUSES

    per_remedy = _sum_by(endorsements, 0)
    remedy_by_area = _sum_by(endorsements, 0, 1)
    remedy_by_role = _sum_by(endorsements, 0, 2)
    per_topic = _sum_by(concerns, 0, where=counted)
    topic_by_status = _sum_by(concerns, 0, 1)
    by_status = _sum_by(concerns, 1)

    def per_remedy_and(counts: dict, values: Iterable[str], labels: dict) -> list[tuple[str, str, str, str, int]]:
        return [
            (remedy.key, remedy.title, value, _label(labels, value), counts[(remedy.pk, value)])
            for remedy in remedies
            for value in values
            if counts.get((remedy.pk, value))
        ]

    area_order = ["", *AREA_LABELS]
    role_order = ["", *ROLE_LABELS]
    topic_rows = [(topic.key, topic.name, "", "", per_topic.get(topic.pk, 0)) for topic in topics]
    if per_topic.get(None):
        topic_rows.append(("", _("Other"), "", "", per_topic[None]))
    topic_status_rows = [
        (topic.key if topic else "", topic.name if topic else _("Other"), status, _label(STATUS_LABELS, status), n)
        for topic in [*topics, None]
        for status in Concern.Status.values
        if (n := topic_by_status.get((topic.pk if topic else None, status)))
    ]
    days = sorted(set(endorsement_days) | set(concern_days))
    tables = [
        TallyTable(
            "totals",
            [
                ("endorsements", _("Endorsements"), "", "", sum(endorsements.values())),
                ("participants", _("Participants who endorsed"), "", "", participants),
                ("concerns", _("Concerns received"), "", "", sum(concerns.values())),
            ],
        ),
        TallyTable(
            "endorsements_per_remedy",
            [(remedy.key, remedy.title, "", "", per_remedy.get(remedy.pk, 0)) for remedy in remedies],
        ),
        TallyTable("endorsements_by_remedy_and_area", per_remedy_and(remedy_by_area, area_order, AREA_LABELS)),
        TallyTable("endorsements_by_remedy_and_role", per_remedy_and(remedy_by_role, role_order, ROLE_LABELS)),
        TallyTable("endorsements_by_area", _breakdown_rows(_sum_by(endorsements, 1), AREA_LABELS)),
        TallyTable("endorsements_by_role", _breakdown_rows(_sum_by(endorsements, 2), ROLE_LABELS)),
        TallyTable("concerns_per_topic", topic_rows),
        TallyTable("concerns_by_topic_and_status", topic_status_rows),
        TallyTable(
            "concerns_by_status",
            [
                (status, _label(STATUS_LABELS, status), "", "", by_status[status])
                for status in Concern.Status.values
                if status in by_status
            ],
        ),
        TallyTable("concerns_by_area", _breakdown_rows(_sum_by(concerns, 2, where=counted), AREA_LABELS)),
        TallyTable("concerns_by_role", _breakdown_rows(_sum_by(concerns, 3, where=counted), ROLE_LABELS)),
        TallyTable(
            "endorsements_per_day",
            [(day.isoformat(), day.isoformat(), "", "", endorsement_days.get(day, 0)) for day in days],
        ),
        TallyTable(
            "concerns_per_day", [(day.isoformat(), day.isoformat(), "", "", concern_days.get(day, 0)) for day in days]
        ),
    ]
    progress(steps, steps)
    return tables


def _cell(value, clean):
    """A count as it is, a hidden count empty, any text through `clean` (formula neutralisation)."""
    if value is None:
        return ""
    return value if isinstance(value, int) else clean(str(value))


def published_tally_tables(consultation: Consultation) -> list[TallyTable]:
    """The figures the public results publish, counted now, as tables (the shareable tally export)."""
    published = label_results(consultation, count_published_figures(consultation))

    def rows(tally_rows: list[TallyRow]) -> list[tuple[str, str, str, str, int | None]]:
        return [(row.key, row.label, "", "", None if row.suppressed else row.count) for row in tally_rows]

    def with_verified(name: str, tally_rows: list[TallyRow]) -> TallyTable:
        return TallyTable(name, rows(tally_rows), verified=[row.verified for row in tally_rows])

    # Verified figures are published for the totals, per remedy and per topic; breakdowns by community area and
    # role publish none (their verified column stays empty, as on the results page).
    return [
        TallyTable(
            "totals",
            [
                ("endorsements", _("Endorsements"), "", "", published.total_endorsements),
                ("participants", _("Participants who endorsed"), "", "", published.total_participants),
                ("concerns", _("Concerns received"), "", "", published.total_concerns),
            ],
            verified=[published.verified_endorsements, published.verified_participants, published.verified_concerns],
        ),
        with_verified("endorsements_per_remedy", published.endorsements_per_remedy),
        with_verified("concerns_per_topic", published.concerns_per_topic),
        TallyTable("participants_by_area", rows(published.participants_by_area)),
        TallyTable("participants_by_role", rows(published.participants_by_role)),
        TallyTable("concerns_by_area", rows(published.concerns_by_area)),
        TallyTable("concerns_by_role", rows(published.concerns_by_role)),
    ]


def readme_table(consultation: Consultation, *, internal: bool) -> TallyTable:
    classification = ("classification", "INTERNAL" if internal else "shareable", "", "", None)
    lines = tallies_readme(consultation=consultation, internal=internal, min_cell=settings.RESULTS_MIN_CELL)
    return TallyTable("readme", [classification, *((f"note_{n}", line, "", "", None) for n, line in enumerate(lines))])


def tally_dataset(tables: list[TallyTable]) -> tablib.Dataset:
    """All tables in one long dataset (one row per figure), every text cell neutralised."""
    dataset = tablib.Dataset(headers=list(TALLY_HEADERS), title="tallies")
    for table in tables:
        for row, verified in zip(table.rows, table.verified or [None] * len(table.rows), strict=True):
            dataset.append([_cell(value, neutralise) for value in (table.name, *row, verified)])
    return dataset


def tally_databook(tables: list[TallyTable]) -> tablib.Databook:
    """One sheet per table (sheet names are the table names, at most 31 characters), neutralised."""
    sheets = []
    for table in tables:
        sheet = tablib.Dataset(headers=list(TALLY_HEADERS[1:]), title=table.name[:31])
        for row, verified in zip(table.rows, table.verified or [None] * len(table.rows), strict=True):
            sheet.append([_cell(value, xlsx_cell) for value in (*row, verified)])
        sheets.append(sheet)
    return tablib.Databook(sheets)


def export_tally_tables(
    consultation: Consultation,
    *,
    internal: bool = False,
    filters: TallyFilters | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[TallyTable]:
    """The tables of a tally export, its readme first: the published figures, or (`internal`) every exact one.

    A shareable export takes no filter (ExportError): narrowed figures of two exports could be subtracted.
    """
    filters = filters or TallyFilters()
    if not internal and filters != TallyFilters():
        raise ExportError(
            _(
                "Shareable tallies are the published figures of the whole consultation: filters are only for "
                "exact, internal exports, which need the permission to export internal records."
            )
        )
    tables = tally_tables(consultation, filters, on_progress) if internal else published_tally_tables(consultation)
    return [readme_table(consultation, internal=internal), *tables]


def render_tallies(
    consultation: Consultation,
    fmt: str,
    filters: TallyFilters | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    internal: bool = False,
) -> bytes:
    """A tally export as a CSV, XLSX or JSON file's bytes (small: one row per figure)."""
    if fmt not in FORMATS:
        raise ExportError(_("Unknown format: %(format)s.") % {"format": fmt})
    return tallies_file(
        export_tally_tables(consultation, internal=internal, filters=filters, on_progress=on_progress), fmt
    )


def tallies_file(tables: list[TallyTable], fmt: str) -> bytes:
    """The tables as a CSV or JSON long table, or an XLSX workbook of one sheet per table."""
    if fmt == "xlsx":
        return tally_databook(tables).export("xlsx")
    return dataset_file(tally_dataset(tables), fmt)
