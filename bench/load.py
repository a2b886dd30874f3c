"""Benchmark (issue #14 item 4, the intake decision): open-loop steps, intake against the one-INSERT baseline.

For each server configuration (LOAD_CONFIGS), the baseline (bench/baseline_app.py) and intake
(``POST /api/v1/public/reports``, netra.wsgi) are served one after the other by the same gunicorn
command on the same PostgreSQL database ``netra_bench_ops_load`` in the same run, with the
scheduler running beside them as in production (it opens, triages and seals what the requests'
turns leave). bench/intake.py's machinery gives the preparation, payloads and client loop. Open-loop
rates step up (LOAD_RATES, requests per second in all; latency counted from each request's
scheduled moment, so queueing shows) until p95 passes the SLO or a request fails, then one
closed-loop run. Printed per configuration, target and rate: answered req/s, p50/p95/p99, errors;
then, per configuration:

- the highest offered rate at which p95 < 150 ms with no error (the SLO), for each target, and
  intake's as a ratio to the baseline's (issue goal >= 0.5);
- the closed-loop throughput ratio intake / baseline (goal >= 0.5);
- what the scheduler still had to triage when the intake run stopped, and the CPU it used
  meanwhile (in all and per answered report).

The scheduler runs at a lower CPU priority, as the systemd unit runs it (Nice=, CPUWeight=):
LOAD_SCHEDULER=nice (default; niceness LOAD_SCHEDULER_NICE, 10) or plain, or "nice,plain" for
both in the same run: the baseline is served once per configuration (it leaves nothing to
triage), then intake once per scheduler mode, each starting without the previous one's backlog.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py [--reuse]

--reuse keeps the database of a previous run (migrated, reference data loaded; the reports of
earlier runs stay). Configurations (LOAD_CONFIGS, comma-separated names of CONFIGS below; default:
all): worker model (sync = deploy/gunicorn.conf.py's default, 2 x cores + 1 processes; gthread 2 x 4),
persistent connections (CONN_MAX_AGE=60) or psycopg's pool (NETRA_DB_POOL=1), and whether web
requests triage after their answer (NETRA_TRIAGE_AFTER_RESPONSE, the setting's production default
is off). Rate limits are counted as in production but never refuse (LOAD_RATE_LIMITS; "off" for
none: every client posts from one address). The cache is Redis (LOAD_CACHE_URL, db 9 of the local server). Knobs: LOAD_RATES (steps of
20 up to 200, then 240 … 640: fine around both knees), LOAD_SECONDS per step (5), BENCH_WARMUP (2),
BENCH_CLIENTS (100), LOAD_WARM_SECONDS (3: a closed-loop burst that warms every worker, not counted; repeated, at most
LOAD_WARM_ROUNDS (6) times, until the server's CPU per request is steady).
"""

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_WARMUP", "2")
os.environ.setdefault("BENCH_SECONDS", os.environ.get("LOAD_SECONDS", "5"))
os.environ.setdefault("BENCH_CLIENTS", "100")

import intake as bench

