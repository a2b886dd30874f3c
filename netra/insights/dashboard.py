"""The staff dashboard's figures, in the user's case scope only (``orgs.selectors.case_scope``).

The counts are sums over the cube's cells in the scope (``netra.insights.cube``: per election,
region and agency, so another agency's numbers never reach a user who may not read its cases);
what moves with the clock (overdue, ageing, the step times' 365-day window) is read from cells
per day in the cube; the repeated subjects and the step times from the cube's own rows
(``DashSubject``, ``DashStep``: nothing here reads the ``cases`` tables). Staff figures are not suppressed (the user may
open each case). Cached per (case scope, filters, day, cube version) (:func:`cached`): a change
applied to the cube is seen at once.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from netra.cases.models import Case
from netra.cases.selectors import ACTIVE_STATES, scoped_cases
from netra.catalog.models import ElectionPhase, Region, SanctionType, ViolationGroup
from netra.insights import cube
from netra.insights.models import DashStep, DashSubject
from netra.insights.stats import UNCLASSIFIED, parse_period
from netra.orgs.models import Agency
from netra.orgs.selectors import Scope, case_scope

AGE_BUCKETS = ((0, 7), (8, 30), (31, 90), (91, None))
WEEKS = 26


@dataclass(frozen=True)
class Filters:
    election: str | None = None
    period: str | None = None
    region: str | None = None
    agency: int | None = None


def cases(user, filters: Filters, scope: Scope | None = None) -> QuerySet[Case]:
    """The scoped cases under the filters; ``scope``: the user's case scope when already computed."""
    scoped = (
        scoped_cases(user)
        if scope is None
        else Case.objects.filter(scope.q(agency_field="agency", region_field="region"))
    )
    qs = scoped.exclude(status=Case.Status.MERGED).order_by()
    if filters.election:
        qs = qs.filter(election_id=filters.election)
    if bounds := parse_period(filters.period):
        qs = qs.filter(created_at__date__gte=bounds[0], created_at__date__lt=bounds[1])
    if filters.region:
        qs = qs.filter(Q(region=filters.region) | Q(region__code__startswith=filters.region + "."))
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    return qs


def _scope_key(scope: Scope) -> str:
    signature = f"{scope.everything}|{sorted(scope.agency_ids)}|{sorted(scope.region_prefixes)}"
    return hashlib.sha256(signature.encode()).hexdigest()[:24]


