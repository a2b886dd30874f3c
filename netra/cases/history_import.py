"""Past registers (issue #12 item 4): an agency brings the cases it handled before Netra.

A pemda moving to Netra uploads its earlier register (the template's sheet "Kasus", .xlsx or
.csv). Each row becomes a case of that agency with the path it took, at the dates of the register:

- **Reading** (:func:`parse_register`, pure): ``netra.sheets`` opens the file (the roster import
  reads through the same code); every problem is a row error (row, column, reason, Indonesian).
  Nothing is written while any row is wrong, unless the user chose "impor baris yang valid".
- **The path** is the workflow table's (``netra.cases.workflow``): received → checking →
  verification → examination → recommendation → awaiting_decision → decided → closed, or
  dismissed from the last step the table allows dismissing from. Every step is looked up there
  (``find_move``); a state or a dismissal the table does not have is a row error. A step without
  a date takes the date of the next dated step (it was reached by then at the latest).
- **Writing** (:func:`process_history_import`, one transaction): the same rows a live case has —
  ``Report`` (the register's summary; no contact, no access key: nobody can open it as a
  reporter), ``Case`` (Netra's own number ``NTR-<year received>-<id>``; the register's number kept
  in ``import_reference``, unique per agency), ``Subject``, one ``Transition`` per step dated by
  the register (``imported=True``), ``Recommendation``, ``Decision``, the closing ``FollowUp``,
  and one ``case.imported`` audit event per case (the importer as actor, the path in the payload).
  Not through ``services.case_transition``: that stamps "now", numbers letters, starts deadlines,
  notifies and announces webhooks — exactly what a past case must not do. An imported case has no
  running deadline (the deadline job skips it), sends no notification and no webhook; a live move
  made on it later is an ordinary move.
- **Re-import** is idempotent by the register's number: a row whose number the agency imported
  already is skipped (counted, named in the report), never doubled.
- **Who**: an agency admin or the Satgas lead of the owning agency, into that agency only
  (:func:`importing_agencies`); anybody else gets a 404. Large files go to the task worker
  (``run_history_import`` below, a django-tasks task) with progress on the job row.
- After an import the public statistics' aggregate table is rebuilt (``rebuild_insights`` by
  command name: ``cases`` never imports ``insights``), so the dashboards count the past cases at once.
"""

from __future__ import annotations

import datetime
import io
import itertools
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from netra import sheets
from netra.audit.services import record, record_each
from netra.bulk import update_by_id
from netra.cases.models import (
    Case,
    Decision,
    FollowUp,
    HistoryImport,
    Recommendation,
    Report,
    Subject,
    Transition,
)
from netra.cases.workflow import find_move
from netra.cases.workflow_forms import DismissReason
from netra.catalog.models import Election, Region, SanctionCategory, SanctionType, ViolationGroup
from netra.catalog.nip import nip_errors, normalize_nip, today_easternmost
from netra.orgs.models import Agency, Membership, User
from netra.orgs.roles import ROLES, Role
from netra.sheets import RowError
from netra.turns import writer_turn

logger = logging.getLogger(__name__)
S = Case.Status
SHEET = "Kasus"
# The columns of the template, in order (headers matched case-insensitively, spaces ignored).
COLUMNS = (
    "nomor_kasus",
    "pemilihan",
    "wilayah",
    "sumber",
    "tanggal_kejadian",
    "uraian",
    "nama_terlapor",
    "nip_terlapor",
    "jabatan_terlapor",
    "instansi_terlapor",
    "unit_kerja_terlapor",
    "status",
    "tanggal_diterima",
    "tanggal_pengecekan",
    "tanggal_verifikasi",
    "tanggal_pemeriksaan",
    "tanggal_rekomendasi",
    "kelompok_pelanggaran",
    "kategori_sanksi",
    "tanggal_ke_ppk",
    "tanggal_keputusan",
    "jenis_sanksi",
    "nomor_sk",
    "tanggal_selesai",
    "tanggal_dihentikan",
    "alasan_penghentian",
)
REQUIRED = ("nomor_kasus", "wilayah", "status", "tanggal_diterima")
# The straight line of the workflow table and the column dating each step.
LINE: tuple[tuple[str, str], ...] = (
    (S.RECEIVED, "tanggal_diterima"),
    (S.CHECKING, "tanggal_pengecekan"),
    (S.VERIFICATION, "tanggal_verifikasi"),
    (S.EXAMINATION, "tanggal_pemeriksaan"),
    (S.RECOMMENDATION, "tanggal_rekomendasi"),
    (S.AWAITING_DECISION, "tanggal_ke_ppk"),
    (S.DECIDED, "tanggal_keputusan"),
    (S.CLOSED, "tanggal_selesai"),
)
LINE_STATES = tuple(str(state) for state, _column in LINE)
DATE_COLUMNS = (*(column for _state, column in LINE), "tanggal_dihentikan", "tanggal_kejadian")
IMPORTABLE = frozenset({*LINE_STATES, S.DISMISSED})
# What a register may write in "status" besides Netra's codes and labels.
STATE_WORDS = {
    "diterima": S.RECEIVED,
    "baru": S.RECEIVED,
    "pengecekan": S.CHECKING,
    "verifikasi": S.VERIFICATION,
    "verifikasi dan validasi": S.VERIFICATION,
    "klarifikasi": S.EXAMINATION,
    "pemeriksaan": S.EXAMINATION,
    "rekomendasi": S.RECOMMENDATION,
    "dikirim ke ppk": S.AWAITING_DECISION,
    "menunggu keputusan": S.AWAITING_DECISION,
    "diputuskan": S.DECIDED,
    "sanksi dijatuhkan": S.DECIDED,
    "selesai": S.CLOSED,
    "ditutup": S.CLOSED,
    "dihentikan": S.DISMISSED,
}
MIN_DATE = datetime.date(2000, 1, 1)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")
IMPORTED_NOTE = "Diimpor dari register lama."
DEFAULT_LEGAL_BASIS = "Sesuai register lama instansi (diimpor ke Netra)."
# Roles that may import into their own agency.
IMPORTER_ROLES = (Role.AGENCY_ADMIN.value, Role.SATGAS_LEAD.value)
BATCH = 1000


