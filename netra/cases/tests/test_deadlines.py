"""Deadline arithmetic (weekends, national holidays, cuti bersama), policies and the reminder/overdue job."""

import datetime

import pytest
import time_machine

from netra.audit.models import AuditEvent
from netra.cases import deadlines
from netra.cases.deadlines import deadline_status, due_date_for, due_soon, overdue
from netra.cases.jobs import process_deadlines
from netra.cases.models import Case, DeadlinePolicy
from netra.cases.services import case_transition
from netra.notify.models import Notification

S = Case.Status
D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cuti_bersama(db):
    from netra.catalog.calendar import load_cuti_bersama

    load_cuti_bersama()


@pytest.fixture
def case(katingan_case):
    return katingan_case(S.VERIFICATION)


def test_default_policies_come_from_the_migration():
    rows = {row.key: (row.days, row.unit) for row in DeadlinePolicy.objects.filter(agency=None)}
    assert rows == {
        "intake": (1, "working"),
        "verification": (7, "calendar"),
        "bawaslu_review": (3, "working"),
        "decision": (14, "working"),
    }


def test_working_days_skip_the_weekend(case):
    # Friday + 3 working days = Wednesday.
    assert due_date_for(case, "bawaslu_review", D(2024, 11, 1)) == D(2024, 11, 6)


def test_working_days_skip_christmas_and_its_cuti_bersama(case):
    # 25 Dec 2024 national holiday, 26 Dec cuti bersama (SKB 2024).
    assert due_date_for(case, "bawaslu_review", D(2024, 12, 23)) == D(2024, 12, 30)


def test_decision_deadline_spans_lebaran_2025(case):
    # 28 Mar - 7 Apr 2025: cuti bersama, Nyepi, Idul Fitri, weekends; 18 Apr Good Friday.
    assert due_date_for(case, "decision", D(2025, 3, 27)) == D(2025, 4, 28)


def test_calendar_day_deadline_on_a_holiday_moves_to_next_working_day(case):
    # 18 Dec 2024 + 7 days = 25 Dec (Christmas) → 26 Dec cuti bersama → Friday 27 Dec.
    assert due_date_for(case, "verification", D(2024, 12, 18)) == D(2024, 12, 27)


def test_calendar_day_deadline_on_a_working_day_stays(case):
    assert due_date_for(case, "verification", D(2024, 12, 9)) == D(2024, 12, 16)


def test_agency_policy_overrides_the_default(case):
    DeadlinePolicy.objects.create(agency=case.agency, key="decision", days=10, unit="working")
    assert due_date_for(case, "decision", D(2024, 11, 1)) == D(2024, 11, 15)


def test_other_agencies_keep_the_default(case, agencies):
    DeadlinePolicy.objects.create(agency=agencies["pemkab-barito-selatan"], key="decision", days=10)
    assert due_date_for(case, "decision", D(2024, 11, 1)) == D(2024, 11, 21)


def test_agency_policy_without_days_switches_the_deadline_off(case):
    DeadlinePolicy.objects.create(agency=case.agency, key="decision", days=None)
    assert due_date_for(case, "decision", D(2024, 11, 1)) is None


def test_step_without_a_rule_has_no_deadline(case):
    assert due_date_for(case, "examination", D(2024, 11, 1)) is None


@time_machine.travel(datetime.datetime(2025, 3, 27, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_sending_to_ppk_starts_the_decision_deadline(katingan_case, lead_katingan):
    case = case_transition(case=katingan_case(S.RECOMMENDATION), action="awaiting_decision", actor=lead_katingan)
    assert (case.deadline_key, case.due_date) == ("decision", D(2025, 4, 28))


def test_verification_deadline_counts_from_receipt_not_from_checking(katingan_case, satgas_katingan):
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
    with time_machine.travel(datetime.datetime(2024, 12, 12, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = case_transition(case=case, action="checking", actor=satgas_katingan)
    assert case.due_date == D(2024, 12, 16)


@time_machine.travel(datetime.datetime(2024, 12, 23, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_bawaslu_review_gets_three_working_days(case, satgas_katingan):
    case = case_transition(
        case=case, action="bawaslu_review", actor=satgas_katingan, data={"question": "Unsur pelanggaran?"}
    )
    assert case.bawaslu_due_date == D(2024, 12, 30)


def test_a_move_to_a_step_without_deadline_clears_it(katingan_case, satgas_katingan):
    case = katingan_case(S.VERIFICATION, deadline_key="verification", due_date=D(2024, 12, 16))
    case = case_transition(case=case, action="examination", actor=satgas_katingan)
    assert (case.deadline_key, case.due_date) == ("", None)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (D(2024, 11, 1), "ok"),  # Fri; due Wed 13 Nov is 8 working days away
        (D(2024, 11, 11), "due_soon"),  # Mon; 2 working days before
        (D(2024, 11, 13), "due_soon"),  # the due day itself
        (D(2024, 11, 14), "overdue"),
    ],
)
def test_deadline_status(katingan_case, day, status):
    case = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 13))
    assert deadline_status(case, on=day) == status


def test_deadline_status_of_a_case_without_deadline_is_none(katingan_case):
    assert deadline_status(katingan_case(S.EXAMINATION), on=D(2024, 11, 1)) is None


def test_terminal_case_has_no_deadline_status(katingan_case):
    assert deadline_status(katingan_case(S.CLOSED, due_date=D(2024, 11, 1)), on=D(2024, 12, 1)) is None


def test_due_soon_and_overdue_selectors(katingan_case):
    soon = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 12))
    late = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 8))
    katingan_case(S.VERIFICATION, due_date=D(2024, 11, 29))
    katingan_case(S.DISMISSED, due_date=D(2024, 11, 8))
    assert list(due_soon(on=D(2024, 11, 11))) == [soon]
    assert list(overdue(on=D(2024, 11, 11))) == [late]


