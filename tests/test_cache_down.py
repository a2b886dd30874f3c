"""Redis down costs a request milliseconds, not seconds (issue #14, item 3: throughput fell to a third).

Real parts only: Django's Redis backend as settings configure it (``netra.cache.ResilientRedisCache``)
pointed at a port where nothing listens, then a real ``redis-server`` started on that same port.
"""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache, caches
from django.test import override_settings

from netra.cache import CacheUnavailable
from netra.turns import my_turn


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


@pytest.fixture
def redis_down():
    port = closed_port()
    config = {
        "BACKEND": "netra.cache.ResilientRedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={"default": config}, NETRA_CACHE_RETRY_SECONDS=0.3):
        yield port
    caches.close_all()


def test_after_a_failure_the_cache_is_not_tried_again_for_a_while_and_the_log_says_it_once(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="netra.cache"):
        with pytest.raises(redis.ConnectionError) as first:
            cache.get("x")
        assert not isinstance(first.value, CacheUnavailable)  # this one really tried to connect
        started = time.process_time()
        for _ in range(200):
            with pytest.raises(CacheUnavailable):
                cache.get("x")
        assert time.process_time() - started < 0.1  # no connection attempts: 200 refusals in < 0.1 s CPU
    assert [r.getMessage()[:30] for r in caplog.records] == ["shared cache unreachable (Conn"]
    assert "not trying again for 0.3 s" in caplog.text


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_the_cache_is_used_again_once_redis_answers(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="netra.cache")
    with pytest.raises(redis.ConnectionError):
        cache.set("x", 1)
    server = subprocess.Popen(
        ["redis-server", "--port", str(redis_down), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            time.sleep(0.1)
            try:
                cache.set("x", 1)
                break
            except (redis.ConnectionError, CacheUnavailable):  # the breaker's pause, or the server still starting
                assert time.monotonic() < deadline
        assert cache.get("x") == 1
        assert "shared cache reachable again" in caplog.text
    finally:
        server.terminate()
        server.wait(10)


def test_turns_fall_back_to_one_per_process_not_one_per_caller(redis_down):
    # Every committer doing the whole backlog (opening, sealing) made intake three times slower.
    key = f"netra:test:turn:{redis_down}"
    assert [my_turn(key, 60) for _ in range(5)] == [True, False, False, False, False]


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_task_worker_runs_its_tasks_and_reaps_with_the_cache_unreachable(redis_down, caplog, settings):
    # make faults, Redis stopped: the background services must go on without the shared cache.
    # The reaper's audit event seals through a turn (netra.turns: a cache.add), which falls back
    # to one per process; the canaries themselves never touch the cache.
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from netra import turns
    from netra.audit.models import AuditEvent
    from netra.ops.models import CanaryRun
    from netra.ops.tasks import canary
    from netra.ops.tests.test_workers import claimed_by

    settings.NETRA_WORKER_HEARTBEAT_SECONDS, settings.NETRA_WORKER_DEAD_SECONDS = 1, 10
    settings.NETRA_AUDIT_SEAL_INTERVAL = 60  # sealing takes a turn through the cache, as in production
    turns._asked.clear()
    turns._local_turns.clear()
    caplog.set_level(logging.WARNING, logger="netra.cache")
    interrupted = claimed_by("dead-1", seen_seconds_ago=60, key="interrupted")
    for n in range(5):
        canary.enqueue(f"c{n}")
    call_command("run_worker", "--batch", "--no-startup-delay", "--worker-id", "alive-2", verbosity=0)
    assert sorted(CanaryRun.objects.values_list("key", flat=True)) == ["c0", "c1", "c2", "c3", "c4", "interrupted"]
    assert DBTaskResult.objects.get(pk=interrupted.pk).worker_ids == ["dead-1", "alive-2"]
    assert AuditEvent.objects.filter(action="ops.task_requeued").count() == 1
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()  # sealed after commit all the same
    assert "shared cache unreachable" in caplog.text  # the cache was asked, failed, and the work went on
