"""The shared cache (Redis): one client object per server, and a circuit breaker (issue #14).

**One client per server.** ``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a
new ``redis.Redis`` around the (shared) connection pool for every cache call; redis-py's client
constructor fills its table of some 170 response callbacks each time. A public report makes several
cache calls (rate limits, the opening turn) and that constructor was a measurable part of its CPU
(bench/profile_intake.py). A ``redis.Redis`` is safe to share between threads (each command takes a
connection from the pool) and its pool reconnects after a fork, so one client per pool is kept for
the process.

**Redis down (item 3).** When Redis cannot be reached every cache call fails. Each failure costs a
connection attempt (up to ``socket_connect_timeout`` when the server's address does not answer at
all) and a warning, and one request makes several calls (rate limits, turns, the readiness probe).
So after a failure :class:`ResilientRedisCache` stops trying for ``NETRA_CACHE_RETRY_SECONDS`` (the
breaker is *open*): every call raises ``CacheUnavailable`` at once, without touching the network.
The first call after that period tries Redis again; when it answers, the breaker closes and the log
says so. The log says it once per outage, not once per call.

Callers treat ``CacheUnavailable`` like any other cache error (it is a ``ConnectionError``): rate
limits fail open (``netra.ratelimit``), turns fall back to one per process (``netra.turns``),
``/readyz`` answers 503.

    CACHES = {"default": {"BACKEND": "netra.cache.ResilientRedisCache", "LOCATION": "redis://…"}}
"""

import logging
import threading
import time

import redis
from django.conf import settings
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger("netra.cache")


OUTAGES = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # private in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with one client object per server (see the module's text)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_many(self, counts: dict[str, tuple[int, int]]) -> dict[str, int]:
        """Add ``delta`` to each counter (created at 0 with a ``timeout`` in seconds when missing) in
        one round trip — ``add`` + ``incr`` per counter through the cache API is two or three — and
        return the new values. ``{key: (delta, timeout)}``; values readable by ``get``/``get_many``."""
        keys = {key: self.make_and_validate_key(key) for key in counts}
        client = self._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipe:
            for key, (delta, timeout) in counts.items():
                pipe.set(keys[key], 0, ex=max(1, int(timeout)), nx=True)
                pipe.incrby(keys[key], delta)
            replies = pipe.execute()
        return {key: int(value) for key, value in zip(counts, replies[1::2], strict=True)}


class CacheUnavailable(ConnectionError):
    """The shared cache failed a moment ago: not tried again yet."""


class Breaker:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.failures = 0  # calls refused or failed during the current outage

    def check(self) -> None:
        if self.open_until and time.monotonic() < self.open_until:
            with self.lock:
                self.failures += 1
            raise CacheUnavailable("shared cache unreachable a moment ago; not tried again yet")

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            first = not self.open_until
            self.failures += 1
            self.open_until = time.monotonic() + self.seconds
        if first:
            logger.warning(
                "shared cache unreachable (%s: %s): not trying again for %s s", type(exc).__name__, exc, self.seconds
            )

    def succeeded(self) -> None:
        if self.open_until:
            with self.lock:
                failures, self.open_until, self.failures = self.failures, 0.0, 0
            logger.warning("shared cache reachable again (%d calls failed or skipped meanwhile)", failures)


class ResilientRedisCache(RedisCache):
    """:class:`RedisCache`, every call behind a :class:`Breaker`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.breaker = Breaker(float(getattr(settings, "NETRA_CACHE_RETRY_SECONDS", 5)))

    def _guarded(self, name, *args, **kwargs):
        self.breaker.check()
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except OUTAGES as exc:  # not ValueError (incr of a missing key) and such: Redis answered
            self.breaker.failed(exc)
            raise
        self.breaker.succeeded()
        return result

    def add(self, *args, **kwargs):
        return self._guarded("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._guarded("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._guarded("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._guarded("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._guarded("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._guarded("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._guarded("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._guarded("incr", *args, **kwargs)

    def count_many(self, *args, **kwargs):
        return self._guarded("count_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._guarded("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._guarded("delete_many", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._guarded("clear", *args, **kwargs)