DEFAULT_RATES = "20,40,60,80,100,120,140,160,180,200,240,280,320,400,480,560,640"
RATES = [float(r) for r in os.environ.get("LOAD_RATES", DEFAULT_RATES).split(",")]
SLO_P95_MS = 150.0
WARM_SECONDS = float(os.environ.get("LOAD_WARM_SECONDS", "3"))  # after BENCH_WARMUP, before the first step
WARM_ROUNDS = int(os.environ.get("LOAD_WARM_ROUNDS", "6"))  # bursts until the CPU per request is steady
BENCH_DB = os.environ.get("LOAD_DB", "netra_bench_ops_load")  # a helper on a shared server names its own
CORES = os.cpu_count() or 1
RATE_LIMITS = os.environ.get("LOAD_RATE_LIMITS", "report=100000000/h,report_ceiling=100000000/h")
# name: (worker class, workers, threads, extra environment of both servers)
CONFIGS = {
    "gthread-triage-in-web": ("gthread", 2, 4, {"NETRA_TRIAGE_AFTER_RESPONSE": "1"}),
    "gthread": ("gthread", 2, 4, {"NETRA_TRIAGE_AFTER_RESPONSE": "0"}),
    "gthread-pool": ("gthread", 2, 4, {"NETRA_TRIAGE_AFTER_RESPONSE": "0", "NETRA_DB_POOL": "1"}),
    "sync": ("sync", 2 * CORES + 1, 1, {"NETRA_TRIAGE_AFTER_RESPONSE": "0"}),
    "sync-pool": ("sync", 2 * CORES + 1, 1, {"NETRA_TRIAGE_AFTER_RESPONSE": "0", "NETRA_DB_POOL": "1"}),
    # Opening turns every second instead of every 0.2 s: bigger batches, a case visible to staff later.
    "sync-open-1s": ("sync", 2 * CORES + 1, 1, {"NETRA_TRIAGE_AFTER_RESPONSE": "0", "NETRA_CASE_OPEN_INTERVAL": "1"}),
    # The web workers take (almost) no opening or sealing turn: the scheduler's tick opens and seals.
    "sync-turns-in-scheduler": (
        "sync",
        2 * CORES + 1,
        1,
        {"NETRA_TRIAGE_AFTER_RESPONSE": "0", "NETRA_CASE_OPEN_INTERVAL": "3600", "NETRA_AUDIT_SEAL_INTERVAL": "3600"},
    ),
}
CHOSEN = os.environ.get("LOAD_CONFIGS", ",".join(CONFIGS)).split(",")
# The scheduler (opening, triage, sealing what the requests' turns leave) runs beside the servers as in
# production, where its systemd unit gives it a lower CPU priority: triage costs tens of ms of CPU per
# case and, at the web workers' priority, took a whole core from intake under load (issue #14).
# "nice" (default) runs it at niceness LOAD_SCHEDULER_NICE, "plain" as the web workers.
SCHEDULER_NICE = int(os.environ.get("LOAD_SCHEDULER_NICE", "10"))
SCHEDULER_MODES = {"nice": ["nice", "-n", str(SCHEDULER_NICE)], "plain": []}
SCHEDULERS = os.environ.get("LOAD_SCHEDULER", "nice").split(",")


@contextlib.contextmanager
def scheduler(mode: str, env: dict):
    """``manage.py scheduler`` beside the servers (deploy/systemd/netra-scheduler.service); yields a
    function giving the CPU seconds it has used since it started."""
    process = subprocess.Popen(
        [*SCHEDULER_MODES[mode], sys.executable, "manage.py", "scheduler"],
        env=env | {"PGAPPNAME": bench.SCHEDULER_APPLICATION},  # as its systemd unit names it in pg_stat_activity
        cwd=bench.ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield lambda: bench.process_tree_cpu(process.pid)
    finally:
        bench.stop_server(process)


def start(app: str, pythonpath: str, env: dict, port: int, config: tuple) -> subprocess.Popen:
    worker_class, workers, threads, _extra = config
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        f"--worker-class={worker_class}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        "--keep-alive=30",
        "--backlog=2048",
        "--log-level=warning",
        f"--pythonpath={pythonpath}",
        "--chdir",
        str(bench.ROOT),
        app,
    ]
    server = subprocess.Popen(command, env=env, cwd=bench.ROOT, start_new_session=True)
    bench.wait_until_up(server, app, port)
    return server


