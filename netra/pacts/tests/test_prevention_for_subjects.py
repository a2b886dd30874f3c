"""``prevention_for_subjects`` (the case page, one statement; ``prevention_for_subject`` is it for one
subject) says what the one-subject definition, read query by query, says for each subject: the
same employees, campaign, live signature and events."""

import datetime

import pytest

from netra.pacts import coverage
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.outreach_models import EventAttendance, SocialisationEvent

pytestmark = pytest.mark.django_db
NIP = "198503122010011003"
DAY = datetime.date(2026, 11, 1)


def _one_subject(*, agency_id, nip, name) -> list[coverage.PreventionRecord]:
    """The one-subject definition, query by query (as the case page read it before the one
    statement): by NIP (any agency), else by name in the case's agency; the agency's current
    campaign (``current_campaigns``), the live signature of it, the events attended."""
    nip = (nip or "").strip()
    name = " ".join((name or "").split())
    if nip:
        employees, certain = list(Employee.objects.filter(nip=nip).select_related("agency", "unit")[:3]), True
    elif name and agency_id:
        employees = list(
            Employee.objects.filter(agency_id=agency_id, name__iexact=name).select_related("agency", "unit")[:3]
        )
        certain = False
    else:
        return []
    if not employees:
        return []
    campaigns = coverage.current_campaigns({e.agency_id for e in employees})
    signatures = {
        s.employee_id: s
        for s in PactSignature.objects.filter(
            employee__in=employees, campaign_id__in=[c.pk for c in campaigns.values()], revoked_at=None
        )
    }
    attendances: dict[int, list] = {}
    for attendance in (
        EventAttendance.objects.filter(employee__in=employees).select_related("event").order_by("-event__held_on")
    ):
        attendances.setdefault(attendance.employee_id, []).append(attendance.event)
    return [
        coverage.PreventionRecord(
            employee=e,
            certain=certain,
            signature=signatures.get(e.pk),
            campaign=campaigns.get(e.agency_id),
            events=attendances.get(e.pk, []),
        )
        for e in employees
    ]


def _campaign(agency, title, state, starts):
    return PactCampaign.objects.create(
        agency=agency, title=title, text="…", starts_on=starts, ends_on=starts, state=state
    )


def _sign(campaign, employee, *, revoked=False):
    return PactSignature.objects.create(
        campaign=campaign,
        employee=employee,
        method="self",
        signed_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
        signed_name=employee.name,
        revoked_at=datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC) if revoked else None,
    )


def _shape(records):
    return [
        (
            r.employee.pk,
            r.certain,
            r.signature and r.signature.pk,
            r.campaign and r.campaign.pk,
            [e.pk for e in r.events],
        )
        for r in records
    ]


def test_the_one_statement_says_what_each_lookup_says(agencies):
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    here = Employee.objects.create(agency=katingan, name="Budi", nip=NIP, status=Employee.Status.PNS)
    there = Employee.objects.create(agency=barsel, name="Budi", nip=NIP, status=Employee.Status.PNS)
    by_name = Employee.objects.create(
        agency=katingan, name="Siti Aminah", employee_number="NA-1", status=Employee.Status.NON_ASN
    )
    Employee.objects.create(
        agency=katingan, name="Tidak Dilaporkan", employee_number="NA-2", status=Employee.Status.NON_ASN
    )
    newer_closed = _campaign(katingan, "Ditutup, lebih baru", "closed", DAY + datetime.timedelta(days=30))
    open_one = _campaign(katingan, "Dibuka", "open", DAY)
    _campaign(katingan, "Draf", "draft", DAY + datetime.timedelta(days=60))
    closed_only = _campaign(barsel, "Barsel", "closed", DAY)
    _sign(open_one, here)
    _sign(newer_closed, by_name)  # not the current campaign's
    _sign(closed_only, there, revoked=True)  # revoked: not shown
    for n, employee in enumerate([here, here, by_name]):
        event = SocialisationEvent.objects.create(
            agency=katingan,
            kind=SocialisationEvent.Kind.choices[0][0],
            title=f"S{n}",
            held_on=DAY + datetime.timedelta(days=n),
        )
        EventAttendance.objects.create(event=event, employee=employee, method=EventAttendance.Method.choices[0][0])
    subjects = [(NIP, "Budi"), ("", "siti  aminah"), ("", "Orang Lain"), (None, "")]

    together = coverage.prevention_for_subjects(agency_id=katingan.pk, subjects=subjects)

    alone = [_one_subject(agency_id=katingan.pk, nip=nip, name=name) for nip, name in subjects]
    assert [
        _shape(coverage.prevention_for_subject(agency_id=katingan.pk, nip=nip, name=name)) for nip, name in subjects
    ] == [_shape(records) for records in together]
    assert [_shape(records) for records in together] == [_shape(records) for records in alone]
    assert _shape(together[0]) == [
        (there.pk, True, None, closed_only.pk, []),
        (
            here.pk,
            True,
            here.signatures.get().pk,
            open_one.pk,
            [e.event_id for e in here.attendances.order_by("-event__held_on")],
        ),
    ]
    assert together[1][0].campaign.title == "Dibuka" and together[1][0].signature is None
