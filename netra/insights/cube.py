"""The staff dashboard's cube: exact case counts per (period, dimension, election, region, agency, value).

Each case (merged ones aside) is one ``CaseFact`` row — what it adds to the cells — and counts
once in every cell its facts name (:func:`cells_of`). Database triggers (``triggers.py``) mark a
case dirty on every write that may change its figures; :func:`refresh` takes the dirty ids,
computes their facts again from the ``cases`` tables, subtracts the old facts' cells, adds the
new ones (one upsert per batch) and replaces the snapshots, all in one transaction, serialized by
the ``DashState`` row. So the counts stay equal to straight COUNTs over ``cases`` whatever wrote
the change (tested with random moves, bulk updates and deletions). :func:`rebuild` computes
everything from scratch (``rebuild_insights --full``).

When: after every committed move (``cases.signals.case_transitioned``) the first committer of
each second applies the backlog once its answer is sent (``apps._count_soon``); the dashboard
applies what is left before reading (at most ``REFRESH_LIMIT``; a larger backlog — a bulk
import — is counted after its answer and by the scheduler's ``rebuild_insights``, and the page
says so); the page shows when the
figures were last brought up to date. Read with :func:`value_sums`, :func:`place_sums`,
:func:`cells`.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Count, Exists, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from netra.cases.models import Case, Decision, Subject, Transition
from netra.insights.aggregates import UNCLASSIFIED, bucket_of
from netra.insights.models import CaseFact, DashCell, DashState, DashStep, DashSubject, DirtyCase
from netra.insights.stats import parse_period
from netra.turns import writer_turn

ACTIVE = frozenset(s for s in Case.Status.values if s not in Case.TERMINAL_STATES)
SEP = "\x1f"
REFRESH_LIMIT = 500  # dirty markers one dashboard request applies before reading, at most
BACKGROUND_LIMIT = 5000  # … and one after-response turn (apps._count_soon)
BATCH = 2000

Key = tuple[str, str, str, str, int, str]  # period, dim, election, region, agency, value
Fact = tuple[str, str, int, str, datetime.date, datetime.date | None, str, str, str]  # CaseFact's fields after case_id
FIELDS = ("election", "region", "agency", "status", "day", "due", "violation", "sanctions", "units")
SUBJECT_FIELDS = ("case_id", "nip", "name", "repeated", "election", "region", "agency", "day")
STEP_FIELDS = ("case_id", "state", "entered", "days", "next_state", "left_on", "election", "region", "agency", "day")


def periods(day: datetime.date) -> tuple[str, str, str]:
    return "", f"{day.year:04d}", f"{day.year:04d}-{day.month:02d}"


def cells_of(fact: Fact) -> Iterable[Key]:
    election, region, agency, status, day, due, violation, sanctions, units = fact
    for period in periods(day):
        base = (period, election, region, agency)
        yield (period, "s", election, region, agency, status)
        yield (period, "v", election, region, agency, violation)
        if due is not None and status in ACTIVE:
            yield (period, "d", election, region, agency, status)
            yield (period, "e", election, region, agency, f"{due.isoformat()}|{status}")
        for code in sanctions.split(SEP) if sanctions else ():
            yield (period, "x", *base[1:], code)
        for unit in units.split(SEP) if units else ():
            yield (period, "u", *base[1:], unit)
    yield ("", "w", election, region, agency, bucket_of(day).isoformat())
    if status in ACTIVE:
        yield ("", "a", election, region, agency, day.isoformat())


def facts(case_ids: Iterable[int] | None = None) -> dict[int, Fact]:
    """The current facts of the given cases (every case when None); merged or missing cases have none."""
    cases = Case.objects.exclude(status=Case.Status.MERGED).order_by()
    decisions = Decision.objects.filter(annulled_at__isnull=True).order_by()
    subjects = Subject.objects.exclude(unit="").order_by()
    if case_ids is not None:
        ids = list(case_ids)
        cases, decisions, subjects = (
            cases.filter(pk__in=ids),
            decisions.filter(case_id__in=ids),
            subjects.filter(case_id__in=ids),
        )
    sanctions: dict[int, list[str]] = defaultdict(list)
    for case_id, code in decisions.values_list("case_id", "sanction_type_id").iterator(chunk_size=10000):
        sanctions[case_id].append(code)
    units: dict[int, set[str]] = defaultdict(set)
    for case_id, unit in subjects.values_list("case_id", "unit").iterator(chunk_size=10000):
        units[case_id].add(unit)
    out: dict[int, Fact] = {}
    rows = cases.annotate(day=TruncDate("created_at")).values_list(
        "pk", "election_id", "region_id", "agency_id", "status", "day", "due_date", "recommendation__violations"
    )
    for pk, election, region, agency, status, day, due, violations in rows.iterator(chunk_size=10000):
        first = violations[0] if violations else None
        out[pk] = (
            election or "",
            region,
            agency or 0,
            status,
            day,
            due,
            first if isinstance(first, str) and first else UNCLASSIFIED,
            SEP.join(sorted(sanctions.get(pk, ()))),
            SEP.join(sorted(units.get(pk, ()))),
        )
    return out


def subject_rows(everything: dict[int, Fact], case_ids: Iterable[int] | None = None) -> list[tuple]:
    """``DashSubject`` rows (``repeated`` False) of the cases whose facts are given: one per case
    and NIP, with the first non-empty name given with it in that case."""
    subjects = Subject.objects.exclude(nip__isnull=True).exclude(nip="").order_by("case_id", "pk")
    if case_ids is not None:
        subjects = subjects.filter(case_id__in=list(case_ids))
    names: dict[tuple[int, str | None], str] = {}
    for case_id, nip, name in subjects.values_list("case_id", "nip", "name").iterator(chunk_size=10000):
        if case_id in everything and not names.get((case_id, nip)):
            names[(case_id, nip)] = name or ""
    out = []
    for (case_id, nip), name in names.items():
        election, region, agency, _status, day, *_rest = everything[case_id]
        out.append((case_id, nip, name, False, election, region, agency, day))
    return out


def step_rows(everything: dict[int, Fact], case_ids: Iterable[int] | None = None) -> list[tuple]:
    """``DashStep`` rows of the cases whose facts are given: each transition (by time, then id)
    and what followed it in the same case — the days until the next one, its state and local date."""
    transitions = Transition.objects.order_by("case_id", "at", "pk")
    if case_ids is not None:
        transitions = transitions.filter(case_id__in=list(case_ids))
    out: list[tuple] = []
    previous: tuple[int, datetime.datetime] | None = None
    for case_id, state, at in transitions.values_list("case_id", "to_state", "at").iterator(chunk_size=10000):
        if case_id not in everything:
            continue
        entered = timezone.localtime(at).date()
        if previous is not None and previous[0] == case_id:
            days = (at - previous[1]).total_seconds() / 86400
            out[-1] = (*out[-1][:3], days, state, entered, *out[-1][6:])
        election, region, agency, _status, day, *_rest = everything[case_id]
        out.append((case_id, state, entered, None, "", None, election, region, agency, day))
        previous = (case_id, at)
    return out


def _write_subjects(ids: set[int] | None, rows: list[tuple]) -> None:
    """Replace the subject rows of ``ids`` (all when None) and set ``repeated`` on their NIPs."""
    table = DashSubject._meta.db_table
    if ids is None:
        per_nip = Counter(row[1] for row in rows)
        rows = [(*row[:3], per_nip[row[1]] > 1, *row[4:]) for row in rows]
        _insert_or_copy(table, SUBJECT_FIELDS, rows)
        return
    touched = set(DashSubject.objects.filter(case_id__in=ids).values_list("nip", flat=True))
    touched |= {row[1] for row in rows}
    DashSubject.objects.filter(case_id__in=ids).delete()
    _insert(table, ", ".join(SUBJECT_FIELDS), rows)
    if touched:
        nips = sorted(touched)
        counts = dict(
            DashSubject.objects.filter(nip__in=nips).values("nip").annotate(n=Count("case_id")).values_list("nip", "n")
        )
        DashSubject.objects.filter(nip__in=[n for n in nips if counts.get(n, 0) > 1], repeated=False).update(
            repeated=True
        )
        DashSubject.objects.filter(nip__in=[n for n in nips if counts.get(n, 0) <= 1], repeated=True).update(
            repeated=False
        )


def _insert_or_copy(table: str, fields: tuple[str, ...], rows: list[tuple]) -> None:
    if connection.vendor != "postgresql":
        _insert(table, ", ".join(fields), rows)
        return
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _lock(*, wait: bool = True) -> DashState | None:
    """The state row, locked: refreshers and rebuilds take turns on it. ``wait=False``: None at
    once when another holds it (PostgreSQL; SQLite's writers already take turns)."""
    DashState.objects.get_or_create(pk=1)
    return DashState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()


def _bump(state: DashState) -> None:
    state.version += 1
    state.refreshed_at = timezone.now()
    state.save(update_fields=["version", "refreshed_at"])


CELL_COLUMNS = "period, dim, election, region, agency, value, n"
UPSERT = "ON CONFLICT (period, dim, election, region, agency, value) DO UPDATE SET n = {table}.n + excluded.n"


def _insert(table: str, columns: str, rows: list[tuple], suffix: str = "") -> None:
    """INSERT many rows: on PostgreSQL one statement per 5 000 rows with the rows as one JSON
    parameter (``json_populate_recordset`` over the table's row type), ``executemany`` on SQLite
    (one prepared statement, no round trips).

    A ``VALUES`` list of placeholders cost more than the counting itself: psycopg binds on the
    client and splits a query text of thousands of ``%s`` in Python every time (too long for its
    cache), about half of a dashboard refresh's CPU (issue #14, bench/profile_intake.py --phases).
    """
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            one = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {one} {suffix}", rows)  # noqa: S608
            return
        names = [name.strip() for name in columns.split(",")]
        statement = (
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 (our own table and columns)
            f"FROM json_populate_recordset(NULL::{table}, %s) {suffix}"
        )
        for start in range(0, len(rows), 5000):
            chunk = [dict(zip(names, row, strict=True)) for row in rows[start : start + 5000]]
            cursor.execute(statement, [json.dumps(chunk, default=_json_value)])


def _json_value(value: Any) -> str:
    if isinstance(value, datetime.date):  # dates (and datetimes) as ISO text, which PostgreSQL reads back
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _upsert(deltas: dict[Key, int]) -> None:
    table = DashCell._meta.db_table
    _insert(table, CELL_COLUMNS, [(*key, n) for key, n in deltas.items() if n], UPSERT.format(table=table))


def _insert_facts(rows: Iterable[tuple]) -> None:
    _insert(CaseFact._meta.db_table, f"case_id, {', '.join(FIELDS)}", list(rows))


def refresh(limit: int | None = None, *, wait: bool = True) -> int:
    """Apply the dirty markers (at most ``limit``; all when None); returns how many were applied.

    ``wait=False`` (the after-response turns of web requests): leave at once when a rebuild or
    another refresher holds the state row; they, the next turn or the scheduler count the rest.
    Waiting there held a web worker for as long as the scheduler's rebuild ran: on a loaded box
    all of them, and intake answered nothing for seconds (issue #14, bench/load.py).
    """
    applied = 0
    while limit is None or applied < limit:
        size = BATCH if limit is None else min(BATCH, limit - applied)
        with writer_turn(), transaction.atomic():
            state = _lock(wait=wait)
            if state is None:
                return applied
            marks = list(DirtyCase.objects.order_by("pk").values_list("pk", "case_id")[:size])
            if not marks:
                if state.refreshed_at is None:
                    _bump(state)
                return applied
            ids = {case_id for _, case_id in marks}
            old = {row[0]: tuple(row[1:]) for row in CaseFact.objects.filter(pk__in=ids).values_list("pk", *FIELDS)}
            new = facts(ids)
            deltas: Counter[Key] = Counter()
            for case_id in ids:
                before, after = old.get(case_id), new.get(case_id)
                if before == after:
                    continue
                for key in cells_of(before) if before else ():
                    deltas[key] -= 1
                for key in cells_of(after) if after else ():
                    deltas[key] += 1
            _upsert(deltas)
            changed = [case_id for case_id in ids if old.get(case_id) != new.get(case_id)]
            CaseFact.objects.filter(pk__in=changed).delete()
            _insert_facts((case_id, *new[case_id]) for case_id in changed if case_id in new)
            _write_subjects(ids, subject_rows(new, ids))
            DashStep.objects.filter(case_id__in=ids).delete()
            _insert(DashStep._meta.db_table, ", ".join(STEP_FIELDS), step_rows(new, ids))
            DirtyCase.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
            _bump(state)
            applied += len(marks)
    return applied


def rebuild() -> int:
    """Count every case from scratch (one transaction); returns the number of cells."""
    with writer_turn(), transaction.atomic():
        state = cast(DashState, _lock())  # waits for it
        last = DirtyCase.objects.order_by("-pk").values_list("pk", flat=True).first()
        everything = facts()
        cells: Counter[Key] = Counter()
        for fact in everything.values():
            for key in cells_of(fact):
                cells[key] += 1
        subjects, steps = subject_rows(everything), step_rows(everything)
        DashCell.objects.all().delete()
        CaseFact.objects.all().delete()
        DashSubject.objects.all().delete()
        DashStep.objects.all().delete()
        _write_subjects(None, subjects)
        _insert_or_copy(DashStep._meta.db_table, STEP_FIELDS, steps)
        if connection.vendor == "postgresql":
            _copy(cells, everything)
        else:
            _upsert(cells)
            _insert_facts((case_id, *fact) for case_id, fact in everything.items())
        if last is not None:
            DirtyCase.objects.filter(pk__lte=last).delete()  # later marks: changes after these facts were read
        _bump(state)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The old rows are dead tuples until a vacuum: the page's "anything pending?" and the
        # refresh's first read would walk them (a million after the first rebuild).
        with connection.cursor() as cursor:
            for table in (DirtyCase, CaseFact, DashCell, DashSubject, DashStep):
                cursor.execute(f"VACUUM (ANALYZE) {table._meta.db_table}")
    return len(cells)


def _copy(cells: Counter[Key], everything: dict[int, Fact]) -> None:
    """PostgreSQL: write the cells and the snapshots with COPY (a million rows in seconds)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {DashCell._meta.db_table} ({CELL_COLUMNS}) FROM STDIN") as copy:
            for key, n in cells.items():
                copy.write_row((*key, n))
        with raw.copy(f"COPY {CaseFact._meta.db_table} (case_id, {', '.join(FIELDS)}) FROM STDIN") as copy:
            for case_id, fact in everything.items():
                copy.write_row((case_id, *fact))


def state() -> Any:
    """The state row, with ``pending``: are there changes not yet counted (one query)."""
    found: Any = DashState.objects.filter(pk=1).annotate(pending=Exists(DirtyCase.objects.all())).first()
    if found is None:
        found = DashState(pk=1)
        found.pending = pending()
    return found


def pending() -> bool:
    return DirtyCase.objects.exists()


# --- reading ------------------------------------------------------------------------------------


def region_q(code: str, field: str = "region") -> Q:
    """The region ``code`` or any under it. PostgreSQL: ``LIKE 'code.%'`` (the cells' pattern_ops
    index serves it whatever the collation); SQLite: the same strings as a range (its ``LIKE``
    ignores case and no index serves it; ``.`` + 1 is ``/``, and SQLite compares bytes)."""
    if connection.vendor == "sqlite":
        return Q(**{field: code}) | Q(**{f"{field}__gte": code + ".", f"{field}__lt": code + "/"})
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def _scope_parts(scope) -> list[Q]:
    """``scope_q``'s alternatives, one by one (none: nothing in the scope)."""
    parts = [Q(agency__in=sorted(scope.agency_ids))] if scope.agency_ids else []
    return parts + [region_q(prefix) for prefix in scope.region_prefixes]


def scope_q(scope) -> Q:
    """``orgs.selectors.Scope.q`` for the cube's plain columns (agency id, region code)."""
    if scope.everything:
        return Q()
    condition = Q(pk__in=[])
    for part in _scope_parts(scope):
        condition |= part
    return condition


def cells(scope, filters, dim: str | tuple[str, ...], *, period: str | None = None) -> QuerySet[DashCell]:
    """The cells of one dimension (or several) in the scope, under the dashboard's filters."""
    qs = DashCell.objects.filter(scope_q(scope), period=(filters.period or "") if period is None else period)
    qs = qs.filter(dim__in=dim) if isinstance(dim, tuple) else qs.filter(dim=dim)
    return _filtered(qs, filters).order_by()


def _filtered(qs: QuerySet[DashCell], filters) -> QuerySet[DashCell]:
    """``qs`` under the dashboard's election, region and agency filters."""
    if filters.election:
        qs = qs.filter(election=filters.election)
    if filters.region:
        qs = qs.filter(region_q(filters.region))
    if filters.agency:
        qs = qs.filter(agency=filters.agency)
    return qs


def sums(scope, filters, dim: str, by: str = "value", *, top: int | None = None, **kwargs) -> list[tuple]:
    """``[(by, n)]`` summed over the cells; the ``top`` largest (ties by key) when given."""
    qs = cells(scope, filters, dim, **kwargs).values(by).annotate(total=Sum("n")).filter(total__gt=0)
    if top is not None:
        qs = qs.order_by("-total", by)[:top]
    return list(qs.values_list(by, "total"))


VALUE_DIMS = ("s", "d", "v", "u", "x")


Window = tuple[str, datetime.date, datetime.date | None]  # period, first day, day after (None: open)


def value_sums(scope, filters, windows: dict[str, Window] | None = None) -> dict[str, dict[str, int]]:
    """``{dim: {value: n}}`` for every per-value dimension in one query; ``windows``: dimensions
    keyed by a day (``e``, ``a``, ``w``) read in the same query, the cells of that period whose
    value (an ISO date first) lies in [first day, day after)."""
    windows = windows or {}
    reads = [Q(period=filters.period or "", dim__in=VALUE_DIMS)]
    for dim, (period, low, high) in windows.items():
        part = Q(period=period, dim=dim, value__gte=low.isoformat())
        if high is not None:
            part &= Q(value__lt=high.isoformat())
        reads.append(part)
    # Each read AND each alternative of the scope, OR-ed (the same rows as the scope AND the
    # reads): every branch then has its period, dimension and agency or region for an index, so
    # a province reads its own cells, not every agency's (PostgreSQL, 1 M cases: 16 -> 8 ms).
    branches = reads if scope.everything else [part & read for part in _scope_parts(scope) for read in reads]
    condition = Q(pk__in=[])
    for branch in branches:
        condition |= branch
    qs = _filtered(DashCell.objects.filter(condition), filters)
    out: dict[str, dict[str, int]] = {dim: {} for dim in (*VALUE_DIMS, *windows)}
    for dim, value, n in (
        qs.order_by().values("dim", "value").annotate(total=Sum("n")).values_list("dim", "value", "total")
    ):
        if n:
            out[dim][value] = n
    return out


def place_sums(scope, filters) -> list[tuple[str, int, int]]:
    """``[(region, agency, n)]``: the cases per region and agency (agency 0: none), one query."""
    qs = cells(scope, filters, "s").values("region", "agency").annotate(total=Sum("n")).filter(total__gt=0)
    return list(qs.values_list("region", "agency", "total"))


def rows(model, scope, filters) -> QuerySet:
    """The rows of ``DashSubject`` or ``DashStep`` in the scope, under the dashboard's filters
    (the period: the case's creation day)."""
    qs = model.objects.filter(scope_q(scope))
    if filters.election:
        qs = qs.filter(election=filters.election)
    if bounds := parse_period(filters.period):
        qs = qs.filter(day__gte=bounds[0], day__lt=bounds[1])
    if filters.region:
        qs = qs.filter(region_q(filters.region))
    if filters.agency:
        qs = qs.filter(agency=filters.agency)
    return qs.order_by()
