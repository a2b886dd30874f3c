"""The workflow from report to PPK decision, as the Satgas, its lead, the PPK and the reporter see it.

The officer signs in with a password and TOTP, checks, verifies, clarifies and recommends; the
lead sends the recommendation (and its letter) to the PPK; the PPK records the SK; the reporter's
status page shows every step. Screenshots ``guide-NN-*.png`` go to ``artifacts/screenshots/`` and,
with ``NETRA_UPDATE_GUIDE=1``, into ``docs/img/`` for the user guide (docs/panduan-satgas-ppk.md).
"""

import datetime
import os
import subprocess
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from netra.cases.intake import report_submit
from netra.cases.models import Case
from netra.cases.tests.fixtures import report_data
from netra.orgs import enrolment
from netra.orgs.tests.factories import PASSWORD

from .conftest import ARTIFACTS

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
# The review's officer works on a 1366x768 laptop (issue #17).
DESKTOP = {"width": 1366, "height": 768}
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def quiet_setup(settings, tmp_path):
    # The guide shows the production look: no demo banner.
    settings.DEMO_MODE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def catalogue(db):
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()


@pytest.fixture
def shot():
    """``shot(page, "guide-01-login")``: the viewport as an artefact, and into docs/img/ when asked."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        publish(path)
        return path

    return take


def publish(path: Path) -> None:
    if os.environ.get("NETRA_UPDATE_GUIDE") != "1":
        return
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    # 256 colours are plenty for a screenshot and keep the repository small.
    Image.open(path).convert("RGB").quantize(colors=256).save(DOCS_IMG / path.name, optimize=True)


def signed_in_context(browser, live_server, client):
    """A browser context carrying the session of a test client already past password and TOTP."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def make_move(page, label: str, fill=None) -> None:
    """Open a move's form from the case page, fill it and submit it; wait for the case page."""
    page.locator("#moves").get_by_role("link", name=label, exact=True).click()
    panel = page.locator("#move-panel")
    panel.locator("form").wait_for()
    if fill:
        fill(panel)
    panel.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()
    page.locator(".case-title .state").wait_for()


def state(page) -> str:
    return page.locator(".case-title .state").inner_text()


