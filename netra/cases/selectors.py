"""Read queries for cases. Every staff list goes through the one scope rule of ``netra.orgs``.

``cases_for(user, ...)`` is the only way a staff face lists cases; ``case_for(user, pk)`` the
only way it opens one (Http404 outside scope — an outsider learns nothing, not even that the
case exists).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce, Substr
from django.http import Http404

from netra.cases.models import Case, Report, Subject, Transition
from netra.cases.search import number_q, search_cases
from netra.compiled import shaped_instances, shaped_statement, shaped_values

Status = Case.Status
ACTIVE_STATES = tuple(s for s in Status.values if s not in Case.TERMINAL_STATES)
PAGE_SIZE = 50
# Characters of the report text shown under a queue row (one line; the case page has the rest).
PREVIEW_CHARS = 140


# --- reporter-facing --------------------------------------------------------------------------


def public_timeline(case: Case) -> list[dict]:
    """The steps a reporter sees: this case's transitions and, once merged, the surviving case's after the merge.

    Only the state, its label, the time and the note written for the reporter — never who acted.
    """
    steps = list(Transition.objects.filter(case=case).order_by("at", "pk"))
    current, seen = case, {case.pk}
    while current.status == Case.Status.MERGED and current.merged_into_id and current.merged_into_id not in seen:
        merged_at = next((s.at for s in reversed(steps) if s.to_state == Case.Status.MERGED), None)
        current = cast(Case, current.merged_into)  # merged_into_id checked by the loop
        seen.add(current.pk)
        later = Transition.objects.filter(case=current).order_by("at", "pk")
        if merged_at is not None:
            later = later.filter(at__gte=merged_at)
        steps.extend(later)
    labels = dict(Case.Status.choices)
    return [
        {
            "status": step.to_state,
            "label": str(labels.get(step.to_state, step.to_state)),
            "at": step.at,
            "note": step.public_note,
        }
        for step in steps
    ]


def reports_of_case(case: Case):
    """The submissions of a case, including those of cases merged into it (one query)."""
    # An IN over the case and its merged ones, each an index lookup: a UNION ALL, not one OR
    # (SQLite reads `id = x OR merged_into_id = x` by scanning the whole merged_into index:
    # 24 ms at 100 000 cases, 0.1 ms as two lookups).
    cases = Case.objects.order_by().filter(pk=case.pk).values("pk")
    merged = Case.objects.order_by().filter(merged_into_id=case.pk).values("pk")
    return Report.objects.filter(case_id__in=cases.union(merged, all=True))


# --- staff: scoped lists ----------------------------------------------------------------------


def scoped_cases(user) -> QuerySet[Case]:
    """Every case the user may read (no other filter)."""
    # The one scope rule, plus the cases referred to the user's agencies while referred (scope.py).
    from netra.cases.scope import cases_q

    return Case.objects.filter(cases_q(user))


def scope_regions_and_agencies(user) -> set[tuple[str, int | None]]:
    """The (region, agency) pairs of the user's cases: the queue's filter choices. A DISTINCT over
    the whole scope (a million rows for a national one), so kept a minute per scope."""
    import hashlib

    from django.core.cache import cache

    qs = scoped_cases(user).order_by().values_list("region", "agency").distinct()
    try:
        key = "netra.cases.scope_pairs:" + hashlib.sha256(str(qs.query).encode()).hexdigest()
    except EmptyResultSet:  # an empty scope
        return set()
    if (kept := cache.get(key)) is not None:
        return set(kept)
    pairs: set[tuple[str, int | None]] = set(qs)
    # Kept only for a big scope (a small one is cheap to ask, and changes show at once).
    if scoped_cases(user).order_by().values("pk")[:COUNT_CACHE_MIN].count() >= COUNT_CACHE_MIN:
        cache.set(key, sorted(pairs, key=lambda pair: (pair[0] or "", pair[1] or 0)), COUNT_CACHE_SECONDS)
    return pairs


def cases_for(
    user,
    *,
    status: str | None = None,
    region: str | None = None,
    violation: str | None = None,
    due: str | None = None,
    assigned_to=None,
    search: str | None = None,
    election: str | None = None,
    agency: int | None = None,
    received_from: datetime.date | None = None,
    received_to: datetime.date | None = None,
) -> QuerySet[Case]:
    """The queue: the user's cases, filtered, what needs attention first (``attention`` annotated,
    and ``preview``: the start of the first report's text).

    ``status``: a state code, ``"active"`` (every non-terminal state) or None (all).
    ``region``: a region code; the region and everything under it.
    ``violation``: a catalogue group code among the recommendation's proven violations.
    ``due``: ``"overdue"``, ``"due_soon"`` (not yet overdue) or ``"due"`` (either).
    ``assigned_to``: a user; only their cases.
    ``search``: a case number, part of a subject's name, a NIP, or words of the report text
    (``netra.cases.search``: ranked, best first).
    ``election``: an election code. ``agency``: an agency id (within the scope only: another
    agency's id matches nothing). ``received_from`` / ``received_to``: the case's received
    (created) day, both ends included, in the local time zone.
    """
    today, soon = attention_dates()
    return (
        _filtered(
            user,
            status=status,
            region=region,
            violation=violation,
            due=due,
            assigned_to=assigned_to,
            search=search,
            election=election,
            agency=agency,
            received_from=received_from,
            received_to=received_to,
        )
        .annotate(attention=_attention(today, soon), preview=_preview(), has_control_action=_has_control_action())
        .select_related(*QUEUE_RELATED)
        .prefetch_related("subjects")
        .order_by(*queue_order(searched=bool((search or "").strip())))
    )


QUEUE_RELATED = ("agency", "region", "assigned_to", "referred_to")  # what a queue row shows of its case


def listed_subjects() -> Prefetch:
    """The cases' subjects as a plain list on each case, ``case.listed_subjects`` (the queue's page
    rows, the home panels): a plain ``prefetch_related("subjects")`` builds a filtered queryset
    for every case to hold its list (~50 µs a case: 5 ms for a panel of 100)."""
    return Prefetch("subjects", to_attr="listed_subjects")


def queue_order(*, searched: bool = False) -> tuple:
    """The queue's order: what needs attention first; a search, best match first (equal ones: newest first)."""
    if searched:
        return (F("search_rank").desc(), "-pk")
    return ("attention", F("due_date").asc(nulls_last=True), "created_at", "pk")


