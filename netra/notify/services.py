"""Sending notifications: one in-app row per recipient, plus an e-mail after commit.

E-mail goes through Django's mail (console backend unless EMAIL_URL says otherwise). A mail
server that is down must not undo the change that caused the notification, so mail is sent
after commit and its failure only leaves ``emailed_at`` empty.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.notify.models import Notification

logger = logging.getLogger(__name__)


def notify(users: Iterable, *, kind: str, text: str, case: models.Model | None = None) -> list[Notification]:
    """Notify each distinct active user once; ``case`` is what it is about (any saved model)."""
    recipients, seen = [], set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        recipients.append(user)
    if not recipients:
        return []
    target = {}
    if case is not None:
        target = {"content_type": ContentType.objects.get_for_model(case), "object_id": str(case.pk)}
    rows = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, text=str(text), **target) for user in recipients]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if ids:
        transaction.on_commit(lambda: email_notifications(ids), robust=True)
    return rows


def email_notifications(ids: Iterable[int]) -> int:
    """Send the e-mail copy of these notifications (each at most once); return how many were sent."""
    sent = 0
    for row in Notification.objects.filter(pk__in=list(ids), emailed_at=None).select_related("user"):
        if not row.user.email:
            continue
        # Claim first: two workers never mail the same notification.
        if not Notification.objects.filter(pk=row.pk, emailed_at=None).update(emailed_at=timezone.now()):
            continue
        try:
            send_mail(
                subject=_("[Netra] %(text)s") % {"text": row.text[:80]},
                message=row.text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[row.user.email],
            )
            sent += 1
        except Exception:
            logger.exception("notification e-mail %s failed", row.pk)
            Notification.objects.filter(pk=row.pk).update(emailed_at=None)
    return sent


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
