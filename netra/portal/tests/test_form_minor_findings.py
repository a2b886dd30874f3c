"""Issue #17, the portal's minor findings on the report form and the status page."""

import re
import time

import pytest
from django.core import signing

from netra.cases.models import Case, Message, Report
from netra.cases.tests.fixtures import private_media  # noqa: F401
from netra.portal.forms import FORM_MAX_AGE, normalize_link
from netra.portal.tests.test_public_pages import REPORT_URL, STATUS_URL, form_data, receipt_from

pytestmark = pytest.mark.django_db


def test_switching_language_mid_form_keeps_every_value(client, agencies):
    html = client.get(REPORT_URL).content.decode()
    assert 'form="report-form" formaction="/en/report/"' in html  # the EN button submits this form
    switched = client.post("/en/report/", form_data(location="Balai Desa Tumbang", switch_language="en"))
    page = switched.content.decode()
    assert switched.status_code == 200 and '<html lang="en">' in page
    assert "Balai Desa Tumbang" in page and "Budi Santoso" in page
    assert "error-summary" not in page  # nothing checked, nothing sent
    assert not Report.objects.exists()


def test_a_form_left_open_too_long_is_told_so_and_keeps_its_values(client, agencies):
    # A token signed 6 hours and a minute ago: the timestamp is part of what is signed.
    signer = signing.TimestampSigner(salt="netra.portal.report-form")
    payload = signer.sign_object(time.time() - FORM_MAX_AGE - 60).split(":", 1)[0]
    then = signing.b62_encode(int(time.time() - FORM_MAX_AGE - 60))
    expired = signing.Signer.sign(signer, f"{payload}:{then}")
    response = client.post(REPORT_URL, form_data(started=expired, location="Pasar Lama"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "lebih dari 6 jam" in html and "terlalu cepat" not in html and "Pasar Lama" in html
    assert not Report.objects.exists()


def test_the_required_fields_are_marked_and_the_intro_names_them(client, agencies):
    html = client.get(REPORT_URL).content.decode()
    assert "Di mana" not in html
    for field in ("description", "incident_date", "province"):
        assert re.search(rf'<label for="id_{field}">[^<]*<span class="required">\(wajib\)</span>', html)
        assert re.search(rf'<[^>]+aria-required="true"[^>]+id="id_{field}"', html)
    assert not re.search(r'<label for="id_location">[^<]*<span class="required">', html)


def test_a_nip_with_one_wrong_digit_warns_once_then_the_report_goes_through(client, agencies):
    wrong = "198513122010011003"  # month 13
    warned = client.post(REPORT_URL, form_data(subject_nip=wrong))
    assert warned.status_code == 422
    assert "tekan “Kirim laporan” sekali lagi" in warned.context["form"].errors["subject_nip"][0]
    ack = re.search(r'name="nip_ack" value="([^"]*)"', warned.content.decode()).group(1)
    sent = client.post(REPORT_URL, form_data(subject_nip=wrong, nip_ack=ack))
    assert sent.status_code == 303
    report = Report.objects.get()
    assert "nip" not in report.subject and wrong in report.description  # kept for the Satgas


def test_links_without_https_are_accepted_and_normalised(client, agencies):
    sent = client.post(REPORT_URL, form_data(links="www.facebook.com/contoh/posts/1\nfb.com/x\nhttps://a.example/b"))
    assert sent.status_code == 303
    assert Report.objects.get().links == [
        "https://www.facebook.com/contoh/posts/1",
        "https://fb.com/x",
        "https://a.example/b",
    ]
    assert normalize_link("bukan tautan") == "bukan tautan"  # left for the service to refuse


def test_a_message_to_a_closed_case_is_kept_and_the_reporter_told(client, agencies):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    Case.objects.update(status=Case.Status.CLOSED)
    answer = client.post(
        STATUS_URL, {"receipt_code": code, "access_key": key, "action": "message", "body": "Masih ada?"}
    )
    assert "kasus ini sudah selesai" in answer.content.decode()
    assert Message.objects.count() == 1


def test_the_status_page_says_what_happens_next_who_handles_it_and_lists_the_evidence(
    client,
    agencies,
    private_media,  # noqa: F811
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from netra.cases.tests.fixtures import image_bytes

    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
    client.post(STATUS_URL, {"receipt_code": code, "access_key": key, "action": "evidence", "evidence": photo})
    html = client.post(STATUS_URL, {"receipt_code": code, "access_key": key}).content.decode()
    assert "Selanjutnya:" in html and "Satgas akan membaca laporan Anda" in html
    assert "Ditangani oleh: Pemerintah Kabupaten Katingan" in html
    assert re.search(r'<ul class="evidence-list">\s*<li>image/jpeg', html)


def test_the_newest_satgas_reply_is_on_top_and_marked_new(client, agencies):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    client.post(STATUS_URL, {"receipt_code": code, "access_key": key, "action": "message", "body": "Pesan saya."})
    case = Case.objects.get()
    Message.objects.create(case=case, report=case.reports.get(), sender=Message.Sender.SATGAS, body="Balasan Satgas.")
    html = client.post(STATUS_URL, {"receipt_code": code, "access_key": key}).content.decode()
    assert html.index("Balasan Satgas.") < html.index("Pesan saya.")
    assert re.search(r'class="from-satgas is-new"><span class="badge">Baru</span>', html)


@pytest.mark.parametrize(
    ("status", "reason", "words"),
    [
        (Case.Status.DISMISSED, "insufficient_evidence", "bukti belum cukup"),
        (Case.Status.CLOSED, "", "sudah selesai"),
        (Case.Status.FORWARDED, "", "diteruskan ke lembaga lain yang berwenang: Ombudsman RI"),
    ],
)
def test_the_end_of_a_case_is_said_in_plain_words(client, agencies, status, reason, words):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    Case.objects.update(status=status, dismissal_reason=reason, forwarded_to_external="Ombudsman RI")
    html = client.post(STATUS_URL, {"receipt_code": code, "access_key": key}).content.decode()
    assert "Hasil:" in html and words in html and "Selanjutnya:" not in html


def test_the_kab_kota_question_comes_with_every_other_problem_at_once(client, agencies):
    response = client.post(REPORT_URL, form_data(region_code="", province="62", description="pendek"))
    errors = response.context["form"].errors
    assert response.status_code == 422
    assert "region_code" in errors and "20 karakter" in errors["description"][0]
