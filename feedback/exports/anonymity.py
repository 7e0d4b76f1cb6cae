"""k-anonymity of record exports: no day, community area and role in a shared file is held by fewer than k people.

The quasi-identifiers of a record are its day, community area and role; k is RESULTS_MIN_CELL. The records
are first grouped into *cells* of equal (day, area, role), counted in people: distinct participants for
endorsements, concerns for concerns. A cell of at least k people is shown as it is. The others are
generalised step by step, each step regrouping only what is still too small:

1. the day becomes its ISO week (2026-W49);
2. then the role is not shown;
3. then the community area is not shown, the role shown again;
4. then neither is shown;

and whatever still holds fewer than k people in its week is left out of the file. People are counted exactly
at every step: a participant whose endorsements fall in two small cells of one week counts once in that week.
Nothing is pooled across weeks, so what a file shows of one week depends on that week's records alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from ..models import Concern, Consultation
from ..results.rolled_up import endorsement_day_cells
from ..results.tallies import TallyFilters, filtered_concerns, filtered_endorsements

# How a generalised area or role is marked (no area or role code is "*").
NOT_SHOWN = "*"
# Sort keys of a shown day: its date (a week: its Monday) as YYYYMMDD; ties go to the day before the week.
DAY, WEEK = 0, 1

Cell = tuple[date, str, str]  # (day, community area, role)


@dataclass(frozen=True)
class Shown:
    """What the file shows for a cell: a day or its week, and an area and role code or NOT_SHOWN."""

    day: str
    day_sort: int
    day_level: int
    community_area: str
    role: str


@dataclass
class CellCount:
    # Exact below k; from k on, only known to be at least k.
    people: int
    rows: int
    # The people of a cell too small to show as it is (participant ids, or concern ids); empty for big cells.
    members: frozenset = frozenset()


@dataclass
class Generalisation:
    """Where every cell goes (absent: left out), and how many rows each step touched, for the file's readme."""

    k: int
    shown: dict[Cell, Shown] = field(default_factory=dict)
    rows_total: int = 0
    rows_kept: int = 0
    rows_by_week: int = 0
    rows_without_role: int = 0
    rows_without_area: int = 0

    @property
    def rows_left_out(self) -> int:
        return self.rows_total - self.rows_kept


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _monday_sort(day: date) -> int:
    monday = date.fromisocalendar(*day.isocalendar()[:2], 1)
    return int(monday.strftime("%Y%m%d"))


Step = Callable[[date, str, str], Shown]
STEPS: tuple[Step, ...] = (
    lambda d, a, r: Shown(d.isoformat(), int(d.strftime("%Y%m%d")), DAY, a, r),
    lambda d, a, r: Shown(iso_week(d), _monday_sort(d), WEEK, a, r),
    lambda d, a, r: Shown(iso_week(d), _monday_sort(d), WEEK, a, NOT_SHOWN),
    lambda d, a, r: Shown(iso_week(d), _monday_sort(d), WEEK, NOT_SHOWN, r),
    lambda d, a, r: Shown(iso_week(d), _monday_sort(d), WEEK, NOT_SHOWN, NOT_SHOWN),
)


def generalise(cells: dict[Cell, CellCount], k: int) -> Generalisation:
    """Decide what each cell shows so that every shown combination holds at least `k` people (see the module)."""
    result = Generalisation(k=k, rows_total=sum(count.rows for count in cells.values()))
    remaining = list(cells)
    for number, step in enumerate(STEPS):
        groups: dict[Shown, list[Cell]] = defaultdict(list)
        for cell in remaining:
            groups[step(*cell)].append(cell)
        remaining = []
        for shown, members in groups.items():
            if number == 0:
                people = cells[members[0]].people
            else:
                people = len(frozenset().union(*(cells[cell].members for cell in members)))
            if people >= k:
                for cell in members:
                    result.shown[cell] = shown
            else:
                remaining.extend(members)
    for cell, shown in result.shown.items():
        rows = cells[cell].rows
        result.rows_kept += rows
        result.rows_by_week += rows if shown.day_level == WEEK else 0
        result.rows_without_role += rows if shown.role == NOT_SHOWN else 0
        result.rows_without_area += rows if shown.community_area == NOT_SHOWN else 0
    return result


