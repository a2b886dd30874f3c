# ruff: noqa: S310, S311, S608 -- local http URLs we build, random client addresses, SQL of values we made
"""The production stack as background processes, for ``make faults`` and ``make scale-check``.

One place for what both need (``scripts/prod_check.sh`` is the shell twin for the smoke test
through nginx and S3): its own PostgreSQL database on the machine's server — or, with
``private_pg=True`` (``make faults``), its own PostgreSQL 15 cluster (``initdb`` into a temporary
directory, a free port, trust authentication, removed in ``down``) that may be stopped and
started without touching anyone else's server —, its own
``redis-server`` on a free port, N gunicorns (``deploy/gunicorn.conf.py``, NETRA_ENV=production)
on free ports, N task workers (``manage.py run_worker``), N webhook deliverers
(``manage.py deliver_webhooks``), one scheduler; a webhook receiver that records the order of
what it gets; an agency with staff (``netra.orgs.demo``), an API token and a webhook subscription;
and the client load (reports through the public API, moves through the agency API, canary tasks),
counted per kind so each caller can print sent / acknowledged / found / lost.
"""

from __future__ import annotations

import http.server
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))
BIN = Path(PY).parent
PG = os.environ.get("STACK_PG", "postgres://postgres@127.0.0.1:5432")
PG_BIN = Path(os.environ.get("STACK_PG_BIN", "/usr/lib/postgresql/15/bin"))
AGENCY = "pemkab-katingan"
REGION = "62.06"
OFFICER = "satgas.katingan"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True)
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, ["psql", sql], done.stdout, done.stderr.strip())
    return done.stdout.strip()


def request(
    url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 30, method: str | None = None
) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, b""  # no answer: connection refused or reset (a killed process)


def get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    return request(url, None, headers, timeout=10)