# --- the queue's pages: keyset (cursor) paging, no OFFSET -----------------------------------------

NON_NEW_ACTIVE = tuple(state for state in ACTIVE_STATES if state != Status.RECEIVED)


@dataclass
class QueuePage:
    """One page of the queue: its rows, and the cursors of the pages before and after it.

    ``all_rows``: the whole filtered list (a lazy queryset, never evaluated by the page; built
    only when asked: building it costs ~4 ms of Python)."""

    rows: list[Case]
    next_cursor: str | None
    previous_cursor: str | None
    list_of: Callable[[], QuerySet[Case]]

    @property
    def all_rows(self) -> QuerySet[Case]:
        return self.list_of()

    @property
    def object_list(self) -> list[Case]:
        return self.rows

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def _buckets(today: datetime.date, soon: datetime.date) -> list[tuple[int, Q]]:
    """The attention groups of ``_attention`` as filters, in queue order: each one is read by an
    index in (due date, received, id) order, so a page never sorts the whole scope."""
    active = Q(status__in=NON_NEW_ACTIVE)
    return [
        (ATTENTION_NEW, Q(status=Status.RECEIVED)),
        (ATTENTION_OVERDUE, active & Q(due_date__lt=today)),
        (ATTENTION_DUE_SOON, active & Q(due_date__gte=today, due_date__lte=soon)),
        # Two parts (each one index range; an OR of them is not): the later dates, then the undated.
        (ATTENTION_OPEN, active & Q(due_date__gt=soon)),
        (ATTENTION_OPEN, active & Q(due_date__isnull=True)),
        (ATTENTION_DONE, ~Q(status__in=ACTIVE_STATES)),
    ]


def encode_queue_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_queue_cursor(text: str | None, *, searched: bool) -> list | None:
    """The cursor's values, or None for a missing or broken one (the first page then)."""
    if not text or len(text) > 200:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if searched:
            rank, pk = values
            return [float(rank), int(pk)]
        bucket, due, created, pk = values
        return [
            int(bucket),
            datetime.date.fromisoformat(due) if due else None,
            datetime.datetime.fromisoformat(created),
            int(pk),
        ]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def _after_in_bucket(due, created, pk, *, reverse: bool) -> Q:
    """Rows after (``reverse``: before) (due date nulls last, received, id) inside one group."""
    same_due = Q(due_date__isnull=True) if due is None else Q(due_date=due)
    if not reverse:
        # After a dated row come the later dates and every undated row; after an undated one, nothing else.
        other_due = Q(pk__in=[]) if due is None else Q(due_date__gt=due) | Q(due_date__isnull=True)
        same = Q(created_at__gt=created) | Q(created_at=created, pk__gt=pk)
    else:
        other_due = Q(due_date__isnull=False) if due is None else Q(due_date__lt=due)
        same = Q(created_at__lt=created) | Q(created_at=created, pk__lt=pk)
    return other_due | same_due & same


