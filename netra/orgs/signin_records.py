"""What django-axes keeps about staff sign-ins, and for how long (issue #10, finding 12).

Lockouts count by account (``AXES_LOCKOUT_PARAMETERS = ["username"]``), so the browser's
User-Agent is not needed: :class:`LockoutHandler` stores it empty. The address of a sign-in and
of failed attempts (the rate limits' ``client_address``: X-Forwarded-For only from
``NETRA_TRUSTED_PROXIES``, settings ``AXES_CLIENT_IP_CALLABLE``) is kept for ``NETRA_SIGN_IN_RECORD_DAYS`` (30) days for the agency's own
security review, then :func:`purge` deletes it; the scheduler queues :func:`purge` through
``netra.orgs.tasks.purge_sign_in_records`` and ``manage.py purge_sign_in_records`` runs it by hand.
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, without the User-Agent."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None:
            request.axes_user_agent = ""
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        if request is not None:
            request.axes_user_agent = ""
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        if request is not None:
            request.axes_user_agent = ""
        return super().user_logged_out(sender, request, user, **kwargs)


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.NETRA_SIGN_IN_RECORD_DAYS)


def purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete sign-in records older than the retention; how many of each went."""
    before = (now or timezone.now()) - retention()
    return {
        "access_logs": AccessLog.objects.filter(attempt_time__lt=before).delete()[0],
        "failure_logs": AccessFailureLog.objects.filter(attempt_time__lt=before).delete()[0],
        "attempts": AccessAttempt.objects.filter(attempt_time__lt=before).delete()[0],
    }