def max_bytes() -> int:
    return getattr(settings, "NETRA_HISTORY_MAX_BYTES", 20 * 1024 * 1024)


def inline_import_bytes() -> int:
    """Files up to this size are imported during the request; larger ones by the task worker."""
    return getattr(settings, "NETRA_HISTORY_INLINE_BYTES", 256 * 1024)


# --- the catalogue a register is read against ------------------------------------------------------


def _fold(value: str) -> str:
    return " ".join(value.replace("&", " dan ").replace("/", " ").casefold().split())


@dataclass
class Catalog:
    """What a row's words are resolved against; loaded once per import (:func:`load_catalog`)."""

    regions: dict[str, str]  # code → name
    region_names: dict[str, list[str]]  # folded name (and name without "Kabupaten"/"Kota") → codes
    elections: dict[str, str]  # folded code / name / "pemilu 2024" → code
    groups: dict[str, str]  # folded code / name → code
    categories: dict[str, str]
    types: dict[str, str]
    area: str | None = None  # the agency's region: rows must lie in it (None: anywhere)
    today: datetime.date = field(default_factory=today_easternmost)
    # The words of "status", "sumber" and "alasan_penghentian" (codes, labels, register words).
    states: dict[str, str] = field(default_factory=lambda: _state_words())
    sources: dict[str, str] = field(default_factory=lambda: _source_words())
    reasons: dict[str, str] = field(default_factory=lambda: _reason_words())


_REGION_PREFIX = re.compile(r"^(kabupaten|kab\.?|kota)\s+")


def load_catalog(agency: Agency | None = None) -> Catalog:
    regions = dict(Region.objects.values_list("code", "name"))
    names: dict[str, list[str]] = {}
    for code, name in regions.items():
        folded = _fold(name)
        keys = {folded, _REGION_PREFIX.sub("", folded)}
        for key in keys:
            names.setdefault(key, []).append(code)
    elections: dict[str, str] = {}
    for election in Election.objects.all():
        for key in (election.code, election.name, f"{election.kind} {election.voting_date.year}"):
            elections.setdefault(_fold(key), election.code)

    def by_code_and_name(model) -> dict[str, str]:
        found: dict[str, str] = {}
        for code, name in model.objects.values_list("code", "name_id"):
            found[_fold(code)] = code
            found.setdefault(_fold(name), code)
        return found

    return Catalog(
        regions=regions,
        region_names=names,
        elections=elections,
        groups=by_code_and_name(ViolationGroup),
        categories=by_code_and_name(SanctionCategory),
        types=by_code_and_name(SanctionType),
        area=agency.region_id if agency is not None else None,
    )


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryRow:
    row: int
    reference: str
    election: str | None
    region: str
    source: str
    incident_date: datetime.date
    description: str
    subject: dict[str, str]
    nip: str | None
    state: str
    steps: tuple[tuple[str, datetime.date], ...]  # (state reached, date), received first
    violations: tuple[str, ...] = ()
    category: str | None = None
    sanction_type: str | None = None
    decree_number: str = ""
    decree_date: datetime.date | None = None
    dismissal_reason: str = ""


