"""A reporter's tab outlives the browser session (issue #10, finding 12): without JavaScript, the
CSRF cookie gone, the report comes back with everything typed and goes through on the next try."""

import pytest

from netra.cases.models import Report
from netra.portal import forms

from .test_public_report_journey import fill_report


@pytest.fixture(autouse=True)
def quick_form(monkeypatch):
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)  # a test types faster than a person


@pytest.mark.django_db(transaction=True)
def test_a_stale_tab_without_javascript_keeps_the_report_and_sends_it_again(browser, live_server, agencies, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    csrf = next(c for c in context.cookies() if c["name"] == "csrftoken")
    assert csrf["expires"] == -1  # a browser-session cookie, not a year on the phone
    fill_report(page)
    context.clear_cookies()  # the browser was closed; the restored tab still shows the form

    page.get_by_role("button", name="Kirim laporan").click()
    assert "Laporan belum terkirim karena halaman ini sudah lama terbuka" in page.content()
    assert page.get_by_label("Apa yang terjadi?").input_value().startswith("Kepala dinas membagikan stiker")
    assert page.get_by_label("Nama ASN yang dilaporkan").input_value() == "Siti Rahmah"
    assert page.get_by_label("Kabupaten/kota").input_value() == "62.06"
    assert not Report.objects.exists()
    screenshot(page, "stale-tab-form-kept")

    page.get_by_role("button", name="Kirim laporan").click()
    assert page.locator("#receipt-code").inner_text().strip().startswith("NTR-")
    assert Report.objects.count() == 1
    context.close()