def _day(value) -> date:
    """A day as the database returns it (a date on PostgreSQL, text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def endorsement_cells(consultation: Consultation, filters: TallyFilters, k: int) -> dict[Cell, CellCount]:
    """Every (day, area, role) cell of the endorsements, in people and rows, in one query.

    A participant endorses a remedy once, so a cell holds at least as many people as its most endorsed remedy
    has endorsements there: the roll-ups (the same ones the file's records are summed from, in the same
    snapshot) settle every cell where that is k or more. Only the others are counted in people from the raw
    rows, and the database sends back the participant ids of the cells smaller than k alone, so neither the
    grouping nor memory grows with the endorsements of the big cells. A cell's `people` is then exact below k
    and at least k above.
    """
    per_remedy = (
        endorsement_day_cells(consultation, filters)
        .values("day", "community_area", "role", "remedy_id")
        .annotate(n=Sum("endorsements"))
        .values_list("day", "community_area", "role", "n")
    )
    raw = (
        filtered_endorsements(consultation, filters)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day", "community_area", "role", "participant")
    )
    per_remedy_sql, per_remedy_params = per_remedy.query.sql_with_params()
    raw_sql, raw_params = raw.query.sql_with_params()
    same_cell = "{0}.day = c.day AND {0}.community_area = c.community_area AND {0}.role = c.role"
    # Every piece is the ORM's SQL or fixed text; the values are the ORM's and k, bound.
    sql = (
        f"WITH per_remedy (day, community_area, role, n) AS ({per_remedy_sql}), "  # noqa: S608  # nosec B608
        "c AS (SELECT day, community_area, role, MAX(n) AS at_least, SUM(n) AS n FROM per_remedy "
        "GROUP BY day, community_area, role), "
        "t AS (SELECT DISTINCT e.day, e.community_area, e.role, e.participant "
        f"FROM ({raw_sql}) AS e JOIN c ON c.at_least < %s AND {same_cell.format('e')}), "
        "counted AS (SELECT day, community_area, role, COUNT(*) AS people FROM t GROUP BY day, community_area, role) "
        # A cell the roll-ups hold and the raw rows do not (drift) has nobody in it to show.
        "SELECT c.day, c.community_area, c.role, "
        "CAST(CASE WHEN c.at_least < %s THEN COALESCE(counted.people, 0) ELSE c.at_least END AS bigint), c.n, "
        "t.participant "
        f"FROM c LEFT JOIN counted ON {same_cell.format('counted')} "
        f"LEFT JOIN t ON counted.people < %s AND {same_cell.format('t')}"
    )
    cells: dict[Cell, CellCount] = {}
    small: dict[Cell, set] = defaultdict(set)
    with connection.cursor() as cursor, _hash_joins(cursor):
        cursor.execute(sql, [*per_remedy_params, *raw_params, k, k, k])
        for day, area, role, people, rows, participant in cursor.fetchall():
            cell = (_day(day), area, role)
            cells[cell] = CellCount(people=people, rows=int(rows))
            if participant is not None:
                small[cell].add(participant)
    for cell, members in small.items():
        cells[cell].members = frozenset(members)
    return cells


@contextmanager
def _hash_joins(cursor):
    """On PostgreSQL, join the raw rows to the few cells they are counted for by hashing those cells.

    The planner cannot estimate how many rows a day computed from a timestamp matches, and takes a sort of
    every endorsement for the cheaper plan: three times slower at a million.
    """
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('enable_mergejoin')")
    (before,) = cursor.fetchone()
    cursor.execute("SET LOCAL enable_mergejoin = off")
    try:
        yield
    finally:
        if not connection.needs_rollback:
            cursor.execute("SELECT set_config('enable_mergejoin', %s, true)", [before])


def concern_cells(consultation: Consultation, filters: TallyFilters, k: int) -> dict[Cell, CellCount]:
    """Every (day, area, role) cell of the approved concerns, in one query: each concern is one person."""
    grouped = (
        filtered_concerns(consultation, filters)
        .filter(status=Concern.Status.APPROVED)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day", "community_area", "role")
        .annotate(n=Count("pk"))
    )
    cells = {}
    for day, area, role, n in grouped:
        cell = (_day(day), area, role)
        # Concerns of different cells are different concerns: a cell's members only need to be distinct.
        cells[cell] = CellCount(
            people=n, rows=n, members=frozenset((cell, i) for i in range(n)) if n < k else frozenset()
        )
    return cells
