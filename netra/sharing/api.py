"""Agency API v1 (api.md, "Agencies (token)"): cases, transitions, events, catalogue, webhooks.

Thin like the public router: authenticate (``netra.sharing.auth``), check scope, call the domain
(``netra.cases.intake``, ``netra.cases.services.case_transition``), shape the answer. A case
outside the token's scope answers 404, exactly like a case that does not exist.
"""

import re

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from netra.api_errors import error_response
from netra.api_schemas import ErrorOut
from netra.audit.selectors import events_for
from netra.cases import intake, scope, search
from netra.cases.models import Case
from netra.catalog.models import Region, ViolationGroup
from netra.catalog.violations import GROUP_CODES
from netra.orgs.roles import ACTING_ROLES, CASE_ROLES
from netra.sharing import present, webhooks
from netra.sharing.auth import TokenAuth
from netra.sharing.models import ApiToken, WebhookSubscription
from netra.sharing.schemas import (
    SOURCES,
    CaseCreated,
    CaseDetail,
    CaseIn,
    CasePage,
    EventPage,
    RegionPage,
    TransitionIn,
    ViolationPage,
    WebhookCreated,
    WebhookIn,
    WebhookPage,
    page_of,
)

router = Router(tags=["agency"], auth=TokenAuth())

MAX_PAGE_SIZE = 200
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
# Every operation can answer these (auth, size, rate limit, checks happen first).
_COMMON = {401: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class ApiProblem(Exception):
    """An answer in the api.md error shape, raised from an operation."""

    def __init__(self, code: str, message: str, fields: dict | None = None):
        super().__init__(code, message)
        self.code, self.message, self.fields = code, str(message), fields or {}


def _forbidden(message: str | None = None) -> ApiProblem:
    return ApiProblem("forbidden", message or _("Peran token ini tidak mengizinkan tindakan ini."))


def _invalid(fields: dict) -> ApiProblem:
    return ApiProblem("validation_error", _("Permintaan tidak valid."), fields)


def _token(request) -> ApiToken:
    return request.auth


def _reader(request) -> ApiToken:
    token = _token(request)
    if token.role not in CASE_ROLES:
        raise _forbidden(_("Peran token ini tidak dapat membaca kasus."))
    return token


def _case(request, case_id: int) -> Case:
    case = present.case_or_none(_reader(request), case_id)
    if case is None:
        raise Http404
    return case


def _clean(value: str | None) -> str:
    # PostgreSQL text cannot hold NUL; a query parameter never needs it.
    return (value or "").replace("\x00", "").strip()


# --- cases ------------------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: CasePage, 403: ErrorOut, **_COMMON},
    summary="Daftar kasus dalam cakupan token",
    url_name="agency_cases",
)
def case_list(
    request,
    status: str | None = Query(None, description="Satu kode status atau beberapa dipisah koma."),
    region_code: str | None = Query(None, description='Kode wilayah; "62" mencakup semua kab/kota di 62.'),
    violation: str | None = Query(None, description="Kode kelompok pelanggaran pada rekomendasi."),
    updated_since: str | None = Query(None, description="Tanggal atau waktu ISO 8601."),
    q: str | None = Query(
        None, description="Nomor kasus, referensi sumber, nama atau NIP terlapor, atau kata dalam teks laporan."
    ),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
    cursor: str | None = Query(None, description="next_cursor dari halaman sebelumnya (menggantikan page)."),
):
    token = _reader(request)
    qs = present.cases_in_scope(token)
    fields: dict[str, list[str]] = {}
    try:  # refused, not cut: a NUL byte, control characters, too long (netra.cases.search)
        search.clean(q)
    except search.SearchError as refused:
        fields["q"], q = [str(refused.message)], None
    status, region_code, violation = _clean(status), _clean(region_code), _clean(violation)
    updated_since, q, cursor = _clean(updated_since), _clean(q), _clean(cursor)
    if status:
        codes = [c.strip() for c in status.split(",") if c.strip()]
        if unknown := [c for c in codes if c not in Case.Status.values]:
            fields["status"] = [_("Status tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)}]
        qs = qs.filter(status__in=codes)
    if region_code:
        code = region_code
        # Dotted codes: "62" covers "62.06", never "621…" (a province: its stored column).
        qs = qs.filter(scope.region_q(code))
        if not REGION_CODE.match(code) or not Region.objects.filter(code=code).exists():
            fields["region_code"] = [_("Kode wilayah %(code)s tidak dikenal.") % {"code": code}]
    if violation:
        if violation not in GROUP_CODES:
            fields["violation"] = [_("Kode pelanggaran %(code)s tidak dikenal.") % {"code": violation}]
        # The JSON list as text: portable (SQLite has no JSON containment) and exact on a quoted slug.
        qs = qs.filter(recommendation__violations__icontains=f'"{violation}"')
    if updated_since:
        since = present.parse_since(updated_since)
        if since is None:
            fields["updated_since"] = [_("Gunakan tanggal atau waktu ISO 8601, mis. 2024-11-20T08:00:00+07:00.")]
        else:
            qs = qs.filter(updated_at__gte=since)
    if q:
        qs = present.search(qs, q)
    decoded = None
    if cursor:
        decoded = present.decode_cursor(cursor)
        if decoded is None:
            fields["cursor"] = [_("Cursor tidak valid.")]
    if fields:
        raise _invalid(fields)

    count = present.count(qs)
    ordered = qs.select_related("agency").order_by("-updated_at", "-id")
    rows = list(present.after_cursor(ordered, decoded)[:page_size] if decoded else page_of(ordered, page, page_size))
    next_cursor = present.encode_cursor(rows[-1]) if len(rows) == page_size else None
    return {
        "items": [present.case_item(case, token) for case in rows],
        "count": count,
        "page": page,
        "page_size": page_size,
        "next_cursor": next_cursor,
    }


@router.post(
    "/cases",
    response={201: CaseCreated, 403: ErrorOut, **_COMMON},
    summary="Buat kasus dari temuan Bawaslu atau penerusan instansi",
    description=(
        "Sumber `bawaslu_finding` hanya dari token Bawaslu, `agency_referral` dari instansi mana pun, "
        "`public_report` tidak pernah dari token (403 `forbidden`). Wilayah harus dalam cakupan token "
        "(403 `forbidden`, `fields.region_code`)."
    ),
)
def case_create(request, payload: CaseIn):
    token = _token(request)
    if token.role not in ACTING_ROLES:
        raise _forbidden()
    data = payload.model_dump()
    source = (data.pop("source", None) or "").strip()
    reference = data.pop("source_reference", None) or ""
    if source not in SOURCES:
        raise _invalid({"source": [_("Wajib salah satu dari: %(choices)s.") % {"choices": ", ".join(SOURCES)}]})
    if len(reference) > 200:
        raise _invalid({"source_reference": [_("Paling banyak 200 karakter.")]})
    # IntakeError (422, every field at once) is rendered by netra.api.
    receipt = intake.report_submit(data=data, source=source, source_reference=reference, actor=token)
    case = receipt.case
    return Status(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "source": case.source,
            "source_reference": case.source_reference,
            "agency": case.agency.code if case.agency else None,
            "region_code": case.region_id,
            "url": f"/api/v1/cases/{case.pk}",
            "receipt_code": receipt.receipt_code,
            # An agency-filed case has no reporter channel (netra.cases.filers): no key.
            "access_key": receipt.access_key or None,
        },
    )


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetail, 403: ErrorOut, 404: ErrorOut, **_COMMON},
    by_alias=True,
    summary="Kasus lengkap",
)
def case_get(request, case_id: int):
    case = _case(request, case_id)
    return present.case_detail(case, _token(request))


