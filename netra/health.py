"""Liveness and readiness probes (api.md, Health).

Ready means the database and the shared cache both answer: without the cache, rate limits and
lockouts cannot be counted, so a process that cannot reach it should take no traffic.
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from netra.api_errors import error_response
from netra.unavailable import drop_connections


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        drop_connections()  # drop the broken connection so the next probe reconnects
        return error_response("unavailable", _("Basis data tidak dapat dihubungi."), {"database": [type(exc).__name__]})
    try:
        cache.set("netra:readyz", 1, timeout=5)
        cache.get("netra:readyz")
    except Exception as exc:
        return error_response("unavailable", _("Cache bersama tidak dapat dihubungi."), {"cache": [type(exc).__name__]})
    return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})
