"""Issue #16 items 3 and 4 in the domain: BKN's control actions (each kind with its fields and
legal basis, the annulment recorded by its move) and the referral upwards with its history."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.http import Http404

from netra.audit.models import AuditEvent
from netra.cases import selectors
from netra.cases.models import Case, ControlAction, Decision, Evidence, InternalNote, Message, Transition
from netra.cases.scope import in_scope
from netra.cases.services import (
    TransitionError,
    case_transition,
    control_action_add,
    internal_note_add,
)
from netra.cases.workflow import available_moves
from netra.cases.workflow_forms import referral_targets
from netra.catalog.models import SanctionType
from netra.notify.models import Notification
from netra.orgs.tests.factories import MembershipFactory, UserFactory

S = Case.Status
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
LETTER = {"addressee": "Bupati Katingan selaku PPK", "ppk_deadline": TODAY + datetime.timedelta(days=14)}


# --- control actions ----------------------------------------------------------------------------


def test_a_warning_needs_its_letter_addressee_and_a_later_deadline(katingan_case, bkn_kanreg):
    case = katingan_case(S.ESCALATED)
    with pytest.raises(TransitionError) as refused:
        control_action_add(case=case, actor=bkn_kanreg, kind="warning", date=TODAY)
    assert refused.value.code == "validation_error"
    assert set(refused.value.fields) == {"reference", "addressee", "ppk_deadline"}

    with pytest.raises(TransitionError) as late:
        control_action_add(
            case=case,
            actor=bkn_kanreg,
            kind="warning",
            date=TODAY,
            reference="B-1/KR.VIII/2026",
            data={**LETTER, "ppk_deadline": TODAY},
        )
    assert "ppk_deadline" in late.value.fields
    assert not ControlAction.objects.exists()


def test_a_reprimand_is_recorded_with_its_default_legal_basis_and_announced(katingan_case, bkn_kanreg, ppk_katingan):
    case = katingan_case(S.ESCALATED)
    row = control_action_add(
        case=case, actor=bkn_kanreg, kind="reprimand", date=TODAY, reference="B-2/KR.VIII/2026", data=LETTER
    )
    row.refresh_from_db()
    assert (row.addressee, row.ppk_deadline) == (LETTER["addressee"], LETTER["ppk_deadline"])
    assert "PP 94/2021" in row.legal_basis and "UU 20/2023" in row.legal_basis
    event = AuditEvent.objects.get(action="case.control_action_added")
    assert event.payload["kind"] == "reprimand" and event.payload["reference"] == "B-2/KR.VIII/2026"
    assert Notification.objects.filter(user=ppk_katingan, kind="case.control_action").exists()


def test_blocking_needs_the_siasn_reference_and_a_known_scope(katingan_case, bkn_kanreg):
    case = katingan_case(S.ESCALATED)
    with pytest.raises(TransitionError) as refused:
        control_action_add(
            case=case, actor=bkn_kanreg, kind="blocking", date=TODAY, data={"blocking_scope": "everything"}
        )
    assert set(refused.value.fields) == {"siasn_reference", "blocking_scope"}
    row = control_action_add(
        case=case,
        actor=bkn_kanreg,
        kind="blocking",
        date=TODAY,
        data={"siasn_reference": "SIASN/BLK/2026/77", "blocking_scope": "promotion", "legal_basis": "Perban 1/2023"},
    )
    assert (row.siasn_reference, row.blocking_scope, row.legal_basis) == (
        "SIASN/BLK/2026/77",
        "promotion",
        "Perban 1/2023",
    )


def test_a_control_action_is_not_dated_in_the_future_and_the_kind_must_be_known(katingan_case, bkn_kanreg):
    case = katingan_case(S.ESCALATED)
    with pytest.raises(TransitionError) as future:
        control_action_add(
            case=case,
            actor=bkn_kanreg,
            kind="unblocking",
            date=TODAY + datetime.timedelta(days=1),
            text="PPK menetapkan SK.",
            data={"siasn_reference": "SIASN/BLK/2026/77"},
        )
    assert "date" in future.value.fields
    with pytest.raises(TransitionError) as unknown:
        control_action_add(case=case, actor=bkn_kanreg, kind="annulment", date=TODAY)
    assert "kind" in unknown.value.fields  # the annulment is the move, never a bare row


def test_the_ppk_and_outsiders_may_not_record_control_actions(katingan_case, ppk_katingan, satgas_barsel):
    case = katingan_case(S.ESCALATED)
    with pytest.raises(TransitionError) as ppk:
        control_action_add(case=case, actor=ppk_katingan, kind="warning", date=TODAY)
    assert ppk.value.code == "forbidden"
    with pytest.raises(TransitionError) as outsider:
        control_action_add(case=case, actor=satgas_barsel, kind="warning", date=TODAY)
    assert outsider.value.code == "not_found"


def test_the_annulment_move_records_the_sk_it_annuls_as_a_control_action(katingan_case, bkn_kanreg, catalogue):
    case = katingan_case(S.DECIDED)
    decision = Decision.objects.create(
        case=case,
        sanction_type=SanctionType.objects.get(pk="demotion_12m"),
        decree_number="800/9/BKPSDM/2026",
        decree_date=TODAY,
    )
    case = case_transition(
        case=case,
        action="annulled",
        actor=bkn_kanreg,
        data={"explanation": "SK ditetapkan tanpa pemeriksaan.", "reference": "B-3/KR.VIII/2026"},
    )
    assert case.status == S.AWAITING_DECISION
    row = ControlAction.objects.get(case=case)
    assert (row.kind, row.decision_id, row.reference) == ("annulment", decision.pk, "B-3/KR.VIII/2026")
    assert row.text == "SK ditetapkan tanpa pemeriksaan." and "Perpres 116/2022" in row.legal_basis


def test_the_ppk_home_panel_lists_cases_with_control_actions(katingan_case, bkn_kanreg, ppk_katingan, satgas_katingan):
    flagged, quiet = katingan_case(S.ESCALATED), katingan_case(S.ESCALATED)
    control_action_add(case=flagged, actor=bkn_kanreg, kind="warning", date=TODAY, reference="B-4", data=LETTER)
    assert [c.pk for c in selectors.waiting_for(ppk_katingan, "control_actions")] == [flagged.pk]
    assert not selectors.waiting_for(satgas_katingan, "control_actions").exists()  # a PPK's panel only
    queue = {c.pk: c.has_control_action for c in selectors.cases_for(satgas_katingan, status="active")}
    assert queue[flagged.pk] and not queue[quiet.pk]


# --- referral upwards ---------------------------------------------------------------------------


@pytest.fixture
def satgas_province(agencies):
    user = UserFactory(username="satgas.kalteng")
    MembershipFactory(user=user, agency=agencies["pemprov-kalteng"], role="satgas_lead")
    return user


def _documented(case, author):
    """A case with a report's message, an evidence file and an internal note: its history."""
    report = case.reports.first()
    Message.objects.create(case=case, report=report, sender="satgas", author=author, body="Mohon kirim video aslinya.")
    Evidence.objects.create(
        case=case,
        file=ContentFile(b"\xff\xd8 not really a jpeg", name="evidence/x.jpg"),
        content_type="image/jpeg",
        size=20,
        sha256_received="a" * 64,
        sha256_stored="b" * 64,
        uploaded_by="satgas",
    )
    InternalNote.objects.create(case=case, author=author, body="Saksi dua orang.")
    return case


