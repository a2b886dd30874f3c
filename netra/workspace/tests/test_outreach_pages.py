"""The outreach pages (coverage, circulars, events) and the portal check-in, through the test client."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from netra.audit.models import AuditEvent
from netra.cases.tests.fixtures import private_media  # noqa: F401
from netra.orgs.models import Unit
from netra.pacts import events
from netra.pacts.outreach_models import Circular, EventAttendance, EventFile, SocialisationEvent
from netra.pacts.tests.outreach_support import campaign, opd_head, roster, sign

pytestmark = pytest.mark.django_db


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Budi Santoso"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def katingan(agencies):
    return agencies["pemkab-katingan"]


@pytest.fixture
def unit(katingan):
    return Unit.objects.get_or_create(agency=katingan, name="Dinas Pendidikan")[0]


@pytest.fixture
def people(katingan, unit):
    staff = roster(katingan, unit, 8)
    sign(campaign(katingan), staff[:6])
    return staff


@pytest.fixture
def event(satgas_katingan, katingan, unit):
    return events.event_create(
        actor=satgas_katingan,
        agency=katingan,
        kind=SocialisationEvent.Kind.BIMTEK,
        title="Bimtek Netralitas",
        held_on=datetime.date(2024, 10, 7),
        place="Aula",
        audience_units=[unit],
    )


def test_coverage_page_shows_units_and_its_export_opens(staff_client, admin_katingan, people, unit):
    client = staff_client(admin_katingan)
    page = client.get(reverse("workspace:coverage"))
    assert page.status_code == 200
    assert "Dinas Pendidikan" in page.text and "6 (75%)" in page.text
    export = client.get(reverse("workspace:coverage_export") + "?instansi=pemkab-katingan")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    row = next(r for r in book["Per OPD"].iter_rows(values_only=True) if r[1] == "Dinas Pendidikan")
    assert row[3:6] == (8, 6, 2)


def test_coverage_of_another_agency_answers_404(staff_client, satgas_barsel, people, unit):
    client = staff_client(satgas_barsel)
    assert client.get(reverse("workspace:coverage") + "?instansi=pemkab-katingan").status_code == 404
    assert client.get(reverse("workspace:coverage_unit", args=[unit.pk])).status_code == 404
    assert client.post(reverse("workspace:coverage_remind", args=[unit.pk])).status_code == 404
    page = client.get(reverse("workspace:coverage")).text
    assert (
        reverse("workspace:coverage_unit", args=[unit.pk]) not in page and "Pemerintah Kabupaten Katingan" not in page
    )


def test_unit_page_lists_who_has_not_signed(staff_client, katingan, people, unit):
    head = opd_head(katingan, unit, "kadis.pendidikan")
    page = staff_client(head).get(reverse("workspace:coverage_unit", args=[unit.pk]))
    assert page.status_code == 200
    assert people[6].name in page.text and people[0].name not in page.text
    # The head sees their unit but sends no reminders (the BKPSDM / Satgas do).
    assert "remind-unit" not in page.text


def test_circular_created_with_a_cleaned_pdf_and_acknowledged(
    staff_client,
    client,
    admin_katingan,
    katingan,
    unit,
    private_media,  # noqa: F811
):
    admin = staff_client(admin_katingan)
    answer = admin.post(
        reverse("workspace:circulars"),
        {
            "agency": katingan.pk,
            "number": "800/1840/2023",
            "issued_on": "2023-10-02",
            "issuer": "Bupati Katingan",
            "subject": "Netralitas ASN",
            "units": [unit.pk],
            "document": SimpleUploadedFile("SE Bupati Budi.pdf", _pdf(), content_type="application/pdf"),
        },
    )
    circular = Circular.objects.get()
    assert answer.status_code == 302 and circular.document.name.startswith("pacts/circulars/")
    assert "Budi" not in circular.document.name
    pdf = admin.get(reverse("workspace:circular_document", args=[circular.pk]))
    body = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and body.startswith(b"%PDF") and b"Budi" not in body
    head = opd_head(katingan, unit, "kadis.pendidikan")
    client.logout()
    head_client = staff_client(head)
    page = head_client.get(reverse("workspace:circular", args=[circular.pk]))
    assert "Konfirmasi diterima" in page.text
    head_client.post(reverse("workspace:circular_acknowledge", args=[circular.pk]), {"unit": unit.pk})
    assert circular.deliveries.get().acknowledged_at is not None


def test_circular_refuses_a_file_that_is_not_pdf(staff_client, admin_katingan, katingan, unit, private_media):  # noqa: F811
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    answer = staff_client(admin_katingan).post(
        reverse("workspace:circulars"),
        {
            "agency": katingan.pk,
            "number": "1",
            "issued_on": "2023-10-02",
            "issuer": "Bupati",
            "subject": "SE",
            "units": [unit.pk],
            "document": SimpleUploadedFile("x.png", buffer.getvalue()),
        },
    )
    assert answer.status_code == 200 and "harus berupa berkas PDF" in answer.text
    assert not Circular.objects.exists()


def test_event_photo_is_stored_without_exif(staff_client, satgas_katingan, event, private_media):  # noqa: F811
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"  # Make
    Image.new("RGB", (32, 32), "red").save(buffer, "JPEG", exif=exif)
    assert b"KameraRahasia" in buffer.getvalue()
    staff_client(satgas_katingan).post(
        reverse("workspace:event_upload", args=[event.pk]),
        {"kind": "photo", "file": SimpleUploadedFile("IMG_2024_rapat.jpg", buffer.getvalue())},
    )
    row = EventFile.objects.get()
    with row.file.open("rb") as handle:
        assert b"KameraRahasia" not in handle.read()


def test_event_of_another_agency_answers_404(staff_client, satgas_barsel, event):
    client = staff_client(satgas_barsel)
    for name in ("workspace:event",):
        assert client.get(reverse(name, args=[event.pk])).status_code == 404
    assert client.post(reverse("workspace:event_attendance", args=[event.pk]), {"employee": []}).status_code == 404
    assert client.post(reverse("workspace:event_update", args=[event.pk]), {}).status_code == 404


def test_roster_tick_records_attendance(staff_client, satgas_katingan, event, people):
    client = staff_client(satgas_katingan)
    page = client.get(reverse("workspace:event", args=[event.pk]))
    assert event.checkin_code in page.text and "<svg" in page.text
    client.post(reverse("workspace:event_attendance", args=[event.pk]), {"employee": [people[0].pk, people[1].pk]})
    assert EventAttendance.objects.filter(event=event).count() == 2


@override_settings(NETRA_RATE_LIMITS="checkin=3/h")
def test_portal_checkin_is_rate_limited_on_failures_and_says_nothing(client, event, people):
    cache.clear()
    url = reverse("portal:checkin")
    assert client.get(url + f"?kode={event.checkin_code}").status_code == 200
    wrong_code = client.post(url, {"code": "ZZZZZZ", "identifier": people[0].nip})
    not_invited = client.post(url, {"code": event.checkin_code, "identifier": "198001012010011999"})
    assert wrong_code.status_code == not_invited.status_code == 404
    message = "Kode hadir atau NIP/nomor pegawai tidak cocok"
    assert message in wrong_code.text and message in not_invited.text
    for person in people[:4]:  # successes do not count against the limit
        assert client.post(url, {"code": event.checkin_code, "identifier": person.nip}).status_code == 200
    client.post(url, {"code": "ZZZZZZ", "identifier": "x"})
    limited = client.post(url, {"code": event.checkin_code, "identifier": people[5].nip})
    assert limited.status_code == 429 and limited["Retry-After"]
    assert EventAttendance.objects.filter(event=event, method="checkin").count() == 4
    assert AuditEvent.objects.filter(action="event.checked_in").count() == 4
    cache.clear()


def test_case_page_shows_whether_the_subject_signed_and_attended(
    staff_client, lead_katingan, satgas_katingan, katingan, event, people
):
    from netra.cases.intake import report_submit
    from netra.cases.tests.fixtures import report_data

    events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[people[0].pk])
    signed = report_submit(data=report_data(region_code="62.06", subject_nip=people[0].nip)).case
    maybe = report_submit(
        data=report_data(region_code="62.06", subject_name=people[7].name.upper(), subject_nip="")
    ).case
    client = staff_client(lead_katingan)
    page = client.get(reverse("workspace:case", args=[signed.pk])).text
    assert "Sudah menandatangani pakta" in page and "Hadir: Bimtek Netralitas" in page
    assert "kemungkinan" not in page
    page = client.get(reverse("workspace:case", args=[maybe.pk])).text
    assert "kemungkinan" in page and "Belum menandatangani pakta" in page
