"""The public pages: report form (errors, staged files, bot guards), receipt, PDF, status and messages."""

import io
import re
import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from netra.cases.models import Case, Evidence, Message, Report
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401
from netra.catalog.violations import load_sanctions, load_violations

REPORT_URL = "/lapor/"
STATUS_URL = "/status/"


def started(seconds_ago: float = 30) -> str:
    return signing.dumps(time.time() - seconds_ago, salt="netra.portal.report-form")


def form_data(**overrides) -> dict:
    data = report_data()
    data["links"] = "\n".join(data["links"])
    data.update({"province": "62", "started": started()})
    data.update(overrides)
    return data


def receipt_from(response, client=None) -> tuple[str, str]:
    """Code and key from the one-time receipt page the form redirects to (303, then GET)."""
    if response.status_code == 303:
        response = (client or response.client).get(response["Location"])
    html = response.content.decode()
    code = re.search(r'id="receipt-code">([^<]+)<', html).group(1)
    key = re.search(r'id="access-key">([^<]+)<', html).group(1)
    return code, key


@pytest.fixture
def catalogue(db):
    load_sanctions()
    load_violations()


def test_landing_page_explains_and_lists_the_violation_catalogue(client, catalogue):
    html = client.get("/").content.decode()
    assert "Laporkan pelanggaran netralitas ASN" in html
    assert "Penggunaan fasilitas negara" in html  # a catalogue group
    assert "anonim" in html


def test_report_form_offers_provinces_and_their_regencies(client, agencies):
    html = client.get(REPORT_URL).content.decode()
    assert '<option value="62">Kalimantan Tengah</option>' in html
    assert '<optgroup label="Kalimantan Tengah">' in html
    assert 'value="62.06"' in html


def test_a_valid_report_shows_the_receipt_code_and_key_once(client, agencies):
    posted = client.post(REPORT_URL, form_data())
    assert posted.status_code == 303
    response = client.get(posted["Location"])
    code, key = receipt_from(response)
    assert re.fullmatch(r"NTR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code)
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}", key)
    assert "tidak dapat dipulihkan" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    report = Report.objects.get(receipt_code=code)
    assert report.case.agency.code == "pemkab-katingan"
    assert key not in report.access_key_hash


def test_a_province_alone_is_accepted_only_with_the_explicit_unknown_kab_kota(client, agencies):
    """Issue #17: a province-only report goes to the provincial government; ask first."""
    asked = client.post(REPORT_URL, form_data(region_code="", province="62"))
    assert asked.status_code == 422
    assert "Saya tidak tahu kabupaten/kotanya" in asked.context["form"].errors["region_code"][0]
    assert not Case.objects.exists()
    response = client.post(REPORT_URL, form_data(region_code="tidak-tahu", province="62"))
    assert response.status_code == 303
    assert Case.objects.get().region_id == "62"


def test_errors_are_shown_in_indonesian_and_the_text_is_kept(client, agencies):
    response = client.post(REPORT_URL, form_data(description="terlalu pendek", incident_date="2999-01-01"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Laporan belum terkirim" in html
    assert "20 karakter" in html
    assert "masa depan" in html
    assert "terlalu pendek</textarea>" in html  # what the reporter wrote is still there
    assert "Budi Santoso" in html
    assert not Case.objects.exists()


def test_a_missing_place_is_an_error_on_the_province_picker(client, agencies):
    response = client.post(REPORT_URL, form_data(region_code="", province=""))
    assert response.status_code == 422
    assert response.context["form"].errors["province"]
    assert "region_code" not in response.context["form"].errors  # the kab/kota may stay empty
    assert not Case.objects.exists()


def test_an_accepted_photo_survives_an_error_elsewhere_in_the_form(client, agencies, private_media):  # noqa: F811
    photo = SimpleUploadedFile("foto.jpg", image_bytes(gps=True), content_type="image/jpeg")
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=photo))
    assert first.status_code == 422
    html = first.content.decode()
    assert "foto.jpg" in html
    token = re.search(r'name="staged" value="([^"]+)"', html).group(1)

    second = client.post(REPORT_URL, form_data(staged=token))
    assert second.status_code == 303
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/jpeg"
    assert not list((private_media / "staging").iterdir())  # the staged copy is gone


