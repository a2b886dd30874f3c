"""The reply outbox: queued by intake, sent by the worker with retries and backoff.

A reply is tried at once by the next worker tick, then after 30 s, 1 min, 2 min … (doubling, at
most an hour) up to ``MAX_ATTEMPTS``. Once sent — or given up — its address and text are blanked:
the receipt code and access key do not stay in a queue table.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from netra import outbound
from netra.channels import adapters
from netra.channels.models import Channel, OutboundMessage

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
FIRST_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _send(message: OutboundMessage) -> None:
    if message.channel == Channel.EMAIL:
        EmailMessage(
            subject=message.subject or "Netra",
            body=message.body,
            from_email=message.reply_from or settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
        ).send()
    elif message.channel == Channel.WHATSAPP:
        adapters.whatsapp_send(message.address, message.body)
    elif message.reply_from:  # an SMS that came by Twilio: answered from the number it was sent to
        adapters.twilio_send(message.address, message.body, message.reply_from)
    else:
        adapters.sms_send(message.address, message.body)


def deliver_due(*, now=None, limit: int = 100) -> dict[str, int]:
    """Send every reply that is due; return counts (sent, retried, gave_up)."""
    now = now or timezone.now()
    counts = {"sent": 0, "retried": 0, "gave_up": 0}
    due = OutboundMessage.objects.filter(sent_at__isnull=True, gave_up=False, next_attempt_at__lte=now)
    for message in list(due.order_by("next_attempt_at", "pk")[:limit]):
        try:
            _send(message)
        except (outbound.Failure, OSError) as failure:
            category = failure.category if isinstance(failure, outbound.Failure) else "send_failed"
            message.attempts += 1
            message.last_error = category[:40]
            if message.attempts >= MAX_ATTEMPTS:
                message.gave_up, message.address, message.body = True, "", ""
                counts["gave_up"] += 1
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                counts["retried"] += 1
            # The category and the row id only: never the address or the text.
            logger.warning("channels: reply %s not sent (%s), attempt %s", message.pk, category, message.attempts)
            message.save()
            continue
        with transaction.atomic():
            OutboundMessage.objects.filter(pk=message.pk).update(
                sent_at=now, attempts=message.attempts + 1, address="", body="", last_error=""
            )
        counts["sent"] += 1
    return counts