def queue_page(
    user, *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE, **filters
) -> QueuePage:
    """A page of ``cases_for(user, **filters)`` after (or before) a cursor, in queue order.

    Without a search: one statement finds the page's ids — for each attention group (new,
    overdue, due soon, open, done) its next ``size + 1`` rows in (due date, received, id) order
    after the cursor, as one ``UNION ALL`` (each part an index range with a LIMIT: no OFFSET,
    no sort of the whole scope) — and one more reads those rows with everything the queue shows.
    With a search: best match first, the cursor is (rank, id).
    """
    searched = bool((filters.get("search") or "").strip())

    def list_of() -> QuerySet[Case]:
        return cases_for(user, **filters)

    reverse = before is not None and after is None
    cursor = decode_queue_cursor(before if reverse else after, searched=searched)
    if cursor is None:
        reverse = False
    if searched:
        rows = _searched_page(list_of(), cursor, size + 1, reverse=reverse)
    else:
        rows = _bucket_page(user, filters, cursor, size + 1, reverse=reverse)
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
    if not rows:
        return QueuePage([], None, None, list_of)

    def key(case: Any) -> str:  # annotated: search_rank, attention
        if searched:
            return encode_queue_cursor([case.search_rank, case.pk])
        return encode_queue_cursor(
            [case.attention, case.due_date.isoformat() if case.due_date else None, case.created_at.isoformat(), case.pk]
        )

    if reverse:  # came back from a later page: there is one after; one before if more were found
        has_previous, has_next = more, True
    else:
        has_previous, has_next = cursor is not None, more
    return QueuePage(rows, key(rows[-1]) if has_next else None, key(rows[0]) if has_previous else None, list_of)


def _searched_page(base: QuerySet[Case], cursor, limit: int, *, reverse: bool) -> list[Case]:
    qs = base.order_by(F("search_rank").desc(), "-pk") if not reverse else base.order_by(F("search_rank").asc(), "pk")
    if cursor is not None:
        rank, pk = cursor
        if reverse:
            qs = qs.filter(Q(search_rank__gt=rank) | Q(search_rank=rank, pk__gt=pk))
        else:
            qs = qs.filter(Q(search_rank__lt=rank) | Q(search_rank=rank, pk__lt=pk))
    return list(qs[:limit])


def _bucket_page(user, filters: dict, cursor, limit: int, *, reverse: bool) -> list[Case]:
    from django.db import connection

    today, soon = attention_dates()
    # The scope as its parts (scope.cases_q_parts): one agency, one region, one receiving agency
    # each, found by an index already in (due date, received, id) order (case_*_order_idx), so
    # each group's next rows are an index range with a LIMIT. An OR of them (or a scope of too
    # many parts: one part, unordered) is found by its own indexes and sorted (a few thousand
    # rows); walking the due-date index in order would pass over everybody else's cases first.
    # Only a national scope walks that one (COALESCE(x, x) is the same value, but no index's order).
    from netra.cases.scope import cases_q, cases_q_parts

    reaches: list[tuple[Q | None, bool]] = [(None, True)]  # the system, a national or an empty scope: as it is
    if user is not None and (scope_parts := cases_q_parts(user)):
        reaches = list(scope_parts)
    buckets = _buckets(today, soon)
    if reverse:
        buckets.reverse()
    status = filters.get("status")
    named = {name: filters.get(name) for name in _FILTER_NAMES}

    def build(*after) -> tuple[str, list[Any]] | None:
        """The page statement, ``after`` the cursor's (due date unless undated, received, id)."""
        after_q = None
        if cursor is not None:
            due_at, (created_at, pk) = (None, after) if cursor[1] is None else (after[0], after[1:])
            after_q = _after_in_bucket(due_at, created_at, pk, reverse=reverse)
        parts: list[str] = []
        params: list[Any] = []
        for reach, ordered in reaches:
            plain = _filtered(user, reach=reach, **named).order_by()
            due: Any = F("due_date") if ordered else Coalesce("due_date", "due_date")
            due_order = due.asc(nulls_last=True) if not reverse else due.desc(nulls_first=True)
            order = (due_order, "created_at", "pk") if not reverse else (due_order, "-created_at", "-pk")
            for bucket, condition in buckets:
                if not _bucket_may_hold(bucket, status):
                    continue  # the planner does not see that "active" and "done" exclude each other
                qs = plain.filter(condition)
                if cursor is not None:
                    at = cursor[0]
                    if (bucket < at and not reverse) or (bucket > at and reverse):
                        continue
                    if bucket == at:
                        qs = qs.filter(after_q)
                try:
                    sql, part = (
                        qs.annotate(bucket=Value(bucket, output_field=IntegerField()))
                        .order_by(*order)
                        .values_list("bucket", "due_date", "created_at", "pk")[:limit]
                        .query.sql_with_params()
                    )
                except EmptyResultSet:  # an empty scope: nothing to ask
                    continue
                parts.append(f"SELECT * FROM ({sql}) q{len(parts)}")  # noqa: S608 -- Django's own compiled SQL
                params.extend(part)
        return (" UNION ALL ".join(parts), params) if parts else None

    # Compiled once per shape (netra.compiled): the scope's parts, the filters, the day, the
    # cursor's group; the cursor's values are put in (~1 ms of Python a part otherwise).
    after_values: tuple = ()
    if cursor is not None:
        after_values = tuple(cursor[2:]) if cursor[1] is None else tuple(cursor[1:])
    key = (
        "queue_buckets",
        repr(reaches),
        repr(cases_q(user)) if reaches == [(None, True)] and user is not None else "",
        repr(sorted((name, getattr(value, "pk", value)) for name, value in named.items())),
        today,
        soon,
        reverse,
        limit,
        None if cursor is None else (cursor[0], cursor[1] is None),
    )
    statement = shaped_statement(key, build, after_values)
    if statement is None:
        return []
    with connection.cursor() as db:
        db.execute(*statement)
        found = list(  # parts may overlap (a case of the agency, in the region): each case once
            {
                int(pk): (
                    int(b),
                    datetime.date.fromisoformat(due) if isinstance(due, str) else due,
                    _aware(created),
                    int(pk),
                )
                for b, due, created, pk in db.fetchall()
            }.values()
        )
    # The queue order (the reverse when going back); the page is the first ``limit`` rows.
    found.sort(key=lambda r: (r[0], r[1] is None, r[1] or datetime.date.min, r[2], r[3]), reverse=reverse)
    ids = [row[3] for row in found[:limit]]
    # Every id came from a part of the scope under the filters: read by id with what the queue
    # shows (``cases_for``'s columns), not through the scope and the filters again (~2 ms of Python).
    # Compiled once per number of rows and day (netra.compiled); the subjects read after, as a list.
    if not ids:
        return []

    def read(*pks):
        return (
            Case.objects.filter(pk__in=list(pks))
            .annotate(attention=_attention(today, soon), preview=_preview(), has_control_action=_has_control_action())
            .select_related(*QUEUE_RELATED)
        )

    cases = shaped_instances(("queue_rows", len(ids), today, soon), read, ids)
    prefetch_related_objects(cases, listed_subjects())
    rows = {case.pk: case for case in cases}
    return [rows[pk] for pk in ids if pk in rows]


