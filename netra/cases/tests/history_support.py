"""Register files for the historical import's tests: real .xlsx written by openpyxl, real CSV."""

from __future__ import annotations

import csv
import io

import pytest

from netra.cases.history_import import COLUMNS, SHEET

CLOSED = {
    "nomor_kasus": "REG/2024/001",
    "pemilihan": "pemilu-2024",
    "wilayah": "62.06",
    "tanggal_kejadian": "2024-01-20",
    "uraian": "Foto bersama calon dengan pose jari.",
    "nama_terlapor": "Budi Santoso",
    "nip_terlapor": "198503122010011003",
    "jabatan_terlapor": "Kepala Seksi Kurikulum",
    "instansi_terlapor": "Pemerintah Kabupaten Katingan",
    "unit_kerja_terlapor": "Dinas Pendidikan",
    "status": "selesai",
    "tanggal_diterima": "2024-01-22",
    "tanggal_pengecekan": "2024-01-23",
    "tanggal_verifikasi": "2024-01-25",
    "tanggal_pemeriksaan": "2024-02-01",
    "tanggal_rekomendasi": "2024-02-08",
    "kelompok_pelanggaran": "social_media, attributes_photo",
    "kategori_sanksi": "moral_open",
    "tanggal_ke_ppk": "2024-02-09",
    "tanggal_keputusan": "2024-02-20",
    "jenis_sanksi": "moral_open",
    "nomor_sk": "800/012/BKPSDM/2024",
    "tanggal_selesai": "2024-03-01",
}
DISMISSED = {
    "nomor_kasus": "REG/2024/002",
    "pemilihan": "Pilkada 2024",
    "wilayah": "Kabupaten Katingan",
    "status": "dihentikan",
    "tanggal_diterima": "2024-10-02",
    "tanggal_pengecekan": "2024-10-03",
    "tanggal_dihentikan": "2024-10-04",
    "alasan_penghentian": "not_asn",
}
OPEN = {
    "nomor_kasus": "REG/2024/003",
    "pemilihan": "pilkada-2024",
    "wilayah": "Katingan",
    "status": "pemeriksaan",
    "tanggal_diterima": "2024-11-04",
    "tanggal_pemeriksaan": "2024-11-12",
}
RECEIVED = {
    "nomor_kasus": "REG/2024/004",
    "pemilihan": "pilkada-2024",
    "wilayah": "62.06",
    "status": "diterima",
    "tanggal_diterima": "2024-11-20",
}
GOOD = (CLOSED, DISMISSED, OPEN, RECEIVED)


def xlsx(rows, *, columns=COLUMNS, sheet=SHEET) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(columns))
    for row in rows:
        ws.append([row.get(c, "") if isinstance(row, dict) else row[i] for i, c in enumerate(columns)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, *, delimiter=";", columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def register_world(agencies, lead_katingan):
    """The catalogue, the two 2024 elections and Katingan's Satgas lead (who imports)."""
    from netra.catalog.elections import load_elections
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()
    load_elections()
    return {"agency": agencies["pemkab-katingan"], "lead": lead_katingan, "agencies": agencies}
