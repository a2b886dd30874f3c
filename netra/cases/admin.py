"""Admin: a read-mostly window for superusers. Staff work in the workspace, not here."""

from django.contrib import admin

from netra.cases.models import Case, Evidence, Message, Report, Subject, Transition
from netra.cases.reporter_data import admin_hidden_fields


class SubjectInline(admin.TabularInline):
    model = Subject
    extra = 0


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    readonly_fields = ["from_state", "to_state", "at", "actor", "public_note"]
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "agency", "region", "source", "incident_date", "updated_at"]
    list_filter = ["status", "source"]
    search_fields = ["number", "source_reference"]
    raw_id_fields = ["agency", "region", "election", "merged_into"]
    readonly_fields = ["number", "created_at", "updated_at"]
    inlines = [SubjectInline, TransitionInline]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["receipt_code", "case", "incident_date", "submitted_at"]
    search_fields = ["receipt_code"]
    # Reporter data the admin never shows (the contact, the access key hash): netra.cases.reporter_data.
    exclude = admin_hidden_fields()
    # The case is set once, by opening (netra.cases.opening); emptied here it would be opened again.
    readonly_fields = ["receipt_code", "submitted_at", "case", "region", "election", "subject"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["pk", "case", "content_type", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["case", "report"]
    readonly_fields = [f.name for f in Evidence._meta.fields]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["case", "report", "sender", "created_at"]
    raw_id_fields = ["case", "report", "author"]


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ["case", "from_state", "to_state", "at", "actor"]
    raw_id_fields = ["case", "actor"]


# --- workflow (netra.cases.workflow / deadlines) --------------------------------------------------
from netra.cases.models import DeadlinePolicy  # noqa: E402


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    """SLAs per step: the rows without an agency are the defaults (from regulation), an agency's
    own row overrides them (netra.cases.deadlines)."""

    list_display = ["key", "agency", "days", "unit", "source"]
    list_filter = ["key", "unit"]
    autocomplete_fields = ["agency"]