@dataclass
class ParsedRegister:
    rows: list[HistoryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def file_error(self) -> bool:
        return any(e.row <= 1 for e in self.errors)


def parse_register(
    data: bytes, filename: str, catalog: Catalog, *, progress: Callable[[int], None] | None = None
) -> ParsedRegister:
    """Every row understood and every problem of a register file (.xlsx or .csv)."""
    result = ParsedRegister()
    rows, problems = sheets.open_rows(data, filename, sheet=SHEET, max_bytes=max_bytes())
    result.errors.extend(problems)
    if rows is not None:
        try:
            _read(rows, result, catalog, progress)
        except sheets.Unreadable as unreadable:
            result.errors.append(unreadable.error)
    return result


def _read(rows: Iterable[tuple], result: ParsedRegister, catalog: Catalog, progress) -> None:
    iterator = iter(rows)
    keys = sheets.read_header(iterator, required=REQUIRED, known=COLUMNS, errors=result.errors)
    if keys is None:
        return
    index = {key: keys.index(key) for key in COLUMNS if key in keys}
    seen: dict[str, int] = {}
    row_number = 1
    for values in iterator:
        row_number += 1
        if progress and row_number % 1000 == 0:
            progress(row_number)
        if not any(v is not None and str(v).strip() for v in values):
            continue  # a blank line
        result.total_rows += 1
        if len(values) > len(keys) and any(sheets.text(v) for v in values[len(keys) :]):
            result.errors.append(RowError(row_number, "", _("Baris berisi nilai di luar kolom templat.")))
            continue
        cells = {key: (values[i] if i < len(values) else None) for key, i in index.items()}
        formulas = [key for key, value in cells.items() if sheets.is_formula(value)]
        for key in formulas:
            result.errors.append(RowError(row_number, key, _("Sel berisi rumus; isi nilainya saja (tanpa rumus).")))
        if formulas:
            continue
        row = _row(row_number, cells, catalog, result.errors)
        if row is None:
            continue
        key = row.reference.casefold()
        if (first := seen.get(key)) is not None:
            result.errors.append(
                RowError(row_number, "nomor_kasus", _("Nomor kasus sama dengan baris %(row)d.") % {"row": first})
            )
            continue
        seen[key] = row_number
        result.rows.append(row)
    if result.total_rows == 0:
        result.errors.append(RowError(0, "", _("Berkas tidak berisi satu pun baris kasus.")))


def _date(value, column: str, number: int, errors: list[RowError], catalog: Catalog) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day: datetime.date | None = None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, str):
        for pattern in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(value.strip(), pattern).date()  # noqa: DTZ007 -- a date only
                break
            except ValueError:
                continue
    if day is None:
        errors.append(
            RowError(
                number,
                column,
                _("'%(value)s' bukan tanggal (tulis HHHH-BB-TT, mis. 2024-02-14, atau TT/BB/HHHH).")
                % {"value": sheets.text(value)[:40]},
            )
        )
        return None
    if day > catalog.today:
        errors.append(RowError(number, column, _("Tanggal tidak boleh di masa depan.")))
        return None
    if day < MIN_DATE:
        errors.append(
            RowError(number, column, _("Tanggal sebelum %(date)s tidak diterima.") % {"date": MIN_DATE.isoformat()})
        )
        return None
    return day


def _region(value: str, number: int, errors: list[RowError], catalog: Catalog) -> str | None:
    code = value.strip()
    if re.fullmatch(r"\d{4}", code):
        code = f"{code[:2]}.{code[2:]}"  # "6206" as the register may have lost the dot
    if code not in catalog.regions:
        folded = _fold(value)
        codes = catalog.region_names.get(folded) or catalog.region_names.get(_REGION_PREFIX.sub("", folded)) or []
        if len(codes) > 1:
            errors.append(
                RowError(
                    number,
                    "wilayah",
                    _("Wilayah '%(value)s' tidak tunggal (%(codes)s): tulis kode Kemendagri atau nama lengkapnya.")
                    % {"value": value[:80], "codes": ", ".join(sorted(codes))},
                )
            )
            return None
        if not codes:
            errors.append(
                RowError(
                    number,
                    "wilayah",
                    _("Wilayah '%(value)s' tidak dikenal: tulis kode Kemendagri (mis. 62.06) atau nama lengkapnya.")
                    % {"value": value[:80]},
                )
            )
            return None
        code = codes[0]
    if catalog.area and code != catalog.area and not code.startswith(catalog.area + "."):
        errors.append(
            RowError(
                number,
                "wilayah",
                _("Wilayah %(name)s di luar wilayah instansi ini.") % {"name": catalog.regions[code]},
            )
        )
        return None
    return code


def _choice(value: str, table: dict[str, str], column: str, number: int, errors: list[RowError], message) -> str | None:
    found = table.get(_fold(value))
    if found is None:
        errors.append(RowError(number, column, message % {"value": value[:60]}))
    return found


def _state_words() -> dict[str, str]:
    words = {_fold(code): str(code) for code in IMPORTABLE}
    words.update({_fold(str(label)): str(code) for code, label in S.choices if code in IMPORTABLE})
    words.update({_fold(word): str(state) for word, state in STATE_WORDS.items()})
    return words


def _source_words() -> dict[str, str]:
    words = {_fold(code): str(code) for code in Case.Source.values}
    words.update({_fold(str(label)): str(code) for code, label in Case.Source.choices})
    return words


def _reason_words() -> dict[str, str]:
    words = {_fold(code): code for code in DismissReason.CODES}
    words.update({_fold(str(label)): code for code, label in DismissReason.CHOICES})
    return words


