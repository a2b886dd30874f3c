"""Issue #17 on a 360x740 phone, with and without JavaScript: a reload or "resubmit" files one
report (item 1), a rate-limited reporter is told the report was NOT sent and keeps everything
(item 3), and the access key can be shown while typing it (item 10). Every page passes axe-core.
"""

import json
from pathlib import Path

import pytest
from django.core.cache import cache

from netra.cases.models import Evidence, Message, Report
from tests.e2e.test_public_report_journey import fill_report, photo, quick_form  # noqa: F401 (fixtures)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def phone(request, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=1, java_script_enabled=request.param
    )
    page = context.new_page()
    page.js = request.param
    yield page
    context.close()


def axe_violations(page) -> list:
    """axe-core run through the DevTools protocol (not a page script: our CSP allows none inline)."""
    if not page.js:
        return []  # axe needs JavaScript in the page; the with-js run checks the same markup
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in json.loads(result)]


def name(page, base: str) -> str:
    return f"{base}-{'js' if page.js else 'nojs'}"


@pytest.mark.django_db(transaction=True)
def test_reload_and_resubmit_file_one_report(live_server, phone, screenshot, agencies, photo):  # noqa: F811
    page = phone
    page.goto(live_server.url + "/lapor/")
    fill_report(page, photo)
    # A double tap on a slow connection: two POSTs of the same form, the first answer dropped.
    page.get_by_role("button", name="Kirim laporan").dblclick()
    page.wait_for_selector("#access-key")
    page.wait_for_load_state("networkidle")  # the second POST of the double tap has been answered too
    code = page.locator("#receipt-code").inner_text().strip()
    key = page.locator("#access-key").inner_text().strip()
    assert key not in page.url and "/lapor/terkirim/" in page.url
    assert Report.objects.count() == 1 and Evidence.objects.count() == 1
    assert axe_violations(page) == []
    screenshot(page, name(page, "17-1-receipt-once"))

    page.reload()  # the receipt again: code only, never the key, never a second report
    assert f"Laporan ini sudah terkirim dengan kode {code}" in page.locator("main").inner_text()
    assert key not in page.content()
    assert axe_violations(page) == []
    screenshot(page, name(page, "17-1-receipt-reloaded"))

    page.go_back()  # Back leads to the form page (a GET): no "resubmit?" and nothing filed
    page.wait_for_selector("#report-form")
    assert Report.objects.count() == 1

    # The status page: a reload of a sent message or an upload stores nothing again.
    page.goto(live_server.url + "/status/")
    page.get_by_label("Kode tanda terima").fill(code)
    page.get_by_label("Kunci akses", exact=True).fill(key.replace("-", "").lower())
    page.get_by_role("button", name="Lihat status").click()
    page.get_by_label("Tambah bukti").set_input_files(str(photo))
    page.get_by_role("button", name="Unggah bukti").click()
    page.wait_for_selector("text=Bukti tambahan diterima")
    page.reload()  # re-posts the upload (what a stuck mobile connection does)
    page.wait_for_selector("text=Bukti ini sudah diterima sebelumnya")
    assert Evidence.objects.count() == 2  # the report's photo + one added, not three
    page.get_by_label("Pesan untuk Satgas").fill("Satu pesan saja.")
    page.get_by_role("button", name="Kirim pesan").click()
    page.wait_for_selector("text=Pesan Anda terkirim")
    assert Message.objects.count() == 1
    assert axe_violations(page) == []
    screenshot(page, name(page, "17-1-status-after-reload"))


@pytest.mark.django_db(transaction=True)
def test_a_rate_limited_reporter_is_told_not_sent_and_keeps_everything(
    live_server,
    phone,
    screenshot,
    agencies,
    settings,
    photo,  # noqa: F811
):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    settings.NETRA_REPORT_WAIT_SECONDS = 2
    cache.clear()  # the live server shares this process's cache: start from a fresh count
    page = phone
    page.goto(live_server.url + "/lapor/")
    fill_report(page)
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_selector("#access-key")

    page.goto(live_server.url + "/lapor/")  # a second reporter behind the same address
    fill_report(page, photo)
    page.get_by_label("Tempat (opsional)").fill("Aula SMA Negeri 1")
    page.get_by_role("button", name="Kirim laporan").click()
    alert = page.locator(".held")
    assert "Laporan BELUM terkirim" in alert.inner_text() and "Tunggu 2 detik" in alert.inner_text()
    assert page.get_by_label("Tempat (opsional)").input_value() == "Aula SMA Negeri 1"
    assert page.get_by_label("Apa yang terjadi?").input_value().startswith("Kepala dinas")
    assert "bukti-camat.jpg" in page.locator(".staged").inner_text()
    assert Report.objects.count() == 1
    assert axe_violations(page) == []
    screenshot(page, name(page, "17-3-held-not-sent"))

    page.wait_for_timeout(2200)
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state()
    assert page.locator("#access-key").count() == 1, page.locator("main").inner_text()
    assert Report.objects.count() == 2
    assert Report.objects.order_by("-pk").first().location == "Aula SMA Negeri 1"
    assert Evidence.objects.count() == 1
    screenshot(page, name(page, "17-3-sent-after-wait"))


@pytest.mark.django_db(transaction=True)
def test_the_access_key_can_be_shown_while_typing(live_server, phone, screenshot, db):
    page = phone
    page.goto(live_server.url + "/status/")
    field = page.get_by_label("Kunci akses", exact=True)
    field.fill("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345")
    if page.js:
        assert field.get_attribute("type") == "password"
        page.get_by_role("button", name="Tampilkan").click()
        assert field.get_attribute("type") == "text"
        assert page.get_by_role("button", name="Sembunyikan").get_attribute("aria-pressed") == "true"
    else:
        assert field.get_attribute("type") == "text"  # plain without JavaScript
    assert axe_violations(page) == []
    screenshot(page, name(page, "17-10-key-shown"))


@pytest.mark.django_db(transaction=True)
def test_an_oversized_file_is_refused_on_the_phone_before_it_is_uploaded(
    live_server,
    browser,
    settings,
    agencies,
    photo,  # noqa: F811
    tmp_path,
):
    # The server's own refusal came only after the whole file was uploaded (minutes on a slow phone).
    settings.NETRA_EVIDENCE_MAX_BYTES = 1024 * 1024
    video = tmp_path / "rekaman-apel.mp4"
    video.write_bytes(b"\0" * (3 * 1024 * 1024))
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    picker = page.get_by_label("Bukti foto, video, atau dokumen (opsional)")
    picker.set_input_files([str(photo), str(video)])
    alert = page.locator("#id_evidence_too_big")
    assert alert.inner_text() == (
        "«rekaman-apel.mp4» terlalu besar (3 MB); batasnya 1 MB. Berkas itu tidak ikut dikirim: "
        "pilih berkas yang lebih kecil, atau tulis tautannya di kolom Tautan."
    )
    assert picker.evaluate("input => Array.from(input.files).map(f => f.name)") == ["bukti-camat.jpg"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the long message wraps

    smaller = tmp_path / "rekaman-pendek.mp4"
    smaller.write_bytes(b"\0" * 1024)
    picker.set_input_files(str(smaller))  # a new choice that fits clears the message
    assert alert.is_hidden()
    fill_report(page, photo)
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_selector("#access-key")
    assert Evidence.objects.count() == 1
    context.close()
