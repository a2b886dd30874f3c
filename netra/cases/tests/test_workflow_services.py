"""The other case services: assignment, notes, messages to the reporter, follow-up, BKN control
actions, and the bulk actions of the queue."""

import datetime

import pytest

from netra.audit.models import AuditEvent
from netra.cases.intake import report_status
from netra.cases.models import Case, Report
from netra.cases.services import (
    TransitionError,
    case_assign,
    case_dismiss_many,
    case_merge_many,
    control_action_add,
    followup_add,
    internal_note_add,
    satgas_message_add,
)
from netra.notify.models import Notification

S = Case.Status
TODAY = datetime.date(2024, 12, 2)
pytestmark = pytest.mark.django_db


def test_lead_assigns_an_officer_who_is_notified(katingan_case, lead_katingan, satgas_katingan):
    case = case_assign(case=katingan_case(), assignee=satgas_katingan, actor=lead_katingan)
    assert case.assigned_to == satgas_katingan
    assert Notification.objects.get().user == satgas_katingan
    assert AuditEvent.objects.latest("pk").action == "case.assigned"


def test_officer_takes_a_case_for_themselves(katingan_case, satgas_katingan):
    assert case_assign(case=katingan_case(), assignee=satgas_katingan, actor=satgas_katingan).assigned_to_id


def test_officer_may_not_assign_someone_else(katingan_case, satgas_katingan, lead_katingan):
    with pytest.raises(TransitionError) as refused:
        case_assign(case=katingan_case(), assignee=lead_katingan, actor=satgas_katingan)
    assert refused.value.code == "forbidden"


def test_assignee_must_be_satgas_of_the_case_agency(katingan_case, lead_katingan, satgas_barsel):
    with pytest.raises(TransitionError) as refused:
        case_assign(case=katingan_case(), assignee=satgas_barsel, actor=lead_katingan)
    assert list(refused.value.fields) == ["assignee"]


