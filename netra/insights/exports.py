"""Staff exports: the case queue as Excel and the period report as PDF (issue #12 item 3).

One code path for both sizes: ``export_start`` stores an ``Export`` (what was asked, never the
content) and audits it; up to ``NETRA_EXPORT_INLINE_ROWS`` rows it is built at once in the request,
past that by the django-tasks worker (``run_export`` below), which reports its
progress in the row. ``process_export`` is what both run; it does nothing for a finished export.

Scope: the queue export reads ``cases.selectors.cases_for`` with the filters the queue itself parses
(``cases.queue_filters``), as the user who asked, when it runs: the file holds exactly the rows the
queue lists. The file is for that user only (``export_for``: 404 for anyone else) and deleted after
``NETRA_EXPORT_KEEP_HOURS`` (``purge_expired``). Reporter data (``cases.reporter_data``) never
enters a file: the export reads no report at all, and the received time only as a day.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from netra.audit.services import record
from netra.cases import queue_filters
from netra.cases.models import Case, Decision, Subject
from netra.cases.selectors import cases_for
from netra.catalog.models import ViolationGroup
from netra.insights.exports_report import scope_in_words, write_report_pdf
from netra.insights.models import Export

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CHUNK = 2000
# A text cell starting with one of these is what a spreadsheet reads as a formula (OWASP "CSV
# injection"); such a value is written as a string cell, never as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inline_rows() -> int:
    return int(getattr(settings, "NETRA_EXPORT_INLINE_ROWS", 2000))


def keep_hours() -> int:
    return int(getattr(settings, "NETRA_EXPORT_KEEP_HOURS", 24))


# --- starting, reading, purging -------------------------------------------------------------------


def queue_params(data) -> dict[str, str]:
    """The queue's filter parameters out of a GET QueryDict (or dict): only the form's own fields."""
    return {
        name: str(data.get(name)).strip()
        for name in queue_filters.QueueFilterForm.base_fields
        if data.get(name) not in (None, "")
    }


def queue_queryset(user, params: dict):
    """The queue's cases for ``user`` under ``params``, in the queue's order, and its form."""
    form = queue_filters.queue_filter_form(params, user)
    return cases_for(user, **form.filters()), form


def export_start(*, actor, kind: str, params: dict, total: int) -> Export:
    """Store and audit an export of ``total`` rows (as counted now); build it at once when small,
    else queue it for the worker."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    params = {**params, "language": language}
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind,
            requested_by=actor,
            params=params,
            total_rows=total,
            expires_at=timezone.now() + datetime.timedelta(hours=keep_hours()),
        )
        # Who, what and how many: never the content.
        record(actor, "export.requested", obj=export, agency=None, kind=kind, params=params, rows=total)
    if total <= inline_rows():
        process_export(export.pk)
        export.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_export.enqueue(export.pk))
    return export


@task()
def run_export(export_id: int) -> str:
    """The background run of a large export (here, not in a tasks module: the request enqueues it
    and the task runs ``process_export``, so a separate module would make a circle of two)."""
    return process_export(export_id).state


def export_for(user, pk) -> Export:
    """An export of ``user``'s own that is not yet deleted; Http404 for anyone else's (even a
    colleague's in the same agency) and for a missing one alike."""
    try:
        return Export.objects.get(pk=pk, requested_by=user, expires_at__gt=timezone.now())
    except (Export.DoesNotExist, ValueError, TypeError):
        raise Http404("export not found") from None


def recent_exports(user, limit: int = 10) -> list[Export]:
    return list(Export.objects.filter(requested_by=user, expires_at__gt=timezone.now())[:limit])


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete every export (file and row) past its ``expires_at``; audited as one event."""
    now = now or timezone.now()
    expired = list(Export.objects.filter(expires_at__lte=now))
    for export in expired:
        if export.file.name:
            try:
                default_storage.delete(export.file.name)
            except OSError:
                logger.exception("exports: could not delete file of export %s", export.pk)
                continue
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).delete()
            record(
                "system:exports",
                "export.removed",
                obj=export,
                agency=None,
                kind=export.kind,
                requested_by=export.requested_by_id,
            )
    return len(expired)


# --- building -------------------------------------------------------------------------------------


def process_export(export_id: int) -> Export:
    """Build one export's file; idempotent for a finished one. A failure leaves no file and says so."""
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.state not in (Export.State.PENDING, Export.State.RUNNING):
        return export
    Export.objects.filter(pk=export.pk).update(state=Export.State.RUNNING)

    def progress(done: int, total: int | None = None) -> None:
        fields: dict[str, int] = {"processed_rows": done}
        if total is not None:
            fields["total_rows"] = total
        Export.objects.filter(pk=export.pk).update(**fields)

    suffix = ".xlsx" if export.kind == Export.Kind.QUEUE_XLSX else ".pdf"
    try:
        language = export.params.get("language") or settings.LANGUAGE_CODE
        with translation.override(language), tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"export{suffix}"
            if export.kind == Export.Kind.QUEUE_XLSX:
                rows = write_queue_xlsx(export, path, progress)
                filename = f"antrean-kasus-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.xlsx"
            else:
                rows = write_report_pdf(export, path, progress)
                filename = f"laporan-periode-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.pdf"
            with path.open("rb") as handle:
                stored = default_storage.save(f"exports/{uuid.uuid4().hex}{suffix}", File(handle))
            size = path.stat().st_size
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(
                state=Export.State.DONE,
                file=stored,
                filename=filename,
                size=size,
                total_rows=rows,
                processed_rows=rows,
                finished_at=timezone.now(),
            )
            record(export.requested_by, "export.completed", obj=export, agency=None, kind=export.kind, rows=rows)
    except Exception as exc:  # the user is told it failed; the worker's log has the trace
        logger.exception("exports: export %s failed", export.pk)
        with transaction.atomic():
            Export.objects.filter(pk=export.pk).update(state=Export.State.FAILED, finished_at=timezone.now())
            record(
                export.requested_by,
                "export.failed",
                obj=export,
                agency=None,
                kind=export.kind,
                error=type(exc).__name__,
            )
    export.refresh_from_db()
    return export


