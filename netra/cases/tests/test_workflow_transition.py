"""case_transition: the legal paths, refusals with the right code, records, audit and side effects."""

import pytest

from netra.audit.models import AuditEvent
from netra.cases.intake import report_status
from netra.cases.models import Case, Decision, InternalNote, Recommendation, Report, Transition
from netra.cases.services import TransitionError, case_transition
from netra.cases.tests.workflow_support import VALID_DATA, valid_data
from netra.cases.workflow import available_moves

S = Case.Status
pytestmark = pytest.mark.django_db


def move(case, action, actor, **data):
    return case_transition(case=case, action=action, actor=actor, data=data or valid_data(action))


def test_happy_path_from_received_to_closed(catalogue, katingan_case, satgas_katingan, lead_katingan, ppk_katingan):
    case = katingan_case()
    case = move(case, "checking", satgas_katingan)
    case = move(case, "verification", satgas_katingan)
    case = move(case, "examination", satgas_katingan)
    case = move(case, "recommendation", satgas_katingan)
    case = move(case, "awaiting_decision", lead_katingan)
    case = move(case, "decided", ppk_katingan)
    case = move(case, "closed", ppk_katingan)
    assert case.status == S.CLOSED
    assert list(Transition.objects.filter(case=case).values_list("to_state", flat=True)) == [
        "received", "checking", "verification", "examination", "recommendation",
        "awaiting_decision", "decided", "closed",
    ]  # fmt: skip


def test_each_transition_writes_exactly_one_audit_event(katingan_case, satgas_katingan):
    case = katingan_case()
    before = AuditEvent.objects.count()
    move(case, "checking", satgas_katingan)
    events = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.action, e.payload["from_state"], e.payload["to_state"]) for e in events] == [
        ("case.transitioned", "received", "checking")
    ]


def test_audit_event_names_the_channel(katingan_case, satgas_katingan):
    case_transition(case=katingan_case(), action="checking", actor=satgas_katingan, via="api")
    assert AuditEvent.objects.latest("pk").payload["via"] == "api"


def test_move_not_in_table_is_a_conflict(katingan_case, ppk_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(), "decided", ppk_katingan)
    assert refused.value.code == "conflict"
    assert refused.value.status == 409


def test_unknown_action_is_a_validation_error(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        case_transition(case=katingan_case(), action="teleport", actor=satgas_katingan)
    assert refused.value.code == "validation_error"
    assert "action" in refused.value.fields


def test_officer_may_not_send_to_ppk(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.RECOMMENDATION), "awaiting_decision", satgas_katingan)
    assert refused.value.code == "forbidden"


def test_officer_of_another_agency_gets_not_found(katingan_case, satgas_barsel):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(), "checking", satgas_barsel)
    assert refused.value.code == "not_found"


def test_refused_move_changes_nothing(katingan_case, satgas_barsel):
    case = katingan_case()
    before = AuditEvent.objects.count()
    with pytest.raises(TransitionError):
        move(case, "checking", satgas_barsel)
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    assert AuditEvent.objects.count() == before


def test_dismissal_without_data_lists_missing_fields_in_indonesian(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        case_transition(case=katingan_case(S.CHECKING), action="dismissed", actor=satgas_katingan, data={})
    assert refused.value.code == "validation_error"
    assert refused.value.fields == {"reason": ["Wajib diisi."], "explanation": ["Wajib diisi."]}


def test_dismissal_reason_outside_the_enum_is_refused(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.CHECKING), "dismissed", satgas_katingan, reason="bosan", explanation="x")
    assert refused.value.fields["reason"] == ["Pilihan bosan tidak dikenal."]


def test_dismissal_explanation_is_the_reporters_note(katingan_case, satgas_katingan):
    case = move(katingan_case(S.CHECKING), "dismissed", satgas_katingan)
    status = report_status(case.reports.get())
    assert status["status"] == "dismissed"
    assert status["timeline"][-1]["note"] == "Terlapor adalah kepala desa, bukan ASN."
    assert case.dismissal_reason == "not_asn"


def test_recommendation_is_recorded_with_the_suggestion(catalogue, katingan_case, satgas_katingan):
    case = move(katingan_case(S.EXAMINATION), "recommendation", satgas_katingan)
    rec = Recommendation.objects.get(case=case)
    assert rec.violations == ["campaign_attendance"]
    assert rec.sanction_category_id == "discipline_heavy"
    assert rec.suggested_category_id is not None


