"""Benchmark: ``POST /api/v1/public/reports`` against a one-INSERT Django view, same server, same run.

For each database, the script builds a throwaway database (SQLite: a temporary file; PostgreSQL:
``netra_bench_intake`` on the server of DATABASE_URL, dropped and recreated, never the database
DATABASE_URL names), migrates it, loads the reference data, then serves, one after the other:

- the baseline: bench/baseline_app.py (Netra's settings and middleware, one view, one INSERT);
- intake: netra.wsgi, the real public API with the production settings for batching: validation,
  the report accepted in one INSERT, its case (case, number, subject, transition, audit event)
  opened after commit in batches by the request that wins each NETRA_CASE_OPEN_INTERVAL turn,
  the audit chain sealed likewise (netra.cases.opening, netra.audit.chain). That work runs inside
  the measured server, so its CPU is in the figures; what the last turn left is counted and
  opened afterwards ("pending_at_stop", "opened_after_ms"), so every report has its case before
  the final counts are compared.

Both by the same gunicorn command (gthread workers on 127.0.0.1, DEBUG off, rate limits off).
CLIENTS HTTP clients (threads in this process) post varied, valid reports for WARMUP
seconds (not counted), then SECONDS measured. Prints requests, errors, req/s, p50/p95/p99 and the
intake/baseline throughput ratio, against the issue-4 goal: ratio >= 0.5 and p95 < 150 ms.
The clients are a closed loop (each posts again as soon as it is answered), so the mean latency is
CLIENTS / throughput: p95 < 150 ms at 50 clients needs roughly 400 req/s or more.

    .venv/bin/python bench/intake.py                                   # SQLite only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/intake.py

Knobs (environment): BENCH_CLIENTS (50), BENCH_WARMUP (5), BENCH_SECONDS (15), BENCH_WORKERS (2),
BENCH_THREADS (4), BENCH_DATABASES (sqlite,postgresql), BENCH_RATE (0: closed loop; else requests per
second offered in all, open loop), BENCH_KEEPALIVE (0: one connection per request), CONN_MAX_AGE (PostgreSQL, settings' default 60), BENCH_SQLITE_CONN_MAX_AGE (60). The clients share the
machine with the server (and PostgreSQL): the "client CPU" column says how much of it they took.
"""

import datetime
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
# A kept-alive connection stays with the worker that accepted it, so 50 of them can split unevenly
# between the workers (a bimodal latency); a reporter's phone sends one report per connection anyway.
KEEPALIVE = os.environ.get("BENCH_KEEPALIVE", "0") == "1"
# Open loop: offer this many requests per second in all (0: closed loop, each client posts again
# as soon as it is answered). The latency of a server that is not saturated, beside the closed
# loop's latency at saturation.
RATE = float(os.environ.get("BENCH_RATE", "0"))
# Persistent connections on SQLite too (settings set them for PostgreSQL only): reconnecting and
# re-running the PRAGMAs on every request doubled the baseline's CPU per request.
SQLITE_CONN_MAX_AGE = int(os.environ.get("BENCH_SQLITE_CONN_MAX_AGE", "60"))
# Which to run (both by default; PostgreSQL only when DATABASE_URL points at a server).
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
BENCH_DB = "netra_bench_intake"
GOAL_RATIO, GOAL_P95_MS = 0.5, 150.0
TARGETS = {
    # label: (WSGI app, --pythonpath, path)
    "baseline": ("baseline_app:application", str(BENCH_DIR), "/baseline"),
    "intake": ("netra.wsgi:application", str(ROOT), "/api/v1/public/reports"),
}


# --- child: Django side of the preparation and the final count ------------------------------
def run_child(mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from netra.audit.models import AuditEvent
    from netra.cases.models import Case, Report, Transition
    from netra.catalog.models import Region

    if mode == "regions":  # an already prepared database (bench/load.py --reuse)
        codes = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
        print(json.dumps({"regions": codes}))
    elif mode == "prepare":
        call_command("migrate", verbosity=0)
        call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
        key = "INTEGER PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_baseline (id {key}, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)")
        # Kabupaten/kota codes: where a report is expected to come from.
        codes = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
        print(json.dumps({"regions": codes}))
    else:
        from netra.cases.opening import open_pending, pending

        # Reports accepted in the last moments wait for the next turn or the scheduler's tick
        # (not running here): open them now, timed, so the counts below must all agree.
        left, began = pending(), time.perf_counter()
        open_pending()
        drained_ms = (time.perf_counter() - began) * 1000
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM bench_baseline")
            (baseline_rows,) = cursor.fetchone()
        print(
            json.dumps(
                {
                    "baseline": baseline_rows,
                    "reports": Report.objects.count(),
                    "cases": Case.objects.count(),
                    "transitions": Transition.objects.count(),
                    "audit_events": AuditEvent.objects.count(),
                    "audit_unsealed": AuditEvent.objects.filter(seq__isnull=True).count(),
                    "pending_at_stop": left,
                    "opened_after_ms": round(drained_ms),
                }
            )
        )