def _row(number: int, raw: dict, catalog: Catalog, errors: list[RowError]) -> HistoryRow | None:
    before = len(errors)
    cells = {key: sheets.text(value) for key, value in raw.items()}
    cells.update({key: "" for key in COLUMNS if key not in cells})

    def fail(column: str, message) -> None:
        errors.append(RowError(number, column, str(message)))

    for key in REQUIRED:
        if not cells[key]:
            fail(key, _("Kolom '%(column)s' wajib diisi.") % {"column": key})
    for key, limit in (
        ("nomor_kasus", 100),
        ("uraian", 5000),
        ("nama_terlapor", 200),
        ("jabatan_terlapor", 200),
        ("instansi_terlapor", 200),
        ("unit_kerja_terlapor", 200),
        ("nomor_sk", 100),
    ):
        if len(cells[key]) > limit:
            fail(key, _("Isian paling panjang %(limit)d karakter.") % {"limit": limit})
    dates = {key: _date(raw.get(key), key, number, errors, catalog) for key in DATE_COLUMNS}
    region = _region(cells["wilayah"], number, errors, catalog) if cells["wilayah"] else None
    election = None
    if cells["pemilihan"]:
        election = _choice(
            cells["pemilihan"],
            catalog.elections,
            "pemilihan",
            number,
            errors,
            _("Pemilihan '%(value)s' tidak dikenal (mis. pemilu-2024 atau pilkada-2024)."),
        )
    source = str(Case.Source.PUBLIC_REPORT)
    if cells["sumber"]:
        source = (
            _choice(cells["sumber"], catalog.sources, "sumber", number, errors, _("Sumber '%(value)s' tidak dikenal."))
            or source
        )
    nip = normalize_nip(cells["nip_terlapor"]) or None
    if nip:
        for problem in nip_errors(nip):
            fail("nip_terlapor", problem)
    state = None
    if cells["status"]:
        state = _choice(
            cells["status"],
            catalog.states,
            "status",
            number,
            errors,
            _(
                "Status '%(value)s' tidak dapat diimpor (diterima, pengecekan, verifikasi, pemeriksaan, rekomendasi, "
                "menunggu keputusan, diputuskan, selesai, dihentikan)."
            ),
        )
    violations: list[str] = []
    for word in re.split(r"[,;|\n]+", cells["kelompok_pelanggaran"]):
        if word.strip():
            code = _choice(
                word.strip(),
                catalog.groups,
                "kelompok_pelanggaran",
                number,
                errors,
                _("Kelompok pelanggaran '%(value)s' tidak dikenal (lihat lembar Petunjuk)."),
            )
            if code and code not in violations:
                violations.append(code)
    category = sanction_type = reason = None
    if cells["kategori_sanksi"]:
        category = _choice(
            cells["kategori_sanksi"],
            catalog.categories,
            "kategori_sanksi",
            number,
            errors,
            _("Kategori sanksi '%(value)s' tidak dikenal (lihat lembar Petunjuk)."),
        )
    if cells["jenis_sanksi"]:
        sanction_type = _choice(
            cells["jenis_sanksi"],
            catalog.types,
            "jenis_sanksi",
            number,
            errors,
            _("Jenis sanksi '%(value)s' tidak dikenal (lihat lembar Petunjuk)."),
        )
    if cells["alasan_penghentian"]:
        reason = _choice(
            cells["alasan_penghentian"],
            catalog.reasons,
            "alasan_penghentian",
            number,
            errors,
            _("Alasan penghentian '%(value)s' tidak dikenal (lihat lembar Petunjuk)."),
        )
    if len(errors) > before or state is None or region is None:
        return None
    steps = _steps(number, state, cells, dates, errors)
    if steps is None:
        return None
    reached = {step for step, _day in steps}
    recommended = S.RECOMMENDATION in reached
    decided = S.DECIDED in reached
    # What the row says against the path: the inconsistencies are reported, never guessed around.
    if cells["jenis_sanksi"] and not cells["kategori_sanksi"]:
        fail("jenis_sanksi", _("Keputusan (jenis sanksi) tanpa rekomendasi: isi juga kategori_sanksi."))
    if recommended:
        if not category:
            fail("kategori_sanksi", _("Kasus yang sampai tahap rekomendasi wajib punya kategori_sanksi."))
        if not violations:
            fail("kelompok_pelanggaran", _("Kasus yang sampai tahap rekomendasi wajib punya kelompok_pelanggaran."))
    else:
        if category:
            fail("kategori_sanksi", _("Kategori sanksi diisi, padahal kasus belum sampai tahap rekomendasi."))
        if violations:
            fail(
                "kelompok_pelanggaran",
                _("Kelompok pelanggaran dicatat bersama rekomendasi; kasus ini belum sampai ke sana."),
            )
    if decided:
        for key in ("jenis_sanksi", "nomor_sk", "tanggal_keputusan"):
            if not cells[key]:
                fail(key, _("Kasus yang sudah diputuskan wajib mengisi %(column)s.") % {"column": key})
    elif sanction_type or cells["nomor_sk"]:
        fail(
            "jenis_sanksi" if sanction_type else "nomor_sk",
            _("Keputusan PPK diisi, padahal status kasus belum diputuskan."),
        )
    if state != S.DISMISSED and (cells["tanggal_dihentikan"] or cells["alasan_penghentian"]):
        fail(
            "tanggal_dihentikan" if cells["tanggal_dihentikan"] else "alasan_penghentian",
            _("Penghentian diisi, padahal status kasus bukan dihentikan."),
        )
    incident = dates["tanggal_kejadian"] or steps[0][1]
    if incident > steps[0][1]:
        fail("tanggal_kejadian", _("Tanggal kejadian sesudah tanggal diterima."))
    if len(errors) > before:
        return None
    subject = {
        "name": cells["nama_terlapor"],
        "position": cells["jabatan_terlapor"],
        "agency": cells["instansi_terlapor"],
        "unit": cells["unit_kerja_terlapor"],
    }
    if state == S.DISMISSED and not reason:
        reason = "not_proven" if recommended else "other"
    return HistoryRow(
        row=number,
        reference=cells["nomor_kasus"],
        election=election,
        region=region,
        source=source,
        incident_date=incident,
        description=cells["uraian"],
        subject=subject,
        nip=nip,
        state=state,
        steps=tuple(steps),
        violations=tuple(violations),
        category=category,
        sanction_type=sanction_type if decided else None,
        decree_number=cells["nomor_sk"] if decided else "",
        decree_date=dates["tanggal_keputusan"] if decided else None,
        dismissal_reason=reason or "",
    )