def run_target(target: str, env: dict, bodies: list[bytes], config: tuple) -> list[dict]:
    app, pythonpath, path = bench.TARGETS[target]
    port = bench.free_port()
    server = start(app, pythonpath, env, port, config)
    rows = []
    try:
        warm(port, path, bodies, server.pid)
        for rate in [*RATES, 0.0]:
            bench.RATE = rate  # read by bench.load() for each client's schedule
            row = bench.load(port, path, bodies, server.pid) | {"target": target, "offered": rate}
            rows.append(row)
            label = f"{rate:>5g} req/s offered" if rate else "closed loop     "
            print(
                f"    {target:<9} {label}  {row['rps']:>6.1f} req/s  p50 {row['p50']:>7.1f}  p95 {row['p95']:>7.1f}"
                f"  p99 {row['p99']:>7.1f} ms  errors {row['errors']}  CPU {row['cpu_ms']:.1f} ms/req"
                f" (+ PostgreSQL {row['db_cpu_ms']:.1f}, of it the scheduler's {row['db_scheduler_cpu_ms']:.1f}),"
                f" machine {row['machine_cpu']:.2f} cores",
                flush=True,
            )
            if rate and (not row["p95"] < SLO_P95_MS or row["errors"]):  # NaN: nothing answered in time
                bench.RATE = 0.0  # past the knee: skip the higher steps, go to the closed loop
                row = bench.load(port, path, bodies, server.pid) | {"target": target, "offered": 0.0}
                rows.append(row)
                print(
                    f"    {target:<9} closed loop       {row['rps']:>6.1f} req/s  p95 {row['p95']:>7.1f} ms"
                    f"  errors {row['errors']}",
                    flush=True,
                )
                break
    finally:
        bench.stop_server(server)
    return rows


def warm(port: int, path: str, bodies: list[bytes], pid: int) -> None:
    """Closed-loop bursts, not counted, until every worker has taken its first requests (imports,
    per-process tables, translations: about a second of CPU each) before the first step. Without
    it the first step (20 req/s) paid the warm-up of all the workers: on a loaded machine its p95
    passed the SLO and ended the target's steps at once. One burst was not always enough: on a
    box at load 10 a fresh intake worker took longer than the burst to answer its first request
    (0 answered in 5 s) and the steps measured the warm-up. So bursts repeat (at most
    LOAD_WARM_ROUNDS) until two in a row agree on the server's CPU per request within 30 %."""
    seconds, bench.SECONDS, bench.RATE = bench.SECONDS, WARM_SECONDS, 0.0
    previous = None
    try:
        for _round in range(WARM_ROUNDS):
            row = bench.load(port, path, bodies, pid)
            print(
                f"    warm-up: {row['requests']} requests in {bench.WARMUP + WARM_SECONDS:g} s,"
                f" {row['cpu_ms']:.1f} ms CPU each, not counted",
                flush=True,
            )
            steady = previous is not None and row["requests"] and abs(row["cpu_ms"] - previous) <= 0.3 * previous
            if steady:
                break
            previous = row["cpu_ms"] if row["requests"] else None
    finally:
        bench.SECONDS = seconds


def knee(rows: list[dict]) -> float:
    ok = [r["offered"] for r in rows if r["offered"] and r["p95"] < SLO_P95_MS and not r["errors"]]
    return max(ok, default=0.0)


def triage_left(env: dict) -> int:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from netra.cases.models import TriageResult as T;"
         " print(T.objects.filter(computed_at__isnull=True).count())"],
        env=env, cwd=bench.ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