def cached(scope: Scope, filters: Filters, what: str, compute, version: int = 0):
    """``compute()`` cached per (case scope, filters, day, cube version) for ``NETRA_DASHBOARD_CACHE_SECONDS``
    (default 60): users with the same scope share it; a user never reads another scope's figures."""
    seconds = int(getattr(settings, "NETRA_DASHBOARD_CACHE_SECONDS", 60))
    if seconds <= 0:
        return compute()
    raw = f"{_scope_key(scope)}|{timezone.localdate()}|{filters}|{version}"
    key = f"netra.insights.dash:{what}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"
    if (value := cache.get(key)) is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def figures(
    user,
    filters: Filters,
    *,
    today: datetime.date | None = None,
    scope: Scope | None = None,
    places: list[tuple[str, int, int]] | None = None,
) -> dict:
    """Counts from the cube (``netra.insights.cube``: exact, as of its last refresh). What moves
    with the clock: ageing from the open cases per creation day (the cube's ``a`` cells of the
    last 90 days; older = active minus those) and overdue = active cases with a due date minus
    those not yet due (the ``e`` cells due today or later). The repeated subjects: the NIPs of
    ``DashSubject`` named in two cases or more in the scope (the name: the latest case's). ``places``: ``cube.place_sums`` when the
    caller already has it (the page's filter choices, when no filter is set)."""
    today = today or timezone.localdate()
    scope = case_scope(user) if scope is None else scope
    labels = dict(Case.Status.choices)
    start, end, weeks = _weekly_span(filters, today)
    oldest = today - datetime.timedelta(days=AGE_BUCKETS[-1][0] - 1)
    # One query: the per-value dimensions and three windows of cells keyed by a day (ISO dates
    # compare as strings). Buckets never straddle a week or a month: a bucket in [start, end)
    # (Mondays) or in the period (1st of a month) holds exactly the cases created there.
    bounds = parse_period(filters.period)
    counted = cube.value_sums(
        scope,
        filters,
        windows={
            "e": (filters.period or "", today, None),  # active, due today or later: "YYYY-MM-DD|state"
            "a": ("", *_within(oldest, today + datetime.timedelta(days=1), bounds)),  # ageing
            "w": ("", *_within(start, end, bounds)),  # the weekly chart
        },
    )
    by_state_raw, dated = counted["s"], counted["d"]
    not_due: Counter[str] = Counter()
    for value, n in counted["e"].items():
        not_due[value.partition("|")[2]] += n
    by_state = [
        {"code": code, "label": labels[code], "n": by_state_raw.get(code, 0)}
        for code in Case.Status.values
        if code != Case.Status.MERGED
    ]
    total = sum(by_state_raw.get(code, 0) for code in Case.Status.values if code != Case.Status.MERGED)
    active = sum(by_state_raw.get(code, 0) for code in ACTIVE_STATES)
    overdue = [
        {
            "code": code,
            "label": labels[code],
            "n": dated.get(code, 0) - not_due.get(code, 0),
            "active": by_state_raw.get(code, 0),
        }
        for code in ACTIVE_STATES
    ]
    # Ageing: the open cases by creation day, from the cube (dim "a": only the last 90 days are read).
    young: Counter[int] = Counter()
    for created, n in counted["a"].items():
        age = (today - datetime.date.fromisoformat(created)).days
        young[next(i for i, (low, high) in enumerate(AGE_BUCKETS) if high is None or age <= high)] += n
    ageing = [
        {"low": low, "high": high, "n": young[i] if high is not None else active - sum(young.values())}
        for i, (low, high) in enumerate(AGE_BUCKETS)
    ]
    groups = dict(ViolationGroup.objects.values_list("code", "name_id"))
    violation_counts: Counter[str] = Counter()
    for code, n in counted["v"].items():
        violation_counts[code if code in groups else UNCLASSIFIED] += n
    by_violation = [
        {"code": code, "label": name, "n": violation_counts.get(code, 0)} for code, name in groups.items()
    ] + [{"code": UNCLASSIFIED, "label": None, "n": violation_counts.get(UNCLASSIFIED, 0)}]
    region_counts: Counter[str] = Counter()
    agency_counts: Counter[int] = Counter()
    for region_code, agency_id, n in cube.place_sums(scope, filters) if places is None else places:
        region_counts[region_code] += n
        agency_counts[agency_id] += n
    top_regions = sorted(region_counts.items(), key=lambda item: (-item[1], item[0]))[:20]
    region_names = dict(Region.objects.filter(code__in=[code for code, _ in top_regions]).values_list("code", "name"))
    by_region = [{"code": code, "label": region_names.get(code, code), "n": n} for code, n in top_regions]
    agency_rows = sorted(agency_counts.items(), key=lambda item: (-item[1], item[0]))[:20]
    agency_names = dict(Agency.objects.filter(pk__in=[a for a, _ in agency_rows if a]).values_list("pk", "name"))
    by_agency = [{"id": a or None, "label": agency_names.get(a) if a else None, "n": n} for a, n in agency_rows]
    by_unit = [
        {"unit": unit, "n": n} for unit, n in sorted(counted["u"].items(), key=lambda item: (-item[1], item[0]))[:10]
    ]
    repeat = repeat_subjects(scope, filters)
    sanction_names = dict(SanctionType.objects.values_list("code", "name_id"))
    sanctions = [
        {"code": code, "label": sanction_names.get(code, code), "n": n}
        for code, n in sorted(counted["x"].items(), key=lambda item: (-item[1], item[0]))
    ]
    by_monday: Counter[datetime.date] = Counter()
    for bucket, n in counted["w"].items():
        day = datetime.date.fromisoformat(bucket)
        by_monday[day - datetime.timedelta(days=day.weekday())] += n
    weekly = []
    for i in range(weeks):
        monday = start + datetime.timedelta(weeks=i)
        weekly.append({"week": monday, "n": by_monday.get(monday, 0)})
    phases = list(
        ElectionPhase.objects.filter(
            start__lt=end, end__gte=start, kind__in=["campaign", "quiet", "voting"]
        ).select_related("election")
    )
    return {
        "total": total,
        "active": active,
        "overdue_total": sum(row["n"] for row in overdue),
        "by_state": by_state,
        "overdue": overdue,
        "ageing": ageing,
        "by_violation": by_violation,
        "by_region": by_region,
        "by_agency": by_agency,
        "by_unit": by_unit,
        "repeat_subjects": repeat,
        "sanctions": sanctions,
        "weekly": weekly,
        "weekly_start": start,
        "weekly_end": end,
        "phases": phases,
    }


