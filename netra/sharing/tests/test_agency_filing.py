"""Agency filing through the API (issue #10, finding 2), the review's demonstrations re-run.

A token files only into its reach (the scope rule of netra.orgs.selectors), only with a source
its agency may use, never ``public_report``; an agency-filed case carries no reporter access key.
"""

import pytest

from netra.cases import intake
from netra.cases.models import Case, Message, Report
from netra.cases.tests.fixtures import report_data
from netra.sharing.tests.conftest import bearer, issue

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
KONAWE_SELATAN = "74.05"


def post(api, token, **overrides):
    return api.post(CASES, report_data(**overrides), content_type="application/json", headers=bearer(token))


@pytest.fixture
def katingan_officer_token(agencies):
    return issue(agencies, "pemkab-katingan", "satgas_officer")


def test_a_katingan_satgas_token_cannot_file_a_bawaslu_finding_for_konawe_selatan(api, katingan_officer_token):
    """The demonstration: 201 with a receipt code and an access key for another province's Satgas."""
    answer = post(api, katingan_officer_token, source="bawaslu_finding", region_code=KONAWE_SELATAN)
    error = answer.json()["error"]
    assert answer.status_code == 403
    assert error["code"] == "forbidden"
    assert set(error["fields"]) == {"source", "region_code"}
    assert not Case.objects.exists() and not Report.objects.exists()


def test_a_referral_outside_the_tokens_reach_is_refused(api, katingan_officer_token):
    answer = post(api, katingan_officer_token, source="agency_referral", region_code=KONAWE_SELATAN)
    assert (answer.status_code, set(answer.json()["error"]["fields"])) == (403, {"region_code"})
    assert not Case.objects.exists()


def test_a_referral_inside_the_reach_is_filed(api, katingan_officer_token, agencies):
    answer = post(api, katingan_officer_token, source="agency_referral", region_code="62.06")
    assert answer.status_code == 201
    assert Case.objects.get(pk=answer.json()["id"]).agency == agencies["pemkab-katingan"]


@pytest.mark.parametrize("code", ["pemkab-katingan", "bawaslu-kab-katingan"])
def test_a_token_never_files_a_public_report(api, agencies, code):
    token = issue(agencies, code, "satgas_officer" if code.startswith("pemkab") else "bawaslu_officer")
    answer = post(api, token, source="public_report")
    assert (answer.status_code, set(answer.json()["error"]["fields"])) == (403, {"source"})
    assert not Case.objects.exists()


def test_a_regency_bawaslu_token_files_only_for_its_regency(api, bawaslu_katingan_token):
    assert post(api, bawaslu_katingan_token, source="bawaslu_finding", region_code="62.04").status_code == 403
    assert post(api, bawaslu_katingan_token, source="bawaslu_finding", region_code="62.06").status_code == 201


def test_a_provincial_bawaslu_token_files_for_any_regency_of_its_province(api, bawaslu_kalteng_token):
    assert post(api, bawaslu_kalteng_token, source="bawaslu_finding", region_code="62.04").status_code == 201
    assert post(api, bawaslu_kalteng_token, source="bawaslu_finding", region_code=KONAWE_SELATAN).status_code == 403


def test_an_agency_filed_case_has_no_access_key_and_no_reporter_channel(api, bawaslu_katingan_token):
    body = post(api, bawaslu_katingan_token, source="bawaslu_finding").json()
    assert body["access_key"] is None
    code = body["receipt_code"]
    report = Report.objects.get(receipt_code=code)
    assert report.access_key_hash == ""
    # Whatever key is tried, the public status API and the reporter's messages answer 404.
    for key in ("", " ", "None", "null"):
        headers = {"X-Access-Key": key}
        assert api.get(f"/api/v1/public/reports/{code}", headers=headers).status_code == 404
        sent = api.post(
            f"/api/v1/public/reports/{code}/messages",
            {"body": "Saya pelapornya."},
            content_type="application/json",
            headers=headers,
        )
        assert sent.status_code == 404
    assert intake.report_lookup(receipt_code=code, access_key="") is None
    assert not Message.objects.exists()


def test_the_domain_refuses_a_satgas_officer_filing_a_bawaslu_finding(satgas_katingan):
    """The rule is in the intake service, not only in the API."""
    with pytest.raises(intake.IntakeError) as refused:
        intake.report_submit(data=report_data(), source="bawaslu_finding", actor=satgas_katingan)
    assert (refused.value.code, set(refused.value.fields)) == ("forbidden", {"source"})
    with pytest.raises(intake.IntakeError):
        intake.report_submit(data=report_data(), source="public_report", actor=satgas_katingan)


def test_a_bawaslu_officer_files_a_finding_for_their_regency(bawaslu_katingan):
    receipt = intake.report_submit(data=report_data(), source="bawaslu_finding", actor=bawaslu_katingan)
    assert receipt.case.source == "bawaslu_finding" and receipt.access_key == ""


def test_the_public_still_gets_an_access_key(api, db, agencies):
    answer = api.post("/api/v1/public/reports", report_data(), content_type="application/json")
    key = answer.json()["access_key"]
    assert answer.status_code == 201 and key
    code = answer.json()["receipt_code"]
    assert api.get(f"/api/v1/public/reports/{code}", headers={"X-Access-Key": key}).status_code == 200
