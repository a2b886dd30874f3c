"""Roster files (.xlsx and .csv): the template, and parsing with every bad row reported.

Pure: no database. ``parse_roster`` reads a file (``netra.sheets``: openpyxl read-only, or csv) and
returns the rows it understood and every problem, each with its row number (as the spreadsheet
shows it, the header being row 1), its column and the reason, in Indonesian. Which rows exist
already and which units are known is the service's business (``netra.pacts.services``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from netra import sheets
from netra.catalog.nip import nip_errors, normalize_nip
from netra.sheets import XLSX_MAGIC, RowError  # noqa: F401 -- re-exported: importers name roster.RowError

_text = sheets.text

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


def max_bytes() -> int:
    return getattr(settings, "NETRA_ROSTER_MAX_BYTES", 10 * 1024 * 1024)


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


def parse_roster(
    data: bytes,
    filename: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> ParsedRoster:
    """Every row understood and every problem of a roster file (.xlsx or .csv)."""
    result = ParsedRoster()
    rows, problems = sheets.open_rows(data, filename, sheet=SHEET, max_bytes=max_bytes())
    result.errors.extend(problems)
    if rows is None:
        return result
    try:
        _read(rows, result, progress)
    except sheets.Unreadable as unreadable:
        result.errors.append(unreadable.error)
    return result


def _read(rows: Iterable[tuple], result: ParsedRoster, progress) -> None:
    iterator = iter(rows)
    keys = sheets.read_header(iterator, required=COLUMNS, known=COLUMNS, errors=result.errors)
    if keys is None:
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
            if sheets.is_formula(value):
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
