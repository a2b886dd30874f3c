"""Transitions through the API go through the one workflow table: 200, 409, 422, 403, 404."""

import pytest

from netra.audit.models import AuditEvent
from netra.cases.models import Case
from netra.sharing.tests.conftest import bearer

pytestmark = pytest.mark.django_db


def move(api, token, case, action, **body):
    return api.post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"action": action, **body},
        content_type="application/json",
        headers=bearer(token),
    )


def test_an_allowed_move_answers_200_with_the_updated_case(api, satgas_katingan_token, katingan_case):
    answer = move(api, satgas_katingan_token, katingan_case, "checking")
    assert answer.status_code == 200
    assert answer.json()["status"] == "checking"
    assert Case.objects.get(pk=katingan_case.pk).status == "checking"


def test_the_answer_lists_the_next_allowed_actions(api, satgas_katingan_token, katingan_case):
    body = move(api, satgas_katingan_token, katingan_case, "checking").json()
    assert "verification" in body["allowed_actions"]
    assert "checking" not in body["allowed_actions"]


def test_a_move_not_allowed_from_the_current_state_answers_409(api, satgas_katingan_token, katingan_case):
    answer = move(api, satgas_katingan_token, katingan_case, "decided")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "conflict"


def test_a_move_without_its_required_data_answers_422_naming_the_fields(api, satgas_katingan_token, katingan_case):
    move(api, satgas_katingan_token, katingan_case, "checking")
    answer = move(api, satgas_katingan_token, katingan_case, "dismissed")
    assert answer.status_code == 422
    assert {"reason", "explanation"} <= set(answer.json()["error"]["fields"])


def test_a_move_with_its_data_is_made(api, satgas_katingan_token, katingan_case):
    move(api, satgas_katingan_token, katingan_case, "checking")
    answer = move(
        api,
        satgas_katingan_token,
        katingan_case,
        "dismissed",
        data={"reason": "not_asn", "explanation": "Terlapor adalah kepala desa, bukan ASN."},
    )
    assert (answer.status_code, answer.json()["status"], answer.json()["dismissal_reason"]) == (
        200,
        "dismissed",
        "not_asn",
    )


def test_a_role_that_may_not_make_the_move_answers_403(api, bawaslu_katingan_token, katingan_case):
    answer = move(api, bawaslu_katingan_token, katingan_case, "checking")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_a_read_only_token_answers_403(api, observer_token, katingan_case):
    assert move(api, observer_token, katingan_case, "checking").status_code == 403


def test_a_case_outside_the_scope_answers_404(api, satgas_katingan_token, barsel_case):
    answer = move(api, satgas_katingan_token, barsel_case, "checking")
    assert answer.status_code == 404
    assert Case.objects.get(pk=barsel_case.pk).status == "received"


def test_an_unknown_action_answers_422(api, satgas_katingan_token, katingan_case):
    answer = move(api, satgas_katingan_token, katingan_case, "teleport")
    assert answer.status_code == 422
    assert "action" in answer.json()["error"]["fields"]


def test_a_move_without_action_answers_422(api, satgas_katingan_token, katingan_case):
    answer = api.post(
        f"/api/v1/cases/{katingan_case.pk}/transitions",
        {"note": "x"},
        content_type="application/json",
        headers=bearer(satgas_katingan_token),
    )
    assert answer.status_code == 422


def test_a_move_through_the_api_is_audited_under_the_token_with_its_note(api, satgas_katingan_token, katingan_case):
    move(api, satgas_katingan_token, katingan_case, "checking", note="Dicek lewat SIMPEG")
    event = AuditEvent.objects.get(action="case.transitioned", object_id=str(katingan_case.pk))
    assert event.actor_label.startswith("api-token:")
    assert (event.payload["via"], event.payload["note"]) == ("api", "Dicek lewat SIMPEG")
