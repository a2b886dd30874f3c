"""Who may file a case, from which source, into which region (issue #10, finding 2).

Called by ``netra.cases.intake.report_submit`` for every submission with an actor (a staff user
or an agency API token — anything with ``agency``, ``role`` and ``prefix``, as ``netra.sharing``
passes). No actor is the public, or Netra's own code: nothing to check beyond the data.

- ``public_report`` comes only from the public (no actor), never from a token or an account;
- ``bawaslu_finding`` only from a Bawaslu agency (its officer, or its token);
- ``agency_referral`` and ``monitoring`` only from an agency;
- the region the case is filed for must lie in the filer's reach — the one scope rule of
  ``netra.orgs.selectors``: the region is covered, or the agency that will own the case is.

Refusals are ``IntakeError`` with code ``forbidden`` (403 in the API) and the field at fault.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from netra.cases import lookups
from netra.cases.models import Case
from netra.cases.scope import is_token
from netra.catalog.models import Region
from netra.orgs.models import Agency, Membership
from netra.orgs.selectors import Scope, case_scope, scope_for_agency_role

Source = Case.Source
BAWASLU_KINDS = frozenset({Agency.Kind.BAWASLU_RI, Agency.Kind.BAWASLU_PROVINCE, Agency.Kind.BAWASLU_REGENCY})


def _kinds_and_scope(actor) -> tuple[set[str], Scope]:
    if is_token(actor):
        return {actor.agency.kind}, scope_for_agency_role(actor.agency, actor.role)
    memberships = Membership.objects.filter(user=actor, active=True, agency__active=True).select_related("agency")
    kinds = {m.agency.kind for m in memberships if m.role != Membership.Role.AGENCY_ADMIN}
    if getattr(actor, "is_superuser", False):
        kinds |= set(Agency.Kind.values)
    return kinds, case_scope(actor)


def filing_problems(*, actor, source: str, region: Region | None, owner: Agency | None = None) -> dict[str, list[str]]:
    """The refusal reasons by field ({} when the filing is allowed)."""
    if actor is None:
        return {}  # the public (public_report), or Netra's own code (an import, a batch, the demo)
    if source == Source.PUBLIC_REPORT:
        return {"source": [_("Laporan masyarakat hanya dapat dikirim oleh masyarakat, bukan oleh instansi.")]}
    kinds, scope = _kinds_and_scope(actor)
    problems: dict[str, list[str]] = {}
    if source == Source.BAWASLU_FINDING and not kinds & BAWASLU_KINDS:
        problems["source"] = [_("Temuan Bawaslu hanya dapat dikirim oleh Bawaslu.")]
    elif source in (Source.AGENCY_REFERRAL, Source.MONITORING) and not kinds:
        problems["source"] = [_("Sumber ini hanya dapat dikirim oleh instansi.")]
    if region is not None:
        target = owner if owner is not None else lookups.owning_agency(region)
        in_reach = scope.covers_region(region.code) or (target is not None and scope.covers(agency_id=target.pk))
        if not in_reach:
            problems["region_code"] = [_("Wilayah %(code)s di luar cakupan instansi Anda.") % {"code": region.code}]
    return problems