def test_recommendation_differing_from_suggestion_needs_a_reason(catalogue, katingan_case, satgas_katingan):
    case = katingan_case(S.EXAMINATION)
    data = valid_data("recommendation") | {"sanction_category": "moral_closed", "override_reason": ""}
    with pytest.raises(TransitionError) as refused:
        case_transition(case=case, action="recommendation", actor=satgas_katingan, data=data)
    assert list(refused.value.fields) == ["override_reason"]
    assert "berbeda dari saran sistem" in refused.value.fields["override_reason"][0]


def test_recommendation_with_unknown_violation_code_is_refused(catalogue, katingan_case, satgas_katingan):
    data = valid_data("recommendation") | {"violations": ["jaywalking"]}
    with pytest.raises(TransitionError) as refused:
        case_transition(case=katingan_case(S.EXAMINATION), action="recommendation", actor=satgas_katingan, data=data)
    assert "violations" in refused.value.fields


def test_decision_is_recorded(catalogue, katingan_case, ppk_katingan):
    case = move(katingan_case(S.AWAITING_DECISION), "decided", ppk_katingan)
    decision = Decision.objects.get(case=case)
    assert (decision.sanction_type_id, decision.decree_number) == ("demotion_12m", "800/123/BKPSDM/2024")


def test_decision_date_in_the_future_is_refused(catalogue, katingan_case, ppk_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.AWAITING_DECISION), "decided", ppk_katingan, sanction_type="none",
             decree_number="1", decree_date="2999-01-01")  # fmt: skip
    assert refused.value.fields == {"decree_date": ["Tanggal SK tidak boleh di masa depan."]}


def test_forward_to_agency_in_netra_moves_ownership(katingan_case, satgas_katingan, agencies):
    case = move(katingan_case(S.CHECKING), "forwarded", satgas_katingan, to_agency="pemkab-barito-selatan",
                explanation="Terlapor bekerja di Barito Selatan.")  # fmt: skip
    assert case.agency == agencies["pemkab-barito-selatan"]
    assert case.status == S.RECEIVED
    event = AuditEvent.objects.latest("pk")
    assert (event.payload["from_agency"], event.payload["to_agency"]) == ("pemkab-katingan", "pemkab-barito-selatan")


def test_forward_needs_exactly_one_destination(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.CHECKING), "forwarded", satgas_katingan, explanation="x")
    assert set(refused.value.fields) == {"to_agency", "to_external"}


def test_forward_to_outside_body_ends_the_case(katingan_case, satgas_katingan):
    case = move(katingan_case(S.CHECKING), "forwarded", satgas_katingan)
    assert (case.status, case.forwarded_to_external) == (S.FORWARDED, "Inspektorat Kabupaten")


def test_merged_reporter_follows_the_survivor(katingan_case, satgas_katingan, lead_katingan, ppk_katingan):
    survivor = katingan_case(S.CHECKING)
    merged = move(katingan_case(S.CHECKING), "merged", satgas_katingan, into_case=survivor.pk)
    move(survivor, "verification", satgas_katingan)
    status = report_status(Report.objects.select_related("case").get(case=merged))  # as the portal reads it
    assert status["status"] == "verification"
    assert [step["status"] for step in status["timeline"]][-2:] == ["merged", "verification"]


def test_merge_into_itself_is_refused(katingan_case, satgas_katingan):
    case = katingan_case(S.CHECKING)
    with pytest.raises(TransitionError) as refused:
        move(case, "merged", satgas_katingan, into_case=case.pk)
    assert refused.value.code == "validation_error"


def test_merge_into_case_outside_scope_is_refused(katingan_case, satgas_katingan, agencies):
    from netra.cases.tests.factories import case_in

    other = case_in(S.CHECKING, agency=agencies["pemkab-barito-selatan"])
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.CHECKING), "merged", satgas_katingan, into_case=other.pk)
    assert refused.value.fields == {"into_case": ["Kasus tujuan tidak ditemukan."]}


def test_reopen_by_lead_is_audited(katingan_case, lead_katingan):
    case = move(katingan_case(S.DISMISSED), "reopen", lead_katingan)
    assert case.status == S.CHECKING
    event = AuditEvent.objects.latest("pk")
    assert (event.payload["move"], event.payload["explanation"]) == ("reopen", "Ada bukti baru.")


def test_reopen_by_officer_is_forbidden(katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.CLOSED), "reopen", satgas_katingan)
    assert refused.value.code == "forbidden"


def test_system_may_escalate_but_not_decide(catalogue, katingan_case):
    assert (
        case_transition(case=katingan_case(S.AWAITING_DECISION), action="escalated", actor=None).status == S.ESCALATED
    )
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.AWAITING_DECISION), "decided", None)
    assert refused.value.code == "forbidden"


