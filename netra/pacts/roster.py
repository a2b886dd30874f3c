"""Roster files (.xlsx and .csv): the template, and parsing with every bad row reported.

Pure: no database. ``parse_roster`` reads a file (openpyxl read-only, or the csv module) and
returns the rows it understood and every problem, each with its row number (as the spreadsheet
shows it, the header being row 1), its column and the reason, in Indonesian. Which rows exist
already and which units are known is the service's business (``netra.pacts.services``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from netra.catalog.nip import nip_errors, normalize_nip

SHEET = "Pegawai"
# The columns of the template, in order. Headers are matched case-insensitively, spaces ignored.
COLUMNS = ("nama", "nip", "nomor_pegawai", "status", "jabatan", "unit_kerja", "surel")
REQUIRED = ("nama", "status", "unit_kerja")
STATUS_WORDS = {
    "pns": "pns",
    "pppk": "pppk",
    "non-asn": "non_asn",
    "non asn": "non_asn",
    "nonasn": "non_asn",
    "non_asn": "non_asn",
    "honorer": "non_asn",
}
XLSX_MAGIC = b"PK\x03\x04"


def max_bytes() -> int:
    return getattr(settings, "NETRA_ROSTER_MAX_BYTES", 10 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 0: the file as a whole; 1: the header row
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class RosterRow:
    row: int
    name: str
    nip: str | None
    employee_number: str | None
    status: str
    position: str
    unit: str
    email: str


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def file_error(self) -> bool:
        """A problem with the file itself (not a row): nothing can be imported at all."""
        return any(e.row <= 1 for e in self.errors)

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.row > 1}


def template_xlsx() -> bytes:
    """The downloadable template: the header row, one example per status, and a help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["Contoh PNS", "198503122010011003", "", "PNS", "Analis Kebijakan", "Dinas Pendidikan", ""])
    sheet.append(["Contoh PPPK", "199001012022032001", "", "PPPK", "Guru Ahli Pertama", "Dinas Pendidikan", ""])
    sheet.append(["Contoh Non-ASN", "", "NA-0001", "Non-ASN", "Pengemudi", "Sekretariat Daerah", ""])
    for letter, width in zip("ABCDEFG", (30, 22, 16, 10, 30, 30, 28), strict=True):
        sheet.column_dimensions[letter].width = width
        sheet[f"{letter}1"].number_format = "@"
    for row in range(2, 5):
        sheet[f"B{row}"].number_format = "@"  # an NIP is text: Excel would round 18 digits
    help_sheet = book.create_sheet("Petunjuk")
    for line in (
        _("Isi lembar 'Pegawai'; jangan ubah nama kolom. Hapus baris contoh sebelum mengunggah."),
        _("nama, status dan unit_kerja wajib diisi."),
        _("PNS dan PPPK: isi NIP (18 angka, sebagai teks). Non-ASN: isi nomor_pegawai."),
        _("status: PNS, PPPK atau Non-ASN."),
        _("unit_kerja: nama OPD persis seperti terdaftar di Netra."),
        _("Jangan memakai rumus; isi nilai saja."),
    ):
        help_sheet.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_key(value) -> str:
    return "".join(str(value or "").split()).lower().replace("-", "_")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_roster(
    data: bytes,
    filename: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> ParsedRoster:
    """Every row understood and every problem of a roster file (.xlsx or .csv)."""
    result = ParsedRoster()
    if not data:
        result.errors.append(RowError(0, "", _("Berkas kosong.")))
        return result
    if len(data) > max_bytes():
        result.errors.append(
            RowError(
                0,
                "",
                _("Berkas terlalu besar (%(size)s MB); batasnya %(limit)s MB.")
                % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes() / 1048576:.0f}"},
            )
        )
        return result
    lowered = (filename or "").lower()
    if lowered.endswith(".csv"):
        rows = _csv_rows(data, result)
    elif lowered.endswith(".xlsx"):
        rows = _xlsx_rows(data, result)
    else:
        result.errors.append(RowError(0, "", _("Jenis berkas tidak didukung: unggah .xlsx atau .csv.")))
        return result
    if rows is None:
        return result
    _read(rows, result, progress)
    return result


def _csv_rows(data: bytes, result: ParsedRoster) -> Iterator[tuple] | None:
    if data.startswith(XLSX_MAGIC) or b"\x00" in data[:4096]:
        result.errors.append(RowError(0, "", _("Berkas ini bukan CSV (isinya biner).")))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return (tuple(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes, result: ParsedRoster) -> Iterator[tuple] | None:
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC):
        result.errors.append(RowError(0, "", _("Berkas ini bukan berkas Excel (.xlsx) yang valid.")))
        return None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        result.errors.append(RowError(0, "", _("Berkas ini bukan berkas Excel (.xlsx) yang valid.")))
        return None
    except Exception:  # openpyxl raises its own InvalidFileException and worse
        result.errors.append(RowError(0, "", _("Berkas Excel tidak dapat dibaca.")))
        return None
    if SHEET not in book.sheetnames:
        result.errors.append(
            RowError(
                0,
                "",
                _("Lembar '%(sheet)s' tidak ditemukan (ada: %(found)s). Pakai templat dari Netra.")
                % {"sheet": SHEET, "found": ", ".join(book.sheetnames)},
            )
        )
        book.close()
        return None

    def rows() -> Iterator[tuple]:
        try:
            yield from book[SHEET].iter_rows(values_only=True)
        finally:
            book.close()

    return rows()