def child(mode: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, f"--{mode}"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench/intake.py --{mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- payloads ---------------------------------------------------------------------------------
WHAT = [
    "Seorang camat hadir dalam deklarasi pasangan calon bupati dan ikut mengacungkan simbol jari nomor urut.",
    "Guru SD negeri membagikan poster calon legislatif di grup WhatsApp wali murid.",
    "Kepala dinas memakai mobil dinas berpelat merah untuk mengantar tim kampanye ke desa.",
    "Lurah memberi sambutan yang mengajak warga memilih calon tertentu pada acara posyandu.",
    "ASN di kantor kecamatan mengunggah foto bersama calon dengan keterangan dukungan di Facebook.",
    "Kepala sekolah mengumpulkan guru honorer dan meminta mereka mendukung petahana.",
]
WHO = [
    ("Budi Santoso", "Camat", "Pemerintah Kecamatan"),
    ("Siti Rahma", "Guru Ahli Pertama", "Dinas Pendidikan"),
    ("Agus Wibowo", "Kepala Dinas", "Dinas Perhubungan"),
    ("", "Lurah", "Kelurahan"),
]


def valid_nip(rng: random.Random) -> str:
    birth = datetime.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = min(birth.year + rng.randint(22, 35), 2023)
    return f"{birth:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{rng.choice('12')}{rng.randint(1, 999):03d}"


def payloads(regions: list[str], count: int = 2000, seed: int = 4) -> list[bytes]:
    """Valid, varied reports: 1-6 sentences, half with a subject (some with a NIP), some links."""
    rng = random.Random(seed)
    today = datetime.datetime.now(datetime.UTC).date()  # the server's check is WIT, a few hours ahead
    bodies = []
    for _ in range(count):
        report = {
            "description": " ".join(rng.choice(WHAT) for _ in range(rng.randint(1, 6))),
            "incident_date": (today - datetime.timedelta(days=rng.randint(1, 300))).isoformat(),
            "region_code": rng.choice(regions),
            "location": rng.choice(["", "Balai desa", "Lapangan kecamatan", "Kantor dinas"]),
        }
        if rng.random() < 0.5:
            name, position, agency = rng.choice(WHO)
            report |= {"subject_name": name, "subject_position": position, "subject_agency": agency}
            if rng.random() < 0.5:
                report["subject_nip"] = valid_nip(rng)
        if rng.random() < 0.4:
            report["links"] = [f"https://www.facebook.com/share/p/{rng.getrandbits(48):x}/"]
        if rng.random() < 0.2:
            report["contact"] = "08123456789"
        bodies.append(json.dumps(report).encode())
    return bodies


# --- server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(app: str, pythonpath: str, env: dict, port: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--worker-class=gthread",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        f"--bind=127.0.0.1:{port}",
        "--keep-alive=30",
        "--backlog=2048",
        "--log-level=warning",
        f"--pythonpath={pythonpath}",
        "--chdir",
        str(ROOT),
        app,
    ]
    # Its own process group: stopping it stops the workers too.
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    wait_until_up(server, app, port)
    return server


def wait_until_up(server: subprocess.Popen, app: str, port: int) -> None:
    deadline = time.monotonic() + 90  # a loaded shared machine can take long to import Django
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn {app} exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()  # any answer: the baseline has no /healthz and says 404
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"gunicorn {app} did not answer within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid``'s process group (gunicorn master and workers)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid:  # fields[2] is the process group id
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# The database the servers use (bench/load.py sets it, and the address to ask it who is connected):
# its backends' CPU is counted per request too, the scheduler's (application_name) apart.
DATABASE_NAME = ""
DATABASE_ADMIN_URL = ""
SCHEDULER_APPLICATION = "netra-scheduler"


def database_cpu(name: str) -> dict[int, tuple[float, bool]]:
    """Per PostgreSQL backend connected to database ``name`` (their process title reads "postgres:
    <user> <database> <client> <state>"): the CPU seconds it has used so far, and whether it is the
    scheduler's; empty without a name. Subtract two readings with ``database_cpu_between``."""
    if not name:
        return {}
    scheduler_pids: set[int] = set()
    if DATABASE_ADMIN_URL:
        import psycopg

        with psycopg.connect(DATABASE_ADMIN_URL, autocommit=True) as conn:
            scheduler_pids = {
                pid
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                    [name, SCHEDULER_APPLICATION],
                )
            }
    found, tick, marker = {}, os.sysconf("SC_CLK_TCK"), f" {name} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        found[pid] = ((int(fields[11]) + int(fields[12])) / tick, pid in scheduler_pids)
    return found


