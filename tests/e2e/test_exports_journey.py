"""The queue export in a real browser: filter the queue, export it, watch the background job's
progress, download the file, open it with openpyxl — the rows are the queue's. Then the period
report PDF. Another user (even of the same agency) gets 404 for the export; a signed-out visitor
the sign-in page."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import verified_login
from netra.cases.models import Case
from netra.insights.models import Export
from tests.pages import load_demo_world


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    load_demo_world(cases=60)
    settings.DEMO_MODE = False  # the production look; demo accounts would skip the second factor
    settings.NETRA_EXPORT_INLINE_ROWS = 0  # every export goes through the worker
    cache.clear()


def signed_in(browser, live_server, username):
    user = get_user_model().objects.get(username=username)
    client = verified_login(Client(), user)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.django_db(transaction=True)
def test_export_the_filtered_queue_watch_it_and_open_the_file(browser, live_server, world, screenshot):
    context = signed_in(browser, live_server, "ketua.katingan")
    page = context.new_page()
    page.goto(live_server.url + "/staf/?status=all")
    # A filter chosen in the page (htmx swaps the list and the export link with it).
    region = page.locator("#id_region option").nth(1).get_attribute("value")
    page.select_option("#id_region", region)
    page.wait_for_url(f"**region={region}**")
    page.wait_for_function("document.querySelector('#queue-export').href.includes('region=')")
    numbers = page.locator(".queue-table tbody tr td.nowrap > a:first-child").all_inner_texts()
    assert numbers, "the filtered queue is empty: the demo world changed"
    page.locator("#queue-export").click()
    page.wait_for_url("**/ekspor/antrean/**")
    assert int(page.locator("#export-total").inner_text().replace(".", "")) == len(numbers)
    page.locator("#export-start").click()
    page.wait_for_url("**/ekspor/*/")
    assert page.locator("#export-state").get_attribute("data-state") == "pending"
    assert page.locator("#export-progress progress").is_visible()
    screenshot(page, "export-pending")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker takes the job
    page.wait_for_selector("#export-download", timeout=15000)  # the page polls and shows the link
    assert page.locator("#export-state").get_attribute("data-state") == "done"
    screenshot(page, "export-done")
    with page.expect_download() as info:
        page.locator("#export-download").click()
    book = load_workbook(io.BytesIO(info.value.path().read_bytes()))  # the saved download has no suffix
    rows = list(book["Data"].values)[1:]
    assert [row[0] for row in rows] == numbers
    owners = set(Case.objects.filter(number__in=numbers).values_list("agency__code", flat=True))
    assert owners == {"pemkab-katingan"}
    export = Export.objects.get()
    # Someone else, even of the same agency, finds nothing there; a signed-out visitor signs in.
    other = signed_in(browser, live_server, "satgas.katingan").new_page()
    answer = other.goto(live_server.url + f"/staf/dasbor/ekspor/{export.pk}/unduh/")
    assert answer.status == 404
    anonymous = browser.new_context().new_page()
    anonymous.goto(live_server.url + f"/staf/dasbor/ekspor/{export.pk}/")
    assert "/masuk/" in anonymous.url
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_period_report_pdf_from_its_form(browser, live_server, world):
    context = signed_in(browser, live_server, "ketua.katingan")
    page = context.new_page()
    page.goto(live_server.url + "/staf/dasbor/ekspor/laporan/")
    page.locator("#r-period").fill("20x4")
    page.locator("#report-start").click()
    assert "TTTT atau TTTT-BB" in page.locator(".error-summary").inner_text()
    page.locator("#r-period").fill("")
    page.locator("#report-start").click()
    page.wait_for_url("**/ekspor/*/")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.wait_for_selector("#export-download", timeout=15000)
    with page.expect_download() as info:
        page.locator("#export-download").click()
    reader = PdfReader(info.value.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Laporan periode netralitas ASN" in text and "Angka kecil disembunyikan" in text
    context.close()
