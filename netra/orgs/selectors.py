"""Who may see what: the one place that turns a user's memberships into a scope.

A membership reaches agencies and regions by its agency's kind (``KIND_REACH``) and only if its
role allows it (``netra.orgs.roles``): ``case_scope`` for reading cases, ``admin_scope`` for
managing people and API tokens. A user's scope is the union over their active memberships;
an inactive user, membership or agency gives nothing; a superuser sees everything.

Later models filter with ``scope.q(agency_field=..., region_field=...)``: a row is visible when
its agency is in ``agency_ids`` or its region code lies under one of ``region_prefixes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet, prefetch_related_objects

from netra.orgs.models import Agency, Membership, User
from netra.orgs.roles import ADMIN_ROLES, CASE_ROLES, effective_roles

Kind = Agency.Kind


def _normalise_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Sorted, without duplicates and without prefixes already covered by a shorter one."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes), key=lambda p: (len(p), p)):
        if prefix and not any(_under(prefix, shorter) for shorter in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def _under(code: str, prefix: str) -> bool:
    # Region codes are dotted ("62", "62.06"): "6" is not a prefix of "62", "62.0" not of "62.06".
    return code == prefix or code.startswith(prefix + ".")


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, or some agencies plus everything under some regions."""

    everything: bool = False
    agency_ids: frozenset[int] = frozenset()
    region_prefixes: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "agency_ids", frozenset(self.agency_ids))
        object.__setattr__(self, "region_prefixes", _normalise_prefixes(self.region_prefixes))

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def __or__(self, other: Scope) -> Scope:
        if self.everything or other.everything:
            return Scope.all()
        return Scope(
            agency_ids=self.agency_ids | other.agency_ids,
            region_prefixes=self.region_prefixes + other.region_prefixes,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.agency_ids or self.region_prefixes)

    def covers_region(self, code: str | None) -> bool:
        if self.everything:
            return True
        return code is not None and any(_under(code, prefix) for prefix in self.region_prefixes)

    def covers(self, *, agency_id: int | None = None, region_code: str | None = None) -> bool:
        """The same test as ``q()``, on one object already in memory."""
        return self.everything or (agency_id in self.agency_ids) or self.covers_region(region_code)

    def q(self, agency_field: str | None = "agency", region_field: str | None = "region") -> Q:
        """A filter for any model with an agency FK and/or a region FK (``catalog.Region``).

        ``region_field`` may be a path (``"agency__region"``); ``None`` leaves that side out.
        """
        if self.everything:
            return Q()
        condition = Q(pk__in=[])  # matches no row; the database is not even asked
        if agency_field and self.agency_ids:
            condition |= Q(**{f"{agency_field}__in": sorted(self.agency_ids)})
        if region_field:
            for prefix in self.region_prefixes:
                condition |= Q(**{f"{region_field}": prefix}) | Q(**{f"{region_field}__code__startswith": prefix + "."})
        return condition

    def agencies(self, qs: QuerySet[Agency] | None = None) -> QuerySet[Agency]:
        """The agencies in scope: listed ones, and those whose seat lies in a covered region."""
        qs = Agency.objects.all() if qs is None else qs
        return qs.filter(self.q(agency_field="pk", region_field="region"))


class RegionReach(StrEnum):
    NONE = "none"
    PROVINCE = "province"  # the province of the agency's region
    OWN = "own"  # the agency's own region (a province or a kabupaten/kota)
    COVERED = "covered"  # Agency.covered_regions (a Kanreg BKN's provinces)


@dataclass(frozen=True)
class Reach:
    """What a membership of an agency of some kind reaches, besides the agency itself."""

    everything: bool = False
    children: bool = False  # agencies below it (Agency.parent), at any depth
    parent: bool = False  # the agency above it
    region: RegionReach = RegionReach.NONE


# Every kind must be listed: a new kind without a row fails loudly (KeyError), never silently.
KIND_REACH: dict[str, Reach] = {
    # A pemda sees its own ASN's cases (a case belongs to the subject's agency, design.md 3);
    # its child agencies are units modelled as agencies of their own.
    Kind.PEMDA_REGENCY: Reach(children=True),
    Kind.PEMDA_CITY: Reach(children=True),
    Kind.MINISTRY: Reach(children=True),
    # A province-level body supervises the kabupaten/kota of its province.
    Kind.PEMDA_PROVINCE: Reach(children=True, region=RegionReach.PROVINCE),
    Kind.BAWASLU_PROVINCE: Reach(region=RegionReach.PROVINCE),
    Kind.BAWASLU_REGENCY: Reach(region=RegionReach.OWN),
    # National supervisors: Bawaslu RI, and BKN, which took over KASN's neutrality cases
    # (UU 20/2023; SE MenPAN-RB 4/2024).
    Kind.BAWASLU_RI: Reach(everything=True),
    Kind.BKN_CENTRAL: Reach(everything=True),
    # A Kanreg BKN supervises the provinces of its working area.
    Kind.BKN_REGIONAL: Reach(region=RegionReach.COVERED),
    # An inspektorat oversees the government it belongs to.
    Kind.INSPECTORATE: Reach(parent=True),
    Kind.OBSERVER: Reach(region=RegionReach.OWN),
}