def _read(rows: Iterable[tuple], result: ParsedRoster, progress) -> None:
    iterator = iter(rows)
    header = next(iterator, None)
    while header is not None and not any(_text(v) for v in header):
        header = next(iterator, None)  # leading blank rows are not the header
    if header is None:
        result.errors.append(RowError(0, "", _("Berkas kosong: tidak ada baris judul kolom.")))
        return
    keys = [_header_key(v) for v in header]
    while keys and not keys[-1]:
        keys.pop()
    missing = [c for c in COLUMNS if c not in keys]
    extra = [k or _("(kosong)") for k in keys if k not in COLUMNS]
    duplicated = sorted({k for k in keys if k and keys.count(k) > 1})
    for column in missing:
        result.errors.append(RowError(1, column, _("Kolom '%(column)s' tidak ada.") % {"column": column}))
    for column in extra:
        result.errors.append(RowError(1, column, _("Kolom '%(column)s' tidak dikenal.") % {"column": column}))
    for column in duplicated:
        result.errors.append(
            RowError(1, column, _("Kolom '%(column)s' muncul lebih dari sekali.") % {"column": column})
        )
    if missing or extra or duplicated:
        return
    index = {key: keys.index(key) for key in COLUMNS}
    seen_nip: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    errors = result.errors
    row_number = 1
    for values in iterator:
        row_number += 1
        if progress and row_number % 1000 == 0:
            progress(row_number)
        if not any(v is not None and str(v).strip() for v in values):
            continue  # a blank line
        result.total_rows += 1
        if len(values) > len(keys) and any(_text(v) for v in values[len(keys) :]):
            errors.append(RowError(row_number, "", _("Baris berisi nilai di luar kolom templat.")))
            continue
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        bad = False
        for key, value in cells.items():
            if isinstance(value, str) and value.startswith("="):
                errors.append(RowError(row_number, key, _("Sel berisi rumus; isi nilainya saja (tanpa rumus).")))
                bad = True
        if bad:
            continue
        row = _row(row_number, {key: _text(v) for key, v in cells.items()}, errors)
        if row is None:
            continue
        if row.nip:
            if (first := seen_nip.get(row.nip)) is not None:
                errors.append(RowError(row_number, "nip", _("NIP sama dengan baris %(row)d.") % {"row": first}))
                continue
            seen_nip[row.nip] = row_number
        if row.employee_number:
            if (first := seen_number.get(row.employee_number)) is not None:
                errors.append(
                    RowError(
                        row_number, "nomor_pegawai", _("Nomor pegawai sama dengan baris %(row)d.") % {"row": first}
                    )
                )
                continue
            seen_number[row.employee_number] = row_number
        result.rows.append(row)
    if result.total_rows == 0:
        errors.append(RowError(0, "", _("Berkas tidak berisi satu pun baris pegawai.")))


def _row(number: int, cells: dict[str, str], errors: list[RowError]) -> RosterRow | None:
    before = len(errors)
    for key in REQUIRED:
        if not cells[key]:
            errors.append(RowError(number, key, _("Kolom '%(column)s' wajib diisi.") % {"column": key}))
    status = STATUS_WORDS.get(cells["status"].lower()) if cells["status"] else None
    if cells["status"] and status is None:
        errors.append(
            RowError(
                number,
                "status",
                _("Status '%(value)s' tidak dikenal (PNS, PPPK atau Non-ASN).") % {"value": cells["status"][:40]},
            )
        )
    nip = normalize_nip(cells["nip"]) or None
    if nip:
        for problem in nip_errors(nip):
            errors.append(RowError(number, "nip", problem))
    elif status in ("pns", "pppk"):
        errors.append(RowError(number, "nip", _("NIP wajib diisi untuk PNS dan PPPK.")))
    number_value = cells["nomor_pegawai"] or None
    if status == "non_asn" and not nip and not number_value:
        errors.append(RowError(number, "nomor_pegawai", _("Nomor pegawai wajib diisi untuk Non-ASN.")))
    if number_value and len(number_value) > 40:
        errors.append(RowError(number, "nomor_pegawai", _("Nomor pegawai paling panjang 40 karakter.")))
    for key, limit in (("nama", 200), ("jabatan", 200), ("unit_kerja", 200), ("surel", 254)):
        if len(cells[key]) > limit:
            errors.append(RowError(number, key, _("Isian paling panjang %(limit)d karakter.") % {"limit": limit}))
    email = cells["surel"]
    if email and ("@" not in email or " " in email):
        errors.append(RowError(number, "surel", _("Alamat surel tidak valid.")))
    if len(errors) > before or status is None:
        return None
    return RosterRow(
        row=number,
        name=cells["nama"],
        nip=nip,
        employee_number=number_value,
        status=status,
        position=cells["jabatan"],
        unit=cells["unit_kerja"],
        email=email,
    )
