"""Issue #16 items 3 and 4 through the agency API: the case detail reports BKN's control actions
and a running referral; the ``case.control_action`` webhook announces each one (annulment too);
a token of the receiving agency reaches a referred case only while it is referred."""

import datetime

import pytest

from netra.cases.models import Case, Decision
from netra.cases.services import case_transition, control_action_add
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the fixture
from netra.catalog.models import SanctionType
from netra.sharing import outbox
from netra.sharing.models import WebhookEvent, WebhookSubscription
from netra.sharing.tests.conftest import bearer, file_case, issue
from netra.sharing.tokens import issue_token

S = Case.Status
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _listeners():
    outbox.forget_listeners()
    yield
    outbox.forget_listeners()


def _escalated(agencies):
    case = file_case("62.06")
    Case.objects.filter(pk=case.pk).update(status=S.ESCALATED, agency=agencies["pemkab-katingan"])
    case.refresh_from_db()
    return case


def test_the_case_detail_and_the_webhook_report_a_warning(api, agencies, bkn_kanreg):
    token = issue_token(agency=agencies["pemkab-katingan"], role="ppk", name="SIMPEG").token
    WebhookSubscription.objects.create(
        agency=token.agency, role=token.role, token=token, url="https://example.org/h", events=["case.control_action"]
    )
    case = _escalated(agencies)
    control_action_add(
        case=case,
        actor=bkn_kanreg,
        kind="warning",
        date=TODAY,
        reference="B-7/KR.VIII/2026",
        data={"addressee": "Bupati Katingan", "ppk_deadline": TODAY + datetime.timedelta(days=10)},
    )
    event = WebhookEvent.objects.get(case=case, type="case.control_action")
    shown = event.payload["data"]["control_action"]
    assert shown["kind"] == "warning" and shown["reference"] == "B-7/KR.VIII/2026"
    assert shown["ppk_deadline"] == (TODAY + datetime.timedelta(days=10)).isoformat()

    reader = issue(agencies, "pemkab-katingan", "satgas_lead")
    answer = api.get(f"/api/v1/cases/{case.pk}", headers=bearer(reader))
    assert answer.status_code == 200, answer.content
    detail = answer.json()
    assert [a["kind"] for a in detail["control_actions"]] == ["warning"]
    assert detail["control_actions"][0]["addressee"] == "Bupati Katingan"
    assert "PP 94/2021" in detail["control_actions"][0]["legal_basis"]
    assert detail["referred_to"] is None
    events = api.get(f"/api/v1/cases/{case.pk}/events", headers=bearer(reader)).json()["items"]
    assert "case.control_action_added" in [e["action"] for e in events]


@pytest.mark.usefixtures("catalogue")
def test_the_annulment_is_announced_as_a_control_action_too(agencies, bkn_kanreg):
    token = issue_token(agency=agencies["kanreg-bkn-banjarmasin"], role="bkn_supervisor", name="BKN").token
    WebhookSubscription.objects.create(
        agency=token.agency, role=token.role, token=token, url="https://example.org/h", events=["case.control_action"]
    )
    case = file_case("62.06")
    Case.objects.filter(pk=case.pk).update(status=S.DECIDED, agency=agencies["pemkab-katingan"])
    Decision.objects.create(
        case=case, sanction_type=SanctionType.objects.get(pk="demotion_12m"), decree_number="800/1", decree_date=TODAY
    )
    case_transition(case=case, action="annulled", actor=bkn_kanreg, data={"explanation": "Cacat prosedur."})
    shown = WebhookEvent.objects.get(case=case, type="case.control_action").payload["data"]["control_action"]
    assert shown["kind"] == "annulment" and shown["annulled_decision"] is not None


def test_a_token_of_the_receiving_agency_reaches_the_case_only_while_referred(api, agencies, satgas_katingan):
    # An agency that does not reach Katingan by itself (the scope rule is the same for any receiver).
    ministry = agencies["pemkab-konawe-selatan"]
    outsider = issue(agencies, "pemkab-konawe-selatan", "satgas_officer")
    case = file_case("62.06")
    Case.objects.filter(pk=case.pk).update(status=S.VERIFICATION, agency=agencies["pemkab-katingan"])
    assert api.get(f"/api/v1/cases/{case.pk}", headers=bearer(outsider)).status_code == 404

    Case.objects.filter(pk=case.pk).update(referred_to=ministry)
    answer = api.get(f"/api/v1/cases/{case.pk}", headers=bearer(outsider))
    assert answer.status_code == 200
    assert answer.json()["referred_to"]["agency"] == "pemkab-konawe-selatan"
    assert "referral_returned" in answer.json()["allowed_actions"]
    assert case.pk in [item["id"] for item in api.get("/api/v1/cases", headers=bearer(outsider)).json()["items"]]

    Case.objects.filter(pk=case.pk).update(referred_to=None)
    assert api.get(f"/api/v1/cases/{case.pk}", headers=bearer(outsider)).status_code == 404


def test_the_owner_withdraws_a_referral_through_the_api(api, agencies):
    owner = issue(agencies, "pemkab-katingan", "satgas_officer")
    receiver = issue(agencies, "pemkab-konawe-selatan", "satgas_officer")
    case = file_case("62.06")
    Case.objects.filter(pk=case.pk).update(
        status=S.VERIFICATION, agency=agencies["pemkab-katingan"], referred_to=agencies["pemkab-konawe-selatan"]
    )
    url = f"/api/v1/cases/{case.pk}/transitions"
    assert "referral_withdrawn" in api.get(f"/api/v1/cases/{case.pk}", headers=bearer(owner)).json()["allowed_actions"]
    refused = api.post(
        url,
        {"action": "referral_withdrawn", "data": {"withdraw_reason": "x"}},
        content_type="application/json",
        headers=bearer(receiver),
    )
    assert refused.status_code == 403
    missing = api.post(url, {"action": "referral_withdrawn"}, content_type="application/json", headers=bearer(owner))
    assert missing.status_code == 422 and "withdraw_reason" in str(missing.json())
    answer = api.post(
        url,
        {"action": "referral_withdrawn", "data": {"withdraw_reason": "Dirujuk keliru."}},
        content_type="application/json",
        headers=bearer(owner),
    )
    assert answer.status_code == 200 and answer.json()["referred_to"] is None
    assert api.get(f"/api/v1/cases/{case.pk}", headers=bearer(receiver)).status_code == 404
    again = api.post(
        url,
        {"action": "referral_withdrawn", "data": {"withdraw_reason": "x"}},
        content_type="application/json",
        headers=bearer(owner),
    )
    assert again.status_code == 409
