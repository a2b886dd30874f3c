"""Reading an uploaded spreadsheet (.xlsx or .csv) into rows of cell values, for every import.

Below every app (like ``bulk`` and ``turns``): the roster import (``netra.pacts.roster``) and the
historical case register (``netra.cases.history_import``) both open their files here, so a file
is refused for the same reasons with the same Indonesian sentences wherever it is uploaded.
Pure: no database. Each importer checks its own header and rows; what it reports is a
:class:`RowError` (row number as the spreadsheet shows it, the header being row 1; 0 for the
file as a whole).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 0: the file as a whole; 1: the header row
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


def text(value) -> str:
    """A cell as trimmed text (a whole float such as 123.0 as "123"; nothing as "")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_key(value) -> str:
    """A header cell as the key it is matched by: case-insensitive, spaces dropped, "-" as "_"."""
    return "".join(str(value or "").split()).lower().replace("-", "_")


def read_header(iterator: Iterator[tuple], *, required, known, errors: list[RowError]) -> list[str] | None:
    """The header row's column keys (leading blank rows skipped, trailing empty headers dropped), or
    ``None`` after appending to ``errors`` a row error for the empty file, each missing ``required``
    column, each column not ``known``, and each column named twice."""
    header = next(iterator, None)
    while header is not None and not any(text(v) for v in header):
        header = next(iterator, None)  # leading blank rows are not the header
    if header is None:
        errors.append(RowError(0, "", _("Berkas kosong: tidak ada baris judul kolom.")))
        return None
    keys = [header_key(v) for v in header]
    while keys and not keys[-1]:
        keys.pop()
    missing = [c for c in required if c not in keys]
    extra = [k or _("(kosong)") for k in keys if k not in known]
    duplicated = sorted({k for k in keys if k and keys.count(k) > 1})
    for column in missing:
        errors.append(RowError(1, column, _("Kolom '%(column)s' tidak ada.") % {"column": column}))
    for column in extra:
        errors.append(RowError(1, column, _("Kolom '%(column)s' tidak dikenal.") % {"column": column}))
    for column in duplicated:
        errors.append(RowError(1, column, _("Kolom '%(column)s' muncul lebih dari sekali.") % {"column": column}))
    return None if missing or extra or duplicated else keys


class Unreadable(Exception):
    """Raised while iterating the rows of :func:`open_rows` when the rest of the file cannot be read
    (a damaged or hostile .xlsx part, a NUL byte deep in a .csv); ``error`` (row 0: the file as a
    whole, so nothing of it is imported) says from which row and why. Importers catch it."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def is_formula(value) -> bool:
    """An .xlsx cell read with ``data_only=False`` holds its formula as text starting with "="."""
    return isinstance(value, str) and value.startswith("=")


def open_rows(
    data: bytes, filename: str, *, sheet: str, max_bytes: int
) -> tuple[Iterator[tuple] | None, list[RowError]]:
    """The rows of the file (tuples of cell values, header first), or None and why not.

    ``.xlsx``: the sheet named ``sheet`` (openpyxl read-only, formulas kept as text so they can be
    refused); ``.csv``: UTF-8 (with or without BOM, else cp1252), ``;`` or ``,`` as the sample shows.
    """
    if not data:
        return None, [RowError(0, "", _("Berkas kosong."))]
    if len(data) > max_bytes:
        return None, [
            RowError(
                0,
                "",
                _("Berkas terlalu besar (%(size)s MB); batasnya %(limit)s MB.")
                % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"},
            )
        ]
    lowered = (filename or "").lower()
    if lowered.endswith(".csv"):
        return _csv_rows(data)
    if lowered.endswith(".xlsx"):
        return _xlsx_rows(data, sheet)
    return None, [RowError(0, "", _("Jenis berkas tidak didukung: unggah .xlsx atau .csv."))]


def _csv_rows(data: bytes) -> tuple[Iterator[tuple] | None, list[RowError]]:
    if data.startswith(XLSX_MAGIC) or b"\x00" in data[:4096]:
        return None, [RowError(0, "", _("Berkas ini bukan CSV (isinya biner)."))]
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = data.decode("cp1252", errors="replace")
    sample = decoded[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","

    def rows() -> Iterator[tuple]:
        read = 0
        try:
            for row in csv.reader(io.StringIO(decoded), delimiter=delimiter):
                if any("\x00" in cell for cell in row):
                    raise csv.Error("NUL")  # Python 3.11's reader lets NUL through; no database stores it
                read += 1
                yield tuple(row)
        except csv.Error:
            raise Unreadable(
                RowError(
                    0,
                    "",
                    _(
                        "Baris %(row)d tidak dapat dibaca (berisi karakter NUL atau tanda kutip yang tidak "
                        "ditutup); tidak ada yang diimpor."
                    )
                    % {"row": read + 1},
                )
            ) from None

    return rows(), []


def _xlsx_rows(data: bytes, sheet: str) -> tuple[Iterator[tuple] | None, list[RowError]]:
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC):
        return None, [RowError(0, "", _("Berkas ini bukan berkas Excel (.xlsx) yang valid."))]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        return None, [RowError(0, "", _("Berkas ini bukan berkas Excel (.xlsx) yang valid."))]
    except Exception:  # openpyxl raises its own InvalidFileException and worse
        return None, [RowError(0, "", _("Berkas Excel tidak dapat dibaca."))]
    if sheet not in book.sheetnames:
        found = ", ".join(book.sheetnames)
        book.close()
        return None, [
            RowError(
                0,
                "",
                _("Lembar '%(sheet)s' tidak ditemukan (ada: %(found)s). Pakai templat dari Netra.")
                % {"sheet": sheet, "found": found},
            )
        ]

    def rows() -> Iterator[tuple]:
        read = 0
        try:
            for row in book[sheet].iter_rows(values_only=True):
                read += 1
                yield row
        except Exception:  # XML refused by defusedxml/expat (entities, amplification), a damaged part
            raise Unreadable(
                RowError(
                    0,
                    "",
                    _(
                        "Isi lembar '%(sheet)s' tidak dapat dibaca mulai baris %(row)d (berkas rusak atau "
                        "berisi XML yang tidak diizinkan); tidak ada yang diimpor. Simpan ulang dari Excel "
                        "lalu unggah lagi."
                    )
                    % {"sheet": sheet, "row": read + 1},
                )
            ) from None
        finally:
            book.close()

    return rows(), []
