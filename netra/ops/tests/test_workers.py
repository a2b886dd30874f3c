"""The reaper of tasks left RUNNING by dead workers (netra.ops.workers), on SQLite and PostgreSQL.

A worker is "killed" here by claiming a task the way django-tasks-db's worker does
(``DBTaskResult.claim``) under a worker id whose heartbeat then stops; the retry is run by the
real ``manage.py run_worker --batch``. ``make faults`` does the same with ``kill -9`` of a real
worker process under load.
"""

import datetime
import os
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from netra.audit.models import AuditEvent
from netra.ops import workers
from netra.ops.models import CanaryRun, WorkerHeartbeat
from netra.ops.tasks import canary

on_postgres = pytest.mark.skipif(
    not os.environ.get("NETRA_TEST_POSTGRES"), reason="row locks: set NETRA_TEST_POSTGRES=1"
)


def claimed_by(worker_id: str, *, seen_seconds_ago: float | None, key: str = "k") -> DBTaskResult:
    """A canary task claimed by ``worker_id``, whose last heartbeat was that long ago (None: none)."""
    result = canary.enqueue(key)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    if seen_seconds_ago is not None:
        seen = timezone.now() - datetime.timedelta(seconds=seen_seconds_ago)
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"started_at": seen, "seen_at": seen, "pid": 1, "host": "h"}
        )
    return row


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


@pytest.fixture(autouse=True)
def _timeouts(settings):
    settings.NETRA_WORKER_HEARTBEAT_SECONDS = 1
    settings.NETRA_WORKER_DEAD_SECONDS = 10
    settings.NETRA_TASK_LEASE_SECONDS = 3600


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_task_of_a_dead_worker_is_retried_once_by_the_next_worker():
    row = claimed_by("dead-1", seen_seconds_ago=60)
    done = workers.reap()
    assert done.requeued == [str(row.pk)] and done.failed == []
    assert status(row) == TaskResultStatus.READY
    event = AuditEvent.objects.get(action="ops.task_requeued")
    assert event.payload["worker"] == "dead-1" and event.payload["claims"] == 1

    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "alive-2", verbosity=0)
    assert status(row) == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["dead-1", "alive-2"]
    assert list(CanaryRun.objects.values_list("key", "attempt", "worker_id")) == [("k", 2, "alive-2")]
    assert not WorkerHeartbeat.objects.filter(pk="alive-2").exists()  # a clean stop forgets its row


@pytest.mark.django_db
def test_a_task_whose_retry_dies_too_is_failed_with_an_alert(caplog):
    row = claimed_by("dead-1", seen_seconds_ago=60)
    workers.reap()
    row.refresh_from_db()
    row.claim("dead-2")
    WorkerHeartbeat.objects.filter(pk="dead-1").update(worker_id="dead-2")
    with caplog.at_level("ERROR", logger="netra.ops.alerts"):
        done = workers.reap()
    assert done.failed == [str(row.pk)] and done.requeued == []
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == workers.LOST and "dead-2" in row.traceback
    assert row.task_result.errors[0].exception_class_path == workers.LOST
    assert "ALERT" in caplog.text and str(row.pk) in caplog.text
    assert AuditEvent.objects.filter(action="ops.task_failed", object_id=str(row.pk)).count() == 1
    assert workers.reap().failed == []  # finished: never reaped again


@pytest.mark.django_db
def test_a_task_of_a_live_worker_is_left_alone():
    row = claimed_by("alive", seen_seconds_ago=2)
    assert workers.reap().requeued == []
    assert status(row) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_worker_without_heartbeats_keeps_its_task_for_the_lease(settings):
    row = claimed_by("plain-db-worker", seen_seconds_ago=None)
    assert workers.reap().requeued == []
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    assert workers.reap().requeued == [str(row.pk)]


@pytest.mark.django_db
def test_the_reap_tasks_command_and_old_heartbeats_are_cleared():
    claimed_by("dead", seen_seconds_ago=2 * 86400)
    call_command("reap_tasks", verbosity=0)
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_on_its_own_connection():
    beat = workers.Heartbeat("hb-1")
    beat.tick()
    first = WorkerHeartbeat.objects.get(pk="hb-1").seen_at
    beat.start()
    try:
        deadline = timezone.now() + datetime.timedelta(seconds=5)
        while WorkerHeartbeat.objects.get(pk="hb-1").seen_at == first and timezone.now() < deadline:
            threading.Event().wait(0.1)
    finally:
        beat.stopping.set()
        beat.join(5)
    assert WorkerHeartbeat.objects.get(pk="hb-1").seen_at > first


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_reapers_racing_put_a_task_back_once():
    """Four reapers at once (one per worker's heartbeat, the scheduler): one requeue, one audit event."""
    rows = [claimed_by("dead", seen_seconds_ago=60, key=f"k{n}") for n in range(5)]
    start = threading.Barrier(4)
    results: list[workers.Reaped] = []

    def reaper():
        try:
            start.wait()
            results.append(workers.reap())
        finally:
            connection.close()

    threads = [threading.Thread(target=reaper) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    requeued = [pk for done in results for pk in done.requeued]
    assert sorted(requeued) == sorted(str(row.pk) for row in rows)  # each once, by whichever got it
    assert AuditEvent.objects.filter(action="ops.task_requeued").count() == 5
    assert {status(row) for row in rows} == {TaskResultStatus.READY}


def test_the_system_checks_refuse_timeouts_that_would_reap_living_workers(settings):
    from netra.ops.checks import worker_timeouts

    assert worker_timeouts() == []  # 1 s heartbeats, dead after 10 s
    settings.NETRA_WORKER_DEAD_SECONDS = 2
    assert [problem.id for problem in worker_timeouts()] == ["netra.ops.W001"]
    settings.NETRA_WORKER_HEARTBEAT_SECONDS = 0
    assert [problem.id for problem in worker_timeouts()] == ["netra.ops.E001"]


def test_an_error_that_is_no_outage_still_ends_the_worker():
    # outlive_outages waits out a database that is away (test_worker_outage.py), not a bug: a
    # missing table or a bad query ends the worker loudly, as before.
    from django.db import ProgrammingError

    def run():
        raise ProgrammingError('relation "django_tasks_database_dbtaskresult" does not exist')

    with pytest.raises(ProgrammingError):
        workers.outlive_outages(run, "w-bug", sleep=lambda seconds: pytest.fail("waited on a bug"))


def test_the_autoreloader_runs_only_when_asked(settings):
    # Under django's autoreloader the worker loop runs in a thread of its own: an outage ended that
    # thread and left the process alive doing nothing (the library's default is DEBUG, so `make run`).
    from netra.ops.management.commands.run_worker import Command

    settings.DEBUG = True
    parser = Command().create_parser("manage.py", "run_worker")
    assert parser.parse_args([]).reload is False
    assert parser.parse_args(["--reload"]).reload is True
