"""Who may see and manage circulars, events and coverage (issue #11, item 7).

- *Manage* (create circulars and events, record attendance, send reminders to any OPD): the agency
  admin and the Satgas (officer, lead) of the agency; for events also a Bawaslu officer, because
  Bawaslu organises rakor of its own.
- *Read* coverage, circulars and events: every agency the user reaches (``orgs.selectors``: case
  scope plus admin scope, so Bawaslu and BKN see the pemda in their reach), plus the one unit of each
  active ``opd_head`` membership. Anything else answers 404 in the faces.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from netra.orgs.models import Agency, Membership
from netra.orgs.roles import Role
from netra.orgs.selectors import agencies_for, roles_in

CIRCULAR_MANAGERS = frozenset({Role.AGENCY_ADMIN, Role.SATGAS_OFFICER, Role.SATGAS_LEAD})
EVENT_MANAGERS = CIRCULAR_MANAGERS | {Role.BAWASLU_OFFICER}


@dataclass(frozen=True)
class OutreachReach:
    """Whole agencies plus single units (an OPD head's) a user may read."""

    everything: bool = False
    agency_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.agency_ids or self.unit_ids)

    def q(self, agency_field: str = "agency", unit_field: str | None = "unit") -> Q:
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if self.agency_ids:
            condition |= Q(**{f"{agency_field}__in": sorted(self.agency_ids)})
        if unit_field and self.unit_ids:
            condition |= Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
        return condition

    def covers_unit(self, unit) -> bool:
        return self.everything or unit.agency_id in self.agency_ids or unit.pk in self.unit_ids

    def covers_agency(self, agency_id: int) -> bool:
        return self.everything or agency_id in self.agency_ids


def headed_unit_ids(user) -> frozenset[int]:
    """The units the user heads (active ``opd_head`` memberships of active agencies)."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, role=Role.OPD_HEAD, active=True, agency__active=True, unit__isnull=False
        ).values_list("unit_id", flat=True)
    )


def outreach_reach(user) -> OutreachReach:
    if not (user and user.is_authenticated and user.is_active):
        return OutreachReach()
    if user.is_superuser:
        return OutreachReach(everything=True)
    agency_ids = frozenset(agencies_for(user).values_list("pk", flat=True))
    return OutreachReach(agency_ids=agency_ids, unit_ids=headed_unit_ids(user))


def may_manage_circulars(user, agency: Agency | int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, agency) & CIRCULAR_MANAGERS)


def may_manage_events(user, agency: Agency | int) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(roles_in(user, agency) & EVENT_MANAGERS)


def managed_agencies(user, *, events: bool = False):
    """The active agencies whose circulars (or events) the user manages."""
    roles = EVENT_MANAGERS if events else CIRCULAR_MANAGERS
    qs = Agency.objects.filter(active=True)
    if getattr(user, "is_superuser", False):
        return qs
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    return qs.filter(memberships__user=user, memberships__active=True, memberships__role__in=sorted(roles)).distinct()
