from django.contrib import admin

from netra.ops.models import RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["agency", "contact_months", "dismissed_evidence_months", "updated_at"]
    autocomplete_fields = ["agency"]
