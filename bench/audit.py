"""Benchmark: what does ``audit.record()`` cost an intake-like transaction?

Measures, in the same run, the same small write transaction (one INSERT into ``auth_group``)
with and without ``record()`` (which also seals the chain after commit), at 1, 8 and 32
concurrent threads, on SQLite (a temporary file) and, when DATABASE_URL points at PostgreSQL, on
a separate ``netra_bench`` database on that server (dropped and recreated; the database named in
DATABASE_URL is never touched). Prints throughput, p50/p95 latency and the with/without ratio,
then verifies the chain that the run built.

    .venv/bin/python bench/audit.py                                   # SQLite only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/audit.py

BENCH_SECONDS (default 3) sets the length of each measurement; the whole run stays under two
minutes with the default. The transaction is deliberately tiny, so the ratio is the worst case:
a real intake (several rows, an evidence hash) pays the same absolute audit cost on more work.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
THREADS = (1, 8, 32)
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
BENCH_DB = "netra_bench"


# --- child: one backend, run with DATABASE_URL already pointing at the bench database ---------
def run_child() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from netra.audit.chain import verify
    from netra.audit.services import record

    call_command("migrate", "audit", verbosity=0)  # audit and what it depends on (auth, orgs)

    def plain() -> None:
        with transaction.atomic():
            Group.objects.create(name=uuid.uuid4().hex)

    def audited() -> None:
        with transaction.atomic():
            group = Group.objects.create(name=uuid.uuid4().hex)
            record("bench", "bench.intake", group, channel="bench")

    def measure(work, threads: int) -> dict:
        latencies: list[list[float]] = [[] for _ in range(threads)]
        errors: list[BaseException] = []
        start = threading.Barrier(threads + 1)

        def worker(index: int) -> None:
            try:
                work()  # open the connection before the clock starts
                start.wait()
                mine = latencies[index]
                while time.perf_counter() < deadline:
                    began = time.perf_counter()
                    work()
                    mine.append(time.perf_counter() - began)
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        deadline = float("inf")  # set once every thread has connected
        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        start.wait()
        began, cpu_began = time.perf_counter(), time.process_time()
        deadline = began + SECONDS
        for thread in pool:
            thread.join()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        if errors:
            raise errors[0]
        flat = sorted(x for per_thread in latencies for x in per_thread)
        return {
            "count": len(flat),
            "tps": len(flat) / elapsed,
            "p50": statistics.median(flat) * 1000,
            "p95": flat[min(len(flat) - 1, int(len(flat) * 0.95))] * 1000,
            "cpu": cpu / len(flat) * 1000,  # this process only (Django side), all threads
        }

    results = []
    for threads in THREADS:
        without = measure(plain, threads)
        with_record = measure(audited, threads)
        results.append({"threads": threads, "without": without, "with": with_record})
    connection.close()
    chain = verify()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "results": results,
                "chain": {"ok": chain.ok, "checked": chain.checked, "pending": chain.pending, "problem": chain.problem},
            }
        )
    )


# --- parent: prepare each bench database, run a child per backend, print the table -----------
def postgres_bench_url(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def run_backend(label: str, database_url: str, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "NETRA_VAR_DIR": var_dir, "NETRA_ENV": "test"}
    env["LOG_LEVEL"] = "WARNING"
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{label} benchmark failed")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["label"], report["seconds"] = label, time.perf_counter() - began
    return report


def print_report(report: dict) -> None:
    print(f"\n{report['label']} ({report['seconds']:.0f} s)")
    print(f"{'threads':>7}  {'variant':<14}{'txn/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'txns':>8}{'app CPU ms/txn':>16}")
    for row in report["results"]:
        for name, key in (("without audit", "without"), ("with record()", "with")):
            r = row[key]
            print(
                f"{row['threads']:>7}  {name:<14}{r['tps']:>9.0f}{r['p50']:>9.2f}{r['p95']:>9.2f}{r['count']:>8}"
                f"{r['cpu']:>16.2f}"
            )
        ratio = row["with"]["tps"] / row["without"]["tps"]
        print(f"{'':>7}  {'ratio':<14}{ratio:>9.2f}  (throughput with / without)")
    chain = report["chain"]
    state = "intact" if chain["ok"] else f"BROKEN: {chain['problem']}"
    print(f"chain after the run: {state}, {chain['checked']} events sealed, {chain['pending']} pending")


def main() -> None:
    if "--child" in sys.argv:
        run_child()
        return
    print(f"audit.record() benchmark: {SECONDS:g} s per measurement, threads {', '.join(map(str, THREADS))}")
    reports = []
    with tempfile.TemporaryDirectory(prefix="netra-bench-") as tmp:
        reports.append(run_backend("SQLite (WAL, IMMEDIATE)", f"sqlite:///{tmp}/bench.sqlite3", tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://", "pgsql://")):
            reports.append(run_backend("PostgreSQL", postgres_bench_url(url), tmp))
    for report in reports:
        print_report(report)
    if not all(report["chain"]["ok"] for report in reports):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
