"""The roles a membership can carry, and what each may do: one table, read by everything else.

Workflow, views, API and tests take role codes and facts from here (``Role.SATGAS_LEAD``,
``ROLES[code].sees_cases``, ``role_includes(...)``) instead of comparing strings of their own.
Which *agencies* a role reaches is decided by ``netra.orgs.selectors`` (by agency kind).

The table also says where a role may exist at all (``agency_kinds``: no BKN or Bawaslu role in a
pemda, ever) and who may hand its power to a person or an API token (``vouched_by``: roles held
in the *same* agency). Membership validation, the membership service, the Django admin and the
token service all ask ``role_allowed_in`` / ``may_vouch_for`` here.
"""

from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise

from netra.orgs.codes import AgencyKind, RoleCode

Role = RoleCode
Kind = AgencyKind

PEMDA_KINDS = frozenset({Kind.PEMDA_PROVINCE, Kind.PEMDA_REGENCY, Kind.PEMDA_CITY})
# A kementerian/lembaga employs ASN of its own: it has a Satgas and a PPK like a pemda.
EMPLOYER_KINDS = PEMDA_KINDS | {Kind.MINISTRY}
BAWASLU_KINDS = frozenset({Kind.BAWASLU_RI, Kind.BAWASLU_PROVINCE, Kind.BAWASLU_REGENCY})
BKN_KINDS = frozenset({Kind.BKN_CENTRAL, Kind.BKN_REGIONAL})
ALL_KINDS = frozenset(Kind.values)


@dataclass(frozen=True)
class RoleSpec:
    code: str
    label: str | Promise
    # Every staff account sees reporters' and subjects' personal data (UU 27/2022 PDP), so all
    # of them sign in with a second factor.
    needs_2fa: bool
    # Sees cases of the agencies in its scope.
    sees_cases: bool
    # May move cases on (within what the workflow table lets it do); False = read-only.
    acts_on_cases: bool
    # May manage the people and API tokens of its own agency.
    manages_agency: bool
    # The agency kinds that can hold this role (membership or token); anywhere else it is refused.
    agency_kinds: frozenset[str]
    # Roles, held in the same agency, whose holder may give this role's power to someone else: a
    # new membership, or an API token acting in this role (requested by the agency admin, live
    # only once such a holder approved it). Nobody hands out more power than they hold.
    vouched_by: tuple[str, ...]
    # Roles whose powers this one has as well ("a Satgas lead may do everything an officer may").
    includes: tuple[str, ...] = ()

    def __post_init__(self):
        # Plain strings, not enum members: codes are compared with values read from the database.
        object.__setattr__(self, "code", str(self.code))
        object.__setattr__(self, "includes", tuple(str(code) for code in self.includes))
        object.__setattr__(self, "vouched_by", tuple(str(code) for code in self.vouched_by))
        object.__setattr__(self, "agency_kinds", frozenset(str(kind) for kind in self.agency_kinds))


