"""GET /api/v1/pacts/coverage and GET /api/v1/events: scope, filters, paging, error shape."""

import datetime

import pytest

from netra.orgs.models import Unit
from netra.pacts import events
from netra.pacts.outreach_models import SocialisationEvent
from netra.pacts.tests.outreach_support import campaign, roster, sign
from netra.sharing.tests.conftest import bearer, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def katingan_data(agencies, satgas_katingan):
    katingan = agencies["pemkab-katingan"]
    unit = Unit.objects.get_or_create(agency=katingan, name="Dinas Pendidikan")[0]
    staff = roster(katingan, unit, 5)
    sign(campaign(katingan), staff[:3])
    event = events.event_create(
        actor=satgas_katingan,
        agency=katingan,
        kind=SocialisationEvent.Kind.APEL,
        title="Apel Ikrar Netralitas",
        held_on=datetime.date(2024, 10, 7),
        place="Halaman Kantor Bupati",
        audience_units=[unit],
    )
    events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[s.pk for s in staff[:4]])
    return unit, event


def test_coverage_for_the_agencys_own_token(api, agencies, katingan_data):
    token = issue(agencies, "pemkab-katingan", "satgas_lead")
    answer = api.get("/api/v1/pacts/coverage?agency=pemkab-katingan&page_size=200", headers=bearer(token))
    assert answer.status_code == 200
    body = answer.json()
    row = next(item for item in body["items"] if item["unit"] == "Dinas Pendidikan")
    assert row == {
        "agency": "pemkab-katingan",
        "unit": "Dinas Pendidikan",
        "employees": 5,
        "signed": 3,
        "circulars_acknowledged": 0,
        "reached_by_events": 4,
        "circulars": 0,
    }
    assert body["page"] == 1 and body["page_size"] == 200 and body["count"] >= 1


def test_bawaslu_and_bkn_tokens_see_coverage_in_their_reach(api, agencies, katingan_data):
    for code, role in (("bawaslu-kab-katingan", "bawaslu_officer"), ("kanreg-bkn-banjarmasin", "bkn_supervisor")):
        answer = api.get("/api/v1/pacts/coverage?agency=pemkab-katingan", headers=bearer(issue(agencies, code, role)))
        assert answer.status_code == 200, code
        assert any(item["unit"] == "Dinas Pendidikan" for item in answer.json()["items"])


def test_another_agencys_coverage_and_events_answer_404(api, agencies, katingan_data):
    token = issue(agencies, "pemkab-barito-selatan", "satgas_lead")
    for path in ("/api/v1/pacts/coverage?agency=pemkab-katingan", "/api/v1/events?agency=pemkab-katingan"):
        answer = api.get(path, headers=bearer(token))
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    listed = api.get("/api/v1/pacts/coverage?page_size=200", headers=bearer(token)).json()["items"]
    assert {item["agency"] for item in listed} == {"pemkab-barito-selatan"}
    assert api.get("/api/v1/events", headers=bearer(token)).json()["count"] == 0


def test_events_with_attendance_counts(api, agencies, katingan_data):
    _unit, event = katingan_data
    answer = api.get("/api/v1/events", headers=bearer(issue(agencies, "bawaslu-kab-katingan", "bawaslu_officer")))
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert item["id"] == event.pk and item["attendance"] == 4 and item["kind"] == "apel_ikrar"
    assert item["audience_units"] == ["Dinas Pendidikan"]


def test_no_token_and_bad_paging_use_the_error_shape(api, agencies):
    assert api.get("/api/v1/pacts/coverage").json()["error"]["code"] == "unauthorized"
    token = issue(agencies, "pemkab-katingan", "satgas_lead")
    answer = api.get("/api/v1/events?page_size=500", headers=bearer(token))
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "validation_error"