def _bucket_may_hold(bucket: int, status: str | None) -> bool:
    """Whether cases of the ``status`` filter can be in that attention group."""
    if not status:
        return True
    if status == "active":
        return bucket != ATTENTION_DONE
    if status == Status.RECEIVED:
        return bucket == ATTENTION_NEW
    if status in ACTIVE_STATES:
        return bucket in (ATTENTION_OVERDUE, ATTENTION_DUE_SOON, ATTENTION_OPEN)
    return bucket == ATTENTION_DONE


def _aware(value) -> datetime.datetime:
    """A timestamp read by a raw cursor (SQLite answers text, or naive UTC)."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


_FILTER_NAMES = (
    "status",
    "region",
    "violation",
    "due",
    "assigned_to",
    "search",
    "election",
    "agency",
    "received_from",
    "received_to",
)


def _has_control_action():
    """Whether BKN recorded a control action on the case (the queue's flag, issue #16 item 3)."""
    from django.db.models import Exists

    from netra.cases.models import ControlAction

    return Exists(ControlAction.objects.filter(case=OuterRef("pk")))


def _filtered(
    user,
    *,
    status,
    region,
    violation,
    due,
    assigned_to,
    search,
    election=None,
    agency=None,
    received_from=None,
    received_to=None,
    reach: Q | None = None,
) -> QuerySet[Case]:
    # ``reach``: one part of the user's scope (scope.cases_q_parts) instead of the whole of it.
    qs = scoped_cases(user) if reach is None else Case.objects.filter(reach)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATES)
    elif status:
        qs = qs.filter(status=status)
    if region:
        from netra.cases.scope import region_q  # scope reads selectors

        qs = qs.filter(region_q(region))
    if violation:
        # JSON "contains" is not available on SQLite; the quoted code in the list's text is exact enough.
        qs = qs.alias(_violations=Cast("recommendation__violations", TextField())).filter(
            _violations__contains=f'"{violation}"'
        )
    today, soon = attention_dates()
    if due == "overdue":
        qs = qs.filter(due_date__lt=today, status__in=ACTIVE_STATES)
    elif due == "due_soon":
        qs = qs.filter(due_date__gte=today, due_date__lte=soon, status__in=ACTIVE_STATES)
    elif due == "due":
        qs = qs.filter(due_date__lte=soon, status__in=ACTIVE_STATES)
    if assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    if search := (search or "").strip():
        # Number, subject, and the report text, ranked (netra.cases.search; SearchError if unsearchable).
        qs = search_cases(qs, search)
    if election:
        qs = qs.filter(election_id=election)
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    if received_from:
        qs = qs.filter(created_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(created_at__date__lte=received_to)
    return qs


def case_by_number(user, text: str) -> Case | None:
    """The case in the user's scope that ``text`` names (``number_q``); the newest when a bare
    serial fits several years. None when there is none."""
    return scoped_cases(user).filter(number_q(text)).order_by("-created_at", "-pk").first()


def attention_dates(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Today and the last due date that still counts as "due soon" (as ``deadlines.deadline_status``)."""
    from netra.cases import deadlines
    from netra.catalog.calendar import WorkingCalendar
    from netra.orgs.per_request import memo

    today = today or deadlines.today()
    # Once per request (a queue page asked it ten times, each a query of the days off).
    return memo(
        attention_dates,
        f"attention_dates:{today.isoformat()}",
        lambda: (today, WorkingCalendar().add_working_days(today, deadlines.REMIND_WORKING_DAYS)),
    )


ATTENTION_NEW, ATTENTION_OVERDUE, ATTENTION_DUE_SOON, ATTENTION_OPEN, ATTENTION_DONE = range(5)
ATTENTION_CODES = {
    ATTENTION_NEW: "new",
    ATTENTION_OVERDUE: "overdue",
    ATTENTION_DUE_SOON: "due_soon",
    ATTENTION_OPEN: "open",
    ATTENTION_DONE: "done",
}


def _attention(today: datetime.date, soon: datetime.date) -> SqlCase:
    """New reports first (nobody has looked at them; their intake deadline is short, and a
    late one sorts first among them by its due date), then overdue, then due soon, then the
    other open cases, then finished ones."""
    active = Q(status__in=ACTIVE_STATES)
    return SqlCase(
        When(status=Status.RECEIVED, then=Value(ATTENTION_NEW)),
        When(active & Q(due_date__lt=today), then=Value(ATTENTION_OVERDUE)),
        When(active & Q(due_date__lte=soon), then=Value(ATTENTION_DUE_SOON)),
        When(active, then=Value(ATTENTION_OPEN)),
        default=Value(ATTENTION_DONE),
        output_field=IntegerField(),
    )


def _preview() -> Subquery:
    """The first ``PREVIEW_CHARS`` characters of the case's first report (one subquery, no N+1)."""
    first = Report.objects.filter(case=OuterRef("pk")).order_by("submitted_at", "pk")
    return Subquery(first.annotate(start=Substr("description", 1, PREVIEW_CHARS)).values("start")[:1])


COUNT_CACHE_MIN = 10_000  # from this many cases in the list, its tab counts are kept a minute
COUNT_CACHE_SECONDS = 60


def queue_counts(user, **filters) -> dict[str, int]:
    """Cases per state under the same filters (``status`` ignored), plus the attention figures.

    Keys: every state code, ``active``, ``all``, and among active cases ``overdue``,
    ``due_soon`` and ``mine`` (assigned to ``user``). One grouped pass over the list; when it
    holds ``COUNT_CACHE_MIN`` cases or more the answer is kept ``COUNT_CACHE_SECONDS`` per query
    (a national scope: counting a million rows costs more than the page itself).
    """
    import hashlib

    from django.core.cache import cache

    filters = dict.fromkeys(("status", "region", "violation", "due", "assigned_to", "search"), None) | {
        k: v for k, v in filters.items() if k != "status"
    }
    base = _filtered(user, **filters).order_by()
    today, soon = attention_dates()
    grouped = base.values("status").annotate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=soon)),
        mine=Count("pk", filter=Q(assigned_to=user.pk)),
    )
    try:
        key = "netra.cases.queue_counts:" + hashlib.sha256(str(grouped.query).encode()).hexdigest()
    except EmptyResultSet:  # an empty scope: every count is 0
        key = ""
    if key and (kept := cache.get(key)) is not None:
        return dict(kept)
    counts = dict.fromkeys(Status.values, 0) | {"overdue": 0, "due_soon": 0, "mine": 0}
    for row in grouped:
        counts[row["status"]] = row["n"]
        if row["status"] in ACTIVE_STATES:
            for name in ("overdue", "due_soon", "mine"):
                counts[name] += row[name]
    counts["active"] = sum(counts[state] for state in ACTIVE_STATES)
    counts["all"] = sum(counts[state] for state in Status.values)
    if key and counts["all"] >= COUNT_CACHE_MIN:
        cache.set(key, counts, COUNT_CACHE_SECONDS)
    return counts


