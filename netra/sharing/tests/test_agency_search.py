"""The agency API's ``q`` searches the report text with the queue's search (netra.cases.search)."""

import pytest

from netra.cases.triage_flow import triage_pending
from netra.sharing.tests.conftest import bearer, file_case

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases"


def get(api, token, **params):
    return api.get(CASES, params, headers=bearer(token))


def test_q_finds_words_of_the_report_in_scope(api, bawaslu_katingan_token, agencies):
    ours = file_case("62.06", description="Kepala dinas memakai mobil dinas untuk kampanye di Desa Tumbang Samba.")
    file_case("62.04", description="Kepala dinas memakai mobil dinas untuk kampanye di Buntok.")
    triage_pending()
    items = get(api, bawaslu_katingan_token, q="mobil dinas").json()["items"]
    assert [item["id"] for item in items] == [ours.pk]
    assert [i["id"] for i in get(api, bawaslu_katingan_token, q="désa TUMBANG").json()["items"]] == [ours.pk]


@pytest.mark.parametrize("q", ["mobil\x00dinas", "x" * 201, "tab\x07"])
def test_unsearchable_q_is_a_422_naming_the_field(api, bawaslu_katingan_token, agencies, q):
    file_case("62.06")
    response = get(api, bawaslu_katingan_token, q=q)
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "validation_error" and "q" in body["error"]["fields"]


@pytest.mark.parametrize("q", ["null", "tidakadakatasepertiini", "199001012020121999"])
def test_a_q_that_matches_nothing_is_an_empty_page(api, bawaslu_katingan_token, agencies, q):
    """No match of any kind (words, name, NIP, number): an empty list counted 0, never a 500."""
    file_case("62.06", description="Camat hadir di kampanye paslon di lapangan desa.")
    triage_pending()
    response = get(api, bawaslu_katingan_token, q=q)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [] and response.json()["count"] == 0
