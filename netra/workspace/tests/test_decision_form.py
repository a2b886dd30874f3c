"""The PPK's decision form with the full sanction catalogue (which has "none", a type without category)."""

import pytest

from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the violation catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


def test_the_decision_form_lists_every_sanction_type(
    staff_client, katingan_case, satgas_katingan, lead_katingan, ppk_katingan
):
    case = take_to(katingan_case, "awaiting_decision", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    response = staff_client(ppk_katingan).get(f"/staf/kasus/{case.pk}/langkah/decided/")
    assert response.status_code == 200
    assert 'value="none"' in response.content.decode()


def test_the_decision_form_shows_the_recommendation_beside_the_choice_without_doubled_labels(
    staff_client, katingan_case, satgas_katingan, lead_katingan, ppk_katingan
):
    case = take_to(katingan_case, "awaiting_decision", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    page = staff_client(ppk_katingan).get(f"/staf/kasus/{case.pk}/langkah/decided/").text
    summary = page[page.index("Rekomendasi Satgas") : page.index('name="move-sanction_type"')]
    assert "Hukuman disiplin berat" in summary and "Menghadiri deklarasi/kampanye" in summary
    assert case.recommendation.letter_number in summary
    # Grouped by category: an option names its type once ("Sanksi moral: …: Pernyataan secara tertutup" said it twice).
    assert '<optgroup label="Hukuman disiplin berat — rekomendasi Satgas">' in page
    assert ">Pernyataan secara tertutup</option>" in page
    assert ": Pernyataan secara tertutup" not in page


def test_closing_asks_for_a_closing_summary_and_points_to_the_follow_up_section(
    staff_client, katingan_case, satgas_katingan, lead_katingan, ppk_katingan
):
    case = take_to(katingan_case, "decided", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    client = staff_client(ppk_katingan)
    form = client.get(f"/staf/kasus/{case.pk}/langkah/closed/").text
    assert "Ringkasan penutupan" in form and "Tindak lanjut yang sudah dilakukan" not in form
    page = client.get(f"/staf/kasus/{case.pk}/").text
    assert page.count("Catat tindak lanjut") == 1
