"""Django's Redis cache with one client object per server instead of one per call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis``
around the (shared) connection pool for every cache call; redis-py's client constructor fills
its table of some 170 response callbacks each time. A public report makes several cache calls
(rate limits, the opening turn) and that constructor was a measurable part of its CPU
(bench/profile_intake.py, issue #14). A ``redis.Redis`` is safe to share between threads (each
command takes a connection from the pool) and its pool reconnects after a fork, so one client
per pool is kept for the process. Everything else — pools, options, serialisation, errors — is
Django's.

    CACHES = {"default": {"BACKEND": "netra.cache.RedisCache", "LOCATION": "redis://…"}}
"""

from django.core.cache.backends import redis as django_redis


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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
