"""The deadline job escalates exactly the cases whose PPK missed the decision deadline, once."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from netra.audit.models import AuditEvent
from netra.cases.jobs import process_deadlines
from netra.cases.models import Case, Transition
from netra.notify.models import Notification

S = Case.Status
D = datetime.date
pytestmark = pytest.mark.django_db
DUE = D(2025, 4, 28)
DAY_AFTER = D(2025, 4, 29)


@pytest.fixture
def waiting(katingan_case):
    """A case waiting for the PPK with its decision deadline on DUE."""
    return lambda **kw: katingan_case(S.AWAITING_DECISION, deadline_key="decision", due_date=kw.pop("due", DUE), **kw)


def test_job_escalates_a_case_the_day_after_the_decision_deadline(waiting):
    case = waiting()
    process_deadlines(on=DAY_AFTER)
    case.refresh_from_db()
    assert case.status == S.ESCALATED


def test_job_leaves_a_case_alone_on_its_due_day(waiting):
    case = waiting()
    process_deadlines(on=DUE)
    case.refresh_from_db()
    assert case.status == S.AWAITING_DECISION


def test_job_escalates_exactly_the_overdue_decisions(waiting, katingan_case):
    late = [waiting(), waiting(due=D(2025, 4, 1))]
    waiting(due=D(2025, 5, 5))  # not yet due
    katingan_case(S.VERIFICATION, deadline_key="verification", due_date=DUE)  # overdue, but not a decision
    katingan_case(S.DECIDED, deadline_key="decision", due_date=DUE)  # decided in time
    run = process_deadlines(on=DAY_AFTER)
    assert run.escalated == 2
    assert set(Case.objects.filter(status=S.ESCALATED).values_list("pk", flat=True)) == {c.pk for c in late}


def test_second_run_escalates_nothing_more(waiting):
    case = waiting()
    process_deadlines(on=DAY_AFTER)
    transitions = Transition.objects.filter(case=case).count()
    events = AuditEvent.objects.count()
    notifications = Notification.objects.count()
    again = process_deadlines(on=DAY_AFTER)
    assert (again.escalated, again.flagged, again.reminded) == (0, 0, 0)
    assert Transition.objects.filter(case=case).count() == transitions
    assert AuditEvent.objects.count() == events
    assert Notification.objects.count() == notifications


def test_escalation_is_made_by_the_system_via_the_scheduler(waiting):
    case = waiting()
    process_deadlines(on=DAY_AFTER)
    event = AuditEvent.objects.filter(action="case.transitioned", object_id=str(case.pk)).latest("pk")
    assert (event.actor_id, event.actor_label) == (None, "system")
    assert (event.payload["to_state"], event.payload["via"]) == ("escalated", "scheduler")


def test_escalation_notifies_bkn_in_scope_and_the_satgas_lead(
    waiting, bkn_kanreg, bkn_supervisor, lead_katingan, satgas_barsel
):
    waiting()
    process_deadlines(on=DAY_AFTER)
    notified = set(Notification.objects.filter(kind="case.escalated").values_list("user__username", flat=True))
    assert {"bkn.kanreg", "bkn.pusat", "ketua.katingan"} <= notified
    assert "satgas.barsel" not in notified


def test_escalation_starts_no_new_decision_deadline(waiting):
    case = waiting()
    process_deadlines(on=DAY_AFTER)
    case.refresh_from_db()
    assert (case.deadline_key, case.due_date) == ("", None)


def test_escalated_case_returned_to_ppk_gets_a_fresh_deadline(waiting, bkn_kanreg):
    from netra.cases.services import case_transition

    case = waiting()
    process_deadlines(on=DAY_AFTER)
    case = case_transition(
        case=case, action="awaiting_decision", actor=bkn_kanreg, data={"explanation": "Tenggat baru untuk PPK."}
    )
    assert case.deadline_key == "decision"
    assert case.due_date > DUE


def test_management_command_runs_the_job(waiting):
    case = waiting()
    out = StringIO()
    call_command("run_deadlines", "--date", DAY_AFTER.isoformat(), stdout=out)
    case.refresh_from_db()
    assert case.status == S.ESCALATED
    assert "escalated=1" in out.getvalue()


def test_task_runs_the_job(waiting):
    from netra.cases.tasks import run_deadlines

    assert "escalated=" in run_deadlines.call()


def test_scheduler_once_enqueues_the_job(db):
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert DBTaskResult.objects.filter(task_path="netra.cases.tasks.run_deadlines").count() == 1