class Receiver:
    """The agency's webhook endpoint: records (arrival, case id, event id, type) of every POST."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.lock = threading.Lock()
        self.got: list[tuple[int, str, str]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = json.loads(body)
                    item = (int(event["data"]["case"]["id"]), str(event["id"]), str(event["type"]))
                except (ValueError, KeyError, TypeError):
                    item = (0, "", "unreadable")
                with receiver.lock:
                    receiver.got.append(item)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PrivatePostgres:
    """A throw-away PostgreSQL cluster of this stack's own: ``initdb`` into a temporary directory,
    listening on 127.0.0.1 and a free port, trust authentication. As root it runs as the
    ``postgres`` user (initdb refuses root). ``stop``/``start`` are the outage of ``make faults``;
    ``remove`` stops it (immediately) and deletes the directory, whatever state it is in."""

    def __init__(self):
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="netra-pg."))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_user, *argv], capture_output=True, text=True, check=check)

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self, *, keep: bool = False) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class Stack:
    def __init__(
        self,
        work: Path,
        db: str,
        *,
        apps: int = 1,
        workers: int = 1,
        deliverers: int = 1,
        env: dict | None = None,
        private_pg: bool = False,
    ):
        self.work, self.db = work, db
        self.pg = PrivatePostgres() if private_pg else None
        self.server = self.pg.url if self.pg else PG
        self.url = f"{self.server}/{db}"
        self.redis_port = free_port()
        self.app_ports = [free_port() for _ in range(apps)]
        self.bases = [f"http://127.0.0.1:{port}" for port in self.app_ports]
        self.base = self.bases[0]
        self.n_workers, self.n_deliverers = workers, deliverers
        self.procs: dict[str, subprocess.Popen] = {}
        # systemd's Restart=always, RestartSec=2 (deploy/systemd/): the background services that exit
        # are started again 2 s later, unless a fault took one out of this set to kill it itself.
        self.supervised: set[str] = set()
        self.restarts: Counter = Counter()
        self.stopping = False
        self.receiver = Receiver()
        self.token = ""
        self.env = os.environ | {
            "NETRA_ENV": "production",
            "DEBUG": "0",
            "NETRA_DEMO": "0",
            "SECRET_KEY": "stack-" + uuid.uuid4().hex * 2,
            "NETRA_AUDIT_KEY": "audit-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "NETRA_TRUSTED_PROXIES": "127.0.0.1",
            "NETRA_VAR_DIR": str(work / "var"),
            "MEDIA_ROOT": str(work / "var" / "media"),
            "DATABASE_URL": self.url,
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "2"),
            "NETRA_SCHEDULE_MINUTES": "15",
            "SECURE_SSL_REDIRECT": "0",
            "NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS": "0",
            "NETRA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32",  # the receiver, on this machine
            "NETRA_WORKER_HEARTBEAT_SECONDS": "1",
            # 10 s, not less: at load 20 a busy worker's heartbeat thread went 4 s without a beat and
            # the reaper ran its task (the deadline job) a second time on the other worker.
            "NETRA_WORKER_DEAD_SECONDS": "10",
            **(env or {}),
        }
        (work / "var" / "media").mkdir(parents=True, exist_ok=True)

    # --- processes -------------------------------------------------------------------------
    def start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env | (env or {}), stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def manage(self, *args: str, capture: bool = True) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=capture, text=True
        )
        return (done.stdout or "").strip()

    def start_app(self, n: int) -> None:
        port = self.app_ports[n]
        self.start(
            f"app{n + 1}",
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "netra.wsgi"],
            {"GUNICORN_BIND": f"127.0.0.1:{port}"},
        )

    def start_worker(self, n: int) -> None:
        self.start(f"worker{n + 1}", [PY, "manage.py", "run_worker", "--queue-name", "*", "--interval", "0.2"])

    def start_deliverer(self, n: int) -> None:
        self.start(f"webhooks{n + 1}", [PY, "manage.py", "deliver_webhooks", "--idle", "0.3"])

    def start_scheduler(self) -> None:
        self.start("scheduler", [PY, "manage.py", "scheduler"])

    def start_redis(self) -> None:
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )

    def up(self) -> None:
        self.start_redis()
        if self.pg:
            self.pg.init()
            self.pg.start()
        psql(f"{self.server}/postgres", f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)")
        psql(f"{self.server}/postgres", f"CREATE DATABASE {self.db}")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_reference")
        self.link_static()
        # The agency, its staff (the demo accounts: nobody can sign in without enrolling 2FA), a token.
        self.manage("shell", "-c", "from netra.orgs.demo import create_demo_orgs; create_demo_orgs()")
        self.token = self.manage("create_api_token", "--agency", AGENCY, "--role", "satgas_lead").splitlines()[-1]
        for n in range(len(self.app_ports)):
            self.start_app(n)
        self.start_scheduler()
        for n in range(self.n_workers):
            self.start_worker(n)
        for n in range(self.n_deliverers):
            self.start_deliverer(n)
        self.supervised = {"scheduler", *(f"worker{n + 1}" for n in range(self.n_workers))}
        self.supervised |= {f"webhooks{n + 1}" for n in range(self.n_deliverers)}
        threading.Thread(target=self.watch, daemon=True).start()
        for base in self.bases:
            for _ in range(300):
                if get(f"{base}/healthz")[0] == 200:
                    break
                time.sleep(0.2)
            else:
                raise SystemExit(f"gunicorn {base} did not answer /healthz")
        status, body = request(
            f"{self.base}/api/v1/webhooks",
            {"url": self.receiver.url, "events": ["case.created", "case.transitioned"]},
            self.bearer(),
        )
        if status != 201:
            raise SystemExit(f"webhook subscription refused: {status} {body[:300]!r}")
        # Every process learns of the first subscription within outbox.NOBODY_LISTENS_SECONDS.
        time.sleep(5.5)

    def watch(self) -> None:
        while not self.stopping:
            for name in sorted(self.supervised):
                proc = self.procs.get(name)
                if proc is None or proc.poll() is None:
                    continue
                time.sleep(2)  # RestartSec
                if self.stopping or name not in self.supervised:
                    continue
                self.restarts[name] += 1
                if name == "scheduler":
                    self.start_scheduler()
                elif name.startswith("worker"):
                    self.start_worker(int(name.removeprefix("worker")) - 1)
                else:
                    self.start_deliverer(int(name.removeprefix("webhooks")) - 1)
            time.sleep(0.2)

    def link_static(self) -> None:
        """The same collectstatic cache as prod-check (it takes minutes on a loaded machine)."""
        cache = ROOT / "var" / "prod-check-static"
        cache.mkdir(parents=True, exist_ok=True)
        static = self.work / "var" / "static"
        if static.is_dir() and not static.is_symlink():
            shutil.rmtree(static)
        if not static.exists():
            static.symlink_to(cache)
        manifest = cache / "staticfiles.json"
        sources = [p for p in (ROOT / "netra").rglob("static/**/*") if p.is_file()]
        if not manifest.exists() or any(p.stat().st_mtime > manifest.stat().st_mtime for p in sources):
            self.manage("collectstatic", "--noinput", "--clear", "-v0")

    def down(self, *, drop: bool = True) -> None:
        self.stopping = True
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.receiver.stop()
        if self.pg:
            self.pg.remove(keep=not drop)
        elif drop:
            subprocess.run(
                ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)"],
                capture_output=True,
            )

    def children(self, name: str) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.procs[name].pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def bearer(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def sql(self, query: str) -> str:
        return psql(self.url, query)

    def rows(self, query: str) -> list[list[str]]:
        out = self.sql(query)
        return [line.split("|") for line in out.splitlines() if line]

    def enqueue_canaries(self, keys: list[str], seconds: float) -> None:
        code = (
            "import json,sys; from netra.ops.tasks import canary\n"
            f"for key in json.loads({json.dumps(json.dumps(keys))}): canary.enqueue(key, {seconds})"
        )
        self.manage("shell", "-c", code)

    def verify_audit(self) -> tuple[bool, str]:
        done = subprocess.run([PY, "manage.py", "verify_audit"], cwd=ROOT, env=self.env, capture_output=True, text=True)
        return done.returncode == 0, (done.stdout + done.stderr).strip()


def report_body(n: int) -> dict:
    return {
        "description": f"Laporan uji tumpukan nomor {n}: ASN hadir di kampanye memakai seragam dinas.",
        "incident_date": time.strftime("%Y-%m-%d"),
        "region_code": REGION,
    }


class Load:
    """Client threads: reports through the public API and moves through the agency API.

    Every request goes to one of the stack's apps in turn. A connection error or 503 is retried
    once after a second with the same Idempotency-Key (what the API contract tells clients to do);
    a move retried so is counted acknowledged only when an answer says 200.
    """

    MOVES = ("checking", "verification")

    def __init__(self, stack: Stack, *, reporters: int = 4, movers: int = 2, pause: float = 0.05):
        self.stack = stack
        self.reporters, self.movers, self.pause = reporters, movers, pause
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = Counter()
        self.acked_reports: list[str] = []
        self.acked_moves: list[tuple[int, str]] = []
        self.answers: Counter = Counter()
        self.cases: list[int] = []
        self.seen_cases: set[int] = set()
        self.turn = 0
        self.threads: list[threading.Thread] = []
        self.officer = stack.sql(f"SELECT id FROM orgs_user WHERE username = '{OFFICER}'")
        # Only the cases of this load are moved and counted (a later phase starts after them).
        self.first_case = int(stack.sql("SELECT coalesce(max(id), 0) FROM cases_case") or 0)
        self.fed: set[int] = set()
        self.drained_after: float | str = "-"  # seconds counts() waited for the backlog

    def base(self) -> str:
        with self.lock:
            self.turn += 1
            return self.stack.bases[self.turn % len(self.stack.bases)]

    def _send(self, kind: str, path: str, body: dict, headers: dict) -> tuple[int, bytes]:
        status, answer = request(self.base() + path, body, headers)
        with self.lock:
            self.sent[kind] += 1
            self.answers[f"{kind} {status}"] += 1
        if status in (0, 503):
            time.sleep(1.0)
            status, answer = request(self.base() + path, body, headers)
            with self.lock:
                self.answers[f"{kind} retry {status}"] += 1
        return status, answer

    def report(self, n: int) -> None:
        headers = {
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Forwarded-For": f"10.{n % 250}.{random.randint(0, 250)}.{random.randint(1, 250)}",
        }
        status, answer = self._send("report", "/api/v1/public/reports", report_body(n), headers)
        if status == 201:
            with self.lock:
                self.acked_reports.append(json.loads(answer)["receipt_code"])

    def move(self, case_id: int, action: str) -> None:
        status, _answer = self._send(
            "move", f"/api/v1/cases/{case_id}/transitions", {"action": action}, self.stack.bearer()
        )
        if status == 200:
            with self.lock:
                self.acked_moves.append((case_id, action))

    def feed(self) -> None:
        """New cases of this load: assigned to the officer (so each move notifies one person), moved."""
        last = self.first_case
        while not self.stop.is_set():
            try:
                ids = [
                    int(x) for x in self.stack.sql(f"SELECT id FROM cases_case WHERE id > {last} ORDER BY id").split()
                ]
            except subprocess.CalledProcessError:
                ids = []  # the database is away (a fault): try again
            if ids:
                last = ids[-1]
                try:
                    self.stack.sql(
                        f"UPDATE cases_case SET assigned_to_id = {self.officer} WHERE id IN ({','.join(map(str, ids))})"
                    )
                except subprocess.CalledProcessError:
                    last = ids[0] - 1
                    continue
                with self.lock:
                    self.cases.extend(ids)
                    self.fed.update(ids)
            time.sleep(0.3)

    def run(self) -> None:
        counter = iter(range(10**9))

        def reporter():
            while not self.stop.is_set():
                self.report(next(counter))
                time.sleep(self.pause)

        def mover():
            while not self.stop.is_set():
                with self.lock:
                    case_id = self.cases.pop(0) if self.cases else None
                if case_id is None:
                    time.sleep(0.1)
                    continue
                for action in self.MOVES:
                    self.move(case_id, action)

        self.threads = [threading.Thread(target=reporter, daemon=True) for _ in range(self.reporters)]
        self.threads += [threading.Thread(target=mover, daemon=True) for _ in range(self.movers)]
        self.threads.append(threading.Thread(target=self.feed, daemon=True))
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    # --- counting ----------------------------------------------------------------------------
    def counts(self, canaries: list[str] | None = None, *, wait: float = 45.0) -> dict[str, dict]:
        """sent / acknowledged / found / lost (and duplicated) per kind, once everything drained."""
        stack = self.stack
        codes = ",".join(f"'{c}'" for c in self.acked_reports) or "''"
        moved = defaultdict(set)
        for case_id, action in self.acked_moves:
            moved[case_id].add(action)
        started = time.monotonic()
        deadline = started + wait
        pending = 0
        while True:
            opened = int(stack.sql(f"SELECT count(case_id) FROM cases_report WHERE receipt_code IN ({codes})") or 0)
            pending = int(stack.sql("SELECT count(*) FROM sharing_webhookdelivery WHERE status = 'pending'") or 0)
            tasks = int(
                stack.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY','RUNNING')")
                or 0
            )
            if opened == len(self.acked_reports) and not pending and not tasks:
                self.drained_after = round(time.monotonic() - started, 1)
                break
            if time.monotonic() > deadline:
                self.drained_after = f"not within {wait:.0f}"
                break
            time.sleep(0.5)
        time.sleep(1.5)  # the scheduler seals every second
        out: dict[str, dict] = {}
        found = int(stack.sql(f"SELECT count(*) FROM cases_report WHERE receipt_code IN ({codes})") or 0)
        out["reports"] = {
            "sent": self.sent["report"],
            "acknowledged": len(self.acked_reports),
            "found": found,
            "lost": len(self.acked_reports) - found,
            "unopened": len(self.acked_reports) - opened,
        }
        mine = f"> {self.first_case}"
        rows = stack.rows(
            "SELECT case_id, to_state, count(*) FROM cases_transition "
            f"WHERE from_state <> '' AND case_id {mine} GROUP BY case_id, to_state"
        )
        transitions = {(int(c), s): int(n) for c, s, n in rows}
        acked = [(c, a) for c, actions in moved.items() for a in actions]
        out["moves"] = {
            "sent": self.sent["move"],
            "acknowledged": len(acked),
            "found": sum(1 for key in acked if transitions.get(key)),
            "lost": sum(1 for key in acked if not transitions.get(key)),
            "duplicated": sum(n - 1 for n in transitions.values() if n > 1),
        }
        rows = stack.rows(
            "SELECT object_id, kind, count(*) FROM notify_notification WHERE kind LIKE 'case.%' "
            f"AND user_id = {self.officer} AND object_id ~ '^[0-9]+$' AND object_id::bigint {mine} "
            "GROUP BY object_id, kind"
        )
        notes = {(int(c), k.removeprefix("case.")): int(n) for c, k, n in rows}
        # Expected: one notification to the assigned officer per move found (every move notifies).
        expected = [key for key in transitions if key[1] in self.MOVES]
        out["notifications"] = {
            "sent": "-",
            "acknowledged": len(expected),
            "found": sum(1 for key in expected if notes.get(key)),
            "lost": sum(1 for key in expected if not notes.get(key)),
            "duplicated": sum(n - 1 for n in notes.values() if n > 1),
        }
        events = stack.rows(f"SELECT event_id, case_id, id FROM sharing_webhookevent WHERE case_id {mine}")
        by_event = {e: (int(c), int(i)) for e, c, i in events}
        got = list(stack.receiver.got)
        per_case: dict[int, list[int]] = defaultdict(list)
        got = [item for item in got if item[0] > self.first_case]
        received = Counter(e for _c, e, _t in got)
        for case_id, event_id, _type in got:
            if event_id in by_event:
                per_case[case_id].append(by_event[event_id][1])
        out["webhooks"] = {
            "sent": "-",
            "acknowledged": len(by_event),
            "found": sum(1 for e in by_event if received[e]),
            "lost": sum(1 for e in by_event if not received[e]),
            "duplicated": sum(n - 1 for n in received.values() if n > 1),
            "out of order (cases)": sum(1 for ids in per_case.values() if ids != sorted(ids)),
            # Of the lost: stored and still waiting for delivery when the wait ended (the
            # deliverer behind or stuck), not gone; still counted lost, the goal is delivered.
            "pending at end": int(
                stack.sql(f"SELECT count(*) FROM sharing_webhookdelivery WHERE status = 'pending' AND case_id {mine}")
                or 0
            ),
        }
        if canaries is not None:
            keys = ",".join(f"'{k}'" for k in canaries) or "''"
            rows = stack.rows(f"SELECT key, count(*) FROM ops_canaryrun WHERE key IN ({keys}) GROUP BY key")
            runs = {k: int(n) for k, n in rows}
            mine_tasks = f"task_path = 'netra.ops.tasks.canary' AND args_kwargs->'args'->>0 IN ({keys})"
            retried = int(
                stack.sql(
                    f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {mine_tasks} "
                    "AND jsonb_array_length(worker_ids) > 1"
                )
                or 0
            )
            failed = int(
                stack.sql(
                    f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {mine_tasks} AND status = 'FAILED'"
                )
                or 0
            )
            out["tasks"] = {
                "sent": len(canaries),
                "acknowledged": len(canaries),
                "found": sum(1 for k in canaries if runs.get(k)),
                "lost": sum(1 for k in canaries if not runs.get(k)),
                "duplicated": sum(n - 1 for n in runs.values() if n > 1),
                "retried": retried,
                "failed": failed,
            }
        return out


COLUMNS = ("sent", "acknowledged", "found", "lost", "duplicated")


def table(title: str, counts: dict[str, dict]) -> str:
    extra = sorted({k for row in counts.values() for k in row} - set(COLUMNS))
    head = ["kind", *COLUMNS, *extra]
    lines = [[kind, *(str(row.get(c, "")) for c in head[1:])] for kind, row in counts.items()]
    widths = [max(len(x) for x in col) for col in zip(head, *lines, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    return "\n".join([f"--- {title}", fmt.format(*head), *(fmt.format(*line) for line in lines)])


def losses(counts: dict[str, dict]) -> int:
    """Anything lost, duplicated where exactly once is promised, or out of order."""
    bad = 0
    for kind, row in counts.items():
        bad += int(row.get("lost") or 0) + int(row.get("unopened") or 0) + int(row.get("out of order (cases)") or 0)
        if kind in ("reports", "moves", "notifications", "tasks"):
            bad += int(row.get("duplicated") or 0)
    return bad
