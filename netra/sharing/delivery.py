"""The webhook worker: claim due deliveries, POST them signed, retry with exponential backoff.

Claiming (healthchecks style): pick due rows, then take each with a conditional UPDATE that
only succeeds while the row is still pending and unclaimed; the winner owns it until
``claimed_until``. No long transaction, no lock held during the HTTP call; several workers may
run side by side, and a crashed worker's claim simply runs out.

Order: a delivery is only due when no earlier delivery of the same case to the same
subscription is still pending, so a receiver sees a case's events in order even after an
outage. Guarantee: at least once; a duplicate (a worker dying after the POST, before marking
it delivered) carries the same event id.

Backoff: 30 s, 1 min, 2 min … capped at 1 h, for ``NETRA_WEBHOOK_RETRY_HOURS`` (≥ 24 h) after
the event; then the delivery is marked failed (visible in the delivery log) and the next event
of that case may go.

Database outages (issue #14, item 3): the loop (:func:`run`) outlives them. A database error
closes the connection (a broken one would fail every later query: Django reconnects only when it
is closed), logs one warning per outage, and the loop tries again every ``OUTAGE_RETRY_SECONDS``.
A delivery claimed by this process when the database went away (its POST perhaps made, its
bookkeeping not) would stay claimed for ``CLAIM`` and hold back every later event of its case;
once the database answers again the process gives those claims back, so they go out at once
(the same event id again: at least once). ``make faults`` measures it.
"""

import datetime
import logging
import random
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from netra import outbound
from netra.sharing.models import WebhookAttempt, WebhookDelivery
from netra.sharing.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, canonical_body, sign

logger = logging.getLogger("netra.webhooks")

CLAIM = datetime.timedelta(seconds=60)
TIMEOUT_SECONDS = 10
BACKOFF_BASE = datetime.timedelta(seconds=30)
BACKOFF_CAP = datetime.timedelta(hours=1)
MIN_RETRY = datetime.timedelta(hours=24)
USER_AGENT = "Netra-Webhooks/1"
OUTAGE_RETRY_SECONDS = 0.5  # while the database is away: how often the loop tries again


def retry_window() -> datetime.timedelta:
    return max(MIN_RETRY, datetime.timedelta(hours=settings.NETRA_WEBHOOK_RETRY_HOURS))


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failure (±10 % jitter so receivers are not hit in waves)."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return delay * random.uniform(0.9, 1.1)  # noqa: S311 (jitter, not a secret)


def _unclaimed(now):
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due(now=None, limit: int = 50) -> list[int]:
    """Ids of deliveries that may be attempted now, oldest due first."""
    now = now or timezone.now()
    earlier_pending = WebhookDelivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        case_id=OuterRef("case_id"),
        status=WebhookDelivery.Status.PENDING,
        id__lt=OuterRef("id"),
    )
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(_unclaimed(now))
        .exclude(Exists(earlier_pending))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


# Claims this process took and has not finished (delivery id → its claimed_until): given back
# by release_held() after a database outage interrupted them.
_held: dict[int, datetime.datetime] = {}


def claim(delivery_id: int, now=None) -> bool:
    now = now or timezone.now()
    until = now + CLAIM
    won = bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(_unclaimed(now))
        .update(claimed_until=until, attempts=F("attempts") + 1)
    )
    if won:
        _held[delivery_id] = until
    return won


def release_held() -> int:
    """Give back the claims this process still holds (an outage cut their attempt short).

    Only a claim that is still this process's own is given back: pending, and claimed until no
    later than the time this process set (a later claim is another deliverer's, after ours ran out).
    """
    released = 0
    for delivery_id, until in list(_held.items()):
        released += WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDelivery.Status.PENDING, claimed_until__lte=until
        ).update(claimed_until=None)
        _held.pop(delivery_id, None)
    return released


