"""Public pages: landing, report form, receipt, status with messages.

Nothing here stores request metadata. The access key travels only in POST bodies (never in a URL,
a cookie or the session) and pages that show it are not cached.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netra.cases import intake
from netra.cases.retention import DEFAULT_CONTACT_MONTHS, DEFAULT_DISMISSED_EVIDENCE_MONTHS
from netra.catalog.violations import violation_groups
from netra.portal import onetime, receipts, staging
from netra.portal.forms import (
    AccessForm,
    MessageForm,
    ReportForm,
    is_submission_token,
    new_submission_token,
    report_wait_seconds,
)
from netra.ratelimit import (
    check_rate,
    count_decoding,
    count_report,
    decode_wait,
    report_allowance,
    report_cost,
)


def _too_many(request, retry_after: int):
    response = render(request, "portal/rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def home(request):
    return render(request, "portal/home.html", {"groups": violation_groups()})


@require_GET
def privacy(request):
    # The defaults only: an agency may set its own periods (netra.ops), which the page says.
    return render(
        request,
        "portal/privacy.html",
        {
            "contact_months": DEFAULT_CONTACT_MONTHS,
            "evidence_months": DEFAULT_DISMISSED_EVIDENCE_MONTHS,
            "staging_hours": max(1, settings.NETRA_STAGING_MAX_AGE_SECONDS // 3600),
        },
    )


def _decode_refused(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return _(
        "Berkas yang baru dipilih tidak diproses: terlalu banyak gambar dari jaringan Anda dalam satu "
        "jam. Laporan BELUM terkirim; isian dan berkas yang sudah terlampir tetap di sini. Coba lampirkan "
        "lagi dalam %(minutes)d menit, atau kirim laporan tanpa berkas baru."
    ) % {"minutes": minutes}


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request):
    if request.method == "GET":
        return render(request, "portal/report_form.html", {"form": ReportForm(), "staged": []})

    form = ReportForm(request.POST, request.FILES)
    token = form.submission_token()
    staged = staging.from_tokens(request.POST.getlist("staged"))
    # Files accepted on an earlier try plus the ones chosen now, kept whatever else is wrong; a
    # refused file stops the submission (the reporter must not believe it was attached).
    chosen = request.FILES.getlist("evidence")
    if chosen and (decode_after := decode_wait(request)):
        # Too many pixels decoded from this address: the new files are not read at all.
        new_files: list[staging.StagedFile] = []
        file_errors = [_decode_refused(decode_after)]
    else:
        new_files, file_errors = staging.accept(chosen, already=len(staged))
        count_decoding(request, sum(f.decoded_pixels for f in new_files))
    staged += new_files
    file_errors += staging.expired(request.POST.getlist("staged"))
    if request.POST.get("switch_language"):
        # The language buttons of this page submit the form to the page in the other language:
        # it comes back with every value and file, nothing checked, nothing sent.
        return render(request, "portal/report_form.html", {"form": form.unchecked(), "staged": staged})
    if form.is_valid() and (trouble := form.looks_like_a_bot()):
        if trouble == "expired":
            message = _(
                "Formulir ini sudah terbuka lebih dari 6 jam, jadi laporan BELUM terkirim. Isian Anda tetap "
                "di sini: periksa sekali lagi, lalu tekan “Kirim laporan”."
            )
        else:
            message = _("Formulir terkirim terlalu cepat. Periksa kembali isian Anda, lalu kirim lagi.")
        form.add_error(None, message)
        form.renew_started()
    form.is_valid()  # cleans the form, so a refused file's message can join the other errors
    for message in file_errors:
        form.add_error("evidence", message)
    if not form.is_valid():
        # The form's own questions (kab/kota, a doubtful NIP) come with every other problem at once.
        for field, messages in intake.report_problems(form.intake_data()).items():
            target = _field_for(field, form)
            if target is None or target not in form.errors:
                for message in messages:
                    form.add_error(target, message)
        return render(request, "portal/report_form.html", {"form": form, "staged": staged}, status=422)

    key = intake.submission_key("form", token)
    wait, block = report_allowance(request)
    # A replay is never held back; a new report waits or stops when the address is over budget.
    held = (wait or block) and (block or not form.wait_passed(token))
    if held and not intake.report_exists(key=key):
        return _held(request, form, staged, token, block)
    files = [s.open() for s in staged]
    try:
        receipt = intake.report_submit(data=form.intake_data(), files=files, key=key)
    except intake.SubmissionReused as reused:  # the same form sent again after a change: still one report
        receipt = intake.Receipt(
            receipt_code=reused.report.receipt_code, access_key="", report=reused.report, replayed=True
        )
    except intake.IntakeError as error:
        for field, messages in error.fields.items():
            for message in messages:
                form.add_error(_field_for(field, form), message)
        return render(request, "portal/report_form.html", {"form": form, "staged": staged}, status=422)
    finally:
        for handle in files:
            handle.close()
    staging.discard(staged)
    if receipt.replayed:
        # The key is shown again only if the first answer never reached the page (a lost response).
        if view_id := onetime.view_for_form(token):
            return _see_receipt(view_id)
        return render(request, "portal/already_sent.html", {"receipt_code": receipt.receipt_code})
    count_report(request, report_cost(staged))
    view_id = onetime.stash(receipt_code=receipt.receipt_code, access_key=receipt.access_key, form_token=token)
    return _see_receipt(view_id)


# The report form's service worker (netra/portal/templates/portal/sw.js): what it may keep.
SERVICE_WORKER_ASSETS = (
    "netra/netra.css",
    "netra/report-form.js",
    "netra/favicon.svg",
    "vendor/htmx/htmx.min.js",
    "netra/pwa/manifest.webmanifest",
    "netra/pwa/icon-192.png",
    "netra/pwa/icon-512.png",
)
SERVICE_WORKER_VERSION = "1"


@require_GET
def service_worker(request):
    """The service worker of the report form, served from the form's directory (its scope)."""
    from django.templatetags.static import static

    config = {
        "version": SERVICE_WORKER_VERSION,
        "form": reverse("portal:report_new"),
        "assets": [static(name) for name in SERVICE_WORKER_ASSETS],
    }
    body = render_to_string("portal/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # a new version is picked up at the next visit
    return response


def _see_receipt(view_id: str) -> HttpResponse:
    # 303 See Other: the browser GETs the receipt, so a reload there never posts the form again.
    response = redirect("portal:receipt", view_id=view_id)
    response.status_code = 303
    return response


def _held(request, form, staged, token: str, block: int | None):
    """The rate limit, said plainly: the form again with every value, and that nothing was sent."""
    if block:
        minutes = max(1, round(block / 60))
        message = _(
            "Laporan BELUM terkirim. Terlalu banyak laporan dari alamat internet ini dalam satu jam. Isian Anda "
            "tetap di sini; coba kirim lagi dalam %(minutes)d menit."
        ) % {"minutes": minutes}
        retry_after = block
    else:
        remaining = form.wait_remaining(token)
        if remaining is None:
            form.grant_wait(token)
            remaining = report_wait_seconds()
        message = _(
            "Laporan BELUM terkirim. Banyak laporan datang dari alamat internet yang sama (misalnya jaringan "
            "seluler atau sekolah). Isian dan berkas Anda tetap di halaman ini. Tunggu %(seconds)d detik, lalu "
            "tekan “Kirim laporan” sekali lagi."
        ) % {"seconds": remaining}
        retry_after = remaining
    response = render(request, "portal/report_form.html", {"form": form, "staged": staged, "held": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_GET
def receipt(request, view_id: str):
    """The one-time receipt after the form's redirect (``netra.portal.onetime``)."""
    taken = onetime.take(view_id)
    if taken is None:
        return render(request, "portal/receipt_gone.html", status=404)
    code, key = taken
    if not key:
        return render(request, "portal/already_sent.html", {"receipt_code": code})
    return render(request, "portal/receipt.html", {"receipt": {"receipt_code": code, "access_key": key}})


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
    neutral = request.POST.get("neutral") == "1"
    status_url = request.build_absolute_uri(reverse("portal:status")) + "?" + urlencode({"kode": report.receipt_code})
    pdf = receipts.receipt_pdf(
        report=report, access_key=form.cleaned_data["access_key"], status_url=status_url, neutral=neutral
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = receipts.file_name(report, neutral=neutral)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
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
    notice, evidence_error = "", ""
    action = request.POST.get("action")
    # Every follow-up form on the page carries a single-use token: a reload of the POST (or a
    # resubmit after Back) finds what the first one did and stores nothing again.
    token = str(request.POST.get("submission") or "")
    key = intake.submission_key(f"report:{report.pk}:{action}", token) if is_submission_token(token) else None
    if action == "message":
        if retry_after := check_rate(request, "message"):
            return _too_many(request, retry_after)
        message_form = MessageForm(request.POST)
        if message_form.is_valid():
            try:
                _message, replayed = intake.reporter_message_add_once(
                    report=report, body=message_form.cleaned_data["body"], key=key
                )
            except intake.SubmissionReused:
                message_form = MessageForm()
                notice = _("Pesan ini sudah terkirim sebelumnya.")
            except intake.IntakeError as error:
                for messages in error.fields.values():
                    for message in messages:
                        message_form.add_error("body", message)
            else:
                message_form = MessageForm()
                notice = _("Pesan ini sudah terkirim sebelumnya.") if replayed else _("Pesan Anda terkirim ke Satgas.")
                if not replayed and intake.report_is_closed(report):
                    notice = _(
                        "Pesan Anda tersimpan dan dapat dibaca Satgas, tetapi kasus ini sudah selesai: pesan tidak "
                        "membuka kembali kasusnya. Jika ada kejadian baru, buat laporan baru."
                    )
    elif action == "evidence":
        if retry_after := check_rate(request, "evidence"):
            return _too_many(request, retry_after)
        files = request.FILES.getlist("evidence")
        if not files:
            evidence_error = _("Pilih dulu berkas bukti yang akan diunggah.")
        else:
            try:
                _rows, replayed = intake.evidence_add_once(report=report, files=files, key=key)
            except intake.IntakeError as error:
                evidence_error = " ".join(m for ms in error.fields.values() for m in ms)
            else:
                notice = _("Bukti ini sudah diterima sebelumnya.") if replayed else _("Bukti tambahan diterima.")

    context = {
        "access": form.cleaned_data,
        "status": intake.report_status_page(report),
        "message_form": message_form,
        "notice": notice,
        "evidence_error": evidence_error,
    }
    context["submission"] = new_submission_token()  # for the next follow-up forms of this page
    template = "portal/_status_body.html" if request.htmx else "portal/status.html"
    # htmx swaps only 2xx answers: an error it must show (an empty message) comes back as 200.
    error_status = 200 if request.htmx else 422
    failed = message_form.errors or evidence_error
    return render(request, template, context, status=error_status if failed else 200)