def case_for(user, pk) -> Case:
    """One case the user may read, or Http404 (outside scope looks exactly like missing)."""
    try:
        return scoped_cases(user).select_related("agency", "region", "election", "merged_into").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("case not found") from None


def case_page_for(user, pk) -> Case:
    """``case_for`` with what the case page reads beside it in the same statement (its triage
    result and recommendation, ``loaded_relation``; the latest triage choice, ``latest_choice_*``;
    whether it has decisions and control actions, ``has_decisions`` / ``has_control_actions``)."""

    def read(case_pk):
        return (
            scoped_cases(user)
            .select_related(
                "agency",
                "region",
                "election",
                "merged_into",
                "triage",
                "recommendation__sanction_category",
                "recommendation__suggested_category",
            )
            .annotate(**_latest_triage_choice(), **_late_lists())
            .filter(pk=case_pk)
        )

    if isinstance(pk, int) and not isinstance(pk, bool):
        from netra.cases.scope import cases_q

        try:  # compiled once per scope (netra.compiled)
            [case] = shaped_instances(("case_page", repr(cases_q(user))), read, (pk,))
        except ValueError:  # none in the scope (a primary key: never two)
            raise Http404("case not found") from None
        return case
    try:
        return read(pk).get()
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("case not found") from None


def _late_lists() -> dict:
    """Whether the case has a PPK decision or a BKN control action (``has_decisions``,
    ``has_control_actions``): lists only a case late in its life has, not asked for when empty."""
    from django.db.models import Exists

    from netra.cases.models import ControlAction, Decision

    return {
        "has_decisions": Exists(Decision.objects.filter(case=OuterRef("pk"))),
        "has_control_actions": Exists(ControlAction.objects.filter(case=OuterRef("pk"))),
    }