ROLES: dict[str, RoleSpec] = {
    spec.code: spec
    for spec in [
        RoleSpec(
            code=Role.SATGAS_OFFICER,
            label=Role.SATGAS_OFFICER.label,
            agency_kinds=EMPLOYER_KINDS,
            vouched_by=(Role.SATGAS_LEAD,),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.SATGAS_LEAD,
            label=Role.SATGAS_LEAD.label,
            agency_kinds=EMPLOYER_KINDS,
            vouched_by=(Role.SATGAS_LEAD,),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
            includes=(Role.SATGAS_OFFICER,),
        ),
        RoleSpec(
            code=Role.PPK,
            label=Role.PPK.label,
            agency_kinds=EMPLOYER_KINDS,
            vouched_by=(Role.PPK,),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.BAWASLU_OFFICER,
            label=Role.BAWASLU_OFFICER.label,
            agency_kinds=BAWASLU_KINDS,
            vouched_by=(Role.BAWASLU_OFFICER,),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.BKN_SUPERVISOR,
            label=Role.BKN_SUPERVISOR.label,
            agency_kinds=BKN_KINDS,
            vouched_by=(Role.BKN_SUPERVISOR,),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        # design.md: "an agency admin manages people and tokens but decides no case" — it does
        # not even see cases, so an IT administrator never reads reporters' data.
        RoleSpec(
            code=Role.AGENCY_ADMIN,
            label=Role.AGENCY_ADMIN.label,
            agency_kinds=ALL_KINDS,
            vouched_by=(Role.AGENCY_ADMIN,),
            needs_2fa=True,
            sees_cases=False,
            acts_on_cases=False,
            manages_agency=True,
        ),
        # Inspektorat, KemenPAN-RB, Kemendagri, observers: read-only oversight within scope.
        RoleSpec(
            code=Role.OBSERVER,
            label=Role.OBSERVER.label,
            agency_kinds=EMPLOYER_KINDS | {Kind.INSPECTORATE, Kind.OBSERVER},
            vouched_by=(Role.OBSERVER, Role.SATGAS_LEAD, Role.PPK),
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=False,
            manages_agency=False,
        ),
        # Kepala OPD: scoped to one unit (``Membership.unit``); sees no case, only the prevention
        # work (rosters, pacts, circulars) of their own unit.
        RoleSpec(
            code=Role.OPD_HEAD,
            label=Role.OPD_HEAD.label,
            agency_kinds=EMPLOYER_KINDS,
            vouched_by=(Role.AGENCY_ADMIN,),
            needs_2fa=True,
            sees_cases=False,
            acts_on_cases=False,
            manages_agency=False,
        ),
    ]
}

# Roles whose membership is tied to one unit (OPD) of the agency; every other role refuses one.
UNIT_ROLES = frozenset({str(Role.OPD_HEAD)})


def role_spec(role: str) -> RoleSpec:
    """The table row of a role code; ``KeyError`` for an unknown code (never guess a role)."""
    return ROLES[role]


@cache
def effective_roles(role: str) -> frozenset[str]:
    """The role itself plus every role it includes, transitively."""
    found: set[str] = set()
    pending = [role]
    while pending:
        code = pending.pop()
        if code in found:
            continue
        found.add(code)
        pending.extend(ROLES[code].includes)
    return frozenset(found)


def role_includes(role: str, other: str) -> bool:
    """Whether ``role`` may do everything ``other`` may (every role includes itself)."""
    return other in effective_roles(role)


def roles_where(**facts: bool) -> frozenset[str]:
    """Role codes whose facts all match, e.g. ``roles_where(sees_cases=True)``."""
    return frozenset(code for code, spec in ROLES.items() if all(getattr(spec, k) == v for k, v in facts.items()))


CASE_ROLES = roles_where(sees_cases=True)
ACTING_ROLES = roles_where(acts_on_cases=True)
ADMIN_ROLES = roles_where(manages_agency=True)


def role_allowed_in(role: str, kind: str) -> bool:
    """Whether an agency of ``kind`` can hold ``role`` at all (a membership or a token)."""
    spec = ROLES.get(role)
    return spec is not None and kind in spec.agency_kinds


def role_kind_error(role: str, kind: str) -> str | None:
    """The Indonesian reason ``role`` cannot exist in an agency of ``kind``, or None when it can."""
    from django.utils.translation import gettext

    if role not in ROLES:
        return gettext("Peran %(role)s tidak dikenal.") % {"role": role}
    if role_allowed_in(role, kind):
        return None
    return gettext("Peran %(role)s tidak dapat dipegang oleh instansi berjenis %(kind)s.") % {
        "role": ROLES[role].label,
        "kind": Kind(kind).label if kind in Kind.values else kind,
    }


def roles_for_kind(kind: str) -> list[str]:
    """The role codes an agency of ``kind`` can hold, in table order."""
    return [code for code, spec in ROLES.items() if kind in spec.agency_kinds]


def may_vouch_for(held_roles, role: str) -> bool:
    """Whether someone holding ``held_roles`` in an agency may give ``role``'s power to another.

    ``held_roles`` are the roles held *in the same agency* (``selectors.roles_in``): a lead of
    Katingan vouches for nothing in Barito Selatan.
    """
    vouchers = ROLES[role].vouched_by
    return any(role_includes(held, voucher) for held in held_roles for voucher in vouchers)
