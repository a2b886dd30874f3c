"""The coverage counters stay exact: random writes through every write path, each followed by a
comparison of every coverage figure with straight COUNT queries (SQLite and PostgreSQL)."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from netra.catalog.models import Election
from netra.orgs.models import Unit
from netra.pacts import circulars, coverage, events, services, tally
from netra.pacts.circulars import OutreachError
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.outreach_access import outreach_reach
from netra.pacts.outreach_models import CircularDelivery, CoverageTally, EventAttendance, SocialisationEvent
from netra.pacts.tests.conftest import person, xlsx
from netra.pacts.tests.outreach_support import opd_head

pytestmark = pytest.mark.django_db

UNITS = ("Dinas Pendidikan", "Dinas Kesehatan", "Sekretariat Daerah")
POOL = 36  # people who come and go through the roster imports


def straight_counts(reach, election=None) -> dict[int, tuple[int, int, int, int, int]]:
    """Every figure of the coverage page, counted the plain way (one COUNT per figure and OPD)."""
    figures = {}
    units = Unit.objects.filter(reach.q(agency_field="agency", unit_field="pk"), agency__active=True)
    for unit in units:
        campaign = coverage.current_campaigns([unit.agency_id], election=election).get(unit.agency_id)
        employees = Employee.objects.filter(unit=unit, agency_id=unit.agency_id, active=True)
        if campaign is not None:
            if campaign.target_unit_ids and unit.pk not in campaign.target_unit_ids:
                employees = employees.none()
            if campaign.target_statuses:
                employees = employees.filter(status__in=campaign.target_statuses)
        signed = (
            employees.filter(signatures__campaign=campaign, signatures__revoked_at=None).distinct().count()
            if campaign is not None
            else 0
        )
        attended = EventAttendance.objects.filter(employee__in=employees, event__cancelled_at__isnull=True)
        if election is not None:
            attended = attended.filter(event__election=election)
        deliveries = CircularDelivery.objects.filter(unit=unit, circular__cancelled_at__isnull=True)
        figures[unit.pk] = (
            employees.count(),
            signed,
            attended.values("employee_id").distinct().count(),
            deliveries.count(),
            deliveries.filter(acknowledged_at__isnull=False).count(),
        )
    return figures


def shown(reach, election=None):
    return {
        row.unit_id: (row.employees, row.signed, row.reached_by_events, row.circulars, row.circulars_acknowledged)
        for row in coverage.coverage_units(reach, election=election)
    }


@pytest.fixture
def world(media, agencies, admin_katingan, satgas_katingan, bawaslu_katingan):
    katingan = agencies["pemkab-katingan"]
    units = [Unit.objects.get_or_create(agency=katingan, name=name)[0] for name in UNITS]
    election = Election.objects.get_or_create(
        code="pilkada-2024", defaults={"name": "Pilkada 2024", "kind": "pilkada", "voting_date": "2024-11-27"}
    )[0]
    head = opd_head(katingan, units[1], "kadis.kesehatan.tally")
    return {
        "katingan": katingan,
        "units": units,
        "election": election,
        "admin": admin_katingan,
        "satgas": satgas_katingan,
        "bawaslu": bawaslu_katingan,
        "head": head,
    }


class Driver:
    """Random writes, each through the service the pages and the API call."""

    def __init__(self, world, rng: random.Random):
        self.w, self.rng = world, rng
        self.done: list[str] = []

    # helpers
    def employees(self):
        return list(Employee.objects.filter(agency=self.w["katingan"]).order_by("pk"))

    def campaign(self):
        return coverage.current_campaigns([self.w["katingan"].pk]).get(self.w["katingan"].pk)

    def some(self, items, most=4):
        items = list(items)
        return self.rng.sample(items, min(len(items), self.rng.randint(1, most))) if items else []

    def live_events(self):
        return list(SocialisationEvent.objects.filter(cancelled_at=None).order_by("pk"))

    # write paths
    def roster_import(self):
        """New people, unit moves, status changes, people who leave, people who come back."""
        rows = []
        for i in self.rng.sample(range(POOL), self.rng.randint(POOL // 2, POOL)):
            status = "Non-ASN" if i % 9 == 0 else self.rng.choice(["PNS", "PNS", "PPPK"])
            rows.append(person(i, self.rng.choice(UNITS), status))
        job = services.start_roster_import(
            user=self.w["admin"],
            agency=self.w["katingan"],
            data=xlsx(rows),
            filename="pegawai.xlsx",
            mark_absent_left=self.rng.random() < 0.5,
        )
        assert job.state == "done", job.errors
        return f"import {len(rows)} left={job.result['left']}"

    def new_campaign(self):
        today = datetime.date(2024, 9, 1) + datetime.timedelta(days=len(self.done))
        campaign = services.create_campaign(
            user=self.w["admin"],
            agency=self.w["katingan"],
            title=f"Pakta {len(self.done)}",
            text="Saya menyatakan ...",
            starts_on=today,
            ends_on=today + datetime.timedelta(days=60),
            election=self.w["election"] if self.rng.random() < 0.5 else None,
        )
        services.update_campaign(user=self.w["admin"], campaign=campaign, state=PactCampaign.State.OPEN)
        return f"campaign {campaign.pk}"

    def campaign_targets(self):
        campaign = self.campaign()
        if campaign is None:
            return self.new_campaign()
        units = self.rng.sample(self.w["units"], self.rng.randint(0, 2))
        statuses = self.rng.sample(["pns", "pppk", "non_asn"], self.rng.randint(0, 2))
        services.update_campaign(user=self.w["admin"], campaign=campaign, target_units=units, target_statuses=statuses)
        return f"targets {[u.pk for u in units]} {statuses}"

    def _targets(self):
        campaign = self.campaign()
        if campaign is None:
            return None, []
        return campaign, list(services.campaign_targets(campaign))

    def sign_sheet(self):
        campaign, people = self._targets()
        if not people:
            return self.new_campaign()
        services.record_sheet(
            user=self.w["satgas"],
            campaign=campaign,
            cleaned=b"%PDF-1.4 lembar",
            content_type="application/pdf",
            extension="pdf",
            employee_ids=[e.pk for e in self.some(people)],
        )
        return "sheet"

    def sign_ceremony(self):
        campaign, people = self._targets()
        if not people:
            return self.new_campaign()
        services.record_ceremony(
            user=self.w["admin"],
            campaign=campaign,
            held_on=datetime.date(2024, 10, 1),
            place="Aula",
            signatories=[services.Signatory("Bupati", "Bupati", "Pemkab")],
            employee_ids=[e.pk for e in self.some(people)],
        )
        return "ceremony"

    def sign_self(self):
        campaign, people = self._targets()
        if not people:
            return self.new_campaign()
        employee = self.rng.choice(people)
        [(_e, code)] = services.issue_signing_codes(user=self.w["admin"], campaign=campaign, employees=[employee])
        found = services.find_signing_code(campaign=campaign, nip=employee.identifier, code=code)
        services.self_sign(campaign=campaign, signing_code_id=found.pk)
        return "self"

    def revoke(self):
        live = list(PactSignature.objects.filter(revoked_at=None).order_by("pk"))
        if not live:
            return self.sign_sheet()
        services.revoke_signature(user=self.w["admin"], signature=self.rng.choice(live), reason="salah catat")
        return "revoke"

    def new_event(self):
        by_bawaslu = self.rng.random() < 0.3
        event = events.event_create(
            actor=self.w["bawaslu"] if by_bawaslu else self.w["satgas"],
            agency=self.w["bawaslu"].memberships.get().agency if by_bawaslu else self.w["katingan"],
            kind="rakor" if by_bawaslu else "sosialisasi",
            title=f"Kegiatan {len(self.done)}",
            held_on=datetime.date(2024, 10, 5),
            place="Aula",
            audience_units=self.rng.sample(self.w["units"], self.rng.randint(1 if by_bawaslu else 0, 2)),
            election=self.w["election"] if self.rng.random() < 0.5 else None,
        )
        return f"event {event.pk}"

    def _event(self):
        live = self.live_events()
        return self.rng.choice(live) if live else None

    def _manager(self, event):
        return self.w["bawaslu"] if event.agency_id != self.w["katingan"].pk else self.w["satgas"]

    def tick(self):
        event = self._event()
        if event is None:
            return self.new_event()
        people = list(events.eligible_employees(event))
        events.attendance_tick(
            actor=self._manager(event), event=event, employee_ids=[e.pk for e in self.some(people, 6)]
        )
        return "tick"

    def attendance_import(self):
        event = self._event()
        if event is None:
            return self.new_event()
        people = self.some(events.eligible_employees(event), 6)
        data = ("nip\n" + "".join(f"{e.identifier}\n" for e in people)).encode()
        _added, errors = events.attendance_import(actor=self._manager(event), event=event, data=data, filename="a.csv")
        assert not errors or not people
        return "attendance import"

    def checkin(self):
        event = self._event()
        if event is None:
            return self.new_event()
        people = list(events.eligible_employees(event))
        if people:
            assert events.event_checkin(code=event.checkin_code, identifier=self.rng.choice(people).identifier)
        return "checkin"

    def event_edit(self):
        event = self._event()
        if event is None:
            return self.new_event()
        events.event_update(
            actor=self._manager(event),
            event=event,
            kind=event.kind,
            title=event.title + " (ubah)",
            held_on=event.held_on,
            place=event.place or "Aula",
            audience_units=list(event.audience_units.all()),
            election=None if event.election_id else self.w["election"],
        )
        return "event election"

    def event_remove(self):
        event = self._event()
        if event is None:
            return self.new_event()
        return "event " + events.event_remove(actor=self._manager(event), event=event, reason="jadwal berubah")

    def circular(self):
        made = circulars.circular_create(
            actor=self.w["admin"],
            agency=self.w["katingan"],
            number=f"800/{len(self.done)}",
            issued_on=datetime.date(2024, 9, 2),
            issuer="Bupati",
            subject="Netralitas",
            units=self.rng.sample(self.w["units"], self.rng.randint(1, 3)),
        )
        delivery = made.deliveries.filter(unit=self.w["units"][1]).first()
        if delivery and self.rng.random() < 0.7:
            circulars.circular_acknowledge(actor=self.w["head"], delivery=delivery)
        return "circular"

    def circular_remove(self):
        live = list(circulars.Circular.objects.filter(cancelled_at=None).order_by("pk"))
        if not live:
            return self.circular()
        return "circular " + circulars.circular_remove(
            actor=self.w["admin"], circular=self.rng.choice(live), reason="x"
        )

    PATHS = (
        "roster_import", "campaign_targets", "new_campaign", "sign_sheet", "sign_ceremony", "sign_self", "revoke",
        "new_event", "tick", "attendance_import", "checkin", "event_edit", "event_remove", "circular",
        "circular_remove",
    )  # fmt: skip


def assert_exact(world):
    reach = outreach_reach(world["admin"])
    for election in (None, world["election"]):
        assert shown(reach, election) == straight_counts(reach, election), f"election={election}"
    assert tally.rebuild() == {}, "the counters differ from a recount"


@pytest.mark.parametrize("seed", [11, 2024])
def test_random_writes_through_every_path_keep_every_figure_exact(world, seed):
    rng = random.Random(seed)
    driver = Driver(world, rng)
    driver.done.append(driver.roster_import())
    driver.done.append(driver.new_campaign())
    assert_exact(world)
    refused = 0
    schedule = list(Driver.PATHS) * 3  # every path three times, in a random order
    rng.shuffle(schedule)
    for path in schedule:
        try:
            driver.done.append(getattr(driver, path)())
        except (ValidationError, OutreachError):
            refused += 1  # a refused write (already signed, not a target…) must change nothing either
            driver.done.append(f"{path} refused")
        assert_exact(world)
    assert refused < len(schedule) // 2, driver.done
    assert (
        CoverageTally.objects.filter(kind="signed").exists() and CoverageTally.objects.filter(kind="reached").exists()
    )


def test_a_cancelled_event_no_longer_reaches_and_its_election_is_followed(world):
    katingan, units = world["katingan"], world["units"]
    Driver(world, random.Random(1)).roster_import()
    reach = outreach_reach(world["admin"])
    event = events.event_create(
        actor=world["satgas"], agency=katingan, kind="sosialisasi", title="S", held_on=datetime.date(2024, 10, 1),
        place="Aula", audience_units=[units[0]],
    )  # fmt: skip
    people = list(events.eligible_employees(event))[:3]
    events.attendance_tick(actor=world["satgas"], event=event, employee_ids=[e.pk for e in people])
    row = {r.unit_id: r for r in coverage.coverage_units(reach)}[units[0].pk]
    assert row.reached_by_events == 3
    assert {r.unit_id: r for r in coverage.coverage_units(reach, election=world["election"])}[
        units[0].pk
    ].reached_by_events == 0
    events.event_update(
        actor=world["satgas"], event=event, kind="sosialisasi", title="S", held_on=event.held_on, place="Aula",
        audience_units=[units[0]], election=world["election"],
    )  # fmt: skip
    assert {r.unit_id: r for r in coverage.coverage_units(reach, election=world["election"])}[
        units[0].pk
    ].reached_by_events == 3
    assert events.event_remove(actor=world["satgas"], event=event, reason="batal") == "cancelled"
    assert {r.unit_id: r for r in coverage.coverage_units(reach)}[units[0].pk].reached_by_events == 0
    assert EventAttendance.objects.filter(event=event).count() == 3, "the attendance is kept"
    assert_exact(world)


def test_reading_the_figures_is_a_constant_number_of_small_queries(world):
    Driver(world, random.Random(3)).roster_import()
    reach = outreach_reach(world["admin"])
    with CaptureQueriesContext(connection) as few:
        coverage.coverage_units(reach)
    for i in range(40, 80):
        Employee.objects.create(agency=world["katingan"], unit=world["units"][0], name=f"X {i}",
                                employee_number=f"X-{i}", status="pns")  # fmt: skip
    with CaptureQueriesContext(connection) as more:
        coverage.coverage_units(reach)
    assert len(few) == len(more) <= 5
    assert not any("pacts_employee" in q["sql"] for q in more.captured_queries), "the roster is not read"


def test_reconcile_command_reports_and_fixes_a_difference(world, capsys):
    Driver(world, random.Random(5)).roster_import()
    row = CoverageTally.objects.filter(kind="employees").first()
    CoverageTally.objects.filter(pk=row.pk).update(n=row.n + 5)
    call_command("reconcile_coverage")
    out = capsys.readouterr().out
    assert "1" in out and "diperbaiki" in out
    assert tally.rebuild() == {}
    call_command("reconcile_coverage")
    assert "sudah tepat" in capsys.readouterr().out


def test_figures_without_any_campaign_count_the_whole_roster(world):
    Driver(world, random.Random(7)).roster_import()
    reach = outreach_reach(world["admin"])
    assert shown(reach) == straight_counts(reach)
    assert (
        sum(f[0] for f in shown(reach).values())
        == Employee.objects.filter(Q(agency=world["katingan"]), active=True).count()
    )


def test_the_scheduler_reconciles_the_counters(world):
    """The scheduler's daily safety net (``cases`` scheduler → the pacts command, by name)."""
    import io

    from netra.cases.management.commands.scheduler import reconcile_coverage

    Driver(world, random.Random(6)).roster_import()
    row = CoverageTally.objects.filter(kind="employees").first()
    CoverageTally.objects.filter(pk=row.pk).update(n=row.n + 2)
    out = io.StringIO()
    reconcile_coverage(out)
    assert "diperbaiki" in out.getvalue()
    assert tally.rebuild() == {}