def _latest_triage_choice() -> dict:
    """The officer's latest triage choice (``triage_flow.latest_choice``) as two columns of the case."""
    from django.db.models import OuterRef, Subquery

    from netra.cases.models import TriageCorrection

    latest = TriageCorrection.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk")
    return {
        "latest_choice_chosen": Subquery(latest.values("chosen")[:1]),
        "latest_choice_at": Subquery(latest.values("at")[:1]),
    }


_NOT_LOADED = object()


def loaded_relation(case: Case, name: str):
    """A one-to-one already read with the case (``case_page_for``): the row, None when there is
    none; ``NOT_LOADED`` when it was not read (the caller asks the database)."""
    cache = case._state.fields_cache
    return cache.get(name) if name in cache else _NOT_LOADED


NOT_LOADED = _NOT_LOADED


# --- the case page's log: transitions, audit events, internal notes, messages ------------------


@dataclass
class CaseLog:
    """What the case page lists by time, read in one statement (``case_log``)."""

    transitions: list
    events: list
    notes: list
    follow_ups: list  # by date, then as recorded
    messages: dict[int, list]  # by report pk, oldest first


def case_log(case: Case, *, report_ids, skip_actions=()) -> CaseLog:
    """The case's transitions, its audit events (but ``skip_actions``), its internal notes, its
    follow-ups and the messages of ``report_ids``, each oldest first, in one ``UNION ALL`` of five
    index lookups: the rows have one shape (when, who, what, a text), so one statement reads them all.

    The rows come back as model instances carrying what the page shows, with their actor or
    author (pk and names only) — for reading, never for saving."""
    from django.db.models import BooleanField, CharField, DateField, JSONField

    from netra.audit.models import AuditEvent
    from netra.cases.models import FollowUp, InternalNote, Message
    from netra.orgs.models import User

    def part(qs, kind: str, *, at: str, user: str, a, b, text, payload=None, imported=None, ref=None, day=None):
        def col(value, field):  # a field name, else a constant ("" an empty text; None a typed NULL)
            if isinstance(value, str) and value:
                return F(value)
            return Cast(Value(None), output_field=field) if value is None else Value(value, output_field=field)

        return qs.order_by().annotate(
            log_kind=Value(kind, output_field=CharField()),
            log_pk=F("pk"),
            log_at=F(at),
            log_user=F(f"{user}_id"),
            log_first=F(f"{user}__first_name"),
            log_last=F(f"{user}__last_name"),
            log_username=F(f"{user}__username"),
            log_a=col(a, CharField()),
            log_b=col(b, CharField()),
            log_text=col(text, CharField()),
            log_payload=col(payload, JSONField()),
            log_imported=col(imported if imported is not None else False, BooleanField()),
            log_ref=col(ref, IntegerField()),
            log_day=col(day, DateField()),
        )

    columns = [
        "log_kind",
        "log_pk",
        "log_at",
        "log_user",
        "log_first",
        "log_last",
        "log_username",
        "log_a",
        "log_b",
        "log_text",
        "log_payload",
        "log_imported",
        "log_ref",
        "log_day",
    ]
    label = case._meta.label_lower
    skipped = sorted(skip_actions)

    def build(case_pk, object_id, *reports):
        events = AuditEvent.objects.filter(object_type=label, object_id=object_id)
        if skipped:
            events = events.exclude(action__in=skipped)
        parts = [
            part(
                events, "event", at="created_at", user="actor", a="action", b="actor_label", text="", payload="payload"
            ),
            part(
                Transition.objects.filter(case_id=case_pk),
                "transition",
                at="at",
                user="actor",
                a="from_state",
                b="to_state",
                text="public_note",
                imported="imported",
            ),
            part(
                InternalNote.objects.filter(case_id=case_pk),
                "note",
                at="created_at",
                user="author",
                a="",
                b="",
                text="body",
            ),
            part(
                FollowUp.objects.filter(case_id=case_pk),
                "followup",
                at="created_at",
                user="created_by",
                a="kind",
                b="",
                text="text",
                day="date",
            ),
            part(
                Message.objects.filter(report_id__in=list(reports)),
                "message",
                at="created_at",
                user="author",
                a="sender",
                b="",
                text="body",
                ref="report_id",
            ),
        ]
        first, *rest = (qs.values(*columns) for qs in parts)
        return first.union(*rest, all=True).order_by("log_at", "log_pk")

    report_ids = list(report_ids)
    # Compiled once per shape (the skipped actions, the number of reports): netra.compiled.
    rows = shaped_values(
        ("case_log", label, tuple(skipped), len(report_ids)), build, (case.pk, str(case.pk), *report_ids)
    )
    log = CaseLog(transitions=[], events=[], notes=[], follow_ups=[], messages={pk: [] for pk in report_ids})
    users: dict[int, User] = {}
    for row in rows:
        user = None
        if row["log_user"] is not None:
            user = users.get(row["log_user"])
            if user is None:
                user = users[row["log_user"]] = User(
                    pk=row["log_user"],
                    first_name=row["log_first"] or "",
                    last_name=row["log_last"] or "",
                    username=row["log_username"] or "",
                )
        kind, pk, at, text = row["log_kind"], row["log_pk"], row["log_at"], row["log_text"] or ""
        if kind == "event":
            event = AuditEvent(
                pk=pk,
                action=row["log_a"],
                actor_label=row["log_b"],
                object_type=case._meta.label_lower,
                object_id=str(case.pk),
                payload=row["log_payload"],
                created_at=at,
                actor_id=row["log_user"],
            )
            event.actor = user
            log.events.append(event)
        elif kind == "transition":
            step = Transition(
                pk=pk,
                case_id=case.pk,
                from_state=row["log_a"] or "",
                to_state=row["log_b"],
                at=at,
                actor_id=row["log_user"],
                public_note=text,
                imported=bool(row["log_imported"]),
            )
            step.actor = user
            log.transitions.append(step)
        elif kind == "note":
            note = InternalNote(pk=pk, case_id=case.pk, author_id=row["log_user"], body=text, created_at=at)
            note.author = user
            log.notes.append(note)
        elif kind == "followup":
            item = FollowUp(
                pk=pk,
                case_id=case.pk,
                kind=row["log_a"],
                text=text,
                date=row["log_day"],
                created_by_id=row["log_user"],
                created_at=at,
            )
            item.created_by = user
            log.follow_ups.append(item)
        else:
            message = Message(
                pk=pk,
                report_id=row["log_ref"],
                sender=row["log_a"],
                author_id=row["log_user"],
                body=text,
                created_at=at,
            )
            message.author = user
            log.messages.setdefault(row["log_ref"], []).append(message)
    log.follow_ups.sort(key=lambda item: (item.date, item.pk))
    return log