def safe_cell(sheet, value: Any) -> Any:
    """``value`` for a write-only row: a string a spreadsheet would read as a formula becomes a text cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True  # stays text when someone edits the cell in Excel
        return cell
    return value


def _safe_row(sheet, values: Iterable[Any]) -> list[Any]:
    # An empty text is no cell at all (None): openpyxl's cost is per cell written.
    return [None if value == "" else safe_cell(sheet, value) for value in values]


def queue_columns() -> list[str]:
    """The data sheet's header. Subjects' name, NIP and position: every role that reads a case
    sees them on its page (``orgs.roles``: all staff see subjects' data, hence 2FA for all), so the
    export carries them for everyone it lets in; reporter data (``cases.reporter_data``): never."""
    return [
        _("Nomor kasus"),
        _("Diterima"),
        _("Status"),
        _("Batas waktu"),
        _("Instansi"),
        _("OPD"),
        _("Wilayah"),
        _("Kelompok pelanggaran"),
        _("Nama terlapor"),
        _("NIP terlapor"),
        _("Jabatan terlapor"),
        _("Rekomendasi sanksi"),
        _("Keputusan PPK"),
    ]


def _joined(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def write_queue_xlsx(export: Export, path: Path, progress: Callable[..., None]) -> int:
    """Write the queue export to ``path`` (openpyxl write-only, streamed in chunks); the row count."""
    from openpyxl import Workbook

    user = export.requested_by
    queryset, form = queue_queryset(user, export.params)
    total = queryset.order_by().count()
    progress(0, total)
    workbook = Workbook(write_only=True)
    info = workbook.create_sheet(_("Keterangan"))
    data = workbook.create_sheet(_("Data"))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    for letter, width in zip("ABCDEFGHIJKLM", (18, 12, 22, 12, 30, 24, 24, 36, 28, 20, 28, 28, 40), strict=True):
        data.column_dimensions[letter].width = width
    data.freeze_panes = "A2"
    data.append(queue_columns())
    status_labels = {code: str(label) for code, label in Case.Status.choices}
    groups = dict(ViolationGroup.objects.values_list("code", "name_id"))
    rows = (
        queryset.prefetch_related(None)
        .values_list(
            "pk",
            "number",
            "created_at",
            "status",
            "due_date",
            "agency__name",
            "region__name",
            "recommendation__violations",
            "recommendation__sanction_category__name_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    written = 0
    chunk: list[tuple] = []

    def flush() -> None:
        nonlocal written
        ids = [row[0] for row in chunk]
        subjects: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
        for case_id, name, nip, position, unit in (
            Subject.objects.filter(case_id__in=ids)
            .order_by("case_id", "pk")
            .values_list("case_id", "name", "nip", "position", "unit")
        ):
            subjects[case_id].append((name, nip or "", position, unit))
        decisions: dict[int, str] = {}
        for case_id, sanction, number, day in (
            Decision.objects.filter(case_id__in=ids, annulled_at__isnull=True)
            .order_by("case_id", "decree_date", "pk")
            .values_list("case_id", "sanction_type__name_id", "decree_number", "decree_date")
        ):
            decisions[case_id] = f"{sanction} — SK {number} ({day:%d-%m-%Y})"
        for pk, number, created, status, due, agency, region, violations, category in chunk:
            people = subjects.get(pk, [])
            data.append(
                _safe_row(
                    data,
                    (
                        number or f"#{pk}",
                        timezone.localtime(created).date(),  # the day only: the minute is reporter data
                        status_labels.get(status, status),
                        due,
                        agency or "",
                        _joined(dict.fromkeys(p[3] for p in people)),
                        region or "",
                        _joined(groups.get(code, code) for code in (violations or [])),
                        _joined(p[0] for p in people),
                        _joined(p[1] for p in people),
                        _joined(p[2] for p in people),
                        category or "",
                        decisions.get(pk, ""),
                    ),
                )
            )
        written += len(chunk)
        chunk.clear()
        progress(written)

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    _write_info(info, export, user, written, queue_filters.describe(form))
    workbook.save(path)
    return written


def _write_info(sheet, export: Export, user, rows: int, filters: list[tuple[str, str]]) -> None:
    """The header sheet: what was exported, when, by whom, how many rows, within which reach."""
    name = user.get_full_name().strip()
    sheet.append([_("Ekspor antrean kasus Netra")])
    sheet.append([])
    for label, value in (
        (_("Dibuat"), timezone.localtime(timezone.now()).strftime("%d-%m-%Y %H:%M")),
        (_("Oleh"), f"{name} ({user.get_username()})" if name else user.get_username()),
        (_("Jumlah baris"), rows),
        (_("Jangkauan"), scope_in_words(user)),
    ):
        sheet.append(_safe_row(sheet, (label, value)))
    sheet.append([])
    sheet.append([_("Filter antrean")])
    for label, value in filters:
        sheet.append(_safe_row(sheet, (label, value)))
    sheet.append([])
    sheet.append(
        [
            _(
                "Urutan baris sama dengan antrean. Kontak dan data pelapor tidak pernah disertakan. "
                "Berkas ini memuat data pribadi terlapor: simpan dan bagikan sesuai UU 27/2022 (PDP)."
            )
        ]
    )