@router.post(
    "/cases/{case_id}/transitions",
    response={200: CaseDetail, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **_COMMON},
    by_alias=True,
    summary="Pindahkan kasus ke status berikutnya",
)
def case_transition(request, case_id: int, payload: TransitionIn):
    from netra.cases.services import TransitionError
    from netra.cases.services import case_transition as transition

    token = _token(request)
    case = _case(request, case_id)
    action = (payload.action or "").strip()
    if not action:
        raise _invalid({"action": [_("Wajib diisi.")]})
    data = payload.data if isinstance(payload.data, dict) else {}
    try:
        case = transition(case=case, action=action, actor=token, data=data, note=payload.note or "", via="api")
    except TransitionError as error:
        raise ApiProblem(error.code, error.message, getattr(error, "fields", None)) from error
    visible = present.case_or_none(token, case.pk)
    if visible is None:
        # Moved out of this token's sight (forwarded, merged elsewhere): it cannot read it any more.
        raise Http404
    return present.case_detail(visible, token)


@router.get(
    "/cases/{case_id}/events",
    response={200: EventPage, 403: ErrorOut, 404: ErrorOut, **_COMMON},
    summary="Linimasa audit kasus",
)
def case_events(
    request,
    case_id: int,
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    case = _case(request, case_id)
    qs = events_for(case)
    rows = page_of(qs, page, page_size)
    # "case.received" is the submission itself: its time leaves the owning Satgas only coarse.
    exact = present.is_owning_satgas(_token(request), case)
    return {
        "items": [
            {
                "id": e.pk,
                "at": e.created_at if exact else present.coarse(e.created_at),
                "action": e.action,
                "actor": e.actor_label,
                "data": e.payload or {},
            }
            for e in rows
        ],
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }


# --- catalogue --------------------------------------------------------------------------------


@router.get("/catalog/violations", response={200: ViolationPage, **_COMMON}, summary="Katalog pelanggaran")
def violations(
    request,
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    qs = ViolationGroup.objects.prefetch_related("items").order_by("order", "code")
    return {
        "items": [
            {
                "code": g.code,
                "name": g.name_id,
                "name_en": g.name_en,
                "legal_basis": g.legal_basis,
                "sanction_category": g.sanction_category_id,
                "items": [{"code": i.code, "name": i.name_id, "legal_basis": i.legal_basis} for i in g.items.all()],
            }
            for g in page_of(qs, page, page_size)
        ],
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }


@router.get("/catalog/regions", response={200: RegionPage, **_COMMON}, summary="Wilayah (provinsi, kab/kota)")
def regions(
    request,
    parent: str | None = Query(None, description='Kode provinsi, mis. "63"; tanpa parent: daftar provinsi.'),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE),
):
    qs = Region.objects.order_by("code")
    parent = _clean(parent)
    if parent:
        if not REGION_CODE.match(parent) or not Region.objects.filter(code=parent, kind=Region.Kind.PROVINCE).exists():
            raise _invalid({"parent": [_("Kode provinsi %(code)s tidak dikenal.") % {"code": parent}]})
        qs = qs.filter(parent_id=parent)
    else:
        qs = qs.filter(kind=Region.Kind.PROVINCE)
    return {
        "items": [
            {"code": r.code, "name": r.name, "kind": r.kind, "parent": r.parent_id, "timezone": r.timezone}
            for r in page_of(qs, page, page_size)
        ],
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }


# --- webhooks ---------------------------------------------------------------------------------


def _webhook_out(sub: WebhookSubscription) -> dict:
    return {
        "id": sub.pk,
        "url": sub.url,
        "events": list(sub.events),
        "active": sub.active,
        "created_at": sub.created_at,
    }


@router.post(
    "/webhooks",
    response={201: WebhookCreated, 403: ErrorOut, 409: ErrorOut, **_COMMON},
    summary="Berlangganan peristiwa kasus",
)
def webhook_create(request, payload: WebhookIn):
    token = _reader(request)
    try:
        subscription, secret = webhooks.subscribe(token=token, url=payload.url or "", events=payload.events or [])
    except webhooks.SubscriptionError as error:
        raise ApiProblem(error.code, error.message, error.fields) from error
    return Status(201, _webhook_out(subscription) | {"secret": secret})


@router.get("/webhooks", response={200: WebhookPage, 403: ErrorOut, **_COMMON}, summary="Langganan webhook token ini")
def webhook_list(
    request,
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    token = _reader(request)
    # A token sees and stops only the subscriptions it made (issue #10, finding 12); the agency
    # admin sees all of the agency's in the workspace.
    qs = webhooks.live_subscriptions(token.agency_id).filter(token=token).order_by("-created_at", "-id")
    return {
        "items": [_webhook_out(sub) for sub in page_of(qs, page, page_size)],
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }


@router.delete(
    "/webhooks/{subscription_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, **_COMMON},
    summary="Hentikan langganan webhook",
)
def webhook_delete(request, subscription_id: int):
    token = _reader(request)
    subscription = webhooks.live_subscriptions(token.agency_id).filter(pk=subscription_id, token=token).first()
    if subscription is None:
        raise Http404
    webhooks.unsubscribe(subscription=subscription, actor=token)
    return Status(204, None)


# --- wiring into netra.api --------------------------------------------------------------------


def install(api) -> None:
    """Mount the router on the v1 NinjaAPI and teach it our error types (called by netra.api)."""
    api.add_router("/", router)

    def _problem(request, exc: ApiProblem):
        return error_response(exc.code, exc.message, exc.fields)

    def _too_big(request, exc):
        # Django's own DATA_UPLOAD_MAX_MEMORY_SIZE guard, for bodies sent without Content-Length.
        return error_response("payload_too_large", _("Isi permintaan terlalu besar."))

    def _malformed_multipart(request, exc):
        # e.g. "Content-Type: multipart/form-data" without a boundary: the client's mistake, not a 500.
        return error_response("bad_request", _("Isi multipart tidak dapat dibaca."), status=400)

    api.add_exception_handler(ApiProblem, _problem)
    api.add_exception_handler(RequestDataTooBig, _too_big)
    api.add_exception_handler(MultiPartParserError, _malformed_multipart)
    _document_common_errors(api)


def _document_common_errors(api) -> None:
    """Add the answers every operation can give to the OpenAPI document (public ones included).

    netra.api answers them for every operation — 400 for a body that is not JSON, 500 for an
    unexpected failure — so they belong in the contract, in the same error shape.
    """
    generate = api.get_openapi_schema

    def get_openapi_schema(*args, **kwargs):
        schema = generate(*args, **kwargs)
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault("400", {"description": "Bad Request", **error})
                responses.setdefault("500", {"description": "Internal Server Error", **error})
        return schema

    api.get_openapi_schema = get_openapi_schema
