"""Periodic work on deadlines: stamping, reminders, overdue flags, escalation to BKN.

Kept apart from ``deadlines`` (pure date arithmetic and read queries, used by the services) so
that this module may call the services without a circular import.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from netra.cases import services
from netra.cases.deadlines import (
    BAWASLU_REMIND_WORKING_DAYS,
    REMIND_WORKING_DAYS,
    bawaslu_waiting,
    due_date_for,
    open_cases,
    overdue,
    start_date_for,
    today,
)
from netra.cases.models import Case
from netra.catalog.calendar import WorkingCalendar

S = Case.Status


# --- the periodic job -----------------------------------------------------------------------


@dataclass
class DeadlineRun:
    stamped: int = 0
    reminded: int = 0
    flagged: int = 0
    escalated: int = 0
    bawaslu_reminded: int = 0
    bawaslu_flagged: int = 0

    def __str__(self) -> str:
        return (
            f"stamped={self.stamped} reminded={self.reminded} flagged_overdue={self.flagged} escalated={self.escalated}"
            f" bawaslu_reminded={self.bawaslu_reminded} bawaslu_overdue={self.bawaslu_flagged}"
        )


def process_deadlines(*, on: datetime.date | None = None) -> DeadlineRun:
    """The deadline job (``tasks.run_deadlines``, ``manage.py run_deadlines``). Idempotent.

    1. New cases (received, no deadline yet) get their intake deadline (``intake``, 1 working day
       by default), so a report nobody picks up is reminded and flagged like any other step.
    2. The assignee (else the Satgas leads; the PPKs for a decision) is reminded once per deadline,
       REMIND_WORKING_DAYS working days before it.
    3. A missed deadline is flagged once (``overdue_at``), its people notified and
       ``case_deadline_missed`` sent.
    4. Bawaslu's kajian (its own clock, ``bawaslu_due_date``): the Bawaslu office in reach is
       reminded once, BAWASLU_REMIND_WORKING_DAYS working day before it is due; a missed one is
       flagged once (``bawaslu_overdue_at``, audited), Bawaslu and the Satgas told.
    5. A case whose PPK missed the decision deadline moves to ``escalated`` (actor None), notifying
       BKN in scope and the Satgas lead.
    Every step claims a case with a conditional UPDATE, so two runs at once do each thing once.
    """
    day = on or today()
    calendar = WorkingCalendar()
    run = DeadlineRun()

    # A case imported from an earlier register (netra.cases.history_import) never starts a live clock.
    fresh = Case.objects.filter(status=S.RECEIVED, due_date__isnull=True, deadline_key="", imported_at__isnull=True)
    for case in fresh.iterator():
        due = due_date_for(case, "intake", start_date_for(case, "intake"), calendar=calendar)
        if due and Case.objects.filter(pk=case.pk, status=S.RECEIVED, due_date__isnull=True).update(
            deadline_key="intake", due_date=due
        ):
            run.stamped += 1

    remind_until = calendar.add_working_days(day, REMIND_WORKING_DAYS)
    for case in open_cases(None).filter(reminded_at=None, due_date__gte=day, due_date__lte=remind_until):
        if Case.objects.filter(pk=case.pk, reminded_at=None, due_date=case.due_date).update(reminded_at=timezone.now()):
            services.deadline_reminder_send(case=case)
            run.reminded += 1

    for case in overdue(on=day).filter(overdue_at=None):
        if Case.objects.filter(pk=case.pk, overdue_at=None, due_date=case.due_date).update(overdue_at=timezone.now()):
            services.deadline_missed_send(case=case)
            run.flagged += 1

    bawaslu_until = calendar.add_working_days(day, BAWASLU_REMIND_WORKING_DAYS)
    pending = bawaslu_waiting()
    for case in pending.filter(
        bawaslu_reminded_at=None, bawaslu_due_date__gte=day, bawaslu_due_date__lte=bawaslu_until
    ):
        if Case.objects.filter(
            pk=case.pk, bawaslu_reminded_at=None, waiting_for_bawaslu=True, bawaslu_due_date=case.bawaslu_due_date
        ).update(bawaslu_reminded_at=timezone.now()):
            services.bawaslu_reminder_send(case=case)
            run.bawaslu_reminded += 1

    for case in pending.filter(bawaslu_overdue_at=None, bawaslu_due_date__lt=day):
        if Case.objects.filter(
            pk=case.pk, bawaslu_overdue_at=None, waiting_for_bawaslu=True, bawaslu_due_date=case.bawaslu_due_date
        ).update(bawaslu_overdue_at=timezone.now()):
            services.bawaslu_overdue_send(case=case)
            run.bawaslu_flagged += 1

    for case_id in (
        overdue(on=day).filter(status=S.AWAITING_DECISION, deadline_key="decision").values_list("pk", flat=True)
    ):
        try:
            with transaction.atomic():
                services.case_transition(
                    case=Case.objects.get(pk=case_id), action="escalated", actor=None, via="scheduler"
                )
            run.escalated += 1
        except services.TransitionError:
            continue  # another run (or a person) moved it meanwhile
    return run
