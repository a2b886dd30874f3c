from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is written by services and sealed by the chain, never by hand."""

    list_display = ["created_at", "seq", "action", "actor_label", "agency", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
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
    ]
    fieldsets = [
        (None, {"fields": ["created_at", "action", "actor", "actor_label", "agency"]}),
        (_("Objek"), {"fields": ["object_type", "object_id", "payload"]}),
        (_("Rantai hash"), {"fields": ["seq", "hash"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