def test_a_disguised_script_is_refused_and_the_rest_is_kept(client, agencies):
    script = SimpleUploadedFile("foto.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = client.post(REPORT_URL, form_data(evidence=script))
    assert response.status_code == 422
    assert not Case.objects.exists()
    assert "Budi Santoso" in response.content.decode()


def test_the_honeypot_field_stops_a_bot(client, agencies):
    response = client.post(REPORT_URL, form_data(website="http://spam.example"))
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_a_form_sent_faster_than_a_person_can_type_is_refused(client, agencies):
    response = client.post(REPORT_URL, form_data(started=started(seconds_ago=0.5)))
    assert response.status_code == 422
    assert "terlalu cepat" in response.content.decode()
    assert not Case.objects.exists()


def test_the_report_form_is_rate_limited(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=2/h"
    for _ in range(2):
        client.post(REPORT_URL, form_data())
    response = client.post(REPORT_URL, form_data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Case.objects.count() == 2


@pytest.fixture
def submitted(client, agencies):
    return receipt_from(client.post(REPORT_URL, form_data()))


def test_the_status_page_shows_the_timeline(client, submitted):
    code, key = submitted
    response = client.post(STATUS_URL, {"receipt_code": code, "access_key": key})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Diterima" in html
    assert code in html


def test_a_hand_typed_code_in_lower_case_still_opens_the_status(client, submitted):
    code, key = submitted
    response = client.post(STATUS_URL, {"receipt_code": code.lower().replace("-", " "), "access_key": key})
    assert response.status_code == 200


def test_a_wrong_key_answers_404_without_saying_whether_the_code_exists(client, submitted):
    code, _ = submitted
    wrong_key = client.post(STATUS_URL, {"receipt_code": code, "access_key": "x" * 27})
    unknown = client.post(STATUS_URL, {"receipt_code": "NTR-0000-0000", "access_key": "x" * 27})
    assert wrong_key.status_code == unknown.status_code == 404
    assert "tidak cocok" in wrong_key.content.decode()


def test_the_reporter_can_send_a_message_to_the_satgas(client, submitted):
    code, key = submitted
    response = client.post(
        STATUS_URL, {"receipt_code": code, "access_key": key, "action": "message", "body": "Ada video tambahan."}
    )
    assert response.status_code == 200
    assert "Pesan Anda terkirim" in response.content.decode()
    assert Message.objects.get().body == "Ada video tambahan."


def test_an_empty_message_is_refused_with_a_message(client, submitted):
    code, key = submitted
    response = client.post(STATUS_URL, {"receipt_code": code, "access_key": key, "action": "message", "body": " "})
    assert response.status_code == 422
    assert not Message.objects.exists()


def test_the_reporter_can_add_evidence_later(client, submitted):
    code, key = submitted
    photo = SimpleUploadedFile("lagi.png", image_bytes("PNG"), content_type="image/png")
    response = client.post(
        STATUS_URL, {"receipt_code": code, "access_key": key, "action": "evidence", "evidence": photo}
    )
    assert response.status_code == 200
    assert Evidence.objects.get().content_type == "image/png"


def test_the_pdf_receipt_carries_the_code_and_key(client, submitted):
    code, key = submitted
    response = client.post("/lapor/tanda-terima.pdf", {"receipt_code": code, "access_key": key})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert code in text
    assert key in text.replace("\n", "")


def test_the_pdf_receipt_needs_the_right_key(client, submitted):
    code, _ = submitted
    response = client.post("/lapor/tanda-terima.pdf", {"receipt_code": code, "access_key": "y" * 27})
    assert response.status_code == 404


def test_an_accepted_photo_survives_an_unreadable_date(client, agencies):
    photo = SimpleUploadedFile("foto.png", image_bytes("PNG"), content_type="image/png")
    response = client.post(REPORT_URL, form_data(incident_date="kemarin", evidence=photo))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Tanggal tidak dikenali" in html
    assert 'name="staged"' in html


def test_clean_staging_removes_only_stale_files(private_media, db):  # noqa: F811
    import os

    from django.core.management import call_command

    staging_dir = private_media / "staging"
    staging_dir.mkdir(parents=True)
    (staging_dir / "old").write_bytes(b"x")
    (staging_dir / "new").write_bytes(b"y")
    old = time.time() - 7 * 3600
    os.utime(staging_dir / "old", (old, old))
    call_command("clean_staging", stdout=io.StringIO())
    assert sorted(p.name for p in staging_dir.iterdir()) == ["new"]


def test_a_refused_file_is_named_even_when_other_fields_are_wrong_too(client, agencies):
    script = SimpleUploadedFile("foto.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = client.post(REPORT_URL, form_data(incident_date="kemarin", evidence=script))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["incident_date"]
    assert errors["evidence"]  # the reporter learns the file was not taken
