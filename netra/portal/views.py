"""Public pages: landing, report form, receipt, status with messages.

Nothing here stores request metadata. The access key travels only in POST bodies (never in a URL,
a cookie or the session) and pages that show it are not cached.
"""

from typing import cast

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netra.cases import intake
from netra.catalog.violations import violation_groups
from netra.portal import receipts, staging
from netra.portal.forms import AccessForm, MessageForm, ReportForm, form_started_token
from netra.portal.ratelimit import check_rate


def _too_many(request, retry_after: int):
    response = render(request, "portal/rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def home(request):
    return render(request, "portal/home.html", {"groups": violation_groups()})


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request):
    if request.method == "GET":
        return render(request, "portal/report_form.html", {"form": ReportForm(), "staged": []})

    if retry_after := check_rate(request, "report"):
        return _too_many(request, retry_after)
    form = ReportForm(request.POST, request.FILES)
    staged = staging.from_tokens(request.POST.getlist("staged"))
    if form.is_valid() and form.looks_like_a_bot():
        form.add_error(None, _("Formulir terkirim terlalu cepat. Periksa kembali isian Anda, lalu kirim lagi."))
        # The form was bound to request.POST (a QueryDict): copy it to change the token.
        data = cast(QueryDict, form.data).copy()
        data["started"] = form_started_token()
        form.data = data
    # Files accepted on an earlier try plus the ones chosen now, kept whatever else is wrong; a
    # refused file stops the submission (the reporter must not believe it was attached).
    new_files, file_errors = staging.accept(request.FILES.getlist("evidence"), already=len(staged))
    staged += new_files
    file_errors += staging.expired(request.POST.getlist("staged"))
    form.is_valid()  # cleans the form, so a refused file's message can join the other errors
    for message in file_errors:
        form.add_error("evidence", message)
    if form.is_valid():
        files = [s.open() for s in staged]
        try:
            receipt = intake.report_submit(data=form.intake_data(), files=files)
        except intake.IntakeError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    form.add_error(_field_for(field, form), message)
        else:
            staging.discard(staged)
            return render(request, "portal/receipt.html", {"receipt": receipt}, status=201)
        finally:
            for handle in files:
                handle.close()
    return render(request, "portal/report_form.html", {"form": form, "staged": staged}, status=422)


def _field_for(service_field: str, form) -> str | None:
    """The form field that shows a service error (None: at the top of the form)."""
    if service_field == "region_code" and not form.cleaned_data.get("region_code"):
        return "province"  # only the province was chosen (or nothing): the error belongs there
    if service_field == "files":
        return "evidence"
    return service_field if service_field in form.fields else None


@require_POST
def receipt_pdf(request):
    """The receipt as a PDF, built from what the reporter's page posts back (nothing is looked up)."""
    if retry_after := check_rate(request, "status"):
        return _too_many(request, retry_after)
    form = AccessForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    report = intake.report_lookup(**form.cleaned_data)
    if report is None:
        return render(request, "portal/not_found.html", status=404)
    pdf = receipts.receipt_pdf(report=report, access_key=form.cleaned_data["access_key"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tanda-terima-{report.receipt_code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Cek status: code + key in, timeline and messages out; messages and evidence can be added."""
    if request.method == "GET":
        form = AccessForm(initial={"receipt_code": request.GET.get("kode", "")})
        return render(request, "portal/status_access.html", {"form": form})

    if retry_after := check_rate(request, "status"):
        return _too_many(request, retry_after)
    form = AccessForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/status_access.html", {"form": form}, status=422)
    report = intake.report_lookup(**form.cleaned_data)
    if report is None:
        form.add_error(None, _("Kode tanda terima atau kunci akses tidak cocok."))
        return render(request, "portal/status_access.html", {"form": form}, status=404)

    message_form = MessageForm()
    notice = ""
    action = request.POST.get("action")
    if action == "message":
        if retry_after := check_rate(request, "message"):
            return _too_many(request, retry_after)
        message_form = MessageForm(request.POST)
        if message_form.is_valid():
            try:
                intake.reporter_message_add(report=report, body=message_form.cleaned_data["body"])
            except intake.IntakeError as error:
                for messages in error.fields.values():
                    for message in messages:
                        message_form.add_error("body", message)
            else:
                message_form = MessageForm()
                notice = _("Pesan Anda terkirim ke Satgas.")
    elif action == "evidence":
        if retry_after := check_rate(request, "evidence"):
            return _too_many(request, retry_after)
        files = request.FILES.getlist("evidence")
        try:
            intake.evidence_add(report=report, files=files)
        except intake.IntakeError as error:
            message_form.cleaned_data = {}  # the message form is unbound here; add_error needs this (was a 500)
            message_form.add_error(None, " ".join(m for ms in error.fields.values() for m in ms))
        else:
            notice = _("Bukti tambahan diterima.") if files else ""

    context = {
        "access": form.cleaned_data,
        "status": intake.report_status(report),
        "message_form": message_form,
        "notice": notice,
    }
    template = "portal/_status_body.html" if request.htmx else "portal/status.html"
    return render(request, template, context, status=422 if message_form.errors else 200)
