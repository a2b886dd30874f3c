"""Deadlines (SLA) of the workflow steps, in working days of the catalog calendar.

Each move of the workflow table names the SLA key it starts (``Move.starts_deadline``). How long
that is comes from ``DeadlinePolicy`` rows: the agency's own row, else the default row (agency
empty), else ``DEFAULT_SLAS`` below. A key without any of them carries no deadline.

Defaults, where a rule exists (domain.md section 4, BKN's description of the SBT, Oct 2024):
- ``intake`` 1 working day (Netra's own default, no regulation): a new report (``received``) is
  picked up — pengecekan started, or forwarded/merged/dismissed — by the next working day, so
  that it is flagged, reminded and sorted like every other step instead of waiting unseen.
  Stamped by the deadline job; starting pengecekan replaces it by the verification deadline.
- ``verification`` 7 *calendar* days: "verifikasi oleh Satgas paling lama 7 hari" — the source
  says days, not working days, so we read it as calendar days (the stricter reading); a due date
  on a day off moves to the next working day (as administrative deadlines usually do). It runs
  from the day the case was received (by this agency), so nobody can stop the clock by leaving
  a report unopened.
- ``bawaslu_review`` 3 working days: Bawaslu's kajian, verifikasi dan validasi.
- ``decision`` 14 working days: the PPK imposes the sanction (2023 statements; 2020 ones said
  10 days — configurable per agency). Missing it escalates the case to BKN.
Steps without a rule (examination, recommendation, escalated, follow_up) have no default; an
agency may add a row for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netra.cases.models import Case, DeadlinePolicy, Transition
from netra.catalog.calendar import WorkingCalendar

Unit = DeadlinePolicy.Unit
S = Case.Status

# How many working days before the due date the assignee is reminded; "due soon" in the queues.
REMIND_WORKING_DAYS = 2
# Bawaslu's kajian has only 3 working days: its office is reminded on the working day before.
BAWASLU_REMIND_WORKING_DAYS = 1


@dataclass(frozen=True)
class Sla:
    days: int | None
    unit: str
    source: str


SLA_LABELS = {
    "intake": _("Laporan baru belum dicek"),
    "verification": _("Pengecekan dan verifikasi Satgas"),
    "bawaslu_review": _("Kajian Bawaslu"),
    "examination": _("Klarifikasi / pemeriksaan"),
    "recommendation": _("Penyusunan rekomendasi"),
    "decision": _("Keputusan PPK"),
    "escalated": _("Pengawasan BKN"),
    "follow_up": _("Tindak lanjut keputusan"),
}

DEFAULT_SLAS: dict[str, Sla] = {
    "intake": Sla(1, Unit.WORKING, "Netra: laporan baru mulai dicek paling lambat 1 hari kerja (kebijakan bawaan)"),
    "verification": Sla(7, Unit.CALENDAR, "SBT BKN: verifikasi Satgas paling lama 7 hari (BKN, Okt 2024)"),
    "bawaslu_review": Sla(3, Unit.WORKING, "SBT BKN: kajian Bawaslu paling lama 3 hari kerja (BKN, Okt 2024)"),
    "decision": Sla(
        14,
        Unit.WORKING,
        "SBT BKN: PPK menjatuhkan hukuman disiplin paling lama 14 hari kerja (2023; 2020: 10 hari)",
    ),
}


# --- policies ---------------------------------------------------------------------------------


def load_deadline_policies() -> int:
    """Create the default rows (agency empty) that do not exist yet; edits made in the admin stay."""
    created = 0
    for key, sla in DEFAULT_SLAS.items():
        _row, was_created = DeadlinePolicy.objects.get_or_create(
            agency=None, key=key, defaults={"days": sla.days, "unit": sla.unit, "source": sla.source}
        )
        created += was_created
    return created


def policy_for(agency_id: int | None, key: str) -> Sla | None:
    """The SLA of ``key`` for an agency: its own row, else the default row, else DEFAULT_SLAS."""
    rows = {
        row.agency_id: row
        for row in DeadlinePolicy.objects.filter(Q(agency__isnull=True) | Q(agency_id=agency_id), key=key)
    }
    row = rows.get(agency_id, rows.get(None))
    if row is not None:
        return Sla(row.days, row.unit, row.source) if row.days is not None else None
    return DEFAULT_SLAS.get(key)


def due_date_for(
    case: Case, key: str, start: datetime.date, *, calendar: WorkingCalendar | None = None
) -> datetime.date | None:
    """The last day of the ``key`` step for this case when it starts on ``start`` (None: no SLA)."""
    sla = policy_for(case.agency_id, key)
    if sla is None or sla.days is None:
        return None
    calendar = calendar or WorkingCalendar()
    if sla.unit == Unit.CALENDAR:
        # A deadline that falls on a day off moves to the next working day.
        return calendar.add_working_days(start + datetime.timedelta(days=sla.days), 0)
    return calendar.add_working_days(start, sla.days)


def today() -> datetime.date:
    """The office day in Netra's default zone (WIB)."""
    return timezone.localdate()