def database_cpu_between(before: dict, after: dict) -> tuple[float, float]:
    """(all, the scheduler's) CPU seconds the backends used between two readings: a backend that
    ended meanwhile is not counted (its last seconds are lost), one that started counts from 0."""
    total = scheduler = 0.0
    for pid, (used, is_scheduler) in after.items():
        delta = used - before.get(pid, (0.0, False))[0]
        total += delta
        scheduler += delta if is_scheduler else 0.0
    return total, scheduler


def machine_cpu() -> float:
    """CPU seconds all processes on the machine have used so far (busy time from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- load -------------------------------------------------------------------------------------
def load(port: int, path: str, bodies: list[bytes], server_pgid: int) -> dict:
    """CLIENTS threads posting back to back (one connection each, or a new one per request)."""
    measuring, stop = threading.Event(), threading.Event()
    results: list[list[tuple[float, int]]] = [[] for _ in range(CLIENTS)]
    failures = [0] * CLIENTS
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def client(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = results[index]
        # Open loop: each client keeps its own schedule; latency counts from the scheduled moment,
        # so a request that had to wait for the previous answer is not counted as fast.
        interval = CLIENTS / RATE if RATE else 0.0
        scheduled = time.perf_counter() + index * interval / CLIENTS
        while not stop.is_set():
            body = bodies[rng.randrange(len(bodies))]
            if RATE:
                if (pause := scheduled - time.perf_counter()) > 0:
                    time.sleep(pause)
                began, scheduled = scheduled, scheduled + interval
            else:
                began = time.perf_counter()
            counted = measuring.is_set()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if not KEEPALIVE:
                    conn.close()  # the next request connects anew and goes to whichever worker accepts
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            if counted and not stop.is_set():
                mine.append((time.perf_counter() - began, status))
            elif not counted and status != 201:
                failures[index] += 1
        conn.close()

    pool = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in pool:
        thread.start()
    time.sleep(WARMUP)
    cpu_client, cpu_server, cpu_all = time.process_time(), process_tree_cpu(server_pgid), machine_cpu()
    database_before = database_cpu(DATABASE_NAME)
    began = time.perf_counter()
    measuring.set()
    time.sleep(SECONDS)
    stop.set()
    elapsed = time.perf_counter() - began
    cpu_client, cpu_server = time.process_time() - cpu_client, process_tree_cpu(server_pgid) - cpu_server
    cpu_all = machine_cpu() - cpu_all
    cpu_database, cpu_database_scheduler = database_cpu_between(database_before, database_cpu(DATABASE_NAME))
    for thread in pool:
        thread.join()
    done = [item for per_client in results for item in per_client]
    latencies = sorted(latency for latency, status in done if status == 201)
    errors = sum(1 for _latency, status in done if status != 201)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000 if latencies else float("nan")

    return {
        "requests": len(done),
        "errors": errors,
        "warmup_errors": sum(failures),
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "client_cpu": cpu_client / elapsed,  # in cores
        "server_cpu": cpu_server / elapsed,
        "cpu_ms": cpu_server / max(len(latencies), 1) * 1000,  # server CPU per answered report
        # its database backends' CPU per answered report, all and the scheduler's part
        "db_cpu_ms": cpu_database / max(len(latencies), 1) * 1000,
        "db_scheduler_cpu_ms": cpu_database_scheduler / max(len(latencies), 1) * 1000,
        "machine_cpu": cpu_all / elapsed,  # everything: server, clients, PostgreSQL, other users
    }


# --- parent -----------------------------------------------------------------------------------
def postgres_bench_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    drop_postgres(admin)
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), admin


def drop_postgres(admin: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def run_backend(label: str, database_url: str, var_dir: str) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "NETRA_VAR_DIR": var_dir,
        "NETRA_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "NETRA_RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "bench-" + "x" * 50,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    prepared = child("prepare", env)
    bodies = payloads(prepared["regions"])
    rows = []
    for target, (app, pythonpath, path) in TARGETS.items():
        port = free_port()
        server = start_server(app, pythonpath, env, port)
        try:
            row = load(port, path, bodies, server.pid)
        finally:
            stop_server(server)
        rows.append({"db": label, "target": target, **row})
        print(
            f"  {label:<11} {target:<9} {row['rps']:>7.0f} req/s  p95 {row['p95']:>6.1f} ms  errors {row['errors']}",
            flush=True,
        )
    counts = child("count", env)
    if counts["reports"] != counts["cases"] or counts["cases"] != counts["transitions"]:
        raise SystemExit(f"{label}: reports, cases and transitions differ: {counts}")
    rows[-1]["counts"] = counts
    return rows


def print_table(rows: list[dict]) -> bool:
    print(
        f"\n{'target':<9} {'DB':<11} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'p99 ms':>7} {'ratio':>6} {'CPU ms/req':>10}  {'server CPU':>10} {'client CPU':>10} {'machine CPU':>11}"
    )
    clean = True
    for row in rows:
        baseline = next(r for r in rows if r["db"] == row["db"] and r["target"] == "baseline")
        ratio = row["rps"] / baseline["rps"]
        print(
            f"{row['target']:<9} {row['db']:<11} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7.0f}"
            f" {row['p50']:>7.1f} {row['p95']:>7.1f} {row['p99']:>7.1f} {ratio:>6.2f} {row['cpu_ms']:>10.2f}"
            f"  {row['server_cpu']:>8.2f} c {row['client_cpu']:>8.2f} c {row['machine_cpu']:>9.2f} c"
        )
        if row["target"] == "intake" and RATE:
            print(
                f"{'':<9} {'':<11} open loop at {RATE:g} req/s offered: p95 {row['p95']:.1f} ms (closed-loop goal not judged)"
            )
        elif row["target"] == "intake":
            met = ratio >= GOAL_RATIO and row["p95"] < GOAL_P95_MS
            print(
                f"{'':<9} {'':<11} goal (ratio >= {GOAL_RATIO}, p95 < {GOAL_P95_MS:.0f} ms): "
                f"{'met' if met else 'NOT met'}; database afterwards: {row['counts']}"
            )
        clean = clean and not row["errors"]
    return clean


def main() -> None:
    for mode in ("prepare", "regions", "count"):
        if f"--{mode}" in sys.argv:
            run_child(mode)
            return
    print(
        f"intake benchmark: {CLIENTS} clients, {WARMUP:g} s warm-up + {SECONDS:g} s measured per target; "
        f"gunicorn gthread {WORKERS} workers x {THREADS} threads; keep-alive {'on' if KEEPALIVE else 'off'}; "
        f"{f'open loop at {RATE:g} req/s' if RATE else 'closed loop'}; "
        f"{os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.1f} before the run"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="netra-bench-intake-") as tmp:
        if "sqlite" in DATABASES:
            rows += run_backend("SQLite", f"sqlite:///{tmp}/bench.sqlite3?conn_max_age={SQLITE_CONN_MAX_AGE}", tmp)
        url = os.environ.get("DATABASE_URL", "")
        if "postgresql" in DATABASES and url.startswith(("postgres://", "postgresql://", "pgsql://")):
            bench_url, admin = postgres_bench_url(url)
            try:
                rows += run_backend("PostgreSQL", bench_url, tmp)
            finally:
                drop_postgres(admin)
    clean = print_table(rows)
    print(
        "\nCPU ms/req: gunicorn CPU time per answered request (PostgreSQL's own CPU not included); it does not"
        "\ndepend on what else runs on the machine, unlike req/s. The other CPU columns are cores busy during the"
        "\nmeasurement: the server, these client threads, and the whole machine (server + clients + PostgreSQL"
        "\n+ anything else running; 2 cores = 2.00 c)."
    )
    if not clean:  # a missed goal is a figure to report; a failed request is a bug
        raise SystemExit("some requests failed: see the errors column")


if __name__ == "__main__":
    main()
