"""A Satgas officer at the desk: the queue (htmx filters, selection), the case page and a move.

Screenshots: ``workspace-queue.png``, ``workspace-case.png``, ``workspace-move-form.png``.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from netra.cases.intake import report_submit
from netra.cases.models import Case, InternalNote, Message
from netra.cases.selectors import attention_dates
from netra.cases.tests.fixtures import report_data

S = Case.Status
TODAY = datetime.date.today()

PEOPLE = [
    ("Budi Santoso", "198503122010011003", "Camat", "Kecamatan Katingan Hilir"),
    ("Siti Rahmah", "", "Kepala Dinas", "Dinas Pendidikan"),
    ("Agus Salim", "197911052005011002", "Kepala Sekolah", "SDN 2 Kasongan"),
    ("Dewi Lestari", "", "Lurah", "Kelurahan Kasongan Lama"),
    ("Rudi Hartono", "", "Staf", "Dinas Kesehatan"),
    ("Yanti Marlina", "", "Guru PPPK", "SMPN 1 Tewang Sanggalang Garing"),
]
STORIES = [
    "Camat hadir dan berorasi di deklarasi pasangan calon bupati di lapangan kecamatan.",
    "Kepala dinas membagikan stiker pasangan calon di apel pagi dan meminta pegawai memilihnya.",
    "Kepala sekolah mengunggah foto dengan pose dua jari bersama calon bupati di Facebook.",
    "Lurah memakai mobil dinas untuk mengantar tim kampanye ke desa-desa.",
    "Staf dinas membagikan ulang video kampanye dengan komentar ajakan memilih.",
    "Guru PPPK ikut memasang baliho calon di depan sekolah pada jam kerja.",
]


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def desk(agencies, satgas_katingan, lead_katingan):
    """A dozen Katingan cases in different states and deadlines, one of them well documented."""
    today, soon = attention_dates()
    plan = [
        (S.VERIFICATION, today - datetime.timedelta(days=3), satgas_katingan),
        (S.CHECKING, soon, satgas_katingan),
        (S.RECEIVED, None, None),
        (S.RECEIVED, None, None),
        (S.EXAMINATION, today + datetime.timedelta(days=12), lead_katingan),
        (S.CHECKING, today + datetime.timedelta(days=6), None),
        (S.AWAITING_DECISION, today + datetime.timedelta(days=9), lead_katingan),
        (S.RECEIVED, None, None),
        (S.DISMISSED, None, None),
    ]
    cases = []
    for index, (status, due, assignee) in enumerate(plan):
        name, nip, position, unit = PEOPLE[index % len(PEOPLE)]
        case = report_submit(
            data=report_data(
                description=STORIES[index % len(STORIES)],
                subject_name=name,
                subject_nip=nip,
                subject_position=position,
                subject_agency=unit,
                incident_date=(TODAY - datetime.timedelta(days=2 + index)).isoformat(),
            )
        ).case
        Case.objects.filter(pk=case.pk).update(status=status, due_date=due, assigned_to=assignee)
        cases.append(case)
    # The case we open: a fresh report about Budi Santoso again, with a photo, a conversation and a note.
    receipt = report_submit(
        data=report_data(description=STORIES[0] + " Videonya beredar di grup WhatsApp warga."),
        files=[_photo()],
    )
    Message.objects.create(
        case=receipt.case,
        report=receipt.report,
        sender="satgas",
        author=satgas_katingan,
        body="Apakah ada video aslinya?",
    )
    Message.objects.create(
        case=receipt.case, report=receipt.report, sender="reporter", body="Ada, saya kirim lewat unggahan bukti."
    )
    InternalNote.objects.create(
        case=receipt.case, author=lead_katingan, body="Kemungkinan sama dengan laporan deklarasi minggu lalu."
    )
    return receipt.case


def _signed_in(browser, live_server, client, viewport=None):
    """A browser context carrying the session of a test client already past password and TOTP."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.django_db(transaction=True)
def test_an_officer_works_the_queue_and_opens_a_case(
    browser, live_server, screenshot, staff_client, satgas_katingan, desk
):
    context = _signed_in(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    assert page.locator("h1").inner_text() == "Antrean kasus"
    rows = page.locator(".queue-table tbody tr")
    assert rows.count() == 9  # every active case; the dismissed one is under its own tab
    assert "attention-overdue" in rows.first.get_attribute("class")
    screenshot(page, "workspace-queue")

    # htmx: a tab swaps the list without leaving the page.
    page.evaluate("window.notReloaded = true")
    page.locator(".tab", has_text="Diterima").click()
    page.wait_for_url("**status=received**")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(".queue-table tbody tr").count() == 4

    # Selecting cases updates the bulk bar.
    page.locator('input[name="cases"]').nth(0).check()
    page.locator('input[name="cases"]').nth(1).check()
    assert page.locator(".selected-count").inner_text() == "2 kasus dipilih"

    page.goto(live_server.url + f"/staf/kasus/{desk.pk}/")
    assert page.locator(".case-title h1").inner_text() == desk.number
    assert page.locator(".duplicates li").count() >= 1
    screenshot(page, "workspace-case")

    page.get_by_role("link", name="Hentikan").click()
    page.locator("#move-panel form").wait_for()
    screenshot(page, "workspace-move-form")
    page.locator("#move-panel").get_by_label("Alasan").select_option("duplicate")
    page.locator("#move-panel").get_by_label("Penjelasan (dapat dibaca pelapor)").fill("Sama dengan laporan lain.")
    page.locator("#move-panel").get_by_role("button", name="Hentikan").click()
    page.wait_for_load_state()
    assert page.locator(".case-title .state").inner_text() == "Dihentikan"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_queue_is_usable_on_a_phone(browser, live_server, screenshot, staff_client, satgas_katingan, desk):
    context = _signed_in(browser, live_server, staff_client(satgas_katingan), viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    assert page.locator(".queue-table tbody tr").count() == 9
    # No sideways scrolling of the whole page: only the tab strip and the table scroll.
    screenshot(page, "workspace-queue-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "workspace-queue-phone")
    context.close()