def test_observer_may_not_assign(katingan_case, observer, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        case_assign(case=katingan_case(), assignee=satgas_katingan, actor=observer)
    assert refused.value.code == "forbidden"


def test_internal_note_never_reaches_the_reporter(katingan_case, satgas_katingan):
    case = katingan_case()
    internal_note_add(case=case, actor=satgas_katingan, body="Terlapor kerabat Kepala BKPSDM.")
    assert "kerabat" not in str(report_status(case.reports.get()))
    assert case.internal_notes.get().body == "Terlapor kerabat Kepala BKPSDM."


def test_empty_note_is_refused_in_indonesian(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        internal_note_add(case=katingan_case(), actor=satgas_katingan, body="  ")
    assert refused.value.fields == {"body": ["Wajib diisi."]}


def test_observer_may_not_write_notes(katingan_case, observer):
    with pytest.raises(TransitionError) as refused:
        internal_note_add(case=katingan_case(), actor=observer, body="catatan")
    assert refused.value.code == "forbidden"


def test_outsider_gets_not_found_for_a_note(katingan_case, satgas_barsel):
    with pytest.raises(TransitionError) as refused:
        internal_note_add(case=katingan_case(), actor=satgas_barsel, body="catatan")
    assert refused.value.code == "not_found"


def test_satgas_message_reaches_the_reporter_without_the_officers_name(katingan_case, satgas_katingan):
    case = katingan_case()
    satgas_message_add(case=case, actor=satgas_katingan, body="Mohon kirim foto aslinya.")
    messages = report_status(case.reports.get())["messages"]
    assert messages == [{"from": "satgas", "body": "Mohon kirim foto aslinya.", "at": messages[0]["at"]}]


def test_satgas_message_after_merge_reaches_every_reporter(katingan_case, satgas_katingan):
    from netra.cases.services import case_transition

    survivor = katingan_case(S.CHECKING)
    merged = case_transition(
        case=katingan_case(S.CHECKING), action="merged", actor=satgas_katingan, data={"into_case": survivor.pk}
    )
    satgas_message_add(case=survivor, actor=satgas_katingan, body="Laporan Anda sedang kami periksa.")
    reporter = report_status(Report.objects.get(case=merged))
    assert [m["body"] for m in reporter["messages"]] == ["Laporan Anda sedang kami periksa."]


def test_ppk_may_not_message_the_reporter(katingan_case, ppk_katingan):
    with pytest.raises(TransitionError) as refused:
        satgas_message_add(case=katingan_case(), actor=ppk_katingan, body="Halo")
    assert refused.value.code == "forbidden"


def test_follow_up_is_recorded_on_a_decided_case(katingan_case, ppk_katingan):
    case = katingan_case(S.DECIDED)
    row = followup_add(case=case, actor=ppk_katingan, kind="objection_filed", text="Keberatan diajukan.", date=TODAY)
    assert list(case.follow_ups.all()) == [row]


def test_follow_up_before_decision_is_a_conflict(katingan_case, ppk_katingan):
    with pytest.raises(TransitionError) as refused:
        followup_add(
            case=katingan_case(S.AWAITING_DECISION), actor=ppk_katingan, kind="carried_out", text="x", date=TODAY
        )
    assert refused.value.code == "conflict"


def test_follow_up_kind_must_be_known(katingan_case, ppk_katingan):
    with pytest.raises(TransitionError) as refused:
        followup_add(case=katingan_case(S.DECIDED), actor=ppk_katingan, kind="party", text="x", date=TODAY)
    assert refused.value.code == "validation_error"


def test_bkn_records_a_control_action_on_an_escalated_case(katingan_case, bkn_kanreg, ppk_katingan):
    case = katingan_case(S.ESCALATED)
    row = control_action_add(
        case=case,
        actor=bkn_kanreg,
        kind="blocking",
        date=TODAY,
        reference="BKN/1/2024",
        data={"siasn_reference": "SIASN-BLK-2024-1", "blocking_scope": "promotion"},
    )
    assert row.get_kind_display().startswith("Pemblokiran")
    assert Notification.objects.filter(user=ppk_katingan, kind="case.control_action").exists()


def test_control_action_outside_escalation_is_a_conflict(katingan_case, bkn_kanreg):
    with pytest.raises(TransitionError) as refused:
        control_action_add(case=katingan_case(S.AWAITING_DECISION), actor=bkn_kanreg, kind="warning", date=TODAY)
    assert refused.value.code == "conflict"


def test_only_bkn_records_control_actions(katingan_case, lead_katingan):
    with pytest.raises(TransitionError) as refused:
        control_action_add(case=katingan_case(S.ESCALATED), actor=lead_katingan, kind="warning", date=TODAY)
    assert refused.value.code == "forbidden"


def test_bulk_merge_writes_one_audit_event_per_case(katingan_case, satgas_katingan):
    survivor = katingan_case(S.CHECKING)
    others = [katingan_case(S.RECEIVED) for _ in range(3)]
    before = AuditEvent.objects.count()
    case_merge_many(cases=[*others, survivor], into=survivor, actor=satgas_katingan)
    assert AuditEvent.objects.count() - before == 3
    assert set(Case.objects.filter(merged_into=survivor).values_list("pk", flat=True)) == {c.pk for c in others}


def test_bulk_dismiss_is_all_or_nothing(katingan_case, satgas_katingan):
    ok, closed = katingan_case(S.RECEIVED), katingan_case(S.CLOSED)
    with pytest.raises(TransitionError):
        case_dismiss_many(cases=[ok, closed], actor=satgas_katingan, reason="duplicate", explanation="Laporan ganda.")
    ok.refresh_from_db()
    assert ok.status == S.RECEIVED


def test_bulk_dismiss_as_duplicate(katingan_case, satgas_katingan):
    cases = [katingan_case(S.RECEIVED) for _ in range(2)]
    case_dismiss_many(cases=cases, actor=satgas_katingan, reason="duplicate", explanation="Laporan ganda.")
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("dismissal_reason", flat=True)) == {
        "duplicate"
    }
