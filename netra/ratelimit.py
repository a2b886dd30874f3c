"""Rate limits for public endpoints, counted in the cache under a keyed hash of the client address.

The address itself is never stored, not even in a cache key: the counter is keyed by
HMAC-SHA256(address) with a key derived from SECRET_KEY (unkeyed hashes of IPv4 addresses are
reversed by trying all 2³² of them), and django-ratelimit hashes that once more into its
fixed-window cache key, which expires with the window.

Reports (issue #17): only *accepted* reports count, never a refused or failed submission, and the
web form does not block a shared address outright. Behind carrier-grade NAT or a school's single
address many honest reporters share one counter, so there are two budgets per address:

- ``report`` (20/h): accepted reports that go through at once;
- ``report_ceiling`` (200/h): accepted reports in all. Between the two the form asks for a short
  wait instead of refusing: it is shown again with every value and file and "Laporan BELUM
  terkirim…", carrying a signed pass that lets *this* form (its single-use submission token)
  through after ``REPORT_WAIT_SECONDS``. A person waits half a minute once; a script pays the
  wait for every report and still stops at the ceiling. The public API (machines, no form to
  wait on) answers 429 with Retry-After at the first budget.

Each accepted report costs ``report_cost(files)`` units of both budgets: 1 today.

Decoding (issue #10, finding 8): cleaning an image costs memory and CPU by its pixel count, on
every submit of the form, accepted or not. The ``decode`` budget counts what the report form's
files decoded, one unit per started ``DECODE_UNIT_PIXELS`` (10 MP): 400/h lets one address decode
4 gigapixels an hour (some 300 phone photos); past it the form stops decoding new files and says
so, keeping every value and staged file.

Limits come from ``settings.NETRA_RATE_LIMITS`` ("report=20/h,evidence=60/h,…", merged over
DEFAULT_LIMITS); ``off`` disables them (refused in production by settings._check_production).
"""

import functools
import hashlib
import hmac
import ipaddress
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate
from django_ratelimit.core import get_usage as _ratelimit_usage

DEFAULT_LIMITS = {
    # Per address and window. Many Indonesian mobile users share an address behind carrier NAT,
    # so the report limit is generous; bots are also met by the form's honeypot and fill time.
    "report": "20/h",
    "report_ceiling": "200/h",
    "evidence": "60/h",
    "status": "120/m",
    "message": "30/h",
    "decode": "400/h",  # units of DECODE_UNIT_PIXELS decoded by the report form's files
    "checkin": "30/h",  # failed event check-ins (netra.portal.checkin_views); successes are free
    # Pacts (#11): wrong NIP/one-time-code pairs (only failures count: an office shares one
    # address), and lookups of the public verification page.
    "pact_code": "20/h",
    "pact_verify": "60/m",
    "statistics": "120/m",  # the open data (netra.insights.api)
}
DECODE_UNIT_PIXELS = 10_000_000
# One IPv6 user gets a whole /64: limiting single addresses there would limit nothing.
IPV6_PREFIX = 64


logger = logging.getLogger("netra.ratelimit")


def get_usage(request, **kwargs):
    """django-ratelimit's count, failing open when the shared cache cannot be reached (issue #14).

    A reporter must never be turned away because Redis is down: the request is not counted, and the
    log says so — once when the outage starts, then at most every ``FAIL_OPEN_LOG_SECONDS`` with
    the number of checks not enforced so far — so the operator knows limits are not being enforced,
    without a warning per request and group. While Redis is away, ``netra.cache``'s breaker makes each of these calls
    fail at once instead of trying to connect.
    """
    try:
        usage = _ratelimit_usage(request, **kwargs)
    except Exception as exc:  # redis.ConnectionError, TimeoutError, CacheUnavailable: whatever the backend raises
        _fail_open(exc, kwargs.get("group"))
        return None
    _reachable()
    return usage


FAIL_OPEN_LOG_SECONDS = 60
_state_lock = threading.Lock()


def _outage_state() -> dict:
    """This process's record of the current outage, kept on the cache backend it concerns."""
    backend = _cache()
    state = getattr(backend, "_netra_fail_open", None)
    if state is None:
        state = {"since": 0.0, "logged": 0.0, "skipped": 0}
        setattr(backend, "_netra_fail_open", state)  # noqa: B010 (an attribute of our own on Django's object)
    return state


def _fail_open(exc: Exception, group) -> None:
    now = time.monotonic()
    with _state_lock:
        state = _outage_state()
        state["skipped"] += 1
        state["since"] = state["since"] or now
        due = not state["logged"] or now - state["logged"] >= FAIL_OPEN_LOG_SECONDS
        if due:
            state["logged"] = now
        skipped = state["skipped"]
    if due:
        logger.warning(
            "rate limit cache unreachable (%s): %s not counted or enforced (fail open), nor any limit until "
            "it answers; %d checks so far (logged again every %d s while it lasts)",
            type(exc).__name__,
            group,
            skipped,
            FAIL_OPEN_LOG_SECONDS,
        )


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def limits() -> dict[str, str] | None:
    """The configured limits per group, or None when switched off."""
    raw = (settings.NETRA_RATE_LIMITS or "").strip()
    if raw.lower() == "off":
        return None
    configured = dict(DEFAULT_LIMITS)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        group, sep, rate = item.partition("=")
        if not sep or not rate.strip():
            raise ImproperlyConfigured(f"NETRA_RATE_LIMITS: cannot read {item!r} (expected group=count/period)")
        configured[group.strip()] = rate.strip()
    return configured


