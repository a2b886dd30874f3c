"""Reading notifications: always one user's own."""

from django.db.models import QuerySet

from netra.notify.models import Notification


def unread_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at=None).select_related("content_type")


def notifications_for(user, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("content_type")[:limit]


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()
