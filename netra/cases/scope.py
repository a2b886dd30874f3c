"""Whose cases an actor reaches: a user (through its memberships) or an API token (its agency and
role). Below the workflow table and its forms, which both ask it (``in_scope``)."""

from netra.cases.models import Case


def actor_scope(actor):
    """The case scope of a user or of an API token (``.agency`` + ``.role``); None = the system."""
    from netra.orgs.selectors import case_scope, scope_for_agency_role

    if actor is None:
        return None
    if is_token(actor):
        return scope_for_agency_role(actor.agency, actor.role)
    return case_scope(actor)


def is_token(actor) -> bool:
    """An agency API token (anything acting for one agency in one role that is not a person)."""
    from netra.orgs.models import User

    return actor is not None and not isinstance(actor, User) and hasattr(actor, "role") and hasattr(actor, "agency")


def in_scope(actor, case: Case) -> bool:
    if actor is None:
        return True
    scope = actor_scope(actor)
    return scope.covers(agency_id=case.agency_id, region_code=case.region_id)
