"""Liveness and readiness probes (api.md, Health)."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


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
        connection.close()  # drop the broken connection so the next probe reconnects
        return JsonResponse(
            {"error": {"code": "unavailable", "message": "Database unavailable.", "detail": type(exc).__name__}},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