def _weekly_span(filters: Filters, today: datetime.date) -> tuple[datetime.date, datetime.date, int]:
    """The weekly chart's [start, end) (Mondays) and its number of weeks: the last ``WEEKS``, or
    the election's own span — four weeks before its campaign to two weeks after the counting."""
    weeks = WEEKS
    start = today - datetime.timedelta(weeks=WEEKS - 1, days=today.weekday())
    if filters.election:
        span = ElectionPhase.objects.filter(election_id=filters.election, kind__in=["campaign", "counting"])
        bounds = [p.start for p in span] + [p.end for p in span]
        if bounds:
            first = min(bounds) - datetime.timedelta(weeks=4)
            start = first - datetime.timedelta(days=first.weekday())
            weeks = max(1, ((max(bounds) + datetime.timedelta(weeks=2)) - start).days // 7 + 1)
    return start, start + datetime.timedelta(weeks=weeks), weeks


def _within(
    low: datetime.date, high: datetime.date, bounds: tuple[datetime.date, datetime.date] | None
) -> tuple[datetime.date, datetime.date]:
    """[low, high) cut to the period's [first day, day after) when there is one."""
    return (max(low, bounds[0]), min(high, bounds[1])) if bounds else (low, high)


def repeat_subjects(scope: Scope, filters: Filters, top: int = 10) -> list[dict]:
    """The NIPs named in more than one case of the scope (most cases first, then by NIP), with the
    name given in the latest of those cases (empty when none was). Reads ``DashSubject``'s rows of
    NIPs named in two cases or more anywhere (its partial index)."""
    subjects = cube.rows(DashSubject, scope, filters).filter(repeated=True)
    rows = list(
        subjects.values("nip")
        .annotate(n=Count("case_id"))
        .filter(n__gt=1)
        .order_by("-n", "nip")
        .values_list("nip", "n")[:top]
    )
    names: dict[str, str] = {}
    for nip, name in (
        subjects.filter(nip__in=[nip for nip, _ in rows])
        .exclude(name="")
        .order_by("nip", "-case_id")
        .values_list("nip", "name")
    ):
        names.setdefault(nip, name)
    return [{"nip": nip, "n": n, "name": names.get(nip, "")} for nip, n in rows]


# States whose time is held against a statutory deadline (cases.deadlines.DEFAULT_SLAS).
STEP_SLA: dict[str, str] = {
    Case.Status.RECEIVED: "intake",
    Case.Status.CHECKING: "verification",
    Case.Status.VERIFICATION: "verification",
    Case.Status.AWAITING_DECISION: "decision",
}
STEP_WINDOW_DAYS = 365


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def step_times(user, filters: Filters, *, today: datetime.date | None = None, scope: Scope | None = None) -> dict:
    """Median and 90th percentile of the days spent in each workflow step (one step = the time from
    entering a state to the next move), and the PPK's decisions within the 14 working days.

    The steps of the scoped cases created in the filter's period, or entered in the last
    ``STEP_WINDOW_DAYS`` days (local dates) without one: ``DashStep``'s rows (the cube keeps
    them), the finished steps' days for the quantiles and the PPK's steps counted per (day
    entered, day left, next state), two queries.
    """
    from netra.cases.deadlines import DEFAULT_SLAS
    from netra.cases.models import DeadlinePolicy
    from netra.catalog.calendar import WorkingCalendar

    today = today or timezone.localdate()
    scope = case_scope(user) if scope is None else scope
    steps = cube.rows(DashStep, scope, filters)
    if not filters.period:
        steps = steps.filter(entered__gte=today - datetime.timedelta(days=STEP_WINDOW_DAYS))
    spent: dict[str, list[float]] = {}
    for state, days in steps.filter(days__isnull=False).values_list("state", "days").iterator(chunk_size=10000):
        spent.setdefault(state, []).append(days)
    calendar = WorkingCalendar()
    deadlines: dict[datetime.date, datetime.date] = {}
    decided = in_time = waiting = waiting_late = 0
    decision_days = DEFAULT_SLAS["decision"].days or 14
    ppk = (
        steps.filter(state=Case.Status.AWAITING_DECISION)
        .values("entered", "left_on", "next_state")
        .annotate(n=Count("*"))
        .values_list("entered", "left_on", "next_state", "n")
    )
    for entered, left, next_state, n in ppk:
        if (deadline := deadlines.get(entered)) is None:  # a few hundred distinct days at most
            deadline = deadlines[entered] = calendar.add_working_days(entered, decision_days)
        if next_state == Case.Status.DECIDED and left is not None:
            decided += n
            in_time += n if left <= deadline else 0
        elif left is None:
            waiting += n
            waiting_late += n if today > deadline else 0
    labels = dict(Case.Status.choices)
    rows = []
    for state in Case.Status.values:
        values = spent.get(state, [])
        if not values:
            continue
        sla = DEFAULT_SLAS.get(STEP_SLA.get(state, ""))
        rows.append(
            {
                "code": state,
                "label": labels[state],
                "n": len(values),
                "median": _quantile(values, 0.5),
                "p90": _quantile(values, 0.9),
                "sla_days": sla.days if sla else None,
                "sla_unit": str(dict(DeadlinePolicy.Unit.choices)[sla.unit]) if sla else "",
            }
        )
    ppk_figures = {
        "decided": decided,
        "in_time": in_time,
        "waiting": waiting,
        "waiting_late": waiting_late,
        "in_time_percent": round(100 * in_time / decided, 1) if decided else None,
    }
    return {"steps": rows, "ppk": ppk_figures}
