"""The models that are evidence: history an investigation, an objection or a court relies on.

They are written only by the audited services (``netra.cases.services``, intake, opening,
``netra.audit.services.record``); the Django admin may show them, never add, change or delete
them (``ReadOnlyAdmin``). ``netra/audit/tests/test_admin_guard.py`` walks every registered
ModelAdmin and inline and fails when one of these can be changed through the admin, so a new
admin class cannot quietly reopen the door. Add a model here when it keeps history.
"""

EVIDENCE_MODELS: frozenset[str] = frozenset(
    {
        "audit.auditevent",
        "audit.chainhead",
        # A case's status, owner and merges move only through netra.cases.workflow.
        "cases.case",
        "cases.report",
        "cases.subject",
        "cases.evidence",
        "cases.message",
        "cases.transition",
        "cases.recommendation",
        "cases.decision",
        "cases.followup",
        "cases.controlaction",
        "cases.internalnote",
    }
)
