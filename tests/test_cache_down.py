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
