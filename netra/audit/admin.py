"""Admin classes: read-only for evidence, audited for whatever else the admin may edit."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .services import record


class _NoWrites:
    """No add, no change, no delete through the admin (history is written by audited services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_NoWrites, admin.ModelAdmin):
    """View only: no add, no change, no delete (history is written by audited services)."""


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made through this admin is also an audit event.

    Django's own LogEntry table is not evidence (anyone with database access rewrites it
    unnoticed); the event goes into the hash chain, in the same transaction as the change.
    """

    def log_addition(self, request, obj, message):
        record(request.user, "admin.added", obj, change=_plain(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        record(request.user, "admin.changed", obj, change=_plain(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record(request.user, "admin.deleted", obj, shown_as=str(obj)[:200])
        return super().log_deletions(request, queryset)


def _plain(message):
    # The admin's change message: a list of {"changed": {"fields": [...]}} dicts or a string.
    return message if isinstance(message, str | list) else str(message)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is written by services and sealed by the chain, never by hand."""

    list_display = ["created_at", "seq", "action", "actor_label", "agency", "object_type", "object_id"]
    list_filter = ["action", "object_type", "refused"]
    search_fields = ["object_id", "actor_label", "action"]
    list_select_related = ["agency"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    show_full_result_count = False  # COUNT(*) over the whole log on every page is needlessly slow
    readonly_fields = [
        "created_at",
        "action",
        "actor",
        "actor_label",
        "agency",
        "object_type",
        "object_id",
        "payload",
        "seq",
        "hash",
        "mac",
        "refused",
    ]
    fieldsets = [
        (None, {"fields": ["created_at", "action", "actor", "actor_label", "agency"]}),
        (_("Objek"), {"fields": ["object_type", "object_id", "payload"]}),
        (_("Rantai hash"), {"fields": ["seq", "hash", "mac", "refused"]}),
    ]
