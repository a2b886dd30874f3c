"""Issue #11 in a real browser: an employee checks in to an event by its QR link on a 390x844 phone;
the Bupati's coverage page and its Excel export, opened back with openpyxl; an OPD head confirms a
circular. Screenshots go to artifacts/ and, with ``NETRA_UPDATE_GUIDE=1``, to docs/img/ for
docs/panduan-bkpsdm-opd.md."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from netra.orgs.models import Unit
from netra.pacts import circulars, events
from netra.pacts.outreach_models import EventAttendance, SocialisationEvent
from netra.pacts.tests.outreach_support import campaign, opd_head, roster, sign

from .test_satgas_journey import shot, signed_in_context  # noqa: F401 -- shot is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(agencies, satgas_katingan, admin_katingan):
    katingan = agencies["pemkab-katingan"]
    units = [
        Unit.objects.get_or_create(agency=katingan, name=name)[0] for name in ("Dinas Pendidikan", "Dinas Kesehatan")
    ]
    staff = roster(katingan, units[0], 12) + roster(katingan, units[1], 8, start=100)
    sign(campaign(katingan), staff[:12] + staff[12:14])  # Pendidikan 100 %, Kesehatan 25 %
    event = events.event_create(
        actor=satgas_katingan,
        agency=katingan,
        kind=SocialisationEvent.Kind.APEL,
        title="Apel dan Ikrar Netralitas ASN",
        held_on=datetime.date.today(),
        place="Halaman Kantor Bupati Katingan",
        audience_units=units,
    )
    circular = circulars.circular_create(
        actor=admin_katingan,
        agency=katingan,
        number="800/1840/2023",
        issued_on=datetime.date(2023, 10, 2),
        issuer="Bupati Katingan",
        subject="Netralitas ASN serta Larangan Penggunaan Fasilitas Pemerintah",
        units=units,
    )
    return {"katingan": katingan, "units": units, "staff": staff, "event": event, "circular": circular}


def test_qr_checkin_on_a_phone(live_server, phone_context, shot, world, staff_client, satgas_katingan, browser):  # noqa: F811
    event, person = world["event"], world["staff"][13]
    # The organiser's page shows the QR code and the link it encodes.
    desk = signed_in_context(browser, live_server, staff_client(satgas_katingan))
    organiser = desk.new_page()
    organiser.goto(f"{live_server.url}/staf/kegiatan/{event.pk}/")
    link = organiser.locator("#checkin-link").get_attribute("href")
    assert organiser.locator(".qr svg").count() == 1 and f"kode={event.checkin_code}" in link
    shot(organiser, "guide-bkpsdm-04-event-qr")
    desk.close()

    page = phone_context.new_page()
    page.goto(f"{live_server.url}/hadir/?kode={event.checkin_code}")  # what the QR code opens
    assert page.get_by_label("Kode hadir kegiatan").input_value() == event.checkin_code
    page.get_by_label("NIP atau nomor pegawai").fill("198001012010011999")  # not on the roster
    page.get_by_role("button", name="Catat kehadiran").click()
    page.get_by_role("alert").wait_for()
    assert "tidak cocok" in page.get_by_role("alert").inner_text()
    page.get_by_label("Kode hadir kegiatan").fill(event.checkin_code)
    page.get_by_label("NIP atau nomor pegawai").fill(person.nip)
    page.get_by_role("button", name="Catat kehadiran").click()
    page.locator("#checkin-done").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    shot(page, "guide-bkpsdm-05-checkin-phone")
    assert EventAttendance.objects.filter(event=event, employee=person, method="checkin").exists()


def test_coverage_page_and_its_excel_export(live_server, browser, shot, world, staff_client, admin_katingan):  # noqa: F811
    context = signed_in_context(browser, live_server, staff_client(admin_katingan))
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/")
    page.get_by_role("link", name="Pencegahan").click()
    pendidikan = page.locator(f"#unit-{world['units'][0].pk}")
    kesehatan = page.locator(f"#unit-{world['units'][1].pk}")
    assert "12 (100%)" in pendidikan.inner_text() and "2 (25%)" in kesehatan.inner_text()
    shot(page, "guide-bkpsdm-01-coverage", full_page=True)
    with page.expect_download() as download_info:
        page.locator("#coverage-export").click()
    download = download_info.value
    assert download.suggested_filename.startswith("cakupan-pencegahan-")
    with open(download.path(), "rb") as handle:  # Playwright's file has no .xlsx suffix
        book = load_workbook(io.BytesIO(handle.read()))
    header = {row[0]: row[1] for row in book["Keterangan"].iter_rows(values_only=True)}
    assert header["Diekspor oleh"] == "admin.katingan"
    rows = {row[1]: row for row in book["Per OPD"].iter_rows(values_only=True)}
    assert rows["Dinas Kesehatan"][3:6] == (8, 2, 6)
    # Who has not signed, per OPD.
    kesehatan.get_by_role("link").click()
    page.get_by_role("heading", name="Belum menandatangani (6 orang)").wait_for()
    shot(page, "guide-bkpsdm-02-unit-not-signed", full_page=True)
    context.close()


def test_an_opd_head_confirms_a_circular(live_server, browser, shot, world, staff_client):  # noqa: F811
    unit = world["units"][1]
    head = opd_head(world["katingan"], unit, "kadis.kesehatan")
    context = signed_in_context(browser, live_server, staff_client(head))
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/surat-edaran/{world['circular'].pk}/")
    row = page.locator(f"#delivery-{unit.pk}")
    assert page.locator("tbody tr").count() == 1  # only their own unit
    shot(page, "guide-bkpsdm-03-circular-acknowledge")
    row.get_by_role("button", name="Konfirmasi diterima").click()
    page.wait_for_load_state()
    assert "belum" not in page.locator(f"#delivery-{unit.pk}").inner_text()
    assert world["circular"].deliveries.get(unit=unit).acknowledged_at is not None
    context.close()