def _post(url: str, body: bytes, headers: dict, resolver: outbound.Resolver | None = None) -> tuple[int | None, str]:
    """POST through the outbound guard: one lookup, checked addresses, no redirects.

    The error kept is a category (``timeout``, ``connect_failed``, ``address_refused`` …, or
    ``HTTP <code>``), never exception text: the tenant reads it in the delivery log.
    """
    try:
        answer = outbound.post(url, body, headers, timeout=TIMEOUT_SECONDS, resolver=resolver)
    except outbound.Failure as failure:
        return None, failure.category
    if 200 <= answer.status < 300:
        return answer.status, ""
    return answer.status, f"HTTP {answer.status}"


def attempt(delivery_id: int, *, resolver: outbound.Resolver | None = None) -> WebhookDelivery:
    """One HTTP attempt of a claimed delivery; record it and schedule what comes next.

    ``resolver``: the name lookup the outbound guard uses (the system's by default; tests give
    their own answers to prove one lookup is made and its checked address is the one reached).
    """
    delivery = WebhookDelivery.objects.select_related("event", "subscription").get(pk=delivery_id)
    subscription, event = delivery.subscription, delivery.event
    started = timezone.now()
    if subscription.deleted_at is not None or not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.CANCELLED, claimed_until=None
        )
        _held.pop(delivery.pk, None)
        return delivery
    body = canonical_body(event.payload)
    clock = time.monotonic()
    status_code, error = _post(
        subscription.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_ID_HEADER: str(event.event_id),
            "X-Netra-Event": event.type,
            "X-Netra-Delivery-Attempt": str(delivery.attempts),
            SIGNATURE_HEADER: sign(subscription.secret, body),
        },
        resolver,
    )
    duration_ms = int((time.monotonic() - clock) * 1000)
    now = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=started,
        status_code=status_code,
        error=error[:300],
        duration_ms=duration_ms,
    )
    fields: dict[str, Any] = {"claimed_until": None, "last_status_code": status_code, "last_error": error[:300]}
    if status_code is not None and 200 <= status_code < 300:
        fields |= {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now, "last_error": ""}
    elif now - event.created_at >= retry_window():
        fields |= {"status": WebhookDelivery.Status.FAILED}
        logger.warning("Webhook delivery %s gave up after %s attempts", delivery.pk, delivery.attempts)
    else:
        fields |= {"next_attempt_at": now + backoff(delivery.attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    _held.pop(delivery.pk, None)
    for name, value in fields.items():
        setattr(delivery, name, value)
    return delivery


def deliver_due(limit: int = 50, *, resolver: outbound.Resolver | None = None) -> int:
    """Claim and attempt what is due now; the number of attempts made."""
    done = 0
    for delivery_id in due(limit=limit):
        if claim(delivery_id):
            attempt(delivery_id, resolver=resolver)
            done += 1
    return done


def run(*, once: bool = False, idle_seconds: float = 2.0, stop=None) -> int:
    """The worker loop (``manage.py deliver_webhooks``): until ``stop()`` is true, or (``once``) nothing is due.

    A database outage does not end it (see the module's text); with ``once`` the error is raised.
    """
    total = 0
    outage_since: float | None = None  # monotonic time of the first failure of the current outage
    failures = 0
    while True:
        try:
            # A loop is no request: Django's per-request connection care is done here, so a
            # connection that failed is checked (and replaced) before the next round. (Not inside
            # an outer transaction: a test's.)
            if not connection.in_atomic_block:
                close_old_connections()
            released = release_held() if outage_since is not None else 0
            made = deliver_due()
            if outage_since is not None:
                logger.warning(
                    "webhook delivery: database reachable again after %.1f s (%d failed tries, %d claims given back)",
                    time.monotonic() - outage_since,
                    failures,
                    released,
                )
                outage_since, failures = None, 0
        except DatabaseError as exc:
            if once:
                raise
            connection.close()  # never reuse a broken connection
            failures += 1
            if outage_since is None:
                outage_since = time.monotonic()
                logger.warning(
                    "webhook delivery: database unreachable (%s: %s); trying again every %s s",
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0][:200] if str(exc).strip() else "",
                    OUTAGE_RETRY_SECONDS,
                )
            if stop and stop():
                return total
            time.sleep(min(idle_seconds, OUTAGE_RETRY_SECONDS))
            continue
        total += made
        if stop and stop():
            return total
        if not made:
            if once:  # nothing left that is due now
                return total
            time.sleep(idle_seconds)
