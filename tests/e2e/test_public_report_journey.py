"""A reporter on a phone: fill in the form with a photo, get the receipt, follow the status, write to the Satgas.

Once with JavaScript (htmx, the province filter) and once without it.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image

from netra.cases import opening
from netra.cases.models import Case, Evidence, Message, Report
from netra.portal import forms
from netra.turns import my_turn

RECENTLY = (datetime.date.today() - datetime.timedelta(days=5)).isoformat()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "bukti-camat.jpg"
    image = Image.new("RGB", (640, 480), (30, 90, 160))
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (1.0, 57.0, 30.0), 3: "E", 4: (113.0, 23.0, 10.0)}
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


@pytest.fixture(autouse=True)
def quick_form(monkeypatch, settings, tmp_path):
    # A test types faster than a person; the minimum fill time is tested in test_public_pages.py.
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def fill_report(page, photo=None):
    page.get_by_label("Apa yang terjadi?").fill(
        "Kepala dinas membagikan stiker pasangan calon di apel pagi dan meminta pegawai memilihnya."
    )
    page.get_by_label("Kapan terjadi?").fill(RECENTLY)
    page.get_by_label("Provinsi").select_option("62")
    page.get_by_label("Kabupaten/kota").select_option("62.06")
    page.get_by_label("Nama ASN yang dilaporkan").fill("Siti Rahmah")
    page.get_by_label("Jabatan").fill("Kepala Dinas")
    page.get_by_label("Instansi / OPD").fill("Dinas Pendidikan")
    page.get_by_label("Tautan (opsional)").fill("https://www.instagram.com/p/contoh")
    if photo is not None:
        page.get_by_label("Bukti foto, video, atau dokumen (opsional)").set_input_files(str(photo))


@pytest.mark.django_db(transaction=True)
def test_a_reporter_files_a_report_on_a_phone_and_follows_it(live_server, phone_context, screenshot, agencies, photo):
    page = phone_context.new_page()
    page.goto(live_server.url + "/")
    screenshot(page, "01-landing")
    page.get_by_role("link", name="Buat laporan").click()

    # First try with a mistake: the error is explained and nothing typed is lost.
    page.get_by_label("Apa yang terjadi?").fill("pendek")
    page.get_by_label("Kapan terjadi?").fill(RECENTLY)
    page.get_by_label("Provinsi").select_option("62")
    page.get_by_role("button", name="Kirim laporan").click()
    assert page.locator(".error-summary").is_visible()
    assert "20 karakter" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Apa yang terjadi?").input_value() == "pendek"
    screenshot(page, "02-report-form-error")

    fill_report(page, photo)
    screenshot(page, "03-report-form-filled")
    page.get_by_role("button", name="Kirim laporan").click()

    code = page.locator("#receipt-code").inner_text().strip()
    key = page.locator("#access-key").inner_text().strip()
    assert re.fullmatch(r"NTR-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert "tidak dapat dipulihkan" in page.content()
    screenshot(page, "04-receipt")
    evidence = Evidence.objects.get()
    assert evidence.sha256_received != evidence.sha256_stored  # GPS EXIF removed on the way in

    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh tanda terima (PDF)").click()
    assert download.value.suggested_filename == f"tanda-terima-{code}.pdf"

    page.get_by_role("button", name="Lihat status laporan").click()
    assert "Diterima" in page.locator(".timeline").inner_text()
    page.get_by_label("Pesan untuk Satgas").fill("Saya punya video apel itu, perlu dikirim?")
    page.get_by_role("button", name="Kirim pesan").click()
    page.wait_for_selector("text=Pesan Anda terkirim")
    assert "Saya punya video apel itu" in page.locator(".messages-thread").inner_text()
    screenshot(page, "05-status-with-message")

    # Coming back later with the code and key typed by hand.
    page.goto(live_server.url + "/status/")
    page.get_by_label("Kode tanda terima").fill(code.lower())
    page.get_by_label("Kunci akses").fill(key)
    page.get_by_role("button", name="Lihat status").click()
    assert "Saya punya video apel itu" in page.locator(".messages-thread").inner_text()
    assert Message.objects.count() == 1
    assert Case.objects.get().agency.code == "pemkab-katingan"


@pytest.mark.django_db(transaction=True)
def test_the_report_form_works_without_javascript(browser, live_server, screenshot, agencies, photo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    fill_report(page, photo)
    page.get_by_role("button", name="Kirim laporan").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert code.startswith("NTR-")
    screenshot(page, "06-receipt-without-javascript")
    page.get_by_role("button", name="Lihat status laporan").click()
    page.get_by_label("Pesan untuk Satgas").fill("Terkirim tanpa JavaScript.")
    page.get_by_role("button", name="Kirim pesan").click()
    assert "Pesan Anda terkirim" in page.content()
    assert Message.objects.get().body == "Terkirim tanpa JavaScript."
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_report_without_files_is_acknowledged_before_its_case_is_opened(
    live_server, phone_context, agencies, settings
):
    # As in production: text-only reports are accepted alone and opened by a batch (netra.cases.opening).
    settings.NETRA_CASE_OPEN_INTERVAL = 3600
    my_turn(opening.OPEN_TURN_KEY, 3600)  # another request opened a batch a moment ago
    page = phone_context.new_page()
    page.goto(live_server.url + "/lapor/")
    fill_report(page)
    page.get_by_role("button", name="Kirim laporan").click()
    code = page.locator("#receipt-code").inner_text().strip()
    assert Report.objects.get(receipt_code=code).case is None and not Case.objects.exists()

    page.get_by_role("button", name="Lihat status laporan").click()
    assert "Diterima" in page.locator(".timeline").inner_text()
    call_command("scheduler", "--once", stdout=StringIO())  # its tick, a second later at most

    case = Report.objects.get(receipt_code=code).case
    assert (case.status, case.agency.code, case.subjects.get().name) == ("received", "pemkab-katingan", "Siti Rahmah")
    page.reload()
    assert "Diterima" in page.locator(".timeline").inner_text()
