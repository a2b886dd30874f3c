"""Task workers that die mid-task: heartbeats and the reaper.

django-tasks-db claims a task by setting it RUNNING (``SELECT … FOR UPDATE SKIP LOCKED``, so two
workers never take the same one) and appending the worker's id to ``worker_ids``; it never looks
at a RUNNING task again. A worker killed in the middle (``kill -9``, out of memory, a lost
machine) would leave its task RUNNING for ever. So:

* ``manage.py run_worker`` (the library's ``db_worker`` plus a heartbeat thread) rewrites its
  ``WorkerHeartbeat`` row every ``NETRA_WORKER_HEARTBEAT_SECONDS`` (5);
* :func:`reap` (every heartbeat of every worker, every scheduler tick, ``manage.py reap_tasks``)
  takes a RUNNING task as interrupted when its worker's heartbeat is older than
  ``NETRA_WORKER_DEAD_SECONDS`` (30), or — a worker without heartbeats, a plain ``db_worker`` —
  when it started more than ``NETRA_TASK_LEASE_SECONDS`` (3600) ago;
* an interrupted task that was claimed once is put back READY (retried once: the next claim
  appends a second worker id); one claimed twice already is marked FAILED (``WorkerLost``) and an
  alert is logged (``netra.ops.alerts``, ERROR). Both are audit events (``ops.task_requeued``,
  ``ops.task_failed``).

A database outage does not end a worker (:func:`outlive_outages`): django-tasks-db's loop raises
on the first connection error, so ``run_worker`` closes the broken connection, logs the outage
once, tries again with a back-off (0.5 s doubling to 2 s) and, once the database answers, gives
back the task the outage cut short — the one left RUNNING under its own id, whose bookkeeping
failed — exactly as the reaper would for a dead worker (retried once, or failed), then claims
work again. The heartbeat thread logs an outage once, not every beat.

The reaper locks each task row with ``FOR UPDATE SKIP LOCKED`` and checks it again inside the
lock, so any number of reapers may run at once and a task is put back once. Tasks are written
to be run again (``netra.cases.jobs``, roster imports, webhook delivery claim their own work),
which is what makes the retry safe; guarantee: at least once, at most twice.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from netra.audit.services import record
from netra.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
alerts = logging.getLogger("netra.ops.alerts")

MAX_CLAIMS = 2  # the first run and one retry
LOST = "netra.ops.workers.WorkerLost"


def heartbeat_seconds() -> float:
    return max(0.5, float(getattr(settings, "NETRA_WORKER_HEARTBEAT_SECONDS", 5.0)))


def dead_seconds() -> float:
    return max(2 * heartbeat_seconds(), float(getattr(settings, "NETRA_WORKER_DEAD_SECONDS", 30.0)))


def lease_seconds() -> float:
    return float(getattr(settings, "NETRA_TASK_LEASE_SECONDS", 3600.0))


def new_worker_id() -> str:
    """Unique across the pool and readable: ``host:pid:random`` (≤ 64 characters)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{os.urandom(4).hex()}"


