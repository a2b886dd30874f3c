"""Deployment checks of the portal (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Warning, register

LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


@register(deploy=True)
def shared_cache(app_configs=None, caches: dict | None = None, **kwargs):
    """The one-time receipt waits in the cache between the form's POST and the redirected GET,
    which another server process may answer: with a per-process cache that GET finds nothing and
    the reporter never sees the access key (rate limits would be per process too)."""
    backend = (caches or settings.CACHES)["default"]["BACKEND"]
    if backend in LOCAL_CACHES:
        return [
            Warning(
                "The cache is local to one process: with several server processes the one-time receipt "
                "after the report form (netra.portal.onetime) and the rate limits do not work.",
                hint="Set CACHE_URL (e.g. redis://127.0.0.1:6379/1), or serve with one process.",
                id="netra.portal.W001",
            )
        ]
    return []