def test_the_targets_are_bkn_pusat_and_the_province_of_a_kabupaten_case(katingan_case, agencies):
    codes = [a.code for a in referral_targets(katingan_case(S.VERIFICATION))]
    assert codes == ["bkn-pusat", "pemprov-kalteng"] or sorted(codes) == ["bkn-pusat", "pemprov-kalteng"]


def test_a_referral_to_another_province_or_a_kabupaten_is_refused(katingan_case, satgas_katingan):
    case = katingan_case(S.VERIFICATION)
    for code in ("pemkab-barito-selatan", "kanreg-bkn-banjarmasin", "nowhere"):
        with pytest.raises(TransitionError) as refused:
            case_transition(
                case=case, action="referred_up", actor=satgas_katingan, data={"refer_to": code, "referral_note": "x"}
            )
        assert "refer_to" in refused.value.fields
    with pytest.raises(TransitionError) as empty:
        case_transition(case=case, action="referred_up", actor=satgas_katingan, data={"refer_to": "bkn-pusat"})
    assert "referral_note" in empty.value.fields


def test_the_referral_round_trip_keeps_every_event_evidence_and_note(
    katingan_case, satgas_katingan, lead_katingan, satgas_province, satgas_barsel, private_media
):
    case = _documented(katingan_case(S.EXAMINATION, assigned_to=satgas_katingan), satgas_katingan)
    Transition.objects.create(case=case, from_state=S.VERIFICATION, to_state=S.EXAMINATION, public_note="x")
    before_events = list(
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list("pk", flat=True)
    )
    before = {
        "messages": list(case.messages.values_list("pk", flat=True)),
        "evidence": list(case.evidence.values_list("pk", flat=True)),
        "notes": list(case.internal_notes.values_list("pk", flat=True)),
        "transitions": list(case.transitions.values_list("pk", flat=True)),
    }
    # Refused outside scope, and the owner's province only sees it read-only before the referral.
    assert not in_scope(satgas_barsel, case)
    assert [m.action for m in available_moves(case, satgas_province)] == []

    case = case_transition(
        case=case,
        action="referred_up",
        actor=satgas_katingan,
        data={"refer_to": "pemprov-kalteng", "referral_note": "Terlapor pejabat di bawah kewenangan gubernur."},
    )
    assert case.referred_to.code == "pemprov-kalteng" and case.status == S.EXAMINATION
    assert Notification.objects.filter(user=satgas_province, kind="case.referred_up").exists()
    # While referred: the receiving Satgas reads it, may note and give it back; every other move waits.
    assert selectors.case_for(satgas_province, case.pk).pk == case.pk
    assert [m.action for m in available_moves(case, satgas_province)] == ["referral_returned"]
    assert [m.action for m in available_moves(case, satgas_katingan)] == ["referral_withdrawn"]
    with pytest.raises(TransitionError) as waits:
        case_transition(case=case, action="recommendation", actor=satgas_katingan, data={})
    assert waits.value.code == "conflict"
    internal_note_add(case=case, actor=satgas_province, body="Dibahas dengan Inspektorat Provinsi.")
    with pytest.raises(Http404):
        selectors.case_for(satgas_barsel, case.pk)

    case = case_transition(
        case=case,
        action="referral_returned",
        actor=satgas_province,
        data={"return_note": "Lanjutkan pemeriksaan; sanksi berat dapat direkomendasikan."},
    )
    assert case.referred_to is None and case.status == S.EXAMINATION
    assert Notification.objects.filter(user=lead_katingan, kind="case.referral_returned").exists()
    # Nothing was lost on the way: every message, file, note, transition and audit event is still there.
    assert list(case.messages.values_list("pk", flat=True)) == before["messages"]
    assert list(case.evidence.values_list("pk", flat=True)) == before["evidence"]
    assert list(case.transitions.values_list("pk", flat=True)) == before["transitions"]
    notes = list(case.internal_notes.order_by("pk").values_list("body", flat=True))
    assert notes[0] == "Saksi dua orang." and len(notes) == 4
    assert "Dibahas dengan Inspektorat Provinsi." in notes[2] and "Lanjutkan pemeriksaan" in notes[3]
    events = list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("pk"))
    assert [e.pk for e in events][: len(before_events)] == before_events
    actions = [e.action for e in events[len(before_events) :]]
    assert actions == ["case.referred", "case.note_added", "case.referral_returned"]
    assert events[-1].payload["return_note"].startswith("Lanjutkan")
    # After the return: the province no longer acts; the others still get 404; the owner goes on.
    assert available_moves(case, satgas_province) == []
    with pytest.raises(TransitionError) as gone:
        internal_note_add(case=case, actor=satgas_province, body="x")
    assert gone.value.code == "forbidden"
    with pytest.raises(Http404):
        selectors.case_for(satgas_barsel, case.pk)
    assert "recommendation" in [m.action for m in available_moves(case, satgas_katingan)]


