"""Where one public report's time goes: pyinstrument over ``POST /api/v1/public/reports``, in process.

Builds (or with --reuse keeps) the PostgreSQL database ``netra_bench_ops_load_prof``, posts
PROFILE_WARM reports unprofiled (caches, connection), then PROFILE_COUNT reports under
pyinstrument through Django's test client — the whole request including the after-response work
(opening cases, triage, audit sealing), as ``HttpResponse.close()`` runs it — and prints the tree.
Also counts the SQL statements of one request (answer only, and with its after-response work).

    PYTHONPATH=/path/to/pyinstrument DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/profile_intake.py [--reuse] [--html out.html] [--cprofile] [--phases]

--phases (no pyinstrument needed): CPU milliseconds per request (``time.process_time()``, no
profiler overhead) of the parts of a public report — the middleware floor, the API answer with
and without rate limits, the service, validation, the accepting INSERT — and of the opening
and sealing batches that requests take turns at, per batch size; SQL statements of each; the
portal form's POST too. Printed with the load average (the CPU figures hold under load; wall
times do not).

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
BENCH_DB = os.environ.get("PROFILE_DB", "netra_bench_ops_load_prof")
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
        # Shared Redis as in production (rate limits, turns); PROFILE_CACHE_URL= (empty) for locmem.
        CACHE_URL=os.environ.get("PROFILE_CACHE_URL", "redis://127.0.0.1:6379/9"),
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
    if "--phases" in sys.argv:
        phases(client, regions)
        return

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


def phases(client, regions: list[str]) -> None:
    """CPU per request of each part of intake (see the module's docstring)."""
    from django.conf import settings
    from django.core import signing
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from intake import payloads

    from netra.api_schemas import ReportIn
    from netra.audit import chain
    from netra.cases import intake, opening
    from netra.turns import my_turn

    count = int(os.environ.get("PROFILE_PHASE_COUNT", "300"))
    bodies = payloads(regions, count=10 * count + 600, seed=random.randrange(1 << 30))
    datas = [json.loads(body) for body in bodies]
    opening.open_pending()
    chain.seal()
    # No turn is won while the answers are measured: the batches are measured on their own below.
    settings.NETRA_CASE_OPEN_INTERVAL = settings.NETRA_AUDIT_SEAL_INTERVAL = 3600
    my_turn(opening.OPEN_TURN_KEY, 3600)
    my_turn(chain.SEAL_TURN_KEY, 3600)
    print(f"CPU per call, {count} calls each; load average {os.getloadavg()[0]:.1f}")
    taken = iter(range(len(bodies)))

    def measure(label: str, call, *, n: int = count) -> None:
        items = [next(taken) for _ in range(n + 20)]
        for i in items[:20]:  # warm
            call(i)
        queries: list[str] = []

        def counted(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):  # CaptureQueriesContext loses what a request's start resets
            call(items[20])
        cpu, wall = time.process_time(), time.perf_counter()
        for i in items[20:]:
            call(i)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"  {label:<58} {cpu / n * 1000:6.2f} ms CPU {wall / n * 1000:6.2f} ms wall  {len(queries)} SQL")

    def api(i: int) -> None:
        answer = client.post("/api/v1/public/reports", bodies[i], content_type="application/json")
        assert answer.status_code == 201, answer.content[:300]

    measure("GET /healthz (the middleware floor)", lambda i: client.get("/healthz"))
    measure("POST /api/v1/public/nothing (404: middleware, ninja routing)", lambda i: client.post(
        "/api/v1/public/nothing", bodies[i], content_type="application/json"))  # fmt: skip
    measure("POST /api/v1/public/reports, rate limits off", api)
    settings.NETRA_RATE_LIMITS = "report=1000000/h,report_ceiling=1000000/h"  # counted, never refused
    measure("POST /api/v1/public/reports, rate limits on (never refused)", api)
    settings.NETRA_RATE_LIMITS = "off"
    measure("  ninja's ReportIn validation + model_dump", lambda i: ReportIn(**datas[i]).model_dump())
    measure("  intake._clean_report (validation)", lambda i: intake._clean_report(datas[i], {}))
    measure("  access key + its hash + receipt code", lambda i: (
        intake.hash_access_key(intake.new_access_key()), intake.new_receipt_code()))  # fmt: skip
    measure("  intake.report_submit (service: validation + INSERT)", lambda i: intake.report_submit(data=datas[i]))
    measure("  the accepting INSERT alone (Report.objects.create)", lambda i: intake._accept(
        intake._clean_report(datas[i], {}), receipt_code=intake.new_receipt_code(), access_key="x"))  # fmt: skip

    def form(i: int) -> None:
        data = json.loads(bodies[i])
        data["links"] = "\n".join(data.get("links") or [])
        province = data["region_code"].split(".")[0]
        started = signing.dumps(time.time() - 30, salt="netra.portal.report-form")
        answer = client.post("/lapor/", {**data, "province": province, "started": started, "contact": ""})
        assert answer.status_code == 303, (answer.status_code, answer.content[:300])

    measure("POST /lapor/ (the portal form, answered by a 303)", form, n=count // 3)
    opening.open_pending()
    chain.seal()
    from netra.insights import cube

    cube.refresh()
    print("the batches requests take turns at (opening cases, sealing the audit log, counting the dashboard):")
    for size in (1, 20, 100):
        opened_cpu = sealed_cpu = counted_cpu = 0.0
        for _ in range(3):
            for _ in range(size):
                intake.report_submit(data=datas[next(taken)])
            cpu = time.process_time()
            with CaptureQueriesContext(connection) as opened:
                opening.open_pending()
            opened_cpu += time.process_time() - cpu
            cpu = time.process_time()
            with CaptureQueriesContext(connection) as sealed:
                chain.seal()
            sealed_cpu += time.process_time() - cpu
            cpu = time.process_time()
            cube.refresh(limit=cube.BACKGROUND_LIMIT, wait=False)  # the opened cases are marked dirty
            counted_cpu += time.process_time() - cpu
        print(
            f"  batch of {size:>3}: opening {opened_cpu / 3 * 1000:6.1f} ms ({opened_cpu / 3 / size * 1000:.2f} per report,"
            f" {len(opened)} SQL), sealing {sealed_cpu / 3 * 1000:5.1f} ms ({sealed_cpu / 3 / size * 1000:.2f} per event,"
            f" {len(sealed)} SQL), dashboard {counted_cpu / 3 * 1000:5.1f} ms ({counted_cpu / 3 / size * 1000:.2f} per case)"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
