"""The baseline of bench/intake.py: Netra's own settings and middleware, one view, one INSERT.

Served by gunicorn exactly like ``netra.wsgi`` (same flags, same database) so the ratio printed
by bench/intake.py measures what intake costs beyond "a Django request that writes one row".
The table ``bench_baseline`` is created by bench/intake.py in its throwaway database; nothing
here touches the application's tables or URLs.

    gunicorn --pythonpath bench baseline_app:application
"""

import json
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (after setup, like any WSGI module)
from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

TABLE = "bench_baseline"


@csrf_exempt
def baseline(request):
    # The same body as a report, parsed the same way; one row written in its own transaction.
    data = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (body, created_at) VALUES (%s, %s)",  # noqa: S608 (constant table name)
            [str(data.get("description", "")), timezone.now()],
        )
    return JsonResponse({"status": "ok"}, status=201)


urlpatterns = [path("baseline", baseline)]
# Read per request by Django's handler, so switching it after setup takes effect on the first one.
settings.ROOT_URLCONF = __name__