def _trusted_networks() -> list:
    return [ipaddress.ip_network(item, strict=False) for item in settings.NETRA_TRUSTED_PROXIES]


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return None


def client_address(request) -> str:
    """REMOTE_ADDR, or — behind our own proxies only — the nearest untrusted X-Forwarded-For hop."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    trusted = _trusted_networks()
    if remote is None:
        return ""
    if not trusted or not any(remote in net for net in trusted):
        return str(remote)
    # Read from the right: every hop our proxies appended is trusted; the first other one is the client.
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break
        if not any(address in net for net in trusted):
            return str(address)
    return str(remote)


def _client_key(group, request) -> str:
    address = client_address(request)
    parsed = _parse(address) if address else None
    if parsed is not None and parsed.version == 6:
        address = str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    secret = hashlib.sha256(b"netra.ratelimit:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


def check_rate(request, group: str) -> int | None:
    """Count one request for ``group``; return the seconds to wait when over the limit, else None."""
    configured = limits()
    if configured is None:
        return None
    rate = configured.get(group)
    if rate is None:
        raise ImproperlyConfigured(f"No rate limit configured for group {group!r}")
    usage = get_usage(request, group=f"netra.{group}", key=_client_key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def _peek(request, group: str) -> int | None:
    """The seconds to wait when one more unit of ``group`` would pass its limit; counts nothing."""
    configured = limits()
    if configured is None:
        return None
    rate = configured[group]
    usage = get_usage(request, group=f"netra.{group}", key=_client_key, rate=rate, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(1, int(usage["time_left"]))


def peek_rate(request, group: str) -> int | None:
    """The seconds to wait when ``group``'s budget is used up; counts nothing (see ``check_rate``)."""
    return _peek(request, group)


def report_allowance(request) -> tuple[int | None, int | None]:
    """(wait, block) for one more report from this address, counting nothing: ``wait`` is set
    when the at-once budget is used up (the form may still pass after a wait), ``block`` the
    seconds until the ceiling frees up (nothing passes). Both budgets in one cache round trip."""
    configured = limits()
    if configured is None:
        return None, None
    counters = _report_counters(request, configured)
    try:
        found = _cache().get_many([key for key, _limit, _left in counters.values()])
    except Exception as exc:  # as get_usage: the cache's outage fails open
        _fail_open(exc, "netra.report")
        return None, None
    _reachable()
    wait, block = (max(1, left) if int(found.get(key, 0)) >= limit else None for key, limit, left in counters.values())
    return wait, block


def _cache():
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


REPORT_GROUPS = ("report", "report_ceiling")


def _report_counters(request, configured: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """Per report budget, django-ratelimit's own counter for this address: (cache key, limit,
    seconds left in the window) — the key ``get_usage`` reads and writes, so both see one count."""
    counters = {}
    value = _client_key(None, request)  # the address's keyed hash: the same for every group
    for name in REPORT_GROUPS:
        group, rate = f"netra.{name}", configured[name]
        limit, period = _split_rate(rate)
        window = _get_window(value, period)
        counters[name] = (_make_cache_key(group, window, rate, value, ALL), limit, window - int(time.time()))
    return counters


def _reachable() -> None:
    state = _outage_state()
    if state["since"]:
        skipped = state["skipped"]
        state.update(since=0.0, logged=0.0, skipped=0)
        logger.warning("rate limit cache reachable again: limits enforced (%d checks were not)", skipped)


def report_cost(files=()) -> int:
    """What one accepted report costs of the budgets. Hook: weigh images by their decoded pixel
    count here once staging exposes it (e.g. ``1 + sum(f.pixels for f in files) // 50_000_000``)."""
    return 1


def count_report(request, cost: int = 1) -> None:
    """Count an accepted report against both budgets: one cache round trip on Redis
    (``netra.cache.RedisCache.count_many``), ``add`` + ``incr`` per budget elsewhere."""
    configured = limits()
    if configured is None:
        return
    counters = _report_counters(request, configured)
    cost = max(1, cost)
    try:
        cache = _cache()
        counts = {key: (cost, left + EXPIRATION_FUDGE) for key, _limit, left in counters.values()}
        if hasattr(cache, "count_many"):
            cache.count_many(counts)
        else:
            for key, (delta, timeout) in counts.items():
                if not cache.add(key, delta, timeout):
                    cache.incr(key, delta)
    except Exception as exc:  # as get_usage: the cache's outage fails open
        _fail_open(exc, "netra.report")
        return
    _reachable()


def enforce_rate(request, group: str) -> None:
    """Like :func:`check_rate`, raising RateLimited instead."""
    if (retry_after := check_rate(request, group)) is not None:
        raise RateLimited(retry_after)


def too_many_requests(request, retry_after: int) -> HttpResponse:
    response = HttpResponse(
        _("Terlalu banyak permintaan. Coba lagi dalam %(seconds)d detik.") % {"seconds": retry_after},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(group: str, *, methods=("POST",), response=too_many_requests):
    """View decorator: count requests of ``methods`` for ``group``; answer ``response(request, retry_after)`` when over."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and (retry_after := check_rate(request, group)) is not None:
                return response(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def decode_wait(request) -> int | None:
    """The seconds until this address may decode images again on the report form, or None."""
    return _peek(request, "decode")


def count_decoding(request, pixels: int) -> None:
    """Count ``pixels`` decoded for this address (one unit per started DECODE_UNIT_PIXELS)."""
    configured = limits()
    if configured is None or pixels <= 0:
        return
    for _unit in range(-(-pixels // DECODE_UNIT_PIXELS)):
        get_usage(request, group="netra.decode", key=_client_key, rate=configured["decode"], increment=True)
