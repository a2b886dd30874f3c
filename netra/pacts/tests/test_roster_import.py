"""Roster import with real .xlsx files written by openpyxl and real CSV files (#11 item 1)."""

import pytest
from django.http import Http404

from netra.audit.models import AuditEvent
from netra.pacts import roster
from netra.pacts.models import Employee, RosterImport
from netra.pacts.services import process_roster_import, start_roster_import
from netra.pacts.tests.conftest import nip, person, xlsx

pytestmark = pytest.mark.django_db


def run(user, agency, data, filename="pegawai.xlsx", **options):
    return start_roster_import(user=user, agency=agency, data=data, filename=filename, **options)


def messages(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_a_good_file_is_imported(media, admin_katingan, katingan, units):
    data = xlsx([person(1), person(2, "Dinas Kesehatan", "PPPK"), person(3, "Sekretariat Daerah", "Non-ASN")])
    job = run(admin_katingan, katingan, data)
    assert job.state == RosterImport.State.DONE, job.errors
    assert job.result["created"] == 3
    people = {e.name: e for e in Employee.objects.filter(agency=katingan)}
    assert people["Pegawai 1"].nip == nip(1) and people["Pegawai 1"].unit == units["Dinas Pendidikan"]
    assert people["Pegawai 3"].employee_number == "NA-3" and people["Pegawai 3"].nip is None
    assert people["Pegawai 2"].status == "pppk"
    assert AuditEvent.objects.filter(action="roster.imported", object_id=str(job.pk)).exists()


def test_csv_with_semicolons_is_imported(media, lead_katingan, katingan, units):
    lines = [";".join(roster.COLUMNS)] + [";".join(person(i)) for i in range(1, 4)]
    job = run(lead_katingan, katingan, ("\n".join(lines) + "\n").encode("utf-8-sig"), "pegawai.csv")
    assert job.state == RosterImport.State.DONE, job.errors
    assert Employee.objects.filter(agency=katingan).count() == 3


def test_bad_nips_name_row_column_and_reason_and_nothing_is_imported(media, admin_katingan, katingan, units):
    data = xlsx([person(1), person(2, nip="12345"), person(3, nip="198513122010011003"), person(4)])
    job = run(admin_katingan, katingan, data)
    assert job.state == RosterImport.State.INVALID
    found = messages(job)
    assert (3, "nip", "NIP harus terdiri dari tepat 18 angka.") in found
    assert any(row == 4 and col == "nip" and "tanggal lahir" in msg for row, col, msg in found)
    assert not Employee.objects.exists(), "nothing half-imported"


def test_import_the_valid_rows_when_asked(media, admin_katingan, katingan, units):
    data = xlsx([person(1), person(2, nip="12345"), person(3)])
    job = run(admin_katingan, katingan, data, import_valid_rows=True)
    assert job.state == RosterImport.State.DONE
    assert job.result["created"] == 2 and job.result["skipped_rows"] == 1
    assert (3, "nip", "NIP harus terdiri dari tepat 18 angka.") in messages(job)


def test_duplicate_rows_in_the_file(media, admin_katingan, katingan, units):
    data = xlsx(
        [person(1), person(2), person(1, nama="Lagi"), person(5, "Sekretariat Daerah", "Non-ASN", nomor_pegawai="X")]
    )
    data2 = xlsx([person(6, "Sekretariat Daerah", "Non-ASN", nomor_pegawai="X")] * 2)
    job = run(admin_katingan, katingan, data)
    assert (4, "nip", "NIP sama dengan baris 2.") in messages(job)
    job = run(admin_katingan, katingan, data2)
    assert (3, "nomor_pegawai", "Nomor pegawai sama dengan baris 2.") in messages(job)
    assert not Employee.objects.exists()


def test_missing_and_extra_columns(media, admin_katingan, katingan, units):
    header = [c for c in roster.COLUMNS if c != "status"] + ["golongan"]
    job = run(admin_katingan, katingan, xlsx([["x"] * len(header)], header=header))
    assert (1, "status", "Kolom 'status' tidak ada.") in messages(job)
    assert (1, "golongan", "Kolom 'golongan' tidak dikenal.") in messages(job)
    assert not Employee.objects.exists()


def test_wrong_sheet(media, admin_katingan, katingan, units):
    job = run(admin_katingan, katingan, xlsx([person(1)], sheet="Sheet1"))
    assert job.state == RosterImport.State.INVALID
    assert "Lembar 'Pegawai' tidak ditemukan (ada: Sheet1)" in job.errors[0]["message"]


def test_a_formula_cell(media, admin_katingan, katingan, units):
    job = run(admin_katingan, katingan, xlsx([person(1), person(2, nama='=CONCAT("a","b")')]))
    assert (3, "nama", "Sel berisi rumus; isi nilainya saja (tanpa rumus).") in messages(job)
    assert not Employee.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.7 not a workbook", "pegawai.xlsx", "Berkas ini bukan berkas Excel (.xlsx) yang valid."),
        (b"PK\x03\x04garbage that is no zip", "pegawai.xlsx", "Berkas ini bukan berkas Excel (.xlsx) yang valid."),
        (b"", "pegawai.xlsx", "Berkas kosong."),
        (b"", "pegawai.csv", "Berkas kosong."),
        (b"nama,nip\n", "pegawai.txt", "Jenis berkas tidak didukung: unggah .xlsx atau .csv."),
    ],
)
def test_files_that_are_not_rosters(media, admin_katingan, katingan, units, data, filename, message):
    job = run(admin_katingan, katingan, data, filename)
    assert job.state == RosterImport.State.INVALID
    assert messages(job) == [(0, "", message)]