def _reach_scope(memberships: list[Membership]) -> Scope:
    """The union of what the agencies of these memberships reach."""
    agency_ids: set[int] = set()
    prefixes: list[str] = []
    parents_of: set[int] = set()
    for membership in memberships:
        agency = membership.agency
        reach = KIND_REACH[agency.kind]
        if reach.everything:
            return Scope.all()
        agency_ids.add(agency.pk)
        if reach.children and getattr(membership, "agency_has_children", True):  # netra.orgs.per_request
            parents_of.add(agency.pk)
        if reach.parent and agency.parent_id:
            agency_ids.add(agency.parent_id)
        if reach.region == RegionReach.PROVINCE and agency.region_id:
            prefixes.append(agency.region_id[:2])
        elif reach.region == RegionReach.OWN and agency.region_id:
            prefixes.append(agency.region_id)
        elif reach.region == RegionReach.COVERED:
            prefixes.extend(region.code for region in agency.covered_regions.all())
    agency_ids |= _descendants(parents_of)
    return Scope(agency_ids=frozenset(agency_ids), region_prefixes=tuple(prefixes))


def _descendants(agency_ids: set[int]) -> set[int]:
    found: set[int] = set()
    level = set(agency_ids)
    while level:
        level = set(Agency.objects.filter(parent__in=level).values_list("pk", flat=True)) - found - agency_ids
        found |= level
    return found


def _active_memberships(user: User, roles: Iterable[str]) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, active=True, agency__active=True, role__in=sorted(roles))
        .select_related("agency")
        .prefetch_related("agency__covered_regions")
    )


def _usable(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def case_scope(user) -> Scope:
    """Which cases the user may read: by agency and by region (``scope.q()`` filters them)."""
    if not _usable(user):
        return Scope.nothing()
    if user.is_superuser:
        return Scope.all()
    from netra.orgs.per_request import live_memberships  # the same rows all the request reads

    memberships = [m for m in live_memberships(user) if m.role in CASE_ROLES]
    covered = [m.agency for m in memberships if KIND_REACH[m.agency.kind].region == RegionReach.COVERED]
    prefetch_related_objects(covered, "covered_regions")  # only agencies that reach by covered regions
    return _reach_scope(memberships)


def scope_for_agency_role(agency: Agency | None, role: str) -> Scope:
    """The case scope of a non-person acting for ``agency`` in ``role`` (an agency API token).

    The same rules as a membership with that role in that agency: nothing for an inactive agency
    or a role that does not see cases.
    """
    if agency is None or not agency.active or role not in CASE_ROLES:
        return Scope.nothing()
    return _reach_scope([Membership(agency=agency, role=role)])


def admin_scope(user) -> Scope:
    """The agencies whose people and API tokens the user may manage: their own, as agency admin."""
    if not _usable(user):
        return Scope.nothing()
    if user.is_superuser:
        return Scope.all()
    return Scope(agency_ids=frozenset(m.agency_id for m in _active_memberships(user, ADMIN_ROLES)))


def agencies_for(user, *, include_inactive: bool = False) -> QuerySet[Agency]:
    """Agencies the user may see at all: those of their case scope and of their admin scope."""
    qs = Agency.objects.select_related("region")
    if not include_inactive:
        qs = qs.filter(active=True)
    return (case_scope(user) | admin_scope(user)).agencies(qs)


def members_of(agency: Agency, *, include_inactive: bool = False) -> QuerySet[Membership]:
    """The memberships of an agency (its people and their roles), for administration screens."""
    qs = Membership.objects.filter(agency=agency).select_related("user")
    if not include_inactive:
        qs = qs.filter(active=True, user__is_active=True)
    return qs.order_by("role", "user__username")


def roles_in(user, agency: Agency | int) -> frozenset[str]:
    """The user's effective roles in one agency (nesting applied): what the workflow checks."""
    if not _usable(user):
        return frozenset()
    agency_id = agency if isinstance(agency, int) else agency.pk
    codes = Membership.objects.filter(user=user, agency_id=agency_id, active=True, agency__active=True).values_list(
        "role", flat=True
    )
    return frozenset().union(*(effective_roles(code) for code in codes))
