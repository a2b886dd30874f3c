"""The error shape of every JSON answer (api.md): ``{"error": {"code", "message", "fields"}}``.

Below the faces, so that netra.api, the agency router and the health probes share one shape.
"""

from django.http import JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

STATUS_CODES = {
    "validation_error": 422,
    "not_found": 404,
    "unauthorized": 401,
    "forbidden": 403,
    "conflict": 409,
    "rate_limited": 429,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "unavailable": 503,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_CODES.items()} | {
    400: "bad_request",
    405: "method_not_allowed",
    500: "server_error",
}


def error_response(
    code: str, message: str | Promise, fields: dict | None = None, *, status: int | None = None
) -> JsonResponse:
    status = status or STATUS_CODES.get(code, 400)
    return JsonResponse({"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status)


def not_found_response() -> JsonResponse:
    # One body for every kind of "not there": unknown path, unknown code, wrong or missing key.
    return error_response("not_found", _("Tidak ditemukan."))
