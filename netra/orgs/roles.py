"""The roles a membership can carry, and what each may do: one table, read by everything else.

Workflow, views, API and tests take role codes and facts from here (``Role.SATGAS_LEAD``,
``ROLES[code].sees_cases``, ``role_includes(...)``) instead of comparing strings of their own.
Which *agencies* a role reaches is decided by ``netra.orgs.selectors`` (by agency kind).
"""

from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise

from netra.orgs.models import Membership

Role = Membership.Role


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
    # Roles whose powers this one has as well ("a Satgas lead may do everything an officer may").
    includes: tuple[str, ...] = ()

    def __post_init__(self):
        # Plain strings, not enum members: codes are compared with values read from the database.
        object.__setattr__(self, "code", str(self.code))
        object.__setattr__(self, "includes", tuple(str(code) for code in self.includes))


ROLES: dict[str, RoleSpec] = {
    spec.code: spec
    for spec in [
        RoleSpec(
            code=Role.SATGAS_OFFICER,
            label=Role.SATGAS_OFFICER.label,
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.SATGAS_LEAD,
            label=Role.SATGAS_LEAD.label,
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
            includes=(Role.SATGAS_OFFICER,),
        ),
        RoleSpec(
            code=Role.PPK,
            label=Role.PPK.label,
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.BAWASLU_OFFICER,
            label=Role.BAWASLU_OFFICER.label,
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=True,
            manages_agency=False,
        ),
        RoleSpec(
            code=Role.BKN_SUPERVISOR,
            label=Role.BKN_SUPERVISOR.label,
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
            needs_2fa=True,
            sees_cases=False,
            acts_on_cases=False,
            manages_agency=True,
        ),
        # Inspektorat, KemenPAN-RB, Kemendagri, observers: read-only oversight within scope.
        RoleSpec(
            code=Role.OBSERVER,
            label=Role.OBSERVER.label,
            needs_2fa=True,
            sees_cases=True,
            acts_on_cases=False,
            manages_agency=False,
        ),
    ]
}


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
