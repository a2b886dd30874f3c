"""Durability of intake (issue 4): a report answered with a receipt survives ``kill -9`` of the server.

A real gunicorn serves Netra on a free port with its own database: a temporary SQLite file, or,
when the suite runs on PostgreSQL, a database of its own on the same server (created and dropped
here; never the suite's test database). 200 reports are posted by 50 concurrent clients; once a
few dozen have been answered 201 the whole server (master and workers) gets SIGKILL while the
rest are in flight. After a restart on the same database, every receipt code that was answered
exists, each one opens with its access key, and no case is left half-written (every case has its
report and its ``received`` transition). Cases are opened in batches after commit, as in
production (``NETRA_CASE_OPEN_INTERVAL=1``): reports the kill left unopened are opened by the
scheduler's next tick, each exactly once.

The check reads the database with its own driver connection (sqlite3 / psycopg): the server is
another process, so no Django test database or fixture is involved.
"""

import contextlib
import datetime
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
REPORTS = 200
CLIENTS = 50
KILL_AFTER = 60  # answered reports before the kill: about a third of the way through


class Database:
    """The server's own database, seen through a plain driver connection."""

    def __init__(self, tmp_path: Path):
        engine = settings.DATABASES["default"]["ENGINE"]
        self.vendor = "postgresql" if engine.endswith("postgresql") else "sqlite"
        if self.vendor == "sqlite":
            self.path = tmp_path / "crash.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        config = settings.DATABASES["default"]
        self.name = f"test_netra_crash_{os.getpid()}"
        self.params = {
            "host": config.get("HOST") or "127.0.0.1",
            "port": config.get("PORT") or 5432,
            "user": config.get("USER") or "postgres",
            "password": config.get("PASSWORD") or None,
        }
        credentials = self.params["user"] + (f":{self.params['password']}" if self.params["password"] else "")
        self.url = f"postgres://{credentials}@{self.params['host']}:{self.params['port']}/{self.name}"
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {self.name}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
            conn.execute(sql)

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.params) as conn:
            return conn.execute(sql, params).fetchall()

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class Server:
    """gunicorn serving netra.wsgi in its own process group, so SIGKILL takes the workers too."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process, self.port = env, log, None, 0

    def start(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "--worker-class=gthread",
            "--workers=2",
            "--threads=4",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
            "netra.wsgi:application",
        ]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited early:\n{self.log.read_text()[-3000:]}"
            try:
                if request(self.port, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn not ready within 30 s:\n{self.log.read_text()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method,
            path,
            json.dumps(body).encode() if body is not None else None,
            {"Content-Type": "application/json", **(headers or {})},
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def manage(env: dict, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def report(number: int, region_code: str) -> dict:
    return {
        "description": f"Laporan uji ketahanan nomor {number}: camat hadir di deklarasi pasangan calon.",
        "incident_date": (datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1 + number)).isoformat(),
        "region_code": region_code,
        "subject_position": "Camat",
    }


@pytest.fixture
def crash_site(tmp_path):
    database = Database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "NETRA_VAR_DIR": str(tmp_path),
        "NETRA_ENV": "test",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "NETRA_RATE_LIMITS": "off",
        "SECRET_KEY": "crash-test-" + "k" * 40,
        "LOG_LEVEL": "WARNING",
        "NETRA_CASE_OPEN_INTERVAL": "1",  # batches, as in production (the suite opens at once)
    }
    server = Server(env, tmp_path / "gunicorn.log")
    try:
        manage(env, "migrate", "--noinput", "--verbosity=0")
        manage(env, "load_reference")
        yield database, server
    finally:
        server.kill()
        database.drop()


def submit_until_killed(server: Server, regions: list[str]) -> tuple[dict[str, str], list[int]]:
    """Post REPORTS reports from CLIENTS threads; SIGKILL the server mid-way.

    → ({receipt code: access key} of the 201 answers, statuses of any other answers).
    """
    answered: dict[str, str] = {}
    other_answers: list[int] = []
    lock, enough = threading.Lock(), threading.Event()
    port = server.port

    def submit(number: int) -> None:
        try:
            status, body = request(
                port, "POST", "/api/v1/public/reports", report(number, regions[number % len(regions)])
            )
        except (OSError, http.client.HTTPException):
            return  # cut off by the kill: not answered, so nothing was promised
        if status != 201:
            other_answers.append(status)
        else:
            receipt = json.loads(body)
            with lock:
                answered[receipt["receipt_code"]] = receipt["access_key"]
                if len(answered) >= KILL_AFTER:
                    enough.set()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(submit, number) for number in range(REPORTS)]
        enough.wait(timeout=60)
        server.kill(signal.SIGKILL)
        for future in futures:
            future.result()
    with lock:
        return dict(answered), other_answers


def test_every_report_answered_201_survives_kill_9_of_the_server(crash_site):
    database, server = crash_site
    regions = [code for (code,) in database.query("SELECT code FROM catalog_region WHERE parent_id IS NOT NULL")]
    server.start()

    answered, other_answers = submit_until_killed(server, regions)

    assert other_answers == [], "every report the server answered before the kill must have been accepted"
    assert KILL_AFTER <= len(answered) < REPORTS, "the kill did not land in the middle of the submissions"
    server.start()  # same database, after the crash
    codes = list(answered)
    placeholders = ", ".join(["%s"] * len(codes))
    stored = database.query(f"SELECT receipt_code FROM cases_report WHERE receipt_code IN ({placeholders})", codes)  # noqa: S608
    assert {code for (code,) in stored} == set(answered)
    for code, key in answered.items():
        status, _body = request(server.port, "GET", f"/api/v1/public/reports/{code}", headers={"X-Access-Key": key})
        assert status == 200, code
    manage(server.env, "scheduler", "--once")  # what the scheduler does every second
    assert database.query("SELECT COUNT(*) FROM cases_report WHERE case_id IS NULL") == [(0,)]
    assert database.query("SELECT COUNT(*) FROM cases_case") == database.query("SELECT COUNT(*) FROM cases_report")
    half_written = database.query(
        "SELECT COUNT(*) FROM cases_case c WHERE NOT EXISTS (SELECT 1 FROM cases_report r WHERE r.case_id = c.id)"
        " OR NOT EXISTS (SELECT 1 FROM cases_transition t WHERE t.case_id = c.id AND t.to_state = 'received')"
    )
    assert half_written == [(0,)]
