"""Small builders for the outreach tests: a roster, a campaign, an OPD head (real rows, no mocks)."""

from __future__ import annotations

import datetime

from netra.orgs.models import Membership, Unit
from netra.orgs.roles import Role
from netra.orgs.tests.factories import UserFactory
from netra.pacts import tally
from netra.pacts.models import Employee, PactCampaign, PactSignature


def nip(i: int) -> str:
    """A valid NIP for person ``i`` (birth 1970 to 1989, TMT CPNS 2010, serial 001 to 999)."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=(i // 999) % 7000)
    return f"{birth:%Y%m%d}201001{1 + i % 2}{1 + i % 999:03d}"


def roster(agency, unit: Unit, count: int, *, start: int = 0, status: str = "pns") -> list[Employee]:
    """Bulk-created employees; the coverage counters are recounted after (the services keep them)."""
    rows = Employee.objects.bulk_create(
        [
            Employee(agency=agency, unit=unit, name=f"Pegawai {start + i}", nip=nip(start + i), status=status)
            for i in range(count)
        ]
    )
    tally.rebuild(agency.pk)
    return rows


def campaign(agency, *, state: str = PactCampaign.State.OPEN, **extra) -> PactCampaign:
    return PactCampaign.objects.create(
        agency=agency,
        title=extra.pop("title", "Pakta Integritas Netralitas 2024"),
        text="Saya menyatakan ...",
        starts_on=extra.pop("starts_on", datetime.date(2024, 9, 1)),
        ends_on=extra.pop("ends_on", datetime.date(2024, 11, 27)),
        state=state,
        **extra,
    )


def sign(campaign_row: PactCampaign, employees, *, method: str = PactSignature.Method.CEREMONY):
    from django.utils import timezone

    rows = PactSignature.objects.bulk_create(
        [
            PactSignature(
                campaign=campaign_row, employee=e, method=method, signed_at=timezone.now(), signed_name=e.name
            )
            for e in employees
        ]
    )
    tally.rebuild(campaign_row.agency_id)
    return rows


def opd_head(agency, unit: Unit, username: str):
    user = UserFactory(username=username)
    Membership.objects.create(user=user, agency=agency, role=Role.OPD_HEAD, unit=unit)
    return user
