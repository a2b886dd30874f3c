"""A task worker outlives a database outage (issue #14, item 3; ``make faults``).

Before: django-tasks-db's loop raised on the first connection error and ``run_worker`` exited,
so only systemd's restart brought the workers back after PostgreSQL did (``make faults``, session
7: both task workers restarted in the PostgreSQL phase). Real parts only: the real ``run_worker``
command, a real PostgreSQL whose connections are terminated by the server
(``pg_terminate_backend``, what a restart does to them) and which then refuses new ones (a
closed port) until it "comes back".
"""

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from netra.audit.models import AuditEvent
from netra.ops.models import CanaryRun, WorkerHeartbeat
from netra.ops.tasks import canary

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("NETRA_TEST_POSTGRES"), reason="a server to lose: set NETRA_TEST_POSTGRES=1"),
]


@pytest.fixture(autouse=True)
def _timeouts(settings):
    settings.NETRA_WORKER_HEARTBEAT_SECONDS = 0.5
    settings.NETRA_WORKER_DEAD_SECONDS = 10


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


class Outage(threading.Thread):
    """Once the task is RUNNING: cut every other connection to the database and refuse new ones
    for ``seconds``, then let the server "come back" (the port it really listens on)."""

    def __init__(self, task_id: str, seconds: float):
        super().__init__(daemon=True)
        self.task_id, self.seconds = task_id, seconds
        self.real_port = connection.settings_dict["PORT"]
        self.cut_at = self.back_at = 0.0

    def run(self) -> None:
        try:
            deadline = time.monotonic() + 60
            while DBTaskResult.objects.get(pk=self.task_id).status != TaskResultStatus.RUNNING:
                assert time.monotonic() < deadline, "the worker never claimed the task"
                time.sleep(0.02)
            with connection.cursor() as cursor:
                connection.settings_dict["PORT"] = str(closed_port())  # new connections are refused
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchone()[0] >= 1  # the worker's own connection at least
            self.cut_at = time.monotonic()
            time.sleep(self.seconds)
        finally:
            connection.settings_dict["PORT"] = self.real_port
            self.back_at = time.monotonic()
            connection.close()


def test_a_worker_outlives_an_outage_in_the_middle_of_a_task_and_runs_it_again_once(caplog):
    # The task is running when the database goes away: its end (the canary's row, the library's
    # bookkeeping) fails; the worker waits out the outage instead of exiting, gives the task back
    # and runs it again: one run recorded, two claims, one audit event.
    task = canary.enqueue("outage", 1.5)
    outage = Outage(task.id, seconds=2.5)
    outage.start()
    # Never a hanging test: if the task is not run again within a minute, a second canary gives
    # the worker its one task to run and exit (and the assertions below fail).
    watchdog = threading.Timer(60, lambda: (canary.enqueue("watchdog"), connection.close()))
    watchdog.start()
    caplog.set_level(logging.WARNING, logger="netra.ops.workers")
    try:
        call_command(
            "run_worker", "--no-startup-delay", "--worker-id", "w-outage", "--interval", "0.05", "--max-tasks", "1"
        )
    finally:
        watchdog.cancel()
        outage.join(30)
        connection.settings_dict["PORT"] = outage.real_port
        connection.close()  # whatever state the worker left it in
    assert outage.cut_at, "the outage never happened"
    row = DBTaskResult.objects.get(pk=task.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["w-outage", "w-outage"]  # claimed again by the same, living worker
    assert list(CanaryRun.objects.values_list("key", "attempt")) == [("outage", 2)]
    assert AuditEvent.objects.filter(action="ops.task_requeued", object_id=str(task.id)).count() == 1
    worker_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("task worker w-outage")]
    assert len(worker_lines) == 2, worker_lines  # once per outage, not once per try
    assert worker_lines[0].startswith("task worker w-outage: database unreachable (")
    assert "database reachable again after" in worker_lines[1] and "1 tasks given back" in worker_lines[1]
    beats = [r.getMessage() for r in caplog.records if r.getMessage().startswith("worker w-outage: heartbeat")]
    assert len(beats) <= 2 and all("again" in line or "failed" in line for line in beats), beats


def test_with_batch_a_database_error_is_raised():
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        with pytest.raises(OperationalError):
            call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "w-batch", verbosity=0)
    finally:
        connection.settings_dict["PORT"] = real_port
        connection.close()


class Forwarder(threading.Thread):
    """A TCP relay to the real server: ``cut()`` closes it and every connection through it, and
    nothing listens on its port afterwards (a server gone away, for a worker in another process)."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.target = ("127.0.0.1", port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.is_cut = False

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # cut
            with self.lock:
                if self.is_cut:
                    client.close()
                    return
                server = socket.create_connection(self.target)
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def test_sigterm_during_an_outage_stops_the_worker_at_once(tmp_path):
    # systemd stops a worker with SIGTERM (TimeoutStopSec, then SIGKILL): while it waits out an
    # outage it holds no task, so it must end at once, cleanly, not after the stop timeout.
    settings_dict = connection.settings_dict
    relay = Forwarder(int(settings_dict["PORT"] or 5432))
    relay.start()
    user = settings_dict["USER"] or "postgres"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@127.0.0.1:{relay.port}/{settings_dict['NAME']}",
        "NETRA_VAR_DIR": str(tmp_path),
        "NETRA_WORKER_HEARTBEAT_SECONDS": "0.5",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            cwd=Path(__file__).resolve().parents[3],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not WorkerHeartbeat.objects.exists():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker never beat"
            time.sleep(0.1)
        relay.cut()
        deadline = time.monotonic() + 30
        while "database unreachable" not in log.read_text():
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker never saw the outage: " + log.read_text()
            time.sleep(0.1)
        time.sleep(1)  # well into its back-off
        sent = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert code == 0, log.read_text()
    assert waited < 5, f"{waited:.1f} s"
