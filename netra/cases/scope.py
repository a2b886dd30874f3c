"""Whose cases an actor reaches: a user (through its memberships) or an API token (its agency and
role). Below the workflow table and its forms, which both ask it (``in_scope``).

A case referred up (``Case.referred_to``, issue #16 item 4) is also reached, while referred, by
the members of the receiving agency who see cases (and by its tokens); after the return only by
its scope as before. ``cases_q`` is the one filter every list uses for that.

**Once per request.** A page asks "whose cases, which roles" many times (the list, every
permission check, the reporter-data rule, the workflow's moves). Inside ``once_per_request()``
(``netra.orgs.per_request``: the whole request, through ``OncePerRequestMiddleware``) the scope,
the receiving agencies and the actor's live memberships are computed once and kept until the
request ends; outside it (services, jobs, tests that change memberships between calls) they are
computed every time, as before.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from netra.cases.models import Case
from netra.orgs.per_request import live_memberships, memo, once_per_request, per_request

__all__ = ["memo", "once_per_request", "per_request"]  # re-exported: the machinery lives in netra.orgs


def memberships(user) -> list[Any]:
    """The user's live memberships (active, in an active agency), with the agency; once per request."""
    if user is None or is_token(user):
        return []
    return live_memberships(user)


def actor_scope(actor):
    """The case scope of a user or of an API token (``.agency`` + ``.role``); None = the system."""
    from netra.orgs.selectors import case_scope, scope_for_agency_role

    if actor is None:
        return None
    if is_token(actor):
        return memo(actor, "scope", lambda: scope_for_agency_role(actor.agency, actor.role))
    return memo(actor, "scope", lambda: case_scope(actor))


def is_token(actor) -> bool:
    """An agency API token (anything acting for one agency in one role that is not a person)."""
    from netra.orgs.models import User

    return actor is not None and not isinstance(actor, User) and hasattr(actor, "role") and hasattr(actor, "agency")


def receiving_agency_ids(actor) -> frozenset[int]:
    """The agencies whose referred cases the actor reaches: those where it holds a case role."""
    from netra.orgs.roles import CASE_ROLES

    if actor is None:
        return frozenset()
    if is_token(actor):
        agency = actor.agency
        if agency is None or not agency.active or str(actor.role) not in CASE_ROLES:
            return frozenset()
        return frozenset({agency.pk})
    if not (actor.is_authenticated and actor.is_active):
        return frozenset()
    return frozenset(m.agency_id for m in memberships(actor) if m.role in CASE_ROLES)


def cases_q(actor, *, prefix: str = "") -> Q:
    """A filter for the cases the actor reaches (``prefix``: the path to the case, e.g. ``"case__"``)."""
    scope = actor_scope(actor)
    if scope is None or scope.everything:
        return Q()
    # scope.q(), except that a province is its stored column (Case.province): one indexed
    # equality instead of the code OR a LIKE on the codes under it (the same cases).
    condition = Q(pk__in=[])  # matches no case; the database is not even asked
    if scope.agency_ids:
        condition |= Q(**{f"{prefix}agency__in": sorted(scope.agency_ids)})
    for code in scope.region_prefixes:
        condition |= region_q(code, prefix=prefix)
    if receiving := receiving_agency_ids(actor):
        condition |= Q(**{f"{prefix}referred_to__in": sorted(receiving)})
    return condition


def region_q(code: str, *, prefix: str = "") -> Q:
    """The cases in a region and every region under it: a province by its stored column
    (``Case.province``, one indexed equality), a kabupaten/kota by its code or the codes under it."""
    if is_province(code):
        return Q(**{f"{prefix}province": code})
    return Q(**{f"{prefix}region": code}) | Q(**{f"{prefix}region__code__startswith": code + "."})


def is_province(code: str) -> bool:
    """A province's code ("62"): the first characters of every region code under it (``Case.province``)."""
    return len(code) == PROVINCE_CODE_LENGTH


PROVINCE_CODE_LENGTH = 2

# A scope of more single agencies, regions and receiving agencies than this is read as one filter.
MAX_PARTS = 40


def cases_q_parts(actor) -> list[tuple[Q, bool]] | None:
    """``cases_q`` as separate filters whose union is the same cases (None: every case).

    Each part is ``(filter, ordered)``: ``ordered`` when it is one agency, one province, one region
    or one receiving agency, so that an index on that column followed by the queue's order
    (``case_*_order_idx``) reads it already sorted, a LIMIT stopping the walk; an ``OR`` of them
    would make the planner fetch and sort the whole scope. A province is one part (its stored
    column, ``case_province_order_idx``); a smaller region prefix becomes its regions (a
    kabupaten/kota and any region under it). A scope with more than ``MAX_PARTS`` parts is one
    unordered part (``cases_q``). The parts may overlap (a case of the agency in the region):
    the caller removes duplicates.
    """
    from netra.catalog.models import Region

    scope = actor_scope(actor)
    if scope is None or scope.everything:
        return None
    provinces = [code for code in scope.region_prefixes if is_province(code)]
    smaller = [code for code in scope.region_prefixes if not is_province(code)]
    codes: set[str] = set()
    if smaller:
        under = Q()
        for code in smaller:
            under |= Q(code=code) | Q(code__startswith=code + ".")
        codes.update(Region.objects.filter(under).values_list("code", flat=True))
    receiving = receiving_agency_ids(actor)
    if len(scope.agency_ids) + len(provinces) + len(codes) + len(receiving) > MAX_PARTS:
        return [(cases_q(actor), False)]
    return (
        [(Q(agency_id=pk), True) for pk in sorted(scope.agency_ids)]
        + [(Q(province=code), True) for code in provinces]
        + [(Q(region_id=code), True) for code in sorted(codes)]
        + [(Q(referred_to_id=pk), True) for pk in sorted(receiving)]
    )


def in_scope(actor, case: Case) -> bool:
    if actor is None:
        return True
    scope = actor_scope(actor)
    if scope.covers(agency_id=case.agency_id, region_code=case.region_id):
        return True
    return case.referred_to_id is not None and case.referred_to_id in receiving_agency_ids(actor)
