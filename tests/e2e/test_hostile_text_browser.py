"""Hostile text in a real browser: a Satgas officer opens a case whose report, reporter message and
internal note carry script payloads; no dialog opens and no payload element exists in the page."""

import pytest

from netra.cases.intake import report_submit, reporter_message_add
from netra.cases.models import InternalNote
from netra.cases.tests.fixtures import report_data

PAYLOADS = [
    "<script>alert('report')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(2)></svg>",
    "{{ 7|add:7 }}",
]


@pytest.mark.django_db(transaction=True)
def test_no_payload_runs_on_the_case_page(browser, live_server, staff_client, satgas_katingan, lead_katingan):
    text = " ".join(PAYLOADS)
    receipt = report_submit(data=report_data(description=text, subject_name=PAYLOADS[1], location=PAYLOADS[2]))
    reporter_message_add(report=receipt.report, body=text)
    InternalNote.objects.create(case=receipt.case, author=lead_katingan, body=text)
    client = staff_client(satgas_katingan)
    context = browser.new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + f"/staf/kasus/{receipt.case.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    assert dialogs == []
    # Shown as text, not turned into elements.
    assert page.locator("img[src='x'], svg[onload]").count() == 0
    assert page.get_by_text("<script>alert('report')</script>", exact=False).count() >= 1
    assert page.get_by_text("{{ 7|add:7 }}", exact=False).count() >= 1
    context.close()
