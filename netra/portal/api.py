"""Public API v1 (api.md, "Public"): report, add evidence, follow the status, message the Satgas.

Thin: parse, rate-limit, call ``netra.cases.intake``, shape the answer. A wrong, missing or
unknown receipt code / access key pair answers the same 404 (never reveal that a code exists).
Nothing from the request but the documented fields is passed on or stored.
"""

import hashlib
import re

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Header, Router
from ninja.files import UploadedFile

from netra.api_errors import error_response
from netra.api_schemas import ErrorOut, ReportIn
from netra.cases import intake
from netra.cases.models import Case
from netra.portal.schemas import EvidenceOut, MessageIn, MessageOut, ReportCreated, ReportStatus
from netra.ratelimit import RateLimited, count_report, enforce_rate, report_allowance

router = Router(tags=["public"])

_ERRORS = {404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# An Idempotency-Key is a client's secret (a report's access key is derived from it): at least
# 128 bits' worth of characters, e.g. a UUID4 or 22+ url-safe random characters.
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_\-.:]{22,200}$")
_IDEMPOTENCY_DOC = (
    "Optional. The same key with the same body answers the first answer again (201, header "
    "Idempotent-Replayed: true) instead of storing a second one; with a different body: 422 "
    "idempotency_key_reused. 22 to 200 characters of A-Z a-z 0-9 _ - . : (a UUID4 will do); keep it secret."
)


def _idempotency(value: str | None, scope: str) -> tuple[str | None, str | None]:
    """(the stored key, the raw key) for a request's Idempotency-Key; raises on a malformed one."""
    if value is None or value == "":
        return None, None
    if not _IDEMPOTENCY_KEY.match(value):
        raise intake.IntakeError(
            {"idempotency_key": [_("Idempotency-Key harus 22 sampai 200 karakter: huruf, angka, _ - . :")]},
            code="validation_error",
        )
    return intake.submission_key(scope, value), value


def _reused(error: intake.SubmissionReused) -> JsonResponse:
    return error_response("idempotency_key_reused", error.message, error.fields, status=422)


def _replayed(response: JsonResponse, replayed: bool) -> JsonResponse:
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _report_or_404(receipt_code: str, access_key: str | None):
    report = intake.report_lookup(receipt_code=receipt_code, access_key=access_key or "")
    if report is None:
        raise Http404
    return report


@router.post("/reports", response={201: ReportCreated, 422: ErrorOut, 429: ErrorOut}, summary="Kirim laporan")
def report_create(
    request,
    payload: ReportIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=_IDEMPOTENCY_DOC),
):
    key, raw = _idempotency(idempotency_key, "api")
    # Only accepted reports count (issue #17); a retry of one already accepted is never limited.
    wait, block = report_allowance(request)
    if (wait or block) and not (key and intake.report_exists(key=key)):
        raise RateLimited(block or wait or 1)
    try:
        receipt = intake.report_submit(
            data=payload.model_dump(), key=key, access_key=intake.access_key_for(raw) if raw else None
        )
    except intake.SubmissionReused as reused:
        return _reused(reused)
    if not receipt.replayed:
        count_report(request)
    # Answered as built (ninja passes an HttpResponse through): the schema above still documents
    # it, and the suite's schemathesis run checks the two agree. Rebuilding four strings through
    # pydantic cost more than the report's INSERT.
    return _replayed(
        JsonResponse(
            {
                "receipt_code": receipt.receipt_code,
                "access_key": receipt.access_key,
                "status": Case.Status.RECEIVED.value,  # every new report; its case may open a moment later
                "status_url": reverse("api-v1:public_report_status", kwargs={"receipt_code": receipt.receipt_code}),
            },
            status=201,
        ),
        receipt.replayed,
    )


@router.post(
    "/reports/{receipt_code}/evidence",
    response={201: EvidenceOut, 413: ErrorOut, 415: ErrorOut, **_ERRORS},
    summary="Tambah bukti",
)
def evidence_create(
    request,
    receipt_code: str,
    file: UploadedFile = File(..., description="JPEG, PNG, WebP, PDF atau MP4"),  # noqa: B008
    access_key: str | None = Header(None, alias="X-Access-Key"),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=_IDEMPOTENCY_DOC),
):
    enforce_rate(request, "evidence")
    report = _report_or_404(receipt_code, access_key)
    key, _raw = _idempotency(idempotency_key, f"api:report:{report.pk}:evidence")
    rows, replayed = intake.evidence_add_once(report=report, files=[file], key=key)
    evidence = rows[0]
    # The received file's hash and size, so the reporter can check them against their own copy.
    body = {
        "id": evidence.pk,
        "sha256": evidence.sha256_received,
        "content_type": evidence.content_type,
        "size": file.size if not replayed else evidence.size,
        "sha256_stored": evidence.sha256_stored,
    }
    if replayed and evidence.sha256_received != _sha256(file):
        return _reused(intake.SubmissionReused(report))
    return _replayed(JsonResponse(body, status=201), replayed)


@router.get(
    "/reports/{receipt_code}",
    response={200: ReportStatus, **_ERRORS},
    by_alias=True,
    url_name="public_report_status",
    summary="Status laporan",
)
def report_status(request, receipt_code: str, access_key: str | None = Header(None, alias="X-Access-Key")):
    enforce_rate(request, "status")
    return intake.report_status(_report_or_404(receipt_code, access_key))


@router.post(
    "/reports/{receipt_code}/messages",
    response={201: MessageOut, **_ERRORS},
    by_alias=True,
    summary="Kirim pesan ke Satgas",
)
def message_create(
    request,
    receipt_code: str,
    payload: MessageIn,
    access_key: str | None = Header(None, alias="X-Access-Key"),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=_IDEMPOTENCY_DOC),
):
    enforce_rate(request, "message")
    report = _report_or_404(receipt_code, access_key)
    key, _raw = _idempotency(idempotency_key, f"api:report:{report.pk}:message")
    try:
        # intake refuses a missing body itself (a 422 with the field message); its signature says str.
        message, replayed = intake.reporter_message_add_once(report=report, body=payload.body, key=key)  # type: ignore[arg-type]
    except intake.SubmissionReused as reused:
        return _reused(reused)
    body = {"from": message.sender, "body": message.body, "at": message.created_at}
    return _replayed(JsonResponse(body, status=201), replayed)


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
