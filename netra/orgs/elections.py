"""Elections are data an admin maintains (issue #16 item 5): who may, and the audited service.

Who, decided by the role table: a superuser, and the **agency admin of a national agency that
oversees elections** — BKN pusat (which runs the SBT and the sanction catalogue that reads the
phases) and Bawaslu RI (which supervises the elections themselves). Not a regional office, not a
pemda admin: an election and its phases hold for every region, so a wrong date in one pemda's hands
would change every agency's sanction suggestions. Anyone else does not see the page (404).

The check of the phases lives in ``netra.catalog.elections.phase_problems``; a save of the
Election row clears the per-process election cache (``netra.cases.lookups``, post_save), and the
sanction suggestion reads the phases from the database, so both follow at once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.catalog.elections import phase_problems
from netra.catalog.models import Election, ElectionPhase
from netra.orgs.codes import AgencyKind
from netra.orgs.models import Membership, User
from netra.orgs.roles import ADMIN_ROLES

ELECTION_AGENCY_KINDS = frozenset({AgencyKind.BKN_CENTRAL, AgencyKind.BAWASLU_RI})


def may_manage_elections(user) -> bool:
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user,
        active=True,
        agency__active=True,
        role__in=ADMIN_ROLES,
        agency__kind__in=sorted(ELECTION_AGENCY_KINDS),
    ).exists()


class ElectionError(Exception):
    def __init__(self, code: str, fields: dict[str, list[str]] | None = None):
        self.code = code
        self.fields = fields or {}
        super().__init__(code)


def election_save(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    voting_date: datetime.date,
    source: str = "",
    phases: dict[str, tuple[datetime.date, datetime.date]],
    create: bool,
) -> Election:
    """Add (``create``) or change an election and replace its phases; audited.

    ``phases`` maps a phase kind to (start, end); a kind left out is removed. Raises
    ElectionError ``not_found`` (the caller answers 404) or ``validation_error`` with messages
    by field (``code``, or ``<kind>`` for a phase).
    """
    if not may_manage_elections(actor):
        raise ElectionError("not_found")
    problems = {f"phase_{k}": v for k, v in phase_problems(voting_date, phases).items()}
    unknown = set(phases) - set(ElectionPhase.Kind.values)
    if unknown:
        problems["phases"] = [_("Tahapan tidak dikenal: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))}]
    with transaction.atomic():
        existing = Election.objects.select_for_update().filter(code=code).first()
        if create and existing is not None:
            problems.setdefault("code", []).append(_("Kode ini sudah dipakai pemilihan lain."))
        if not create and existing is None:
            raise ElectionError("not_found")
        if problems:
            raise ElectionError("validation_error", problems)
        before = _snapshot(existing) if existing else None
        election = existing or Election(code=code)
        election.name, election.kind, election.voting_date, election.source = name, kind, voting_date, source
        election.save()
        election.phases.exclude(kind__in=list(phases)).delete()
        for phase_kind, (start, end) in phases.items():
            ElectionPhase.objects.update_or_create(
                election=election, kind=phase_kind, defaults={"start": start, "end": end}
            )
        after = _snapshot(election)
        record(
            actor,
            "election.created" if create else "election.changed",
            election,
            before=before,
            after=after,
        )
        return election


def _snapshot(election: Election) -> dict:
    return {
        "name": election.name,
        "kind": election.kind,
        "voting_date": election.voting_date.isoformat(),
        "source": election.source,
        "phases": {
            phase.kind: [phase.start.isoformat(), phase.end.isoformat()]
            for phase in ElectionPhase.objects.filter(election=election).order_by("start", "kind")
        },
    }
