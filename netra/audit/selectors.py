"""Reading the audit log. Scope (which agency a user may see) is the caller's selector's job."""

from django.db import models

from .models import AuditEvent


def events_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The timeline of one object, oldest first.

    Ordered by time, not by chain ``seq``: sealing happens after commit, so an event is in the
    timeline (unsealed) as soon as its transaction is visible.
    """
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor", "agency")
        .order_by("created_at", "id")
    )
