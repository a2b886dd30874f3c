"""The staff exports' pages: start one (the queue as Excel, a period report as PDF), watch its
progress, download it. Thin: the work is in ``netra.insights.exports``. Only the user who asked
reaches an export (404 for anyone else); a user who reads no case reaches none of these pages."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from netra.audit.services import record
from netra.cases import queue_filters
from netra.catalog.models import Election, Region
from netra.insights import dashboard, exports, stats
from netra.insights.exports_report import AUDIENCES, report_filters
from netra.insights.models import Export
from netra.orgs.access import staff_required
from netra.orgs.selectors import case_scope


def _reads_cases(user) -> None:
    if case_scope(user).is_empty:
        raise Http404


@require_http_methods(["GET", "POST"])
@staff_required
def queue_export(request):
    """GET: what the queue under these filters would give (in words, with the row count); POST: start it."""
    user = request.user
    _reads_cases(user)
    params = exports.queue_params(request.POST if request.method == "POST" else request.GET)
    queryset, form = exports.queue_queryset(user, params)
    total = queryset.order_by().count()
    if request.method == "POST":
        export = exports.export_start(actor=user, kind=Export.Kind.QUEUE_XLSX, params=params, total=total)
        return redirect("insights_staff:export_status", pk=export.pk)
    context = {
        "params": params,
        "queue_url": reverse("workspace:home") + ("?" + urlencode(params) if params else ""),
        "filters": queue_filters.describe(form),
        "total": total,
        "inline": total <= exports.inline_rows(),
        "scope": exports.scope_in_words(user),
        "recent": exports.recent_exports(user),
    }
    return render(request, "insights/export_queue.html", context)


def _report_choices(user) -> tuple[list[Election], list[Region]]:
    scoped = dashboard.cases(user, dashboard.Filters())
    codes = set(scoped.values_list("region_id", flat=True).distinct())
    regions = list(Region.objects.filter(code__in=codes | {c[:2] for c in codes}).order_by("code"))
    return list(Election.objects.order_by("-voting_date")), regions


@require_http_methods(["GET", "POST"])
@staff_required
def report_export(request):
    """The period report for a rakor: election, period, region (within the scope) and audience."""
    user = request.user
    _reads_cases(user)
    elections, regions = _report_choices(user)
    errors: dict[str, str] = {}
    values = {"election": "", "period": "", "region": "", "audience": "public"}
    if request.method == "POST":
        values = {name: (request.POST.get(name) or "").strip() for name in values}
        if values["election"] and values["election"] not in {e.code for e in elections}:
            errors["election"] = _("Pemilihan tidak dikenal.")
        try:
            stats.parse_period(values["period"])
        except ValueError:
            errors["period"] = _("Periode ditulis TTTT atau TTTT-BB, misalnya 2024 atau 2024-11.")
        if values["region"] and values["region"] not in {r.code for r in regions}:
            errors["region"] = _("Wilayah ini di luar jangkauan Anda.")
        if values["audience"] not in AUDIENCES:
            errors["audience"] = _("Pilih untuk siapa laporan ini.")
        if not errors:
            params = {k: v for k, v in values.items() if v}
            total = dashboard.cases(user, report_filters(params)).count()
            export = exports.export_start(actor=user, kind=Export.Kind.REPORT_PDF, params=params, total=total)
            return redirect("insights_staff:export_status", pk=export.pk)
    context = {
        "elections": elections,
        "regions": regions,
        "values": values,
        "errors": errors,
        "threshold": stats.threshold(),
        "recent": exports.recent_exports(user),
    }
    return render(request, "insights/export_report.html", context, status=422 if errors else 200)


@require_GET
@never_cache
@staff_required
def export_status(request, pk: int):
    export = exports.export_for(request.user, pk)
    running = export.state in (Export.State.PENDING, Export.State.RUNNING)
    percent = 100
    if running and export.total_rows:
        percent = 100 * export.processed_rows // export.total_rows
    elif running:
        percent = 0
    context = {"export": export, "percent": min(percent, 100), "running": running}
    if request.htmx:
        return render(request, "insights/_export_progress.html", context)
    return render(request, "insights/export_status.html", context)


@require_GET
@never_cache
@staff_required
def export_download(request, pk: int):
    export = exports.export_for(request.user, pk)
    if export.state != Export.State.DONE or not export.file.name:
        raise Http404("export not ready")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("export file missing") from None
    record(request.user, "export.downloaded", obj=export, agency=None, kind=export.kind, rows=export.total_rows)
    content_type = exports.XLSX_TYPE if export.kind == Export.Kind.QUEUE_XLSX else exports.PDF_TYPE
    response = FileResponse(handle, as_attachment=True, filename=export.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