def test_a_header_only_file(media, admin_katingan, katingan, units):
    job = run(admin_katingan, katingan, xlsx([]))
    assert messages(job) == [(0, "", "Berkas tidak berisi satu pun baris pegawai.")]


def test_unknown_unit_is_a_row_error(media, admin_katingan, katingan, units):
    job = run(admin_katingan, katingan, xlsx([person(1, "Dinas Entah")]))
    assert messages(job) == [(2, "unit_kerja", "Unit kerja 'Dinas Entah' tidak terdaftar di instansi ini.")]


def test_reimport_updates_and_marks_absent_people_as_left(media, admin_katingan, katingan, units):
    run(admin_katingan, katingan, xlsx([person(1), person(2), person(3, "Sekretariat Daerah", "Non-ASN")]))
    job = run(
        admin_katingan,
        katingan,
        xlsx([person(1, jabatan="Kepala Seksi"), person(3, "Sekretariat Daerah", "Non-ASN"), person(4)]),
        mark_absent_left=True,
    )
    assert job.result == {"created": 1, "updated": 1, "unchanged": 1, "left": 1, "skipped_rows": 0}
    assert Employee.objects.filter(agency=katingan).count() == 4
    assert Employee.objects.get(nip=nip(1)).position == "Kepala Seksi"
    gone = Employee.objects.get(nip=nip(2))
    assert not gone.active and gone.left_at is not None


def test_a_file_over_the_limit_is_refused_unread(media, admin_katingan, katingan, units, settings):
    settings.NETRA_ROSTER_MAX_BYTES = 10 * 1024 * 1024
    job = run(admin_katingan, katingan, b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024))
    assert job.state == RosterImport.State.INVALID and not job.file
    assert job.errors[0]["message"] == "Berkas terlalu besar (10.0 MB); batasnya 10 MB."


def test_a_large_file_runs_as_a_task_with_progress(
    media, admin_katingan, katingan, units, settings, django_capture_on_commit_callbacks
):
    """Past NETRA_ROSTER_INLINE_BYTES the request only queues the job; the worker does the rest."""
    from django_tasks_db.models import DBTaskResult

    settings.NETRA_ROSTER_INLINE_BYTES = 1000
    data = xlsx([person(i, list(units)[i % 3]) for i in range(3000)])
    with django_capture_on_commit_callbacks(execute=True):
        job = run(admin_katingan, katingan, data)
    assert job.state == RosterImport.State.PENDING and not Employee.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [job.pk]
    job = process_roster_import(job.pk)  # what the worker runs
    assert job.state == RosterImport.State.DONE and job.processed_rows == job.total_rows == 3000
    assert Employee.objects.filter(agency=katingan).count() == 3000


def test_a_10_mb_file_within_the_limit_is_imported(media, admin_katingan, katingan, units, settings):
    """Around 10 MB of CSV (long positions): read, checked and imported in one go."""
    settings.NETRA_ROSTER_MAX_BYTES = 11 * 1024 * 1024
    settings.NETRA_ROSTER_INLINE_BYTES = 20 * 1024 * 1024
    filler = "Pelaksana " * 18
    lines = [",".join(roster.COLUMNS)]
    i = 0
    size = 0
    while size < 10 * 1024 * 1024:
        i += 1
        line = ",".join(person(i, list(units)[i % 3], jabatan=filler.strip()))
        lines.append(line)
        size += len(line) + 1
    data = ("\n".join(lines) + "\n").encode()
    assert 10 * 1024 * 1024 <= len(data) < 11 * 1024 * 1024
    job = run(admin_katingan, katingan, data, "besar.csv")
    assert job.state == RosterImport.State.DONE, job.errors[:3]
    assert Employee.objects.filter(agency=katingan).count() == i


def test_another_agencys_roster_cannot_be_imported(media, satgas_barsel, katingan, units, opd_head, bawaslu_katingan):
    for user in (satgas_barsel, opd_head, bawaslu_katingan):
        with pytest.raises(Http404):
            run(user, katingan, xlsx([person(1)]))
    assert not RosterImport.objects.exists()


def test_the_template_parses_back():
    parsed = roster.parse_roster(roster.template_xlsx(), "templat.xlsx")
    assert parsed.errors == [] and [r.status for r in parsed.rows] == ["pns", "pppk", "non_asn"]