def test_job_stamps_new_cases_with_their_intake_deadline(katingan_case):
    # Received on Monday 9 Dec 2024: to be picked up by Tuesday (1 working day).
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
    process_deadlines(on=D(2024, 12, 9))
    case.refresh_from_db()
    assert (case.deadline_key, case.due_date) == ("intake", D(2024, 12, 10))


def test_a_new_report_received_on_friday_is_due_on_monday(katingan_case):
    with time_machine.travel(datetime.datetime(2024, 12, 6, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
    process_deadlines(on=D(2024, 12, 6))
    case.refresh_from_db()
    assert case.due_date == D(2024, 12, 9)


def test_an_unopened_new_report_is_reminded_then_flagged(katingan_case, lead_katingan):
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
    first = process_deadlines(on=D(2024, 12, 9))
    late = process_deadlines(on=D(2024, 12, 11))
    assert (first.stamped, first.reminded, late.flagged) == (1, 1, 1)
    kinds = set(Notification.objects.filter(user=lead_katingan).values_list("kind", flat=True))
    assert {"deadline.reminder", "deadline.missed"} <= kinds
    case.refresh_from_db()
    assert case.overdue_at is not None


def test_an_agency_may_lengthen_the_intake_deadline(katingan_case):
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
    DeadlinePolicy.objects.create(agency=case.agency, key="intake", days=3, unit="working")
    process_deadlines(on=D(2024, 12, 9))
    case.refresh_from_db()
    assert case.due_date == D(2024, 12, 12)


def test_starting_pengecekan_replaces_the_intake_deadline_by_verification(katingan_case, satgas_katingan):
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.RECEIVED)
        process_deadlines(on=D(2024, 12, 9))
        case.refresh_from_db()
        case = case_transition(case=case, action="checking", actor=satgas_katingan)
    assert (case.deadline_key, case.due_date) == ("verification", D(2024, 12, 16))


def test_reminder_goes_to_the_assignee_once(katingan_case, satgas_katingan):
    case = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 13), deadline_key="verification")
    Case.objects.filter(pk=case.pk).update(assigned_to=satgas_katingan)
    first = process_deadlines(on=D(2024, 11, 11))
    second = process_deadlines(on=D(2024, 11, 12))
    assert (first.reminded, second.reminded) == (1, 0)
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("satgas.katingan", "deadline.reminder")
    ]


def test_reminder_without_assignee_goes_to_the_lead(katingan_case, lead_katingan, satgas_katingan):
    katingan_case(S.VERIFICATION, due_date=D(2024, 11, 13), deadline_key="verification")
    process_deadlines(on=D(2024, 11, 12))
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["ketua.katingan"]


def test_overdue_is_flagged_once_and_audited(katingan_case, lead_katingan):
    case = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 13), deadline_key="verification")
    runs = [process_deadlines(on=D(2024, 11, 14)), process_deadlines(on=D(2024, 11, 15))]
    assert [run.flagged for run in runs] == [1, 0]
    case.refresh_from_db()
    assert case.overdue_at is not None
    assert AuditEvent.objects.filter(action="case.deadline_missed", object_id=str(case.pk)).count() == 1


def test_deadline_missed_signal_is_sent(katingan_case, django_capture_on_commit_callbacks):
    from netra.cases.signals import case_deadline_missed

    case = katingan_case(S.VERIFICATION, due_date=D(2024, 11, 13), deadline_key="verification")
    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["case"].pk, kwargs["deadline_key"], kwargs["due_date"]))

    case_deadline_missed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            process_deadlines(on=D(2024, 11, 14))
    finally:
        case_deadline_missed.disconnect(receiver)
    assert seen == [(case.pk, "verification", D(2024, 11, 13))]


def test_a_new_deadline_rearms_the_reminder(katingan_case, lead_katingan, ppk_katingan):
    case = katingan_case(S.RECOMMENDATION, due_date=D(2024, 11, 13), deadline_key="recommendation")
    process_deadlines(on=D(2024, 11, 14))
    case = case_transition(case=case, action="awaiting_decision", actor=lead_katingan)
    assert (case.reminded_at, case.overdue_at) == (None, None)


def test_today_is_the_office_day_in_wib():
    # 17:30 UTC is already the next day in Jakarta.
    with time_machine.travel(datetime.datetime(2024, 11, 1, 17, 30, tzinfo=datetime.UTC), tick=False):
        assert deadlines.today() == D(2024, 11, 2)