def skip_triage(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.utils import timezone;"
         "from netra.cases.models import TriageResult as T;"
         "T.objects.filter(computed_at__isnull=True).update(computed_at=timezone.now())"],
        env=env, cwd=bench.ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/load.py runs on PostgreSQL: set DATABASE_URL=postgres://…")
    unknown = [name for name in CHOSEN if name not in CONFIGS] + [m for m in SCHEDULERS if m not in SCHEDULER_MODES]
    if unknown:
        raise SystemExit(f"LOAD_CONFIGS/LOAD_SCHEDULER: unknown {unknown}; known: {[*CONFIGS, *SCHEDULER_MODES]}")
    print(
        f"load steps: rates {RATES} req/s open loop until p95 > {SLO_P95_MS:.0f} ms, then closed loop;"
        f" {bench.CLIENTS} clients; {bench.WARMUP:g} + {bench.SECONDS:g} s per step; configurations {CHOSEN};"
        f" scheduler {SCHEDULERS} (nice {SCHEDULER_NICE}); rate limits {RATE_LIMITS!r};"
        f" {CORES} CPUs, load average {os.getloadavg()[0]:.1f} before",
        flush=True,
    )
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    reuse = "--reuse" in sys.argv
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
            reuse = False
    summary = []
    with tempfile.TemporaryDirectory(prefix="netra-bench-load-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": bench_url,
            "NETRA_VAR_DIR": tmp,
            "NETRA_ENV": "development",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Counted as in production (Redis), never refused: every client posts from 127.0.0.1.
            "NETRA_RATE_LIMITS": RATE_LIMITS,
            # Shared by every worker and the scheduler, as in production: one opening and one sealing
            # turn per interval for all of them (a per-process cache gives each worker its own turns).
            "CACHE_URL": os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/9"),
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-" + "x" * 50,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if reuse:  # a database kept from a run of older code: bring its schema up to this code first
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=bench.ROOT, check=True
            )
        prepared = bench.child("regions" if reuse else "prepare", env)
        bench.DATABASE_NAME, bench.DATABASE_ADMIN_URL = BENCH_DB, admin
        bodies = bench.payloads(prepared["regions"])
        for name in CHOSEN:
            config = CONFIGS[name]
            server_env = env | config[3]
            print(f"\n  {name}: gunicorn {config[0]} {config[1]} x {config[2]}, {config[3]}", flush=True)
            # The baseline leaves nothing to triage: served once, beside the first scheduler mode.
            with scheduler(SCHEDULERS[0], server_env) as _cpu:
                base_rows = run_target("baseline", server_env, bodies, config)
            for mode in SCHEDULERS:
                with scheduler(mode, server_env) as scheduler_cpu:
                    before = os.getloadavg()[0]
                    rows = run_target("intake", server_env, bodies, config)
                    left, used = triage_left(server_env), scheduler_cpu()
                answered = sum(r["rps"] * bench.SECONDS for r in rows)
                print(
                    f"    scheduler {mode}: {used:.1f} s CPU during the intake run ({used / max(answered, 1) * 1000:.1f} ms"
                    f" per report answered in the measured steps), {left} cases left to triage; load average {before:.1f} -> {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                # The next run starts without this one's triage backlog (it would take the CPU of the
                # next run): what was left is counted above, then marked done in this bench database.
                skip_triage(server_env)
                closed = {
                    t: next((r["rps"] for r in rs if not r["offered"]), float("nan"))
                    for t, rs in (("baseline", base_rows), ("intake", rows))
                }
                summary.append((f"{name} ({mode})", knee(base_rows), knee(rows), closed, left))
        counts = bench.child("count", env)
    print(
        f"\nhighest open-loop rate with p95 < {SLO_P95_MS:.0f} ms and no error (of the steps offered), per configuration:"
    )
    print(
        f"  {'configuration (scheduler)':<26} {'baseline':>9} {'intake':>8} {'ratio':>6}   closed loop: baseline  intake  ratio   left to triage at the end"
    )
    for name, base, intake, closed, left in summary:
        ratio = intake / base if base else float("nan")
        closed_ratio = closed["intake"] / closed["baseline"]
        print(
            f"  {name:<26} {base:>9g} {intake:>8g} {ratio:>6.2f}   {closed['baseline']:>20.1f} {closed['intake']:>7.1f}"
            f" {closed_ratio:>6.2f}   {left}"
        )
    print("  goal: ratio >= 0.5 at the SLO and in the closed loop")
    print(f"database afterwards: {json.dumps(counts)}; load average now {os.getloadavg()[0]:.1f}")
    print(f"re-run: DATABASE_URL={url} {sys.executable} bench/load.py --reuse")


if __name__ == "__main__":
    main()