def beat(worker_id: str, *, started_at: datetime.datetime | None = None) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at or now,
                "seen_at": now,
            },
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its row (a task it still held is then reaped by lease)."""
    WorkerHeartbeat.objects.filter(pk=worker_id).delete()


@dataclass
class Reaped:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _interrupted(task: DBTaskResult, now, alive: set[str], known: set[str]) -> bool:
    last = (task.worker_ids or [""])[-1]
    if last in alive:
        return False
    if last in known:
        return True  # its worker stopped beating
    started = task.started_at or task.enqueued_at
    return started is not None and (now - started).total_seconds() > lease_seconds()


def reap(now: datetime.datetime | None = None, *, dead: str | None = None) -> Reaped:
    """Put back (once) or fail the RUNNING tasks of dead workers; see the module docstring.

    ``dead``: a worker id to take for dead whatever its heartbeat says — a worker giving back
    the task an outage cut short (:func:`outlive_outages`).
    """
    now = now or timezone.now()
    done = Reaped()
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids", "started_at"))
    if not running:
        return done
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    cutoff = now - datetime.timedelta(seconds=dead_seconds())
    alive = {worker for worker, seen in beats.items() if seen >= cutoff} - {dead}
    known = set(beats) | ({dead} if dead else set())
    for candidate in running:
        if not _interrupted(candidate, now, alive, known):
            continue
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=candidate.pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None or not _interrupted(task, now, alive, known):
                continue  # finished meanwhile, or another reaper has it
            claims = len(task.worker_ids or [])
            worker = (task.worker_ids or [""])[-1]
            if claims < MAX_CLAIMS:
                DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY, started_at=None)
                record(
                    "system",
                    "ops.task_requeued",
                    task,
                    agency=None,
                    task=task.task_path,
                    worker=worker,
                    claims=claims,
                )
                done.requeued.append(str(task.pk))
                logger.warning("task %s (%s) of dead worker %s put back for one retry", task.pk, task.task_path, worker)
            else:
                DBTaskResult.objects.filter(pk=task.pk).update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=LOST,
                    traceback=f"{LOST}: worker {worker} stopped during the task after {claims} claims; not retried again\n",
                    return_value=None,
                )
                record(
                    "system",
                    "ops.task_failed",
                    task,
                    agency=None,
                    task=task.task_path,
                    worker=worker,
                    claims=claims,
                )
                done.failed.append(str(task.pk))
                alerts.error(
                    "ALERT task %s (%s) failed: its worker died during each of %s runs", task.pk, task.task_path, claims
                )
    # Rows of workers gone for a day are clutter, never evidence.
    WorkerHeartbeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()
    return done


# The errors of a database that is away (refused, terminated, closed connection); anything else —
# a missing table, a bad query — still ends the worker, loudly.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 2.0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200]}" if text else type(exc).__name__


def _close_broken_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connection.close()  # Django reconnects only a closed connection: never reuse a broken one


def outlive_outages(run: Callable[[], None], worker_id: str, *, sleep: Callable[[float], None] = time.sleep) -> None:
    """Call ``run`` (the library's worker loop) until it returns; a database outage does not end it.

    On a connection error: close the connection, log once per outage, try again after 0.5 s,
    doubling up to 2 s (work resumes within 2 s of the server's return). The first thing done
    once the database answers is to give back the task this worker was running when the outage
    hit (left RUNNING under its id) — retried once, or failed when it was a retry already, as
    :func:`reap` does for a dead worker — then ``run`` again.
    """
    outage_since: float | None = None
    failures = 0
    delay = RETRY_FIRST_SECONDS
    while True:
        try:
            if outage_since is not None:
                given_back = reap(dead=worker_id)  # the first query after the outage
                logger.warning(
                    "task worker %s: database reachable again after %.1f s (%d failed tries, %d tasks given back)",
                    worker_id,
                    time.monotonic() - outage_since,
                    failures,
                    len(given_back.requeued) + len(given_back.failed),
                )
                outage_since, failures, delay = None, 0, RETRY_FIRST_SECONDS
            run()
            return
        except OUTAGE_ERRORS as exc:
            _close_broken_connection()
            failures += 1
            if outage_since is None:
                outage_since = time.monotonic()
                logger.warning(
                    "task worker %s: database unreachable (%s); trying again, every %s s at most",
                    worker_id,
                    _first_line(exc),
                    RETRY_MAX_SECONDS,
                )
            sleep(delay)
            delay = min(2 * delay, RETRY_MAX_SECONDS)


class Heartbeat(threading.Thread):
    """The worker's second thread: beat, then reap, every ``heartbeat_seconds()`` (own connection)."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopping = threading.Event()
        self.failing_since: float | None = None

    def tick(self) -> None:
        try:
            beat(self.worker_id, started_at=self.started_at)
            reap()
        except DatabaseError as exc:
            _close_broken_connection()
            if self.failing_since is None:  # once per outage, not once per beat
                self.failing_since = time.monotonic()
                logger.warning("worker %s: heartbeat failed (%s); retrying", self.worker_id, _first_line(exc))
            return
        if self.failing_since is not None:
            logger.warning(
                "worker %s: heartbeat again after %.1f s", self.worker_id, time.monotonic() - self.failing_since
            )
            self.failing_since = None

    def run(self) -> None:
        try:
            while not self.stopping.wait(heartbeat_seconds()):
                self.tick()
        finally:
            connection.close()
