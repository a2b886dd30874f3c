# ruff: noqa: S310, S311, S608 -- local http URLs we build, random client addresses, receipt codes we received
"""`make faults`: kill and cut parts of the production stack under load, then count what was lost.

Stack (on this machine): its own PostgreSQL database on the shared server, its own redis-server
on a free port, gunicorn (deploy/gunicorn.conf.py, NETRA_ENV=production) and the scheduler (which
opens the cases of accepted reports and seals the audit log). Load: open-loop-ish client threads
posting reports to the public API, each with an Idempotency-Key and retried once with the same key
after a connection error or a 503 (what the API contract tells clients to do).

Faults:
1. kill -9 of one gunicorn worker under load (the master forks a new one);
2. kill -9 of the scheduler under load, restarted 2 s later;
4. this stack's Redis killed under load (intake must still accept; rate limits fail open and the
   app log says so);
3. PostgreSQL stopped for ~3 s under load (pg_ctlcluster 15 main stop/start — the machine's shared
   server: the outage is kept short and the server is started again in a ``finally`` no matter
   what). Probes record what the public page, the API and /readyz answer during the outage and
   how long after the server is back they answer normally again.

Figures: sent, acknowledged (201), found afterwards (rows in the database, each with its case),
lost (acknowledged but not found; goal 0); 5xx other than 503 (goal 0); the audit chain verified.
Exit status 1 when anything was lost or the chain is broken.
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))
BIN = Path(PY).parent
PG = os.environ.get("FAULTS_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("FAULTS_DB", "netra_faults")
PG_CLUSTER = os.environ.get("FAULTS_PG_CLUSTER", "15 main").split()
CLIENTS = int(os.environ.get("FAULTS_CLIENTS", "4"))
PHASE_SECONDS = float(os.environ.get("FAULTS_PHASE_SECONDS", "8"))
OUTAGE_SECONDS = float(os.environ.get("FAULTS_OUTAGE_SECONDS", "3"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


class Stack:
    def __init__(self, work: Path):
        self.work = work
        self.redis_port, self.app_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.app_port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = os.environ | {
            "NETRA_ENV": "production",
            "DEBUG": "0",
            "NETRA_DEMO": "0",
            "SECRET_KEY": "faults-" + uuid.uuid4().hex * 2,
            "NETRA_AUDIT_KEY": "audit-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "NETRA_TRUSTED_PROXIES": "127.0.0.1",
            "NETRA_VAR_DIR": str(work / "var"),
            "MEDIA_ROOT": str(work / "var" / "media"),
            "DATABASE_URL": f"{PG}/{DB}",
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "GUNICORN_BIND": f"127.0.0.1:{self.app_port}",
            "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "3"),
            "NETRA_SCHEDULE_MINUTES": "15",
            "SECURE_SSL_REDIRECT": "0",
        }
        (work / "var" / "media").mkdir(parents=True)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def up(self) -> None:
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        psql(f"{PG}/postgres", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        psql(f"{PG}/postgres", f"CREATE DATABASE {DB}")
        manage = [PY, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        subprocess.run([*manage, "load_reference"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        # Static files: the same cache as prod-check (collectstatic takes minutes on a loaded machine).
        cache = ROOT / "var" / "prod-check-static"
        cache.mkdir(parents=True, exist_ok=True)
        static = self.work / "var" / "static"
        if static.is_dir() and not static.is_symlink():
            shutil.rmtree(static)  # made empty by the settings at start-up
        static.symlink_to(cache)
        manifest = cache / "staticfiles.json"
        sources = [p for p in (ROOT / "netra").rglob("static/**/*") if p.is_file()]
        if not manifest.exists() or any(p.stat().st_mtime > manifest.stat().st_mtime for p in sources):
            subprocess.run(
                [*manage, "collectstatic", "--noinput", "--clear", "-v0"], cwd=ROOT, env=self.env, check=True
            )
        self.start("gunicorn", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "netra.wsgi"])
        self.start("scheduler", [*manage, "scheduler"])
        for _ in range(300):
            if get(f"{self.base}/healthz")[0] == 200:
                return
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz")

    def down(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"], capture_output=True
        )

    def gunicorn_workers(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.procs["gunicorn"].pid)], capture_output=True, text=True
        ).stdout.split()
        return [int(pid) for pid in out]


def request(url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 30) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, b""  # no answer: connection refused or reset (a killed worker)


def get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    return request(url, None, headers, timeout=10)


def report_body(n: int) -> dict:
    return {
        "description": f"Laporan uji gangguan nomor {n}: ASN hadir di kampanye memakai seragam dinas.",
        "incident_date": time.strftime("%Y-%m-%d"),
        "region_code": "62.06",
    }


class Load:
    """Client threads posting reports; a connection error or 503 is retried once with the same key."""

    def __init__(self, base: str):
        self.base = base
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.acked: list[str] = []
        self.codes: Counter = Counter()
        self.retried = 0

    def one(self, n: int) -> None:
        key = str(uuid.uuid4())
        headers = {
            "Idempotency-Key": key,
            "X-Forwarded-For": f"10.{n % 250}.{random.randint(0, 250)}.{random.randint(1, 250)}",
        }
        url = f"{self.base}/api/v1/public/reports"
        status, body = request(url, report_body(n), headers)
        with self.lock:
            self.sent += 1
            self.codes[status] += 1
        if status in (0, 503):
            time.sleep(1.0)
            status, body = request(url, report_body(n), headers)
            with self.lock:
                self.retried += 1
                self.codes[f"retry {status}"] += 1
        if status == 201:
            with self.lock:
                self.acked.append(json.loads(body)["receipt_code"])

    def run(self, clients: int) -> list[threading.Thread]:
        counter = iter(range(10**9))

        def loop():
            while not self.stop.is_set():
                self.one(next(counter))
                time.sleep(0.05)

        threads = [threading.Thread(target=loop, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        return threads


def phase(stack: Stack, name: str, fault) -> dict:
    load = Load(stack.base)
    threads = load.run(CLIENTS)
    time.sleep(PHASE_SECONDS / 2)
    extra = fault() or {}
    time.sleep(PHASE_SECONDS / 2)
    load.stop.set()
    for thread in threads:
        thread.join(60)
    # Found afterwards: the acknowledged receipts in the database, each with its case opened.
    deadline = time.monotonic() + 30
    codes = load.acked
    found = opened = 0
    while time.monotonic() < deadline:
        in_list = ",".join(f"'{c}'" for c in codes) or "''"
        row = psql(
            f"{PG}/{DB}",
            f"SELECT count(*), count(case_id) FROM cases_report WHERE receipt_code IN ({in_list})",
        ).split("|")
        found, opened = int(row[0]), int(row[1])
        if opened == len(codes):
            break
        time.sleep(0.5)
    server_errors = sum(n for code, n in load.codes.items() if str(code).split()[-1] in {"500", "502", "504"})
    result = {
        "fault": name,
        "sent": load.sent,
        "acknowledged": len(codes),
        "found": found,
        "cases opened": opened,
        "lost": len(codes) - found,
        "unopened": len(codes) - opened,
        "5xx other than 503": server_errors,
        "answers": dict(sorted((str(k), v) for k, v in load.codes.items())),
        **extra,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def kill_app_worker(stack: Stack):
    def fault():
        workers = stack.gunicorn_workers()
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        return {"killed": f"gunicorn worker {victim} of {len(workers)}"}

    return fault


def kill_scheduler(stack: Stack):
    def fault():
        proc = stack.procs["scheduler"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(2)
        stack.start("scheduler", [PY, "manage.py", "scheduler"])
        return {"killed": f"scheduler {proc.pid}, restarted after 2 s"}

    return fault


def stop_postgres(stack: Stack):
    def probe(url: str, method: str = "GET") -> tuple[int, str]:
        if method == "POST":
            status, body = request(url, {"receipt_code": "x"}, {"X-Forwarded-For": "10.9.9.9"}, timeout=5)
        else:
            status, body = get(url, {"X-Forwarded-For": "10.9.9.9"})
        return status, body.decode(errors="replace")

    # The public status form reads the database: take its CSRF cookie and token while all is well.
    with urllib.request.urlopen(f"{stack.base}/status/", timeout=10) as answer:
        cookie = answer.headers.get("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read().decode()).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28}
    )

    def page() -> tuple[int, str]:
        req = urllib.request.Request(
            f"{stack.base}/status/",
            data=form.encode(),
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": "10.9.9.8",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=5) as answer:
                return answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")
        except OSError:
            return 0, ""

    def fault():
        seen: dict = {}
        started = None
        try:
            subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "stop", "-m", "fast"], check=True)
            stopped = time.monotonic()
            while time.monotonic() - stopped < OUTAGE_SECONDS:
                status, body = probe(f"{stack.base}/readyz")
                seen.setdefault("readyz", Counter())[status] += 1
                status, body = probe(f"{stack.base}/api/v1/public/reports/NTR-ABCD-EFGH")
                code = json.loads(body).get("error", {}).get("code") if body.startswith("{") else "-"
                seen.setdefault("api", Counter())[f"{status} {code}"] += 1
                # A public page that reads the database (the status form, posted).
                page_status, html = page()
                friendly = "Layanan sedang tidak tersedia" in html
                seen.setdefault("page", Counter())[f"{page_status} {'friendly' if friendly else 'other'}"] += 1
                time.sleep(0.2)
        finally:
            subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "start"], check=False)
            started = time.monotonic()
        recovered = {}
        while len(recovered) < 3 and time.monotonic() - started < 30:
            if "readyz" not in recovered and get(f"{stack.base}/readyz")[0] == 200:
                recovered["readyz"] = round(time.monotonic() - started, 2)
            if "api" not in recovered and get(f"{stack.base}/api/v1/public/reports/NTR-ABCD-EFGH")[0] == 404:
                recovered["api"] = round(time.monotonic() - started, 2)
            if "page" not in recovered and page()[0] == 404:
                recovered["page"] = round(time.monotonic() - started, 2)
            time.sleep(0.1)
        return {
            "during outage": {k: dict(v) for k, v in seen.items()},
            "recovered (s after start)": recovered,
        }

    return fault


def stop_redis(stack: Stack):
    def fault():
        proc = stack.procs["redis"]
        proc.kill()
        proc.wait()
        return {"stopped": f"redis-server :{stack.redis_port} (this stack's own, not the machine's)"}

    return fault


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="netra-faults."))
    stack = Stack(work)
    results = []
    status = 0
    t0 = time.monotonic()
    try:
        stack.up()
        print(
            f"stack up after {time.monotonic() - t0:.0f} s: gunicorn {stack.base}, redis :{stack.redis_port}",
            flush=True,
        )
        results.append(phase(stack, "kill -9 gunicorn worker", kill_app_worker(stack)))
        results.append(phase(stack, "kill -9 scheduler", kill_scheduler(stack)))
        results.append(phase(stack, "PostgreSQL stopped", stop_postgres(stack)))
        results.append(phase(stack, "Redis stopped", stop_redis(stack)))
        log = (work / "gunicorn.log").read_text(errors="replace")
        print(f"fail-open warnings in the app log while Redis was down: {log.count('(fail open)')}")
        verify = subprocess.run(
            [PY, "manage.py", "verify_audit"], cwd=ROOT, env=stack.env, capture_output=True, text=True
        )
        print(f"verify_audit: {'ok' if verify.returncode == 0 else 'FAILED'} {verify.stdout.strip()[-200:]}")
        if verify.returncode != 0 or any(r["lost"] or r["unopened"] or r["5xx other than 503"] for r in results):
            status = 1
    finally:
        # Whatever happened above: the shared PostgreSQL runs again before we leave.
        subprocess.run(["pg_ctlcluster", *PG_CLUSTER, "start"], check=False, capture_output=True)
        stack.down()
    print(f"faults: {'passed' if status == 0 else 'FAILED'} in {time.monotonic() - t0:.0f} s (logs in {work})")
    return status


if __name__ == "__main__":
    sys.exit(main())