def _steps(number: int, state: str, cells: dict, dates: dict, errors: list[RowError]):
    """The states the case went through with their dates, checked against the workflow table."""
    if state == S.DISMISSED:
        # Dismissed from the last step the register dates (a recommendation counts as reaching it).
        last = 0
        for i, (_step, column) in enumerate(LINE):
            if cells[column] or (i == 4 and cells["kategori_sanksi"]):
                last = i
        line = [*LINE[: last + 1], (S.DISMISSED, "tanggal_dihentikan")]
    else:
        last = LINE_STATES.index(state)
        line = list(LINE[: last + 1])
        for _step, column in LINE[last + 1 :]:
            if cells[column]:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("Tanggal %(column)s diisi, padahal status kasus belum sampai ke tahap itu.")
                        % {"column": column},
                    )
                )
                return None
    for (before, _c), (after, column) in itertools.pairwise(line):
        if find_move(before, str(after)) is None:
            errors.append(
                RowError(
                    number,
                    column if cells[column] else "status",
                    _("Alur Netra tidak mengenal langkah dari %(before)s ke %(after)s.")
                    % {"before": S(before).label, "after": S(after).label},
                )
            )
            return None
    days: list[datetime.date | None] = [dates[column] for _step, column in line]
    for i in range(len(days) - 2, -1, -1):  # a step without a date: reached by the next dated one
        if days[i] is None:
            days[i] = days[i + 1]
    for i in range(1, len(days)):  # … or, at the end, on the day of the step before
        if days[i] is None:
            days[i] = days[i - 1]
    for i in range(1, len(days)):
        if days[i] < days[i - 1]:  # type: ignore[operator]
            errors.append(
                RowError(
                    number,
                    line[i][1],
                    _("Tanggal %(column)s lebih awal dari %(before)s.")
                    % {"column": line[i][1], "before": line[i - 1][1]},
                )
            )
            return None
    return [(str(step), day) for (step, _column), day in zip(line, days, strict=True)]


