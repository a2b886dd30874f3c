"""Where one public report's time goes: pyinstrument over ``POST /api/v1/public/reports``, in process.

Builds (or with --reuse keeps) the PostgreSQL database ``netra_bench_ops_load_prof``, posts
PROFILE_WARM reports unprofiled (caches, connection), then PROFILE_COUNT reports under
pyinstrument through Django's test client — the whole request including the after-response work
(opening cases, triage, audit sealing), as ``HttpResponse.close()`` runs it — and prints the tree.
Also counts the SQL statements of one request (answer only, and with its after-response work).

    PYTHONPATH=/path/to/pyinstrument DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/profile_intake.py [--reuse] [--html out.html] [--cprofile]

pyinstrument is not a dependency of the project: install it anywhere (pip install --target DIR
pyinstrument) and put DIR on PYTHONPATH.
"""

import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
BENCH_DB = "netra_bench_ops_load_prof"
COUNT = int(os.environ.get("PROFILE_COUNT", "40"))
WARM = int(os.environ.get("PROFILE_WARM", "20"))
# Each report waits this long before the next, so the interval-based turns (opening, sealing:
# 0.2 s and 1 s in production) are won about as often as under a steady 10 req/s.
GAP = float(os.environ.get("PROFILE_GAP", "0.1"))


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/profile_intake.py runs on PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    reuse = "--reuse" in sys.argv
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
            reuse = False
    os.environ.update(
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{BENCH_DB}")),
        DJANGO_SETTINGS_MODULE="netra.settings",
        NETRA_ENV=os.environ.get("PROFILE_ENV", "development"),
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        NETRA_RATE_LIMITS="off",
        SECRET_KEY="bench-" + "x" * 50,
        LOG_LEVEL="WARNING",
        # As in production (settings' default there): the scheduler triages, not the web request.
        NETRA_TRIAGE_AFTER_RESPONSE=os.environ.get("NETRA_TRIAGE_AFTER_RESPONSE", "0"),
    )
    os.environ.setdefault("NETRA_VAR_DIR", str(ROOT / "var" / "bench-ops-load-profile"))
    Path(os.environ["NETRA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from intake import payloads

    from netra.catalog.models import Region

    if not reuse:
        call_command("migrate", verbosity=0)
        call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    regions = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
    bodies = payloads(regions, count=COUNT + WARM + 10, seed=random.randrange(1 << 30))
    client = Client()

    def post(body: bytes):
        answer = client.post("/api/v1/public/reports", body, content_type="application/json")
        answer.close()  # runs the after-response work, as gunicorn does once the answer has gone out
        if answer.status_code != 201:
            raise SystemExit(f"{answer.status_code}: {answer.content[:300]!r}")
        return answer

    for body in bodies[:WARM]:
        post(body)
        time.sleep(GAP)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post("/api/v1/public/reports", bodies[WARM], content_type="application/json")
        before_close = len(queries.captured_queries)
        answer.close()
    print(
        f"SQL statements of one report: {before_close} before the answer, {len(queries.captured_queries)} with its after-response work"
    )
    for query in queries.captured_queries:
        print(f"  {query['time']:>6}s  {query['sql'][:150]}")
    if "--cprofile" in sys.argv:  # CPU by function (deterministic), where the sampler shows wall time
        import cProfile
        import pstats

        cpu = cProfile.Profile(time.process_time)  # CPU seconds: waits on PostgreSQL do not count
        for body in bodies[WARM + 1 : WARM + 1 + COUNT]:
            cpu.enable()
            post(body)
            cpu.disable()
            time.sleep(GAP)
        stats = pstats.Stats(cpu).sort_stats("tottime")
        stats.print_stats(35)
        stats.sort_stats("cumulative").print_stats(60)
        return
    from pyinstrument import Profiler  # only for the sampling tree (not a dependency)

    profiler = Profiler(interval=0.0005)
    began = time.perf_counter()
    busy = 0.0
    for body in bodies[WARM + 1 : WARM + 1 + COUNT]:
        profiler.start()
        t0 = time.perf_counter()
        post(body)
        busy += time.perf_counter() - t0
        profiler.stop()
        time.sleep(GAP)
    print(f"\n{COUNT} reports: {busy / COUNT * 1000:.1f} ms each (wall, in process, incl. after-response work)")
    print(json.dumps({"elapsed_s": round(time.perf_counter() - began, 1)}))
    if "--html" in sys.argv:
        Path(sys.argv[sys.argv.index("--html") + 1]).write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