def start_date_for(case: Case, key: str, *, on: datetime.date | None = None) -> datetime.date:
    """Where the clock of ``key`` starts: for ``intake`` and ``verification`` the day the case was
    received by its current agency (the last transition into ``received``), for every other step
    the day of the move."""
    if key in ("intake", "verification"):
        received_at = (
            Transition.objects.filter(case=case, to_state=S.RECEIVED)
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
        when = received_at or case.created_at
        if when is not None:
            return timezone.localdate(when)
    return on or today()


def deadline_start(case: Case, key: str | None, *, start: datetime.date | None = None) -> None:
    """Set (or clear, when ``key`` is None or has no SLA) the running deadline on ``case`` in memory.

    ``start`` overrides where the clock starts (``start_date_for``), e.g. today for a case just
    received by a new agency.
    """
    due = due_date_for(case, key, start or start_date_for(case, key)) if key else None
    case.deadline_key = key if key and due else ""
    case.due_date = due
    case.reminded_at = None
    case.overdue_at = None


# --- status and selectors ---------------------------------------------------------------------


def deadline_status(
    case: Case, *, on: datetime.date | None = None, calendar: WorkingCalendar | None = None
) -> str | None:
    """``"overdue"`` after the due date, ``"due_soon"`` within REMIND_WORKING_DAYS working days,
    ``"ok"`` otherwise, None without a running deadline (or in a terminal state)."""
    if case.due_date is None or case.status in Case.TERMINAL_STATES:
        return None
    day = on or today()
    if day > case.due_date:
        return "overdue"
    calendar = calendar or WorkingCalendar()
    if case.due_date <= calendar.add_working_days(day, REMIND_WORKING_DAYS):
        return "due_soon"
    return "ok"


def bawaslu_review_overdue(case: Case, *, on: datetime.date | None = None) -> bool:
    """Whether a pending kajian request has passed its due date (Bawaslu's own 3-working-day clock)."""
    return bool(
        case.waiting_for_bawaslu
        and case.bawaslu_due_date is not None
        and case.status == S.VERIFICATION
        and (on or today()) > case.bawaslu_due_date
    )


def bawaslu_status(case: Case, *, on: datetime.date | None = None, calendar: WorkingCalendar | None = None):
    """``"overdue"`` / ``"due_soon"`` / ``"ok"`` for a pending kajian request, None without one."""
    if not (case.waiting_for_bawaslu and case.bawaslu_due_date and case.status == S.VERIFICATION):
        return None
    day = on or today()
    if day > case.bawaslu_due_date:
        return "overdue"
    calendar = calendar or WorkingCalendar()
    if case.bawaslu_due_date <= calendar.add_working_days(day, BAWASLU_REMIND_WORKING_DAYS):
        return "due_soon"
    return "ok"


def bawaslu_waiting(qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    qs = Case.objects.all() if qs is None else qs
    return qs.filter(status=S.VERIFICATION, waiting_for_bawaslu=True, bawaslu_due_date__isnull=False)


def open_cases(qs: QuerySet[Case] | None) -> QuerySet[Case]:
    qs = Case.objects.all() if qs is None else qs
    return qs.exclude(status__in=Case.TERMINAL_STATES).filter(due_date__isnull=False)


def due_soon(days: int = REMIND_WORKING_DAYS, *, qs: QuerySet[Case] | None = None, on=None) -> QuerySet[Case]:
    """Open cases whose deadline is today or within ``days`` working days (narrow ``qs`` to a scope)."""
    day = on or today()
    return open_cases(qs).filter(due_date__gte=day, due_date__lte=WorkingCalendar().add_working_days(day, days))


def overdue(*, qs: QuerySet[Case] | None = None, on=None) -> QuerySet[Case]:
    """Open cases past their deadline (narrow ``qs`` to a scope)."""
    return open_cases(qs).filter(due_date__lt=on or today())
