from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from netra.sharing.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookSubscription
from netra.sharing.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "agency", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role", "agency"]
    search_fields = ["name", "prefix", "agency__code"]
    # Tokens are issued by `create_api_token` or the workspace page (the plaintext is shown there once).
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cabut token terpilih"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token=token, revoked_by=request.user)
        messages.success(request, _("Token dicabut."))


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "agency", "role", "active", "created_at", "deleted_at"]
    list_filter = ["active", "agency"]
    exclude = ["secret"]
    readonly_fields = ["agency", "role", "token", "created_at", "deleted_at"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "at", "status_code", "error", "duration_ms"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "subscription", "event", "case_id", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields if f.name not in ("status", "next_attempt_at")]
    inlines = [WebhookAttemptInline]
