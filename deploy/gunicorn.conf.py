"""gunicorn settings for Netra (``gunicorn -c deploy/gunicorn.conf.py netra.wsgi``).

Every value can be overridden from the environment (GUNICORN_*) so the same file serves the
systemd unit and ``make prod-check``. See docs/operations.md for sizing.
"""

import multiprocessing
import os

# Behind nginx on the same machine: a local address (or a unix socket: unix:/run/netra/gunicorn.sock).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Sync workers: Netra's requests are short and CPU- or database-bound; 2 per core plus one.
# gthread (GUNICORN_WORKER_CLASS=gthread GUNICORN_WORKERS=2 GUNICORN_THREADS=4) was measured against
# it in the same runs of bench/load.py (issue #14 item 4, docs/architecture.md "Intake under load"):
# neither was consistently faster on the shared 2-core box, so the default stays.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer than this is killed (a PDF being cleaned has its own, shorter limits:
# NETRA_EVIDENCE_PDF_CPU_SECONDS). nginx's proxy_read_timeout is set a little above it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then (memory held by image decoding is given back).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx buffers request bodies, so slow uploads never hold a sync worker.
# The access log would hold reporters' addresses and paths: off (nginx logs without addresses).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only our own proxy may set X-Forwarded-*: Django believes it only from NETRA_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "netra"


def post_worker_init(worker):
    """Each worker: warmed before its first request (``_warm``); stops at once on SIGTERM."""
    _stop_at_once(worker)
    _warm()


def _warm():
    """Load, before the first request, what every request needs and Django loads lazily.

    A fresh worker's first request imported the URLconf (every view module, the API's django-ninja
    schemas) and the translation catalogs: 0.8 s of CPU after WeasyPrint's import was made lazy,
    1.6 s before, on a loaded 2-core box (issue #14). ``max_requests`` recycles every worker each
    ~2 000 requests, so some report waited that long now and then. Done here, in the new worker
    before it accepts, the other workers answer meanwhile. Nothing here touches the database.
    """
    import contextlib

    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    with contextlib.suppress(Exception):  # a warm-up failing is the first request's problem, as before
        get_resolver().url_patterns  # noqa: B018 (the import is the point)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                translation.gettext("Laporan")


def _stop_at_once(worker):
    """Stop at once on SIGTERM, not up to ``timeout / 2`` seconds later (issue #14, item 3).

    An idle sync worker waits in ``select()`` for up to half of ``timeout`` (30 s here); gunicorn's
    SIGTERM handler only sets a flag, and Python resumes the ``select()`` after the signal, so an
    idle worker noticed the stop up to 30 s late and the master then waited out
    ``graceful_timeout``. Waking the worker through its own pipe (what gunicorn does for a reload)
    makes it leave its loop at once; a worker in the middle of a request still finishes it first.
    """
    import contextlib
    import signal

    stop = worker.handle_exit

    def handle_exit(sig, frame):
        stop(sig, frame)
        # A worker class without the pipe sees the flag on its next loop.
        with contextlib.suppress(AttributeError, OSError):
            os.write(worker.PIPE[1], b".")

    signal.signal(signal.SIGTERM, handle_exit)