# --- the template -----------------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The downloadable template: the header, three example rows and a help sheet with the codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.number_format = "@"
    for example in EXAMPLES:
        sheet.append([example.get(column, "") for column in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(14, len(column) + 2)
        if column in ("nip_terlapor", "nomor_kasus", "wilayah"):
            for row in range(2, 2 + len(EXAMPLES)):
                sheet.cell(row, i).number_format = "@"  # an NIP is text: Excel would round 18 digits
    help_sheet = book.create_sheet("Petunjuk")
    for line in (
        _("Isi lembar 'Kasus'; jangan ubah nama kolom. Hapus baris contoh sebelum mengunggah."),
        _("Wajib: nomor_kasus (nomor di register Anda), wilayah, status, tanggal_diterima."),
        _("Tanggal: HHHH-BB-TT (mis. 2024-02-14) atau TT/BB/HHHH, atau sel bertipe tanggal. Tanggal lama diterima."),
        _("Tanggal tahap yang kosong dianggap sama dengan tanggal tahap berikutnya yang terisi."),
        _("wilayah: kode Kemendagri (mis. 62.06) atau nama (Kabupaten Katingan)."),
        _(
            "Sampai rekomendasi: isi kelompok_pelanggaran dan kategori_sanksi. Diputuskan/selesai: isi juga jenis_sanksi, nomor_sk, tanggal_keputusan."
        ),
        _(
            "Dihentikan: kasus dihentikan dari tahap terakhir yang bertanggal (pengecekan, verifikasi atau rekomendasi)."
        ),
        _("Impor ulang berkas yang sama tidak menggandakan kasus: nomor_kasus yang sudah diimpor dilewati."),
        _("Jangan memakai rumus; isi nilai saja."),
        "",
        _("status:"),
        *[f"  {code} — {label}" for code, label in S.choices if code in IMPORTABLE],
        _("pemilihan:"),
        *[f"  {code} — {name}" for code, name in Election.objects.values_list("code", "name")],
        _("kelompok_pelanggaran (boleh beberapa, pisahkan dengan koma):"),
        *[f"  {code} — {name}" for code, name in ViolationGroup.objects.values_list("code", "name_id")],
        _("kategori_sanksi:"),
        *[f"  {code} — {name}" for code, name in SanctionCategory.objects.values_list("code", "name_id")],
        _("jenis_sanksi:"),
        *[f"  {code} — {name}" for code, name in SanctionType.objects.values_list("code", "name_id")],
        _("alasan_penghentian:"),
        *[f"  {code} — {label}" for code, label in DismissReason.CHOICES],
    ):
        help_sheet.append([str(line)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "nomor_kasus": "SATGAS/2024/001",
        "pemilihan": "pemilu-2024",
        "wilayah": "62.06",
        "tanggal_kejadian": "2024-01-20",
        "uraian": "Foto bersama calon dengan pose jari di media sosial.",
        "nama_terlapor": "Contoh Terlapor",
        "jabatan_terlapor": "Kepala Seksi",
        "instansi_terlapor": "Pemerintah Kabupaten",
        "unit_kerja_terlapor": "Dinas Pendidikan",
        "status": "selesai",
        "tanggal_diterima": "2024-01-22",
        "tanggal_pengecekan": "2024-01-23",
        "tanggal_verifikasi": "2024-01-25",
        "tanggal_pemeriksaan": "2024-02-01",
        "tanggal_rekomendasi": "2024-02-08",
        "kelompok_pelanggaran": "social_media",
        "kategori_sanksi": "moral_open",
        "tanggal_ke_ppk": "2024-02-09",
        "tanggal_keputusan": "2024-02-20",
        "jenis_sanksi": "moral_open",
        "nomor_sk": "800/012/BKPSDM/2024",
        "tanggal_selesai": "2024-03-01",
    },
    {
        "nomor_kasus": "SATGAS/2024/002",
        "pemilihan": "pilkada-2024",
        "wilayah": "Kabupaten Katingan",
        "status": "dihentikan",
        "tanggal_diterima": "2024-10-02",
        "tanggal_pengecekan": "2024-10-03",
        "tanggal_dihentikan": "2024-10-04",
        "alasan_penghentian": "not_asn",
    },
    {
        "nomor_kasus": "SATGAS/2024/003",
        "pemilihan": "pilkada-2024",
        "wilayah": "62.06",
        "status": "pemeriksaan",
        "tanggal_diterima": "2024-11-04",
        "tanggal_pemeriksaan": "2024-11-12",
    },
)


# --- who may import ---------------------------------------------------------------------------------


def importing_agencies(user) -> QuerySet[Agency]:
    """The agencies the user may import a register into: where they are the agency admin or the
    Satgas lead, of a kind that owns cases (has a Satgas)."""
    if not (user and user.is_authenticated and user.is_active):
        return Agency.objects.none()
    kinds = sorted(ROLES[Role.SATGAS_LEAD].agency_kinds)
    return Agency.objects.filter(
        active=True,
        kind__in=kinds,
        pk__in=Membership.objects.filter(user=user, active=True, role__in=IMPORTER_ROLES).values("agency_id"),
    )


def may_import(user) -> bool:
    """``importing_agencies(user).exists()`` from the memberships the request already read
    (``netra.orgs.per_request``): the menu's link, no query of its own."""
    from netra.orgs.per_request import active_memberships

    kinds = ROLES[Role.SATGAS_LEAD].agency_kinds
    return any(
        m.role in IMPORTER_ROLES and m.agency.active and m.agency.kind in kinds for m in active_memberships(user)
    )


def history_import_for(user, pk) -> HistoryImport:
    """One job of an agency the user imports into; anybody else: 404."""
    try:
        return HistoryImport.objects.select_related("agency").get(pk=int(pk), agency__in=importing_agencies(user))
    except (HistoryImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- running an import ------------------------------------------------------------------------------


def start_history_import(
    *, user: User, agency: Agency, data: bytes, filename: str, import_valid_rows: bool = False
) -> HistoryImport:
    """Keep the uploaded file and import it: at once when small, else as a background task."""
    if not importing_agencies(user).filter(pk=agency.pk).exists():
        raise Http404
    if len(data) > max_bytes():
        job = HistoryImport.objects.create(
            agency=agency,
            uploaded_by=user,
            filename=filename[:200],
            import_valid_rows=import_valid_rows,
            state=HistoryImport.State.INVALID,
            errors=[e.as_dict() for e in sheets.open_rows(data, filename, sheet=SHEET, max_bytes=max_bytes())[1]],
            finished_at=timezone.now(),
        )
        record(user, "history.import_refused", obj=job, agency=agency.pk, reason="too_big", size=len(data))
        return job
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    with transaction.atomic():
        job = HistoryImport.objects.create(
            agency=agency, uploaded_by=user, filename=filename[:200], import_valid_rows=import_valid_rows
        )
        job.file.save(f"history/imports/{uuid.uuid4().hex}{suffix}", ContentFile(data), save=True)
        record(user, "history.import_started", obj=job, agency=agency.pk, size=len(data), filename=filename[:200])
    if len(data) <= inline_import_bytes():
        return process_history_import(job.pk)
    job_id = job.pk
    transaction.on_commit(lambda: run_history_import.enqueue(job_id))
    return job


@task()
def run_history_import(job_id: int) -> str:
    """The background run of a large file (here, not in ``cases.tasks``: the start enqueues it and
    the task runs ``process_history_import``, so either place would make a circle of two modules)."""
    return process_history_import(job_id).state


def _progress(job_id: int, processed: int, total: int | None = None) -> None:
    fields = {"processed_rows": processed}
    if total is not None:
        fields["total_rows"] = total
    HistoryImport.objects.filter(pk=job_id).update(**fields)


def process_history_import(job_id: int, *, rebuild_statistics: bool = True) -> HistoryImport:
    """Parse, check and write one import; does nothing for a finished job. Nothing half-imported:
    every accepted row is written in one transaction, or none is."""
    job = HistoryImport.objects.select_related("agency", "uploaded_by").get(pk=job_id)
    if job.state not in (HistoryImport.State.PENDING, HistoryImport.State.RUNNING):
        return job
    HistoryImport.objects.filter(pk=job.pk).update(state=HistoryImport.State.RUNNING)
    with job.file.open("rb") as handle:
        data = handle.read()
    parsed = parse_register(data, job.filename, load_catalog(job.agency), progress=lambda n: _progress(job.pk, n // 2))
    del data
    errors = sorted(parsed.errors, key=lambda e: (e.row, e.column))
    total = parsed.total_rows
    _progress(job.pk, total // 2, total)
    if parsed.file_error or (errors and not job.import_valid_rows) or not parsed.rows:
        HistoryImport.objects.filter(pk=job.pk).update(
            state=HistoryImport.State.INVALID,
            errors=[e.as_dict() for e in errors[:5000]],
            result={"error_count": len(errors), "valid_rows": len(parsed.rows)},
            finished_at=timezone.now(),
        )
        record(
            job.uploaded_by,
            "history.import_invalid",
            obj=job,
            agency=job.agency_id,
            errors=len(errors),
            valid_rows=len(parsed.rows),
        )
        job.refresh_from_db()
        return job
    try:
        with writer_turn(), transaction.atomic():
            result = write_cases(
                agency=job.agency,
                actor=job.uploaded_by,
                rows=parsed.rows,
                job=job,
                progress=lambda n: _progress(job.pk, total // 2 + n * total // (2 * max(1, len(parsed.rows)))),
            )
            result["skipped_rows"] = len({e.row for e in errors if e.row > 1})
            HistoryImport.objects.filter(pk=job.pk).update(
                state=HistoryImport.State.DONE,
                errors=[e.as_dict() for e in errors[:5000]],
                result=result,
                processed_rows=total,
                finished_at=timezone.now(),
            )
            record(
                job.uploaded_by,
                "history.imported",
                obj=job,
                agency=job.agency_id,
                **{k: v for k, v in result.items() if k != "existing_rows"},
            )
    except Exception as exc:
        HistoryImport.objects.filter(pk=job.pk).update(
            state=HistoryImport.State.FAILED,
            errors=[{"row": 0, "column": "", "message": _("Impor gagal; tidak ada data yang diubah.")}],
            finished_at=timezone.now(),
        )
        record(job.uploaded_by, "history.import_failed", obj=job, agency=job.agency_id, error=type(exc).__name__)
        raise
    if rebuild_statistics and result["created"]:
        rebuild_statistics_now()
    job.refresh_from_db()
    return job


def rebuild_statistics_now() -> None:
    """The public statistics' aggregate table, by command name (``cases`` never imports ``insights``)."""
    from django.core.management import call_command

    try:
        call_command("rebuild_insights", stdout=io.StringIO())
    except Exception:  # the scheduler rebuilds again on its next run
        logger.exception("history import: rebuilding the statistics aggregates failed")


def _moment(day: datetime.date, step: int) -> datetime.datetime:
    """Noon of the register's day (local time), a minute per step so the order stays the path's."""
    noon = datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=timezone.get_default_timezone())
    return noon + datetime.timedelta(minutes=step)


def _existing(agency: Agency) -> set[str]:
    """The register numbers the agency imported already (compared without case)."""
    qs = Case.objects.filter(agency=agency).exclude(import_reference="")
    return {r.casefold() for r in qs.values_list("import_reference", flat=True).iterator(chunk_size=5000)}


def _receipt_codes(n: int) -> list[str]:
    from netra.cases.intake import new_receipt_code

    codes: set[str] = set()
    while len(codes) < n:
        codes |= {new_receipt_code() for _i in range(n - len(codes))}
        taken = set()
        batch = sorted(codes)
        for start in range(0, len(batch), 500):
            taken |= set(
                Report.objects.filter(receipt_code__in=batch[start : start + 500]).values_list(
                    "receipt_code", flat=True
                )
            )
        codes -= taken
    return sorted(codes, key=lambda _c: secrets.randbits(32))


def write_cases(
    *,
    agency: Agency,
    actor: User | None,
    rows: Sequence[HistoryRow],
    job: HistoryImport | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write the cases of ``rows`` into ``agency`` (in the caller's transaction); rows whose number
    the agency imported already are skipped. Returns the counts for the job's report."""
    from netra.cases.opening import case_number

    existing = _existing(agency)
    fresh = [row for row in rows if row.reference.casefold() not in existing]
    already = [row.row for row in rows if row.reference.casefold() in existing]
    now = timezone.now()
    created = 0
    by_state: dict[str, int] = {}
    for start in range(0, len(fresh), BATCH):
        chunk = fresh[start : start + BATCH]
        codes = _receipt_codes(len(chunk))
        reports = [
            Report(
                region_id=row.region,
                election_id=row.election,
                subject={k: v for k, v in {**row.subject, "nip": row.nip or ""}.items() if v and k != "unit"},
                description=row.description
                or _("Diimpor dari register lama (nomor %(number)s).") % {"number": row.reference},
                incident_date=row.incident_date,
                receipt_code=code,
                access_key_hash="",  # no key: nobody opens an imported case as its reporter
                incident_date_reason=IMPORTED_NOTE,
            )
            for row, code in zip(chunk, codes, strict=True)
        ]
        Report.objects.bulk_create(reports, batch_size=BATCH)
        cases = [
            Case(
                source=row.source,
                agency=agency,
                region_id=row.region,
                election_id=row.election,
                incident_date=row.incident_date,
                created_at=_moment(row.steps[0][1], 0),
                status=row.state,
                dismissal_reason=row.dismissal_reason,
                imported_at=now,
                import_reference=row.reference,
            )
            for row in chunk
        ]
        Case.objects.bulk_create(cases, batch_size=BATCH)
        for case in cases:
            case.number = case_number(case)
        update_by_id(Case, ["number"], [(case.pk, case.number) for case in cases])
        update_by_id(
            Report,
            ["case_id", "submitted_at"],
            [(report.pk, case.pk, case.created_at) for report, case in zip(reports, cases, strict=True)],
        )
        Subject.objects.bulk_create(
            [
                Subject(
                    case=case,
                    name=row.subject["name"],
                    nip=row.nip,
                    position=row.subject["position"],
                    agency_name=row.subject["agency"],
                    unit=row.subject["unit"],
                    employment_status=Subject.EmploymentStatus.PNS if row.nip else Subject.EmploymentStatus.UNKNOWN,
                )
                for case, row in zip(cases, chunk, strict=True)
                if row.nip or any(row.subject.values())
            ],
            batch_size=BATCH,
        )
        transitions: list[Transition] = []
        recommendations: list[Recommendation] = []
        decisions: list[Decision] = []
        follow_ups: list[FollowUp] = []
        audit: list[tuple[Case, dict]] = []
        for case, row in zip(cases, chunk, strict=True):
            previous = ""
            for i, (state, day) in enumerate(row.steps):
                move = find_move(previous, state) if previous else None
                if state == S.DISMISSED:
                    note = _("Dihentikan (menurut register lama).")
                else:
                    note = str(move.public_note) if move is not None and move.public_note else ""
                transitions.append(
                    Transition(
                        case=case,
                        from_state=previous,
                        to_state=state,
                        at=_moment(day, i),
                        public_note=note,
                        imported=True,
                    )
                )
                previous = state
            days = dict(row.steps)
            if row.category:
                recommendations.append(
                    Recommendation(
                        case=case,
                        violations=list(row.violations),
                        sanction_category_id=row.category,
                        legal_basis=DEFAULT_LEGAL_BASIS,
                        findings=IMPORTED_NOTE,
                    )
                )
            if row.sanction_type:
                decisions.append(
                    Decision(
                        case=case,
                        sanction_type_id=row.sanction_type,
                        decree_number=row.decree_number,
                        decree_date=row.decree_date or days[S.DECIDED],
                    )
                )
            if row.state == S.CLOSED:
                follow_ups.append(
                    FollowUp(case=case, kind=FollowUp.Kind.CLOSING, text=IMPORTED_NOTE, date=days[S.CLOSED])
                )
            audit.append(
                (
                    case,
                    {
                        "import_id": job.pk if job is not None else None,
                        "import_reference": row.reference,
                        "row": row.row,
                        "to_state": row.state,
                        "steps": [[state, day.isoformat()] for state, day in row.steps],
                        **(
                            {"violations": list(row.violations), "sanction_category": row.category}
                            if row.category
                            else {}
                        ),
                        **(
                            {"sanction_type": row.sanction_type, "decree_number": row.decree_number}
                            if row.sanction_type
                            else {}
                        ),
                    },
                )
            )
            by_state[row.state] = by_state.get(row.state, 0) + 1
        # bulk_create sends no post_save: no webhook, no link archiving, no triage for past steps.
        Transition.objects.bulk_create(transitions, batch_size=BATCH)
        Recommendation.objects.bulk_create(recommendations, batch_size=BATCH)
        Decision.objects.bulk_create(decisions, batch_size=BATCH)
        FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
        record_each(actor, "case.imported", audit)
        created += len(chunk)
        if progress:
            progress(created + len(already))
    return {"created": created, "existing": len(already), "existing_rows": already[:500], "by_state": by_state}
