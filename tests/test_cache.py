"""netra.cache.RedisCache: Django's Redis cache, one client object per server instead of one per call."""

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import redis

from netra.cache import RedisCache

LOCATION = os.environ.get("NETRA_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(LOCATION, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {LOCATION} (NETRA_TEST_REDIS_URL)")
    backend = RedisCache(LOCATION, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield backend
    backend.delete_many(["turn", "count", "hits"])  # not clear(): that empties the whole Redis db


def test_every_call_uses_the_same_client(cache):
    assert cache._cache.get_client() is cache._cache.get_client("k", write=True)


def test_it_answers_as_djangos_redis_cache(cache):
    assert cache.add("turn", 1, timeout=5) is True
    assert cache.add("turn", 1, timeout=5) is False
    cache.set("count", 1, timeout=5)
    assert cache.incr("count") == 2
    assert cache.get_many(["turn", "count", "none"]) == {"turn": 1, "count": 2}
    cache.delete("turn")
    assert cache.get("turn", "gone") == "gone"


def test_threads_share_the_client_without_losing_a_count(cache):
    cache.set("hits", 0, timeout=30)

    def hit():
        for _ in range(50):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("hits") == 400


def test_an_unreachable_server_still_raises_for_the_callers_to_fail_open():
    # netra.ratelimit.get_usage and netra.turns.my_turn catch this and go on.
    backend = RedisCache("redis://127.0.0.1:1/0", {})  # nothing listens on port 1
    with pytest.raises(redis.ConnectionError):
        backend.add("turn", 1, timeout=5)


def test_the_breaker_backend_keeps_one_client_per_server():
    from netra.cache import ResilientRedisCache

    backend = ResilientRedisCache("redis://127.0.0.1:6379/3", {})
    assert isinstance(backend, RedisCache)
    assert backend._cache.get_client("a") is backend._cache.get_client("b")


def test_a_redis_cache_url_is_served_by_this_backend():
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NETRA_ENV": "test", "CACHE_URL": "redis://127.0.0.1:6379/3"}
    done = subprocess.run(
        [sys.executable, "-c", "from netra import settings; print(settings.CACHES['default']['BACKEND'])"],
        env=env, cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["netra.cache.ResilientRedisCache"]  # a RedisCache behind the breaker