def test_annulled_decision_goes_back_to_the_ppk(catalogue, katingan_case, ppk_katingan, bkn_kanreg):
    case = move(katingan_case(S.AWAITING_DECISION), "decided", ppk_katingan)
    case = move(case, "annulled", bkn_kanreg)
    assert case.status == S.AWAITING_DECISION
    assert Decision.objects.get(case=case).annulled_at is not None


def test_bawaslu_review_keeps_the_state_and_sets_the_flag(katingan_case, satgas_katingan, bawaslu_katingan):
    case = move(katingan_case(S.VERIFICATION), "bawaslu_review", satgas_katingan)
    assert (case.status, case.waiting_for_bawaslu) == (S.VERIFICATION, True)
    assert case.bawaslu_due_date is not None
    case = move(case, "bawaslu_answer", bawaslu_katingan)
    assert (case.status, case.waiting_for_bawaslu) == (S.VERIFICATION, False)


def test_bawaslu_answer_without_request_is_a_conflict(katingan_case, bawaslu_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.VERIFICATION), "bawaslu_answer", bawaslu_katingan)
    assert refused.value.code == "conflict"


def test_transitioned_signal_is_sent_after_commit(katingan_case, satgas_katingan, django_capture_on_commit_callbacks):
    from netra.cases.signals import case_transitioned

    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["action"], kwargs["from_state"], kwargs["to_state"], kwargs["via"]))

    case_transitioned.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            move(katingan_case(), "checking", satgas_katingan)
    finally:
        case_transitioned.disconnect(receiver)
    assert seen == [("checking", "received", "checking", "web")]


class Token:
    """What the sharing app's ApiToken offers: an agency, a role, a label."""

    def __init__(self, agency, role):
        self.agency, self.role = agency, role
        self.audit_label = f"api-token:{agency.code}"

    def __str__(self):
        return self.audit_label


def test_api_token_acts_with_its_role_and_is_named_in_the_audit(katingan_case, agencies):
    case = case_transition(
        case=katingan_case(), action="checking", actor=Token(agencies["pemkab-katingan"], "satgas_officer"), via="api"
    )
    assert case.status == S.CHECKING
    assert AuditEvent.objects.latest("pk").actor_label == "api-token:pemkab-katingan"


def test_api_token_of_another_agency_gets_not_found(katingan_case, agencies):
    with pytest.raises(TransitionError) as refused:
        case_transition(
            case=katingan_case(), action="checking", actor=Token(agencies["pemkab-barito-selatan"], "satgas_officer")
        )
    assert refused.value.code == "not_found"


def test_api_token_with_a_bkn_role_acts_by_reach(catalogue, katingan_case, agencies):
    token = Token(agencies["kanreg-bkn-banjarmasin"], "bkn_supervisor")
    case = case_transition(case=katingan_case(S.AWAITING_DECISION), action="escalated", actor=token, via="api")
    assert case.status == S.ESCALATED


def test_available_moves_of_an_officer_on_a_new_case(katingan_case, satgas_katingan):
    actions = [move.action for move in available_moves(katingan_case(), satgas_katingan)]
    assert sorted(actions) == ["checking", "dismissed", "forwarded", "merged"]


def test_available_moves_of_an_observer_are_none(katingan_case, observer):
    assert available_moves(katingan_case(), observer) == []


def test_available_moves_outside_scope_are_none(katingan_case, satgas_barsel):
    assert available_moves(katingan_case(), satgas_barsel) == []


def test_available_moves_respect_the_bawaslu_guard(katingan_case, satgas_katingan):
    actions = {move.action for move in available_moves(katingan_case(S.VERIFICATION), satgas_katingan)}
    assert ("bawaslu_review" in actions, "bawaslu_answer" in actions) == (True, False)


def test_forwarded_case_starts_a_fresh_verification_deadline_at_the_new_agency(katingan_case, satgas_katingan):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2024, 11, 1, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = katingan_case(S.CHECKING)
    with time_machine.travel(datetime.datetime(2024, 12, 9, 3, 0, tzinfo=datetime.UTC), tick=False):
        case = move(
            case, "forwarded", satgas_katingan, to_agency="pemkab-barito-selatan", explanation="Bukan ASN kami."
        )
    assert (case.deadline_key, case.due_date) == ("verification", datetime.date(2024, 12, 16))


