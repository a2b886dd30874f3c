"""Giving a person a role in an agency: the one service that creates memberships.

The rules come from the role table (``netra.orgs.roles``): the role must be one the agency's kind
can hold (also enforced by ``Membership.save``), and its power is given only by someone who holds
it in the same agency (``vouched_by``) — an agency admin adds admins, the Satgas lead adds Satgas
officers, the PPK a PPK — or by a superuser. Every grant is audited.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.orgs.models import Agency, Membership, Unit, User
from netra.orgs.roles import may_vouch_for, role_kind_error
from netra.orgs.selectors import roles_in


def may_grant(granted_by, agency: Agency, role: str) -> bool:
    """Whether ``granted_by`` may give ``role`` in ``agency`` (the kind is checked separately)."""
    if not (granted_by and granted_by.is_authenticated and granted_by.is_active):
        return False
    return granted_by.is_superuser or may_vouch_for(roles_in(granted_by, agency), role)


def grant_membership(*, user: User, agency: Agency, role: str, granted_by, unit: Unit | None = None) -> Membership:
    """Give ``user`` ``role`` in ``agency`` (re-activating an old membership); audited.

    ``ValidationError`` for a role the agency's kind cannot hold (or a Kepala OPD without a unit
    of the agency, ``Membership.clean``), ``PermissionDenied`` for a granter who does not hold
    that power in the agency.
    """
    if problem := role_kind_error(role, agency.kind):
        raise ValidationError({"role": [problem]}, code="role_not_allowed_for_kind")
    if not may_grant(granted_by, agency, role):
        raise PermissionDenied(_("Anda tidak dapat memberikan peran ini di instansi ini."))
    with transaction.atomic():
        membership, created = Membership.objects.update_or_create(
            user=user, agency=agency, role=role, defaults={"active": True, "unit": unit}
        )
        record(
            granted_by,
            "membership.granted",
            obj=membership,
            user=user.pk,
            role=role,
            created=created,
            **({"unit": unit.pk} if unit is not None else {}),
        )
    return membership
