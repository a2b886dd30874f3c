"""A case taken along the legal path of the workflow with the real service (``case_transition``)."""

from netra.cases.services import case_transition
from netra.cases.tests.workflow_support import VALID_DATA

LEGAL_PATH = ("checking", "verification", "examination", "recommendation", "awaiting_decision", "decided")


def take_to(case, until: str, *, officer, lead, ppk):
    """Move ``case`` from ``received`` up to and including the move ``until`` (a LEGAL_PATH action)."""
    actors = {"awaiting_decision": lead, "decided": ppk}
    for action in LEGAL_PATH:
        case = case_transition(
            case=case, action=action, actor=actors.get(action, officer), data=VALID_DATA.get(action, {})
        )
        if action == until:
            break
    return case
