"""Bawaslu's kajian clock (issue #16 item 1): reminded once before it is due, flagged once when
missed, and the Satgas may go on "tanpa kajian Bawaslu" only after the due date. Frozen clocks."""

import datetime

import pytest
import time_machine
from django.core import mail

from netra.audit.models import AuditEvent
from netra.cases.jobs import process_deadlines
from netra.cases.models import Case, InternalNote, Transition
from netra.cases.services import TransitionError, case_transition
from netra.cases.workflow import available_moves
from netra.notify.models import Notification

S = Case.Status
pytestmark = pytest.mark.django_db
QUESTION = {"question": "Apakah kehadiran terlapor pada kampanye memenuhi unsur pelanggaran?"}
SKIP = {"reason": "Bawaslu tidak menjawab dalam 3 hari kerja; bukti sudah cukup untuk klarifikasi."}


def at(day: int, hour: int = 3):
    """November 2024 at ``hour`` UTC (10:00 WIB)."""
    return time_machine.travel(datetime.datetime(2024, 11, day, hour, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture(autouse=True)
def cuti_bersama(db):
    from netra.catalog.calendar import load_cuti_bersama

    load_cuti_bersama()


@pytest.fixture
def asked(katingan_case, satgas_katingan, bawaslu_katingan, lead_katingan):
    """Asked on Friday 1 Nov 2024: due Wednesday 6 Nov (3 working days)."""
    case = katingan_case(S.VERIFICATION, assigned_to=satgas_katingan)
    bawaslu_katingan.email = "bawaslu@example.go.id"
    bawaslu_katingan.save()
    with at(1):
        case = case_transition(case=case, action="bawaslu_review", actor=satgas_katingan, data=QUESTION)
    assert case.bawaslu_due_date == datetime.date(2024, 11, 6)
    return case


def bawaslu_notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_bawaslu_is_reminded_once_on_the_working_day_before(
    asked, bawaslu_katingan, django_capture_on_commit_callbacks
):
    with at(4):  # Monday: two working days left, not yet
        assert process_deadlines().bawaslu_reminded == 0
    assert bawaslu_notes(bawaslu_katingan, "bawaslu.reminder") == []
    mail.outbox.clear()
    with at(5), django_capture_on_commit_callbacks(execute=True):  # Tuesday: due tomorrow
        assert process_deadlines().bawaslu_reminded == 1
    (note,) = bawaslu_notes(bawaslu_katingan, "bawaslu.reminder")
    assert "06-11-2024" in note.text
    assert [m.to for m in mail.outbox if "kajian Bawaslu" in m.subject] == [["bawaslu@example.go.id"]]
    with at(5, 9), at(6):
        assert process_deadlines().bawaslu_reminded == 0  # once
    assert len(bawaslu_notes(bawaslu_katingan, "bawaslu.reminder")) == 1


def test_missed_kajian_is_flagged_once_audited_and_told(asked, bawaslu_katingan, satgas_katingan, lead_katingan):
    with at(6):  # the due day itself is not late
        assert process_deadlines().bawaslu_flagged == 0
    with at(7):
        run = process_deadlines()
        assert run.bawaslu_flagged == 1
        assert "bawaslu_overdue=1" in str(run)
        assert process_deadlines().bawaslu_flagged == 0
    case = Case.objects.get(pk=asked.pk)
    assert case.bawaslu_overdue_at is not None
    assert AuditEvent.objects.filter(action="case.bawaslu_review_overdue", object_id=str(case.pk)).count() == 1
    for user in (bawaslu_katingan, satgas_katingan, lead_katingan):
        assert len(bawaslu_notes(user, "bawaslu.overdue")) == 1


def test_skip_is_refused_before_the_due_date(asked, satgas_katingan):
    for day in (4, 6):
        with at(day):
            assert "bawaslu_skip" not in [m.action for m in available_moves(asked, satgas_katingan)]
            with pytest.raises(TransitionError) as refused:
                case_transition(case=asked, action="bawaslu_skip", actor=satgas_katingan, data=SKIP)
            assert refused.value.code == "conflict"
            assert "belum lewat" in refused.value.message
    assert Case.objects.get(pk=asked.pk).waiting_for_bawaslu


def test_skip_after_the_due_date_goes_on_without_bawaslu(asked, satgas_katingan, bawaslu_katingan):
    transitions = Transition.objects.filter(case=asked).count()
    with at(7):
        assert "bawaslu_skip" in [m.action for m in available_moves(asked, satgas_katingan)]
        with pytest.raises(TransitionError) as refused:
            case_transition(case=asked, action="bawaslu_skip", actor=satgas_katingan, data={})
        assert refused.value.code == "validation_error" and "reason" in refused.value.fields
        case = case_transition(case=asked, action="bawaslu_skip", actor=satgas_katingan, data=SKIP)
    assert case.status == S.VERIFICATION and not case.waiting_for_bawaslu
    event = AuditEvent.objects.get(action="case.bawaslu_review_skipped", object_id=str(case.pk))
    assert event.payload["reason"] == SKIP["reason"]
    assert event.payload["without_bawaslu_review"] is True
    assert str(event.payload["bawaslu_due_date"]).startswith("2024-11-06")
    note = InternalNote.objects.get(case=case, body__startswith="Dilanjutkan tanpa kajian Bawaslu")
    assert SKIP["reason"] in note.body
    # Bawaslu is told, and the reporter's timeline shows no state change.
    assert bawaslu_notes(bawaslu_katingan, "case.bawaslu_skip")
    assert Transition.objects.filter(case=case).count() == transitions
    # The Satgas goes on to examination; a second skip has nothing to skip.
    with at(7):
        with pytest.raises(TransitionError) as again:
            case_transition(case=case, action="bawaslu_skip", actor=satgas_katingan, data=SKIP)
        assert again.value.code == "conflict"
        assert case_transition(case=case, action="examination", actor=satgas_katingan).status == S.EXAMINATION


def test_bawaslu_may_not_skip_its_own_review(asked, bawaslu_katingan):
    with at(7), pytest.raises(TransitionError) as refused:
        case_transition(case=asked, action="bawaslu_skip", actor=bawaslu_katingan, data=SKIP)
    assert refused.value.code == "forbidden"


def test_a_new_request_gets_a_new_reminder(asked, satgas_katingan, bawaslu_katingan):
    with at(5):
        process_deadlines()
    with at(6):
        case_transition(
            case=asked, action="bawaslu_answer", actor=bawaslu_katingan, data={"answer": "Belum memenuhi unsur."}
        )
    with at(8):  # Friday 8 Nov: due Wednesday 13 Nov
        case = case_transition(
            case=Case.objects.get(pk=asked.pk), action="bawaslu_review", actor=satgas_katingan, data=QUESTION
        )
    assert case.bawaslu_reminded_at is None and case.bawaslu_due_date == datetime.date(2024, 11, 13)
    with at(12):
        assert process_deadlines().bawaslu_reminded == 1
