"""Friendly 503 while the database cannot be reached (issue #14, item 3).

When PostgreSQL is stopped or restarting, a query raises ``OperationalError`` (cannot connect,
connection terminated) or ``InterfaceError`` (connection already closed). Those are outages, not
bugs: public pages answer a short Indonesian page, the API ``503 {"error": {"code":
"unavailable"}}``, both with ``Retry-After``. Nothing is cached and nothing is stored.

Two entry points, because an outage can surface in two places:
- ``UnavailableMiddleware.process_exception`` for errors raised inside a view;
- ``server_error`` (``handler500``) for errors raised by a middleware before the view runs (the
  session lookup of a signed-in user, for example), which Django turns into a 500 on its own.
The API's exception handler (``netra.api``) uses ``api_unavailable``.

Recovery needs no restart: the broken connection is closed here, so the next request opens a new
one (Django also drops unusable connections at the end of every request).
"""

import contextlib
import errno
import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from netra.api_errors import error_response

logger = logging.getLogger("netra.unavailable")

OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def is_outage(exc: BaseException | None) -> bool:
    # The database unreachable, or the evidence storage full (ENOSPC, EDQUOT): both pass.
    return isinstance(exc, OUTAGES) or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT))


def drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue  # someone else's transaction (a test's): Django closes it at the request's end
        # Closing a dead connection may fail too; it is gone either way.
        with contextlib.suppress(Exception):
            connection.close()


def _mark(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def api_unavailable(request, exc: BaseException | None = None) -> HttpResponse:
    drop_connections()
    logger.warning("Unavailable (%s: %s); answered 503", type(exc).__name__ if exc else "?", exc)
    message = _("Layanan sedang tidak tersedia sementara. Silakan coba lagi beberapa saat lagi.")
    return _mark(error_response("unavailable", message))


def unavailable_response(request, exc: BaseException | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_unavailable(request, exc)
    drop_connections()
    logger.warning("Unavailable (%s: %s); answered 503", type(exc).__name__ if exc else "?", exc)
    # Rendered without the request: context processors might query the database that is down.
    html = render_to_string("unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
    return _mark(HttpResponse(html, status=503))


class UnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_outage(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, *args, **kwargs):
    """``handler500``: an outage raised outside a view still gets the 503, everything else the 500."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        return unavailable_response(request, exc)
    if request.path.startswith("/api/"):
        return error_response("server_error", _("Terjadi kesalahan pada server. Silakan coba lagi."), status=500)
    return defaults.server_error(request, *args, **kwargs)
