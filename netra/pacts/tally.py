"""Coverage counters kept exact in the writers' transactions (issue #11: p95 < 100 ms at 100 000
employees). The coverage page reads a few rows per OPD from ``CoverageTally`` instead of counting
the roster, the signatures and the attendances on every request.

*How every write keeps them exact.* A write that can change who counts wraps itself in
``tracked(employee_ids=…)`` (or ``tracked(agency_id=…)`` for a roster import): the employees are
locked (``SELECT … FOR UPDATE``, in id order), their contribution is counted straight from the
source tables before and after the write, and only the difference is added to the counters
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, so two writers of one OPD never lose an
increment). The counting is the same code for every path (sign, revoke, roster import incl. "mark
absent as left", unit move, active flag, status change, check-in, attendance import, roster ticks,
event cancel or election change), so no path computes its own delta.

What is *not* in the counters, because it is applied when they are read: the campaign's target
(OPDs, statuses: the counters are per OPD and status), which campaign is current, the agency's
active flag, and the circulars (a few rows per OPD, counted directly).

``rebuild()`` recounts an agency (or all) from scratch under the same locks; ``manage.py
reconcile_coverage`` reports and fixes any difference (none is expected: a test drives random
writes through every path and compares every figure with straight counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q

from netra.pacts.models import Employee, PactSignature
from netra.pacts.outreach_models import CoverageTally, EventAttendance

Key = tuple[int, str, str, str]  # unit, status, kind, ref (campaign id, election code or "")
EMPLOYEES = CoverageTally.Kind.EMPLOYEES.value
SIGNED = CoverageTally.Kind.SIGNED.value
REACHED = CoverageTally.Kind.REACHED.value
CHUNK = 500  # ids per IN (...) list


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _scope(prefix: str, *, ids: list[int] | None = None, agency_id: int | None = None, unit_agency_id=None) -> Q:
    condition = Q(**{f"{prefix}active": True, f"{prefix}unit__isnull": False})
    if ids is not None:
        condition &= Q(**{f"{prefix}pk__in": ids})
    if agency_id is not None:
        condition &= Q(**{f"{prefix}agency_id": agency_id})
    if unit_agency_id is not None:
        condition &= Q(**{f"{prefix}unit__agency_id": unit_agency_id})
    return condition


def count(**scope) -> Counter[Key]:
    """The counters the employees in ``scope`` contribute, counted straight from the source tables."""
    counted: Counter[Key] = Counter()
    for unit_id, status, n in (
        Employee.objects.filter(_scope("", **scope))
        .values("unit_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit_id", "status", "n")
    ):
        counted[(unit_id, status, EMPLOYEES, "")] += n
    # One live signature per (campaign, employee) (a unique constraint): COUNT is exact.
    for unit_id, status, campaign_id, n in (
        PactSignature.objects.filter(_scope("employee__", **scope), revoked_at=None)
        .values("employee__unit_id", "employee__status", "campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("employee__unit_id", "employee__status", "campaign_id", "n")
    ):
        counted[(unit_id, status, SIGNED, str(campaign_id))] += n
    attended = EventAttendance.objects.filter(_scope("employee__", **scope), event__cancelled_at__isnull=True)
    for unit_id, status, n in (
        attended.values("employee__unit_id", "employee__status")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
        .values_list("employee__unit_id", "employee__status", "n")
    ):
        counted[(unit_id, status, REACHED, "")] += n
    for unit_id, status, election_id, n in (
        attended.filter(event__election__isnull=False)
        .values("employee__unit_id", "employee__status", "event__election_id")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
        .values_list("employee__unit_id", "employee__status", "event__election_id", "n")
    ):
        counted[(unit_id, status, REACHED, election_id)] += n
    return counted


def _count_ids(ids: list[int]) -> Counter[Key]:
    total: Counter[Key] = Counter()
    for chunk in _chunks(ids):
        total.update(count(ids=chunk))  # a partition of the employees: the distinct counts add up
    return total


def _lock(*, ids: list[int] | None = None, agency_id: int | None = None, unit_agency_id: int | None = None) -> None:
    """Lock the employees (in id order, so two writers never deadlock) until the transaction ends."""
    if ids is not None:
        for chunk in _chunks(ids):
            list(Employee.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk").values_list("pk"))
        return
    qs = Employee.objects.select_for_update(of=("self",))
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if unit_agency_id is not None:
        qs = qs.filter(unit__agency_id=unit_agency_id)
    list(qs.order_by("pk").values_list("pk"))


def add(delta: dict[Key, int]) -> None:
    """Add ``delta`` to the counters (upsert: a missing row is created, a present one incremented)."""
    rows = [(unit, status, kind, ref, n) for (unit, status, kind, ref), n in delta.items() if n]
    if not rows:
        return
    table = connection.ops.quote_name(CoverageTally._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            part = rows[start : start + 200]
            cursor.execute(
                f"INSERT INTO {table} (unit_id, status, kind, ref, n) VALUES "  # noqa: S608 -- our table name
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
                + f" ON CONFLICT (unit_id, status, kind, ref) DO UPDATE SET n = {table}.n + excluded.n",
                [value for row in part for value in row],
            )


@contextmanager
def tracked(*, employee_ids: Iterable[int] | None = None, agency_id: int | None = None) -> Iterator[None]:
    """Keep the counters exact across a write to these employees (or every employee of an agency).

    Runs inside the caller's transaction; the employees stay locked until it ends. Nothing is
    added when the block raises."""
    if not connection.in_atomic_block:
        raise RuntimeError("tally.tracked() must run inside transaction.atomic()")
    if employee_ids is not None:
        ids = sorted({int(pk) for pk in employee_ids})
        _lock(ids=ids)
        before = _count_ids(ids)
        yield
        after = _count_ids(ids)
    else:
        _lock(agency_id=agency_id)
        before = count(agency_id=agency_id)
        yield
        after = count(agency_id=agency_id)
    add({key: after[key] - before[key] for key in after.keys() | before.keys()})


def stored(*, unit_agency_id: int | None = None) -> Counter[Key]:
    qs = CoverageTally.objects.all()
    if unit_agency_id is not None:
        qs = qs.filter(unit__agency_id=unit_agency_id)
    return Counter(
        {(u, s, k, r): n for u, s, k, r, n in qs.values_list("unit_id", "status", "kind", "ref", "n").iterator() if n}
    )


def rebuild(agency_id: int | None = None) -> dict[Key, tuple[int, int]]:
    """Recount the counters of an agency's OPDs (or of all) from the source tables and store them.

    Returns the differences found {key: (stored, counted)} — empty when they were exact."""
    with transaction.atomic():
        _lock(unit_agency_id=agency_id)  # waits for writers in flight; blocks new ones until this commits
        fresh = count(unit_agency_id=agency_id)
        old = stored(unit_agency_id=agency_id)
        differences = {key: (old[key], fresh[key]) for key in old.keys() | fresh.keys() if old[key] != fresh[key]}
        if differences:
            add({key: counted - was for key, (was, counted) in differences.items()})
    return differences