def test_the_owner_withdraws_a_referral_and_the_receiving_agency_is_told_and_loses_access(
    katingan_case, satgas_katingan, lead_katingan, satgas_province, satgas_barsel
):
    case = katingan_case(S.VERIFICATION, assigned_to=satgas_katingan)
    # Nothing to withdraw before a referral.
    with pytest.raises(TransitionError) as nothing:
        case_transition(case=case, action="referral_withdrawn", actor=satgas_katingan, data={"withdraw_reason": "x"})
    assert nothing.value.code == "conflict"
    case = case_transition(
        case=case,
        action="referred_up",
        actor=satgas_katingan,
        data={"refer_to": "pemprov-kalteng", "referral_note": "Mohon arahan."},
    )
    # The receiving agency may only give it back; another agency is not even told the case exists.
    with pytest.raises(TransitionError) as receiver:
        case_transition(case=case, action="referral_withdrawn", actor=satgas_province, data={"withdraw_reason": "x"})
    assert receiver.value.code == "forbidden"
    with pytest.raises(TransitionError) as outsider:
        case_transition(case=case, action="referral_withdrawn", actor=satgas_barsel, data={"withdraw_reason": "x"})
    assert outsider.value.code == "not_found"
    with pytest.raises(TransitionError) as reasonless:
        case_transition(case=case, action="referral_withdrawn", actor=satgas_katingan, data={})
    assert "withdraw_reason" in reasonless.value.fields

    case = case_transition(
        case=case,
        action="referral_withdrawn",
        actor=lead_katingan,
        data={"withdraw_reason": "Dirujuk keliru: terlapor pejabat kabupaten."},
    )
    assert case.referred_to is None and case.referred_at is None and case.status == S.VERIFICATION
    event = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("-pk").first()
    assert event.action == "case.referral_withdrawn"
    assert event.payload["from_agency"] == "pemprov-kalteng"
    assert event.payload["withdraw_reason"].startswith("Dirujuk keliru")
    assert Notification.objects.filter(user=satgas_province, kind="case.referral_withdrawn").exists()
    assert "ditarik kembali" in case.internal_notes.order_by("-pk").first().body
    # The province's part ends with the referral (it may no longer act or note); the owner goes on.
    assert available_moves(case, satgas_province) == []
    with pytest.raises(TransitionError) as gone:
        internal_note_add(case=case, actor=satgas_province, body="x")
    assert gone.value.code == "forbidden"
    assert "referred_up" in [m.action for m in available_moves(case, satgas_katingan)]


def test_the_receiving_agency_reaches_a_referred_case_only_while_referred(agencies, katingan_case, satgas_katingan):
    # A Satgas of an agency that does not reach the case by region (a ministry, say): only the referral.
    from netra.orgs.models import Agency

    ministry = Agency.objects.create(code="kemendagri", name="Kementerian Dalam Negeri", kind="kementerian_lembaga")
    official = UserFactory(username="satgas.kemendagri")
    MembershipFactory(user=official, agency=ministry, role="satgas_officer")
    case = katingan_case(S.VERIFICATION)
    assert not in_scope(official, case)
    Case.objects.filter(pk=case.pk).update(referred_to=ministry)
    case.refresh_from_db()
    assert in_scope(official, case) and selectors.case_for(official, case.pk).pk == case.pk
    Case.objects.filter(pk=case.pk).update(referred_to=None)
    case.refresh_from_db()
    assert not in_scope(official, case)
    with pytest.raises(Http404):
        selectors.case_for(official, case.pk)
