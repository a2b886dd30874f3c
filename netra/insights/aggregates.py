"""Rebuild the public statistics' aggregate table (``insights.Aggregate``) from the ``cases`` tables.

One GROUP BY over ``cases_case`` (two ``EXISTS`` for proven / sanctioned, the definitions in
``netra.insights.stats``), bucketed by (week, month) in local time — the bucket starts at the later of the two, written in one transaction:
readers see the old rows or the new ones, never a mix. :func:`generation` (the highest row id) moves
with every rebuild, so the cached tables and rendered fragments of the old rows are no longer read.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncMonth, TruncWeek

from netra.cases.models import Case, Decision, Transition
from netra.catalog.models import ViolationGroup
from netra.insights.models import Aggregate

UNCLASSIFIED = "unclassified"


def bucket_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week, or the 1st of its month when that is later (local time)."""
    return max(day - datetime.timedelta(days=day.weekday()), day.replace(day=1))


GENERATION_SECONDS = 1.0  # how long a process reuses the generation it read
_generation: list = [None, 0.0]  # [value, monotonic time read] in this process


def generation() -> str:
    """Moves with every rebuild (ids only grow: PostgreSQL sequences, SQLite AUTOINCREMENT), the
    same in every process; part of every cache key of the tables and rendered fragments.

    Read from the database at most once a second per process (a rebuild in this process is seen
    at once, one in another within a second): a cached page is then served without a database
    round trip, nor the connection's health check that would come with one."""
    value, read_at = _generation
    if value is not None and time.monotonic() - read_at < GENERATION_SECONDS:
        return value
    value = str(Aggregate.objects.aggregate(last=Max("id"))["last"] or 0)
    _generation[:] = [value, time.monotonic()]
    return value


def rebuild() -> int:
    """Replace every aggregate row; returns how many rows were written."""
    known = set(ViolationGroup.objects.values_list("code", flat=True))
    rows = (
        Case.objects.exclude(status=Case.Status.MERGED)
        .order_by()
        .alias(
            _proven=Exists(Transition.objects.filter(case=OuterRef("pk"), to_state=Case.Status.AWAITING_DECISION)),
            _sanctioned=Exists(Decision.objects.filter(case=OuterRef("pk"), annulled_at__isnull=True)),
        )
        .annotate(week=TruncWeek("created_at"), month=TruncMonth("created_at"))
        .values("election_id", "region_id", "recommendation__violations", "week", "month")
        .annotate(
            n_reports=Count("pk"),
            n_proven=Count("pk", filter=Q(_proven=True)),
            n_sanctioned=Count("pk", filter=Q(_sanctioned=True)),
        )
    )
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows.iterator(chunk_size=5000):
        groups = row["recommendation__violations"] or []
        violation = groups[0] if groups and groups[0] in known else UNCLASSIFIED
        cell = cells[(row["election_id"], row["region_id"], violation, max(row["week"].date(), row["month"].date()))]
        cell[0] += row["n_reports"]
        cell[1] += row["n_proven"]
        cell[2] += row["n_sanctioned"]
    objects = [
        Aggregate(
            election_id=election,
            region_id=region,
            violation=violation,
            bucket=bucket,
            reports=n[0],
            proven=n[1],
            sanctioned=n[2],
        )
        for (election, region, violation, bucket), n in cells.items()
    ]
    with transaction.atomic():
        Aggregate.objects.all().delete()
        Aggregate.objects.bulk_create(objects, batch_size=2000)
    _generation[:] = [None, 0.0]
    return len(objects)