@pytest.mark.django_db(transaction=True)
def test_from_report_to_ppk_decision(
    browser,
    live_server,
    phone_context,
    shot,
    staff_client,
    catalogue,
    satgas_katingan,
    lead_katingan,
    ppk_katingan,
    bawaslu_katingan,
):
    receipt = report_submit(
        data=report_data(
            description="Camat Katingan Hilir hadir dan berorasi di deklarasi pasangan calon bupati nomor urut 2 "
            "di lapangan kecamatan, memakai seragam dinas. Videonya beredar di grup WhatsApp warga.",
            incident_date=(TODAY - datetime.timedelta(days=4)).isoformat(),
        )
    )
    case = receipt.case

    # --- the officer enrols the authenticator app (TOTP) through the link the admin e-mailed -----
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    page.fill('input[name="username"]', satgas_katingan.username)
    page.fill('input[name="password"]', PASSWORD)
    shot(page, "guide-01-login")
    page.get_by_role("button", name="Masuk").click()
    page.locator("#enrolment-needed").wait_for()  # the password alone shows no secret
    assert page.locator("#totp-secret").count() == 0
    page.goto(live_server.url + enrolment.link_path(enrolment.issue_link(user=satgas_katingan, issued_by=None)))
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Lanjut").click()
    page.locator("#totp-secret").wait_for()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert secret
    shot(page, "guide-02-totp-enrolment")
    device = TOTPDevice.objects.get(user=satgas_katingan)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.fill('input[name="token"]', code)
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url(live_server.url + "/staf/")
    assert page.locator("h1").inner_text() == "Antrean kasus"
    shot(page, "guide-03-queue")

    # --- checking → verification → examination → recommendation -----------------------------------
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/")
    shot(page, "guide-04-case")
    make_move(page, "Mulai pengecekan")
    assert state(page) == "Pengecekan"
    make_move(page, "Lanjut ke verifikasi & validasi")
    assert state(page) == "Verifikasi & Validasi"
    # --- issue #17 item 7: the Bawaslu review needs a question; the banner names its due date ------
    page.locator("#moves").get_by_role("link", name="Minta kajian Bawaslu").click()
    panel = page.locator("#move-panel")
    panel.locator("form").wait_for()
    assert "dapat dibaca pelapor" not in panel.inner_text()
    question = "Apakah kehadiran camat pada deklarasi memenuhi unsur pelanggaran pemilihan?"
    panel.get_by_role("button", name="Minta kajian Bawaslu").click()  # empty: the browser refuses it
    assert page.locator("#id_move-question").evaluate("box => box.validity.valueMissing")
    panel.get_by_label("Pertanyaan untuk Bawaslu").fill(question)
    shot(page, "guide-05-bawaslu-review")
    panel.get_by_role("button", name="Minta kajian Bawaslu").click()
    page.locator(".bawaslu-banner").wait_for()
    banner = page.locator(".bawaslu-banner").inner_text()
    assert "Menunggu kajian Bawaslu (s.d. " in banner and question in banner
    # The Satgas may only record an answer explicitly on Bawaslu's behalf.
    moves = page.locator("#moves").inner_text()
    assert "Catat hasil kajian atas nama Bawaslu" in moves and "Catat hasil kajian Bawaslu\n" not in moves + "\n"
    shot(page, "guide-05b-waiting-for-bawaslu")

    bawaslu = signed_in_context(browser, live_server, staff_client(bawaslu_katingan))
    bpage = bawaslu.new_page()
    # Issue #17 item 6: Bawaslu lands on what waits for its review, with the due date, no Satgas tools.
    bpage.goto(f"{live_server.url}/staf/")
    waiting = bpage.locator("#waiting-bawaslu_review")
    assert waiting.inner_text() == "Menunggu kajian Anda (1)"
    assert bpage.locator(".bulk-bar").count() == 0 and bpage.locator("input[name=cases]").count() == 0
    bpage.locator(".waiting-table").get_by_role("link", name=Case.objects.get(pk=case.pk).number).click()
    bpage.wait_for_url(f"{live_server.url}/staf/kasus/{case.pk}/")
    assert question in bpage.locator(".bawaslu-banner").inner_text()

    def answer(panel):
        assert question in panel.inner_text()
        panel.get_by_label("Hasil kajian Bawaslu").fill(
            "Unsur pelanggaran netralitas ASN terpenuhi; bukan pidana pemilihan."
        )

    make_move(bpage, "Catat hasil kajian Bawaslu", answer)
    assert bpage.locator(".bawaslu-banner").count() == 0
    bawaslu.close()
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/")
    assert page.locator(".bawaslu-banner").count() == 0
    make_move(page, "Lanjut ke klarifikasi / pemeriksaan")
    assert state(page) == "Klarifikasi / Pemeriksaan"

    # --- issue #17 item 8: the suggestion appears as violations are ticked, preselected -----------
    from netra.cases.workflow_forms import suggested_category_for

    expected = suggested_category_for(Case.objects.get(pk=case.pk), ["campaign_attendance"])

    def recommend(panel):
        assert "Saran sistem muncul di sini" in panel.inner_text()
        panel.get_by_label("Menghadiri deklarasi/kampanye").check()  # a labelled checkbox
        page.get_by_text("Saran sistem: ").wait_for()
        assert expected.name_id in panel.locator("#rec-suggestion").inner_text()
        assert panel.get_by_label("Kategori sanksi yang direkomendasikan").input_value() == expected.pk
        panel.get_by_label("Dasar hukum").fill("PP 94/2021 Pasal 5 huruf n angka 1 jo. Pasal 14 huruf i")
        panel.get_by_label("Fakta dan temuan").fill(
            "Berdasarkan BAP klarifikasi, terlapor mengakui hadir dan berorasi pada deklarasi pasangan calon "
            "dengan memakai seragam dinas. Video dan keterangan dua saksi sesuai."
        )
        panel.locator("#rec-suggestion").scroll_into_view_if_needed()
        shot(page, "guide-06-recommendation-form")

    make_move(page, "Susun rekomendasi sanksi", recommend)  # one submit: no error reveals the suggestion
    assert state(page) == "Rekomendasi"
    assert Case.objects.get(pk=case.pk).recommendation.sanction_category_id == expected.pk
    context.close()

    # --- the lead sends it to the PPK; the send (a POST) numbers the letter ------------------------
    context = signed_in_context(browser, live_server, staff_client(lead_katingan))
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/")
    make_move(page, "Kirim rekomendasi ke PPK")
    assert state(page) == "Menunggu Keputusan PPK"
    page.evaluate("document.getElementById('h-outcome').scrollIntoView()")
    shot(page, "guide-07-sent-to-ppk")
    letter = context.request.get(f"{live_server.url}/staf/kasus/{case.pk}/surat-rekomendasi.pdf")
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    pdf_page_png(letter.body(), "guide-08-recommendation-letter")
    context.close()

    # --- the PPK records the decision (SK) --------------------------------------------------------
    context = signed_in_context(browser, live_server, staff_client(ppk_katingan))
    page = context.new_page()
    # Issue #17 item 6: the PPK lands on what waits for its decision.
    page.goto(f"{live_server.url}/staf/")
    assert page.locator("#waiting-decision").inner_text() == "Menunggu keputusan Anda (1)"
    assert page.locator(".bulk-bar").count() == 0
    page.locator(".waiting-table").get_by_role("link", name=Case.objects.get(pk=case.pk).number).click()
    page.wait_for_url(f"{live_server.url}/staf/kasus/{case.pk}/")

    def decide(panel):
        assert "Rekomendasi Satgas" in panel.inner_text() and expected.name_id in panel.inner_text()
        panel.get_by_label("Jenis hukuman").select_option("demotion_12m")
        panel.get_by_label("Nomor SK").fill("800.1.6.4/112/BKPSDM/2024")
        panel.get_by_label("Tanggal SK").fill(TODAY.isoformat())
        shot(page, "guide-09-decision-form")

    make_move(page, "Catat keputusan PPK (SK)", decide)
    assert state(page) == "Sanksi Dijatuhkan / Diputuskan"
    page.evaluate("document.getElementById('h-outcome').scrollIntoView()")
    shot(page, "guide-10-decided")
    summary = context.request.get(f"{live_server.url}/staf/kasus/{case.pk}/ringkasan-keputusan.pdf")
    assert summary.status == 200 and summary.headers["content-type"] == "application/pdf"
    context.close()

    # --- the reporter follows it on a phone -------------------------------------------------------
    page = phone_context.new_page()
    page.goto(live_server.url + "/status/")
    page.get_by_label("Kode tanda terima").fill(receipt.receipt_code)
    page.get_by_label("Kunci akses").fill(receipt.access_key)
    page.get_by_role("button", name="Lihat status").click()
    timeline = page.locator(".timeline").inner_text()
    for label in (
        "Diterima",
        "Pengecekan",
        "Verifikasi & Validasi",
        "Klarifikasi / Pemeriksaan",
        "Rekomendasi",
        "Menunggu Keputusan PPK",
        "Sanksi Dijatuhkan / Diputuskan",
    ):
        assert label in timeline
    assert "Rekomendasi telah disampaikan kepada Pejabat Pembina Kepegawaian" in timeline
    assert "Camat" not in timeline and satgas_katingan.username not in page.content()  # no staff names
    assert "deklarasi memenuhi unsur" not in page.content()  # the question to Bawaslu stays internal
    shot(page, "guide-11-reporter-status", full_page=True)
    assert Case.objects.get(pk=case.pk).status == Case.Status.DECIDED


def pdf_page_png(pdf: bytes, name: str) -> Path:
    """Page 1 of a PDF as a screenshot-like PNG (pdftoppm, poppler-utils)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source), str(ARTIFACTS / name)],
        check=True,
        timeout=60,
    )
    source.unlink()
    path = ARTIFACTS / f"{name}.png"
    publish(path)
    return path