# --- checking helpers -------------------------------------------------------------------------


def subject_history(subject: Subject, *, user=None) -> QuerySet[Subject]:
    """The same person in other cases: by NIP, else by name and agency as reported.

    With ``user``, only cases in their scope (a history must not reveal cases they cannot open).
    """
    qs = Subject.objects.exclude(case_id=subject.case_id).select_related("case", "case__agency")
    if subject.nip:
        qs = qs.filter(nip=subject.nip)
    elif subject.name.strip() and subject.agency_name.strip():
        qs = qs.filter(name__iexact=subject.name.strip(), agency_name__iexact=subject.agency_name.strip())
    elif subject.name.strip() and subject.case.agency_id:
        qs = qs.filter(name__iexact=subject.name.strip(), case__agency_id=subject.case.agency_id)
    else:
        return qs.none()
    if user is not None:
        qs = qs.filter(case__in=scoped_cases(user))
    return qs.order_by("-case__created_at", "-pk")


def subject_histories(subjects, *, user, limit: int = 10) -> dict[int, list[Subject]]:
    """``subject_history(s, user=user)[:limit]`` for each subject in one statement whatever their
    number: the rows whose id is in the ``UNION ALL`` of every subject's slice (each an index-bounded
    LIMIT query). A row goes to a subject by NIP when it has one (every row fetched is of another
    case in the reader's scope, so the same NIP means its slice: the first ``limit`` by the slice's
    order are exactly it); a subject known by name only marks its rows in the statement itself."""
    found: dict[int, list[Subject]] = {subject.pk: [] for subject in subjects}
    parts: list[str] = []
    params: list[Any] = []
    marks: dict[str, Any] = {}
    by_nip: dict[str, list[int]] = {}
    # Subjects of one case known by NIP have slices of one shape, only the NIP differs: the first
    # one's compiled SQL serves the others with its NIP parameter replaced (compiling the scope
    # cost ~1 ms a subject).
    compiled: dict[int, tuple[str, list[Any], int]] = {}
    for subject in subjects:
        reuse = compiled.get(subject.case_id) if subject.nip else None
        if reuse is not None:
            sql, part_params = reuse[0], list(reuse[1])
            part_params[reuse[2]] = subject.nip
        else:
            qs = subject_history(subject, user=user)
            if qs.query.is_empty():
                continue
            part = qs.values("pk")[:limit]
            try:
                sql, compiled_params = part.query.sql_with_params()
            except EmptyResultSet:  # an empty scope: nothing to ask
                continue
            part_params = list(compiled_params)
            at = [i for i, param in enumerate(part_params) if param == subject.nip]
            if subject.nip and len(at) == 1:  # the NIP is that one parameter, nothing else equals it
                compiled[subject.case_id] = (sql, part_params, at[0])
        parts.append(f"SELECT * FROM ({sql}) h{len(parts)}")  # noqa: S608 -- Django's own compiled SQL
        params.extend(part_params)
        if subject.nip:
            by_nip.setdefault(subject.nip, []).append(subject.pk)
        else:
            marks[f"in_history_of_{subject.pk}"] = SqlCase(When(pk__in=part, then=Value(1)), default=Value(0))
    if not parts:
        return found
    from django.db.models.expressions import RawSQL

    rows = (
        Subject.objects.filter(pk__in=RawSQL(" UNION ALL ".join(parts), params))  # noqa: S611 -- compiled by Django
        .select_related("case", "case__agency")
        .annotate(**marks)
        .order_by("-case__created_at", "-pk")
    )
    for row in rows:
        for subject_pk in by_nip.get(row.nip or "", []):
            found[subject_pk].append(row)
        for name in marks:
            if getattr(row, name):
                found[int(name.rsplit("_", 1)[1])].append(row)
    for items in found.values():
        del items[limit:]
    return found


