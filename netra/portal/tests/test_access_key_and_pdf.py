"""Issue #17, item 10 (the access key typed by hand) and the receipt PDF's way back."""

import io
import re

import pytest
from pypdf import PdfReader

from netra.portal.tests.test_public_pages import REPORT_URL, STATUS_URL, form_data, receipt_from

pytestmark = pytest.mark.django_db

PDF_URL = "/lapor/tanda-terima.pdf"


@pytest.fixture
def submitted(client, agencies):
    return receipt_from(client.post(REPORT_URL, form_data()), client)


def test_the_key_field_is_plain_text_without_javascript_and_marked_for_the_toggle(client, db):
    html = client.get(STATUS_URL).content.decode()
    field = re.search(r'<input[^>]+name="access_key"[^>]*>', html).group(0)
    assert 'type="text"' in field and "data-secret" in field and 'data-show="Tampilkan"' in field
    assert "netra/secret-field.js" in html


def test_a_key_typed_in_lower_case_without_dashes_opens_the_status(client, submitted):
    code, key = submitted
    typed = key.replace("-", " ").lower().replace("0", "o")
    response = client.post(STATUS_URL, {"receipt_code": code, "access_key": typed})
    assert response.status_code == 200 and code in response.content.decode()


def pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_prints_the_status_address_with_the_code_only(client, submitted):
    code, key = submitted
    response = client.post(PDF_URL, {"receipt_code": code, "access_key": key})
    text = pdf_text(response).replace("\n", "")
    assert f"http://testserver/status/?kode={code}" in text
    assert key in text  # printed for the reporter, never inside the address or the QR code
    reader = PdfReader(io.BytesIO(response.content))
    assert any("/XObject" in page["/Resources"] for page in reader.pages)  # the QR image is drawn
    assert response["Content-Disposition"] == f'attachment; filename="tanda-terima-{code}.pdf"'


def test_the_neutral_pdf_has_a_plain_name_title_and_no_words_about_reporting(client, submitted):
    code, key = submitted
    response = client.post(PDF_URL, {"receipt_code": code, "access_key": key, "neutral": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="catatan.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "Catatan"
    text = pdf_text(response)
    assert code in text
    words = text.replace(code, "").replace(key, "")  # a random code or key may spell "ASN"
    assert "ASN" not in words and "Netra" not in words and "laporan" not in words.lower()


def test_the_receipt_page_offers_the_neutral_pdf(client, submitted, agencies):
    posted = client.post(REPORT_URL, form_data())
    html = client.get(posted["Location"]).content.decode()
    assert 'name="neutral" value="1"' in html
