from django.contrib import admin

from netra.audit.admin import ReadOnlyAdmin
from netra.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """View only: notifications are written by netra.notify services; read marks by their reader."""

    list_display = ["user", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
