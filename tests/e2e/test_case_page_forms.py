"""Issue #17 item 2 in a real browser at 1366x768: the internal note's label focuses the note box
(not the reporter's), a note never reaches the reporter, and on a merged case the officer picks the
reporter a message goes to."""

import pytest

from netra.cases import services
from netra.cases.intake import report_status, report_submit
from netra.cases.models import InternalNote, Message, Report
from netra.cases.tests.fixtures import report_data

from .test_satgas_journey import signed_in_context

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_note_label_focuses_the_note_box_and_a_merged_case_asks_for_the_recipient(
    browser, live_server, screenshot, staff_client, satgas_katingan
):
    first = report_submit(data=report_data()).case
    twin = report_submit(data=report_data(description="Laporan kedua tentang kejadian yang sama di kantor camat.")).case
    services.case_transition(case=twin, action="merged", actor=satgas_katingan, data={"into_case": first.pk})
    reports = list(Report.objects.filter(case__in=[first, twin]).order_by("submitted_at"))

    context = signed_in_context(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/kasus/{first.pk}/")

    # The label of the internal note focuses the internal note's box.
    page.get_by_text("Catatan internal baru", exact=True).click()
    assert page.evaluate("document.activeElement.name") == "note-body"
    page.keyboard.type("Terlapor kerabat pejabat kecamatan; jangan hubungi lewat kantor.")
    assert page.locator("#id_message-body").input_value() == ""
    page.get_by_role("button", name="Simpan catatan internal").click()
    page.wait_for_load_state()
    assert InternalNote.objects.filter(case=first).count() == 1
    assert not Message.objects.exists()

    # Two reporters: the message asks for its recipient, nothing preselected.
    page.get_by_text("Pesan kepada pelapor", exact=True).click()
    assert page.evaluate("document.activeElement.name") == "message-body"
    page.keyboard.type("Mohon kirim video aslinya bila ada.")
    page.get_by_role("button", name="Kirim ke pelapor").click()  # no recipient: the browser refuses
    assert page.locator("#id_message-recipient").evaluate("select => select.validity.valueMissing")
    page.get_by_label("Kirim kepada").select_option(str(reports[1].pk))
    page.locator(".message-form").scroll_into_view_if_needed()
    screenshot(page, "case-page-message-recipient")
    page.get_by_role("button", name="Kirim ke pelapor").click()
    page.wait_for_load_state()
    assert [m["body"] for m in report_status(reports[1])["messages"]] == ["Mohon kirim video aslinya bila ada."]
    assert report_status(reports[0])["messages"] == []
    assert "kerabat" not in str(report_status(reports[0])) + str(report_status(reports[1]))
    context.close()
