"""Agency cases from the past (issue #16 item 6): the agency API and staff filings accept an
incident older than the public form's limit with a reason (recorded, audited, on the case page);
the public form and the public API keep the limit."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases import intake
from netra.cases.models import Case, Report
from netra.cases.tests.fixtures import report_data
from netra.sharing.tests.conftest import bearer, issue

pytestmark = pytest.mark.django_db
NOW = time_machine.travel(datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC), tick=False)
OLD = "2023-04-10"  # more than 730 days before 20 Nov 2026
REASON = "Temuan Bawaslu Kabupaten Katingan 2023 yang baru diteruskan; kasus pindahan dari SBT."


@pytest.fixture
def token(agencies):
    return issue(agencies, "pemkab-katingan", "satgas_officer")


def post(api, token, **overrides):
    body = report_data(source="agency_referral", region_code="62.06", **overrides)
    return api.post("/api/v1/cases", body, content_type="application/json", headers=bearer(token))


@NOW
def test_an_old_agency_case_without_a_reason_is_refused_with_its_code(api, token, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    answer = post(api, token, incident_date=OLD)
    error = answer.json()["error"]
    assert answer.status_code == 422
    assert error["code"] == "incident_date_reason_required"
    assert (
        list(error["fields"]) == ["incident_date_reason"] and "730 hari" in error["fields"]["incident_date_reason"][0]
    )
    # With another problem as well, every problem at once under validation_error.
    both = post(api, token, incident_date=OLD, description="pendek").json()["error"]
    assert both["code"] == "validation_error" and set(both["fields"]) == {"incident_date_reason", "description"}
    assert not Report.objects.exists()


@NOW
def test_an_old_agency_case_with_a_reason_is_filed_audited_and_shown(
    api, token, settings, staff_client, satgas_katingan
):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    answer = post(api, token, incident_date=OLD, incident_date_reason=REASON)
    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(pk=answer.json()["id"])
    assert case.incident_date == datetime.date(2023, 4, 10)
    assert case.reports.get().incident_date_reason == REASON
    event = AuditEvent.objects.get(action="case.received", object_id=str(case.pk))
    assert event.payload["incident_date_reason"] == REASON
    page = staff_client(satgas_katingan).get(reverse("workspace:case", args=[case.pk])).text
    assert "Alasan tanggal kejadian lama" in page and REASON in page


@NOW
def test_a_recent_date_keeps_no_reason(api, token):
    answer = post(api, token, incident_date="2026-11-01", incident_date_reason="tidak perlu")
    assert answer.status_code == 201
    assert Report.objects.get().incident_date_reason == ""


@NOW
def test_a_staff_filing_accepts_an_old_date_with_a_reason(agencies, satgas_katingan, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    data = report_data(region_code="62.06", incident_date=OLD)
    with pytest.raises(intake.IntakeError) as refused:
        intake.report_submit(data=data, source="agency_referral", actor=satgas_katingan)
    assert refused.value.code == "incident_date_reason_required"
    receipt = intake.report_submit(
        data=data | {"incident_date_reason": REASON}, source="agency_referral", actor=satgas_katingan
    )
    assert receipt.report.incident_date_reason == REASON


@NOW
def test_the_public_keeps_the_limit_even_with_a_reason(api, agencies, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    with pytest.raises(intake.IntakeError) as refused:
        intake.report_submit(data=report_data(incident_date=OLD, incident_date_reason=REASON))
    assert list(refused.value.fields) == ["incident_date"] and refused.value.code == "validation_error"
    answer = api.post(
        "/api/v1/public/reports",
        report_data(incident_date=OLD, incident_date_reason=REASON),
        content_type="application/json",
        headers={"Idempotency-Key": "past-incident-0001-abcdefghijkl"},
    )
    assert answer.status_code == 422
    assert list(answer.json()["error"]["fields"]) == ["incident_date"]
    assert not Report.objects.exists()
