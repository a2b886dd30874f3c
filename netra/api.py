"""The JSON API v1 (api.md): one NinjaAPI, mounted at /api/v1/ outside the language prefixes.

Every error has the api.md shape ``{"error": {"code", "message", "fields"}}``: our own errors,
django-ninja's request-parsing errors, 404/405 from routing and unexpected 500s alike.
The public part takes no cookies, so CSRF does not apply (no session auth on this API).
"""

import functools
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from netra.api_errors import CODE_BY_STATUS, error_response, not_found_response
from netra.cases.intake import IntakeError
from netra.insights.api import router as statistics_router
from netra.openapi_i18n import install as install_openapi_i18n
from netra.portal.api import router as public_router
from netra.ratelimit import RateLimited
from netra.sharing.api import install as install_agency_api
from netra.sharing.outreach_api import router as outreach_router
from netra.sharing.pacts_api import install as install_pacts_api
from netra.unavailable import api_unavailable, is_outage

logger = logging.getLogger("netra.api")

api = NinjaAPI(
    title="Netra API",
    version="1",
    description=(
        "Netra API v1: pelaporan publik tanpa akun, dan API instansi (token Bearer per instansi) untuk "
        "berbagi kasus, temuan Bawaslu, perpindahan status dan webhook. Panduan: docs/integration.md."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/public/", public_router)
api.add_router("/public/statistics", statistics_router)
install_agency_api(api)  # netra.sharing: agency endpoints (token) and their error types
api.add_router("/", outreach_router)  # netra.sharing.outreach_api: prevention coverage and events
install_pacts_api(api)  # netra.sharing.pacts_api: pact signatures (#11)
install_openapi_i18n(api)  # summaries/descriptions follow Accept-Language (netra.openapi_i18n)


@api.exception_handler(IntakeError)
def _intake_error(request, exc: IntakeError):
    return error_response(exc.code or "validation_error", exc.message, exc.fields)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = error_response(
        "rate_limited",
        _("Terlalu banyak permintaan. Coba lagi dalam %(seconds)d detik.") % {"seconds": exc.retry_after},
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


_PYDANTIC_MESSAGES = {
    "missing": lambda: _("Wajib diisi."),
    "string_type": lambda: _("Harus berupa teks."),
    "list_type": lambda: _("Harus berupa daftar."),
    "json_invalid": lambda: _("Isi permintaan bukan JSON yang valid."),
    "model_attributes_type": lambda: _("Isi permintaan harus berupa objek JSON."),
    "dict_type": lambda: _("Isi permintaan harus berupa objek JSON."),
}


def _field_name(loc) -> str:
    # loc is (location, name…); a JSON body adds the operation's parameter name: ("body", "payload", "description").
    parts = [str(part) for part in loc]
    names = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(names) or "__all__"


@api.exception_handler(NinjaValidationError)
def _request_invalid(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        message = _PYDANTIC_MESSAGES.get(error.get("type", ""), lambda: _("Nilai tidak valid."))()
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return error_response("validation_error", _("Permintaan tidak valid."), fields)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return not_found_response()


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = CODE_BY_STATUS.get(exc.status_code, "error")
    if code == "not_found":
        return not_found_response()
    if exc.status_code == 400:
        # django-ninja's only 400: a body that is not JSON.
        return error_response(code, _("Isi permintaan tidak dapat dibaca: kirim JSON yang valid."), status=400)
    return error_response(code, str(exc), status=exc.status_code)


@api.exception_handler(SuspiciousOperation)
def _request_refused(request, exc: SuspiciousOperation):
    # Django's own request limits (DATA_UPLOAD_MAX_NUMBER_FILES, …_FIELDS, …_MEMORY_SIZE): not a 500.
    if isinstance(exc, RequestDataTooBig):
        return error_response("payload_too_large", _("Permintaan terlalu besar."))
    return error_response("bad_request", _("Permintaan ditolak: terlalu banyak berkas atau isian."), status=400)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _unavailable(request, exc: Exception):
    # The database is down or restarting: 503 "unavailable", not a 500 (netra/unavailable.py).
    return api_unavailable(request, exc)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    if is_outage(exc):  # the evidence storage full (ENOSPC): unavailable, not a bug
        return api_unavailable(request, exc)
    # The traceback only: no request (address, headers) is attached to the record.
    logger.exception(
        "Unhandled error in API operation %s",
        getattr(request, "resolver_match", None) and request.resolver_match.view_name,
    )
    return error_response("server_error", _("Terjadi kesalahan pada server. Silakan coba lagi."), status=500)


def _json_method_not_allowed(view):
    """django-ninja answers a wrong method with a plain-text 405; give it the error shape too."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = error_response("method_not_allowed", _("Metode tidak diizinkan."), status=405)
            response["Allow"] = allowed
        return response

    return wrapped


def urls():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace


def unknown_path(request, *args, **kwargs):
    """Any /api/ path no operation answers: the JSON 404, not the HTML page."""
    return not_found_response()
