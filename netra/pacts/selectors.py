"""Who sees which rosters, campaigns and signatures (#11 item 7), enforced here, not in views.

- agency admin and Satgas (officer, lead): manage their own agency's roster and campaigns;
- Kepala OPD (``Membership.unit``): reads their own unit (its employees, its agency's campaigns);
- Bawaslu and BKN: read in their reach (``orgs.selectors``: by agency kind and region);
- a superuser: everything. Anybody else: nothing — and outside scope is a 404, never a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from netra.orgs.models import Agency, Membership
from netra.orgs.roles import BAWASLU_KINDS, BKN_KINDS, Role
from netra.orgs.selectors import Scope, scope_for_agency_role
from netra.pacts.models import Employee, PactCampaign, PactSignature, RosterImport

MANAGER_ROLES = frozenset({str(Role.AGENCY_ADMIN), str(Role.SATGAS_OFFICER), str(Role.SATGAS_LEAD)})
READER_ROLES = frozenset({str(Role.BAWASLU_OFFICER), str(Role.BKN_SUPERVISOR)})


@dataclass(frozen=True)
class PactAccess:
    everything: bool = False
    managed: frozenset[int] = frozenset()  # agencies whose roster and campaigns they manage
    units: frozenset[int] = frozenset()  # units they head (Kepala OPD)
    unit_agencies: frozenset[int] = frozenset()  # the agencies of those units
    reads: Scope = field(default_factory=Scope)  # agencies read in reach (Bawaslu, BKN)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.managed or self.units or not self.reads.is_empty)

    def manages(self, agency_id: int | None) -> bool:
        return self.everything or agency_id in self.managed

    def employees_q(self, prefix: str = "") -> Q:
        # Q() | Q(x) is Q(x) in Django: "everything" must return early, never be OR-ed in.
        if self.everything or self.reads.everything:
            return Q()
        q = Q(**{f"{prefix}agency__in": sorted(self.managed)}) | Q(**{f"{prefix}unit__in": sorted(self.units)})
        if not self.reads.is_empty:
            q |= self.reads.q(agency_field=f"{prefix}agency", region_field=f"{prefix}agency__region")
        return q

    def campaigns_q(self, prefix: str = "") -> Q:
        if self.everything or self.reads.everything:
            return Q()
        q = Q(**{f"{prefix}agency__in": sorted(self.managed | self.unit_agencies)})
        if not self.reads.is_empty:
            q |= self.reads.q(agency_field=f"{prefix}agency", region_field=f"{prefix}agency__region")
        return q


def pact_access(user) -> PactAccess:
    if not (user and user.is_authenticated and user.is_active):
        return PactAccess()
    if user.is_superuser:
        return PactAccess(everything=True)
    memberships = list(
        Membership.objects.filter(user=user, active=True, agency__active=True).select_related("agency", "unit")
    )
    managed = frozenset(m.agency_id for m in memberships if m.role in MANAGER_ROLES)
    heads = [m for m in memberships if m.role == Role.OPD_HEAD and m.unit_id]
    reads = Scope()
    for m in memberships:
        if m.role in READER_ROLES and m.agency.kind in (BAWASLU_KINDS | BKN_KINDS):
            reads = reads | scope_for_agency_role(m.agency, m.role)
    return PactAccess(
        managed=managed,
        units=frozenset(m.unit_id for m in heads if m.unit_id is not None),
        unit_agencies=frozenset(m.agency_id for m in heads),
        reads=reads,
    )


def employees_for(user, access: PactAccess | None = None) -> QuerySet[Employee]:
    access = access or pact_access(user)
    return Employee.objects.filter(access.employees_q()).select_related("agency", "unit")


def campaigns_for(user, access: PactAccess | None = None) -> QuerySet[PactCampaign]:
    access = access or pact_access(user)
    return PactCampaign.objects.filter(access.campaigns_q()).select_related("agency", "election")


def signatures_for(user, access: PactAccess | None = None) -> QuerySet[PactSignature]:
    access = access or pact_access(user)
    return PactSignature.objects.filter(access.employees_q("employee__")).select_related("employee", "campaign")


def managed_agencies(user, access: PactAccess | None = None) -> QuerySet[Agency]:
    access = access or pact_access(user)
    if access.everything:
        return Agency.objects.filter(active=True)
    return Agency.objects.filter(pk__in=sorted(access.managed), active=True)


def visible_agencies(user, access: PactAccess | None = None) -> QuerySet[Agency]:
    access = access or pact_access(user)
    if access.everything or access.reads.everything:
        return Agency.objects.filter(active=True)
    q = Q(pk__in=sorted(access.managed | access.unit_agencies))
    if not access.reads.is_empty:
        q |= access.reads.q(agency_field="pk", region_field="region")
    return Agency.objects.filter(q, active=True)


def managed_agency(user, agency_id) -> Agency:
    """The agency, when the user manages its roster and campaigns; 404 otherwise."""
    try:
        return managed_agencies(user).get(pk=agency_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def campaign_for(user, pk, *, manage: bool = False) -> PactCampaign:
    """A campaign the user may see (or manage); 404 when outside scope or missing."""
    access = pact_access(user)
    try:
        campaign = campaigns_for(user, access).get(pk=pk)
    except (PactCampaign.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not access.manages(campaign.agency_id):
        raise Http404
    return campaign


def signature_for(user, pk, *, manage: bool = False) -> PactSignature:
    access = pact_access(user)
    try:
        signature = signatures_for(user, access).get(pk=pk)
    except (PactSignature.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not access.manages(signature.campaign.agency_id):
        raise Http404
    return signature


def roster_import_for(user, pk) -> RosterImport:
    access = pact_access(user)
    qs = RosterImport.objects.all() if access.everything else RosterImport.objects.filter(agency__in=access.managed)
    try:
        return qs.get(pk=pk)
    except (RosterImport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def public_signature(code: str) -> PactSignature | None:
    """The signature a verification code names, for the public page (no scope: the code is the key)."""
    from netra.pacts.codes import normalize_code

    return (
        PactSignature.objects.filter(verification_code=normalize_code(code)[:16])
        .select_related("campaign__agency")
        .first()
    )
