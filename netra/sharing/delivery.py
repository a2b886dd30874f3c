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
"""

import datetime
import logging
import random
import time
from typing import Any

from django.conf import settings
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


def claim(delivery_id: int, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(_unclaimed(now))
        .update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )


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
    """The worker loop (``manage.py deliver_webhooks``): until ``stop()`` is true, or (``once``) nothing is due."""
    total = 0
    while True:
        made = deliver_due()
        total += made
        if stop and stop():
            return total
        if not made:
            if once:  # nothing left that is due now
                return total
            time.sleep(idle_seconds)