# --- staff: what waits for a role (the role home pages) ------------------------------------------

WAITING_MAX = 100


def waiting_list(user, kind: str) -> list[Case]:
    """The first ``WAITING_MAX`` of ``waiting_for(user, kind)`` (a role's home panel), its statement
    compiled once per shape (netra.compiled: the kind and its filter), its prefetches done after."""
    qs = waiting_for(user, kind)
    lookups = cast(Any, qs)._prefetch_related_lookups
    plain = qs.prefetch_related(None)[:WAITING_MAX]
    cases = shaped_instances(("waiting", kind, repr(plain.query.where)), lambda: plain, ())
    prefetch_related_objects(cases, *lookups)
    return cases


def waiting_for(user, kind: str) -> QuerySet[Case]:
    """Cases that wait for the user in one of the roles that do not work the Satgas queue.

    ``"bawaslu_review"``: a kajian requested from Bawaslu, within the reach of the user's Bawaslu
    membership, earliest review due date first. ``"decision"``: cases awaiting the PPK's
    decision (or escalated, where the PPK still owes the SK) in the agencies where the user is
    PPK, earliest due date first. ``"escalated"``: escalated cases in a BKN supervisor's reach.
    """
    from netra.orgs.models import Membership
    from netra.orgs.selectors import scope_for_agency_role

    memberships = Membership.objects.filter(user=user, active=True, agency__active=True).select_related("agency")
    if kind == "control_actions":
        # Issue #16 item 3: the PPK's cases on which BKN recorded a control action, still open.
        agencies = [m.agency_id for m in memberships if m.role == Membership.Role.PPK]
        qs = Case.objects.filter(agency_id__in=agencies, status__in=ACTIVE_STATES, control_actions__isnull=False)
        qs = qs.distinct().annotate(last_control_deadline=Max("control_actions__ppk_deadline"))
        return (
            qs.select_related("agency", "region")
            .prefetch_related(listed_subjects(), "control_actions")
            .order_by(F("last_control_deadline").asc(nulls_last=True), "created_at", "pk")
        )
    if kind == "referred":
        # Issue #16 item 4: cases referred to an agency where the user is a BKN supervisor.
        agencies = [m.agency_id for m in memberships if m.role == Membership.Role.BKN_SUPERVISOR]
        qs = Case.objects.filter(referred_to_id__in=agencies)
        return (
            qs.select_related("agency", "region", "referred_to")
            .prefetch_related(listed_subjects())
            .order_by("referred_at", "pk")
        )
    if kind == "decision":
        agencies = [m.agency_id for m in memberships if m.role == Membership.Role.PPK]
        qs = Case.objects.filter(agency_id__in=agencies, status__in=[Status.AWAITING_DECISION, Status.ESCALATED])
        order = F("due_date").asc(nulls_last=True)
    else:
        role = Membership.Role.BAWASLU_OFFICER if kind == "bawaslu_review" else Membership.Role.BKN_SUPERVISOR
        scopes = [scope_for_agency_role(m.agency, role) for m in memberships if m.role == role]
        reach = Q(pk__in=[])  # no such membership: nothing
        for scope in scopes:
            if scope.everything:  # Q() would vanish in an OR; BKN pusat reaches every case
                reach = Q()
                break
            reach |= scope.q(agency_field="agency", region_field="region")
        if kind == "bawaslu_review":
            qs = Case.objects.filter(reach, status=Status.VERIFICATION, waiting_for_bawaslu=True)
            order = F("bawaslu_due_date").asc(nulls_last=True)
        else:
            qs = Case.objects.filter(reach, status=Status.ESCALATED)
            order = F("due_date").asc(nulls_last=True)
    return qs.select_related("agency", "region").prefetch_related(listed_subjects()).order_by(order, "created_at", "pk")
