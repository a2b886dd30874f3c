"""The letter downloads of the case page: PDF for staff in scope, 404 for everyone else."""

import pytest

from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the violation catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

LETTER = "/staf/kasus/{pk}/surat-rekomendasi.pdf"
SUMMARY = "/staf/kasus/{pk}/ringkasan-keputusan.pdf"


@pytest.fixture
def decided(katingan_case, satgas_katingan, lead_katingan, ppk_katingan):
    return take_to(katingan_case, "decided", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)


@pytest.mark.parametrize("url", [LETTER, SUMMARY])
def test_an_officer_of_the_agency_downloads_the_pdf(staff_client, satgas_katingan, decided, url):
    response = staff_client(satgas_katingan).get(url.format(pk=decided.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("url", [LETTER, SUMMARY])
def test_an_officer_of_another_agency_gets_404(staff_client, satgas_barsel, decided, url):
    assert staff_client(satgas_barsel).get(url.format(pk=decided.pk)).status_code == 404


def test_the_letter_is_named_after_the_case(staff_client, ppk_katingan, decided):
    response = staff_client(ppk_katingan).get(LETTER.format(pk=decided.pk))
    assert f'filename="surat-rekomendasi-{decided.number}.pdf"' in response["Content-Disposition"]


def test_no_letter_before_a_recommendation(staff_client, satgas_katingan, katingan_case):
    assert staff_client(satgas_katingan).get(LETTER.format(pk=katingan_case.pk)).status_code == 404


def test_no_summary_before_a_decision(staff_client, satgas_katingan, lead_katingan, ppk_katingan, katingan_case):
    case = take_to(katingan_case, "awaiting_decision", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    assert staff_client(satgas_katingan).get(SUMMARY.format(pk=case.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, decided):
    response = client.get(LETTER.format(pk=decided.pk))
    assert response.status_code == 302 and "/staf/masuk/" in response["Location"]


def test_the_case_page_links_both_documents(staff_client, satgas_katingan, decided):
    page = staff_client(satgas_katingan).get(f"/staf/kasus/{decided.pk}/").content.decode()
    assert LETTER.format(pk=decided.pk) in page
    assert SUMMARY.format(pk=decided.pk) in page


def test_opening_the_letter_never_numbers_it_not_even_for_an_observer(
    staff_client, observer, satgas_katingan, lead_katingan, ppk_katingan, katingan_case
):
    """Security finding 11: the GET of the PDF assigned the agency's letter number."""
    from netra.audit.models import AuditEvent
    from netra.cases.models import Recommendation
    from netra.cases.services import case_transition

    case = take_to(katingan_case, "recommendation", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    events = AuditEvent.objects.count()
    for user in (observer, satgas_katingan, lead_katingan):
        response = staff_client(user).get(LETTER.format(pk=case.pk))
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Recommendation.objects.get(case=case).letter_number == ""
    assert AuditEvent.objects.count() == events
    case_transition(case=case, action="awaiting_decision", actor=lead_katingan)
    number = Recommendation.objects.get(case=case).letter_number
    assert number.startswith("800.1.6/001/")
    staff_client(observer).get(LETTER.format(pk=case.pk))
    assert Recommendation.objects.get(case=case).letter_number == number
    assert number in staff_client(satgas_katingan).get(f"/staf/kasus/{case.pk}/").text


def test_the_letter_answers_only_get(staff_client, satgas_katingan, decided):
    assert staff_client(satgas_katingan).post(LETTER.format(pk=decided.pk)).status_code == 405
