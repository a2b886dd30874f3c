"""Admin: a read-only window for superusers. Staff work in the workspace, not here.

Every case record is evidence (``netra.audit.evidence.EVIDENCE_MODELS``): the admin shows it and
never adds, changes or deletes it; changes go through the audited services. What stays editable
(the SLA table) is audited.
"""

from django.contrib import admin

from netra.audit.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from netra.cases.models import (
    Case,
    ControlAction,
    DeadlinePolicy,
    Decision,
    Evidence,
    FollowUp,
    InternalNote,
    Message,
    Recommendation,
    Report,
    Subject,
    Transition,
)
from netra.cases.reporter_data import admin_hidden_fields


class SubjectInline(ReadOnlyInline):
    model = Subject


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ("from_state", "to_state", "at", "actor", "public_note")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "agency", "region", "source", "incident_date", "updated_at"]
    list_filter = ["status", "source"]
    search_fields = ["number", "source_reference"]
    inlines = [SubjectInline, TransitionInline]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["receipt_code", "case", "incident_date", "submitted_at"]
    search_fields = ["receipt_code"]
    # Reporter data the admin never shows (the contact, the access key hash): netra.cases.reporter_data.
    exclude = admin_hidden_fields()


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["case", "report", "sender", "created_at"]


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["case", "from_state", "to_state", "at", "actor"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["case", "sanction_category", "created_by", "created_at"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "decree_number", "decree_date", "annulled_at"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "date", "created_by"]


@admin.register(ControlAction)
class ControlActionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "date", "created_by"]


@admin.register(InternalNote)
class InternalNoteAdmin(ReadOnlyAdmin):
    list_display = ["case", "author", "created_at"]


# --- workflow (netra.cases.workflow / deadlines) --------------------------------------------------
@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    """SLAs per step: the rows without an agency are the defaults (from regulation), an agency's
    own row overrides them (netra.cases.deadlines). Every edit is an audit event."""

    list_display = ["key", "agency", "days", "unit", "source"]
    list_filter = ["key", "unit"]
    autocomplete_fields = ["agency"]
