"""Read queries for cases. Every staff list goes through the one scope rule of ``netra.orgs``.

``cases_for(user, ...)`` is the only way a staff face lists cases; ``case_for(user, pk)`` the
only way it opens one (Http404 outside scope — an outsider learns nothing, not even that the
case exists).
"""

from __future__ import annotations

import datetime
import re
from typing import cast

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Substr
from django.http import Http404

from netra.cases.models import Case, Report, Subject, Transition

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
    """The submissions of a case, including those of cases merged into it."""
    return Report.objects.filter(case__in=[case.pk, *case.merged_cases.values_list("pk", flat=True)])


# --- staff: scoped lists ----------------------------------------------------------------------


def scoped_cases(user) -> QuerySet[Case]:
    """Every case the user may read (no other filter)."""
    # The one scope rule, plus the cases referred to the user's agencies while referred (scope.py).
    from netra.cases.scope import cases_q

    return Case.objects.filter(cases_q(user))


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
    ``search``: a case number, or part of a subject's name or NIP.
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
        .select_related("agency", "region", "assigned_to", "referred_to")
        .prefetch_related("subjects")
        .order_by("attention", F("due_date").asc(nulls_last=True), "created_at", "pk")
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
) -> QuerySet[Case]:
    qs = scoped_cases(user)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATES)
    elif status:
        qs = qs.filter(status=status)
    if region:
        qs = qs.filter(Q(region=region) | Q(region__code__startswith=region + "."))
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
        matches = Subject.objects.filter(Q(name__icontains=search) | Q(nip=search)).values("case_id")
        qs = qs.filter(number_q(search) | Q(pk__in=matches))
    if election:
        qs = qs.filter(election_id=election)
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    if received_from:
        qs = qs.filter(created_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(created_at__date__lte=received_to)
    return qs


_NUMBER_RE = re.compile(r"^(?:ntr-?(?P<year>\d{4})-?)?0*(?P<serial>\d{1,9})$", re.IGNORECASE)


def number_q(text: str) -> Q:
    """Cases whose number is ``text`` as people type it: ``NTR-2026-000211``, lower case, or just
    the serial ``211`` / ``000211`` (any year). Anything else matches no case by number."""
    found = _NUMBER_RE.match((text or "").strip())
    if not found:
        return Q(pk__in=[])
    serial = f"{int(found['serial']):06d}"
    if found["year"]:
        return Q(number__iexact=f"NTR-{found['year']}-{serial}")
    return Q(number__endswith=f"-{serial}")


def case_by_number(user, text: str) -> Case | None:
    """The case in the user's scope that ``text`` names (``number_q``); the newest when a bare
    serial fits several years. None when there is none."""
    return scoped_cases(user).filter(number_q(text)).order_by("-created_at", "-pk").first()


def attention_dates(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """Today and the last due date that still counts as "due soon" (as ``deadlines.deadline_status``)."""
    from netra.cases import deadlines
    from netra.catalog.calendar import WorkingCalendar

    today = today or deadlines.today()
    return today, WorkingCalendar().add_working_days(today, deadlines.REMIND_WORKING_DAYS)


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


def queue_counts(user, **filters) -> dict[str, int]:
    """Cases per state under the same filters (``status`` ignored), plus the attention figures.

    Keys: every state code, ``active``, ``all``, and among active cases ``overdue``,
    ``due_soon`` and ``mine`` (assigned to ``user``).
    """
    filters = dict.fromkeys(("status", "region", "violation", "due", "assigned_to", "search"), None) | {
        k: v for k, v in filters.items() if k != "status"
    }
    base = _filtered(user, **filters).order_by()
    counts = dict.fromkeys(Status.values, 0)
    for row in base.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["active"] = sum(counts[state] for state in ACTIVE_STATES)
    counts["all"] = sum(counts[state] for state in Status.values)
    today, soon = attention_dates()
    active = base.filter(status__in=ACTIVE_STATES)
    counts |= active.aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today, due_date__lte=soon)),
        mine=Count("pk", filter=Q(assigned_to=user.pk)),
    )
    return counts


def case_for(user, pk) -> Case:
    """One case the user may read, or Http404 (outside scope looks exactly like missing)."""
    try:
        return scoped_cases(user).select_related("agency", "region", "election", "merged_into").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("case not found") from None


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


# --- staff: what waits for a role (the role home pages) ------------------------------------------

WAITING_MAX = 100


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
            .prefetch_related("subjects", "control_actions")
            .order_by(F("last_control_deadline").asc(nulls_last=True), "created_at", "pk")
        )
    if kind == "referred":
        # Issue #16 item 4: cases referred to an agency where the user is a BKN supervisor.
        agencies = [m.agency_id for m in memberships if m.role == Membership.Role.BKN_SUPERVISOR]
        qs = Case.objects.filter(referred_to_id__in=agencies)
        return (
            qs.select_related("agency", "region", "referred_to")
            .prefetch_related("subjects")
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
    return qs.select_related("agency", "region").prefetch_related("subjects").order_by(order, "created_at", "pk")
