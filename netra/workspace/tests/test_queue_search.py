"""The queue's search reads the report text too (netra.cases.search), ranked; bad input is refused clearly."""

import pytest
from django.urls import reverse

from netra.cases.triage_flow import triage_pending

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")


def listed(response):
    return [case.pk for case in response.context["page"].rows]


def test_words_of_the_report_find_the_case_best_first(staff_client, satgas_katingan, submit):
    apart = submit(description="Mobil milik kantor dipakai kampanye, sopirnya pegawai dinas yang ikut.", links=[])
    phrase = submit(description="Mobil dinas dipakai ke lokasi kampanye pasangan calon.", links=[])
    submit(description="Camat berorasi di lapangan.", links=[])
    triage_pending()  # after the commit in production
    response = staff_client(satgas_katingan).get(QUEUE, {"q": "Mobil Dinas", "status": "all"})
    assert listed(response) == [phrase.pk, apart.pk]
    assert "2 kasus" in response.text


def test_another_agencys_words_are_not_found(staff_client, satgas_katingan, submit):
    submit(description="Pegawai memasang stiker calon di angkot trayek Buntok.", region_code="62.04", links=[])
    triage_pending()
    assert listed(staff_client(satgas_katingan).get(QUEUE, {"q": "angkot buntok", "status": "all"})) == []


@pytest.mark.parametrize("q", ["mobil\x00dinas", "x" * 201])
def test_unsearchable_text_is_refused_with_a_message_and_lists_nothing(staff_client, satgas_katingan, submit, q):
    submit()
    response = staff_client(satgas_katingan).get(QUEUE, {"q": q, "status": "all"})
    assert response.status_code == 200
    assert listed(response) == []
    assert "data-search-refused" in response.text


def test_a_search_asked_again_finds_what_arrived_since(staff_client, satgas_katingan, submit):
    # The queue's page statement is compiled once per shape (netra.compiled); a search's matches
    # are read anew every time, never those of the first asking.
    client = staff_client(satgas_katingan)
    first = submit(description="Kepala desa Tumbang Samba membagikan sembako bergambar calon.", links=[])
    triage_pending()
    assert listed(client.get(QUEUE, {"q": "tumbang samba", "status": "all"})) == [first.pk]
    assert listed(client.get(QUEUE, {"q": "sembako merah", "status": "all"})) == []
    second = submit(description="Sembako merah dibagikan kepala desa Tumbang Samba lagi.", links=[])
    triage_pending()
    assert set(listed(client.get(QUEUE, {"q": "tumbang samba", "status": "all"}))) == {first.pk, second.pk}
    assert listed(client.get(QUEUE, {"q": "sembako merah", "status": "all"})) == [second.pk]