def test_reporter_timeline_shows_forward_then_receipt(katingan_case, satgas_katingan):
    case = move(katingan_case(S.CHECKING), "forwarded", satgas_katingan, to_agency="pemkab-barito-selatan",
                explanation="Terlapor bekerja di Barito Selatan.")  # fmt: skip
    steps = report_status(Report.objects.get(case=case))["timeline"]
    assert [(s["status"], s["note"]) for s in steps[-2:]] == [
        ("forwarded", "Terlapor bekerja di Barito Selatan."),
        ("received", "Diterima oleh Pemerintah Kabupaten Barito Selatan."),
    ]


# --- issue #17 item 7: the Bawaslu review request has a question; who records the answer ---------


def test_an_empty_bawaslu_review_request_is_refused(katingan_case, satgas_katingan):
    case = katingan_case(S.VERIFICATION)
    for empty in ({}, {"question": "   "}):
        with pytest.raises(TransitionError) as refused:
            case_transition(case=case, action="bawaslu_review", actor=satgas_katingan, data=empty)
        assert refused.value.code == "validation_error"
        assert "question" in refused.value.fields
    case.refresh_from_db()
    assert not case.waiting_for_bawaslu


def test_the_bawaslu_question_is_kept_and_audited_but_never_public(katingan_case, satgas_katingan):
    case = move(katingan_case(S.VERIFICATION), "bawaslu_review", satgas_katingan)
    assert case.bawaslu_question == VALID_DATA["bawaslu_review"]["question"]
    event = AuditEvent.objects.filter(action="case.bawaslu_review_requested").get()
    assert event.payload["question"] == case.bawaslu_question
    assert not case.transitions.filter(public_note__contains="kampanye").exists()


def test_the_first_api_clients_explanation_is_taken_as_the_question(katingan_case, satgas_katingan):
    case = case_transition(
        case=katingan_case(S.VERIFICATION),
        action="bawaslu_review",
        actor=satgas_katingan,
        data={"explanation": "Mohon kajian."},
    )
    assert case.bawaslu_question == "Mohon kajian."


def test_the_satgas_cannot_answer_as_bawaslu(katingan_case, satgas_katingan, lead_katingan):
    case = move(katingan_case(S.VERIFICATION), "bawaslu_review", satgas_katingan)
    for officer in (satgas_katingan, lead_katingan):
        with pytest.raises(TransitionError) as refused:
            move(case, "bawaslu_answer", officer)
        assert refused.value.code == "forbidden"


def test_the_satgas_records_an_answer_on_behalf_of_bawaslu_only_with_a_reason(katingan_case, satgas_katingan):
    case = move(katingan_case(S.VERIFICATION), "bawaslu_review", satgas_katingan)
    with pytest.raises(TransitionError) as refused:
        case_transition(
            case=case, action="bawaslu_answer_on_behalf", actor=satgas_katingan, data={"answer": "Memenuhi unsur."}
        )
    assert list(refused.value.fields) == ["on_behalf_reason"]
    case = move(case, "bawaslu_answer_on_behalf", satgas_katingan)
    assert (case.status, case.waiting_for_bawaslu) == (S.VERIFICATION, False)
    event = AuditEvent.objects.filter(action="case.bawaslu_review_answered").get()
    assert event.actor_id == satgas_katingan.pk
    assert event.payload["on_behalf_of_bawaslu"] is True
    assert event.payload["on_behalf_reason"] == VALID_DATA["bawaslu_answer_on_behalf"]["on_behalf_reason"]
    note = InternalNote.objects.get(case=case)
    assert "atas nama Bawaslu" in note.body and "12/PM.00" in note.body


# --- issue #17: the lead returns a recommendation for revision ----------------------------------


def test_the_lead_returns_a_recommendation_for_revision_with_a_reason(catalogue, katingan_case, lead_katingan):
    case = katingan_case(S.RECOMMENDATION)
    with pytest.raises(TransitionError) as refused:
        case_transition(case=case, action="return_for_revision", actor=lead_katingan, data={})
    assert list(refused.value.fields) == ["reason"]
    case = move(case, "return_for_revision", lead_katingan)
    assert case.status == S.EXAMINATION
    event = AuditEvent.objects.filter(action="case.returned_for_revision").get()
    assert event.payload["reason"] == VALID_DATA["return_for_revision"]["reason"]
    # The reporter sees that the examination goes on, never the lead's reason.
    step = case.transitions.order_by("-at", "-pk").first()
    assert step.to_state == S.EXAMINATION and "pasal" not in step.public_note


def test_an_officer_cannot_return_a_recommendation(catalogue, katingan_case, satgas_katingan):
    with pytest.raises(TransitionError) as refused:
        move(katingan_case(S.RECOMMENDATION), "return_for_revision", satgas_katingan)
    assert refused.value.code == "forbidden"
