"""Circulars, events, check-in, coverage and reminders: the domain rules (real database)."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from netra.audit.models import AuditEvent
from netra.notify.models import Notification
from netra.orgs.models import Unit
from netra.pacts import circulars, coverage, events, tally
from netra.pacts.circulars import OutreachError
from netra.pacts.models import Employee, PactSignature
from netra.pacts.outreach_access import outreach_reach
from netra.pacts.outreach_models import CircularDelivery, EventAttendance, SocialisationEvent
from netra.pacts.tests.outreach_support import campaign, nip, opd_head, roster, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def katingan(agencies):
    return agencies["pemkab-katingan"]


@pytest.fixture
def units(katingan):
    return {
        name: Unit.objects.get_or_create(agency=katingan, name=name)[0]
        for name in ("Dinas Pendidikan", "Dinas Kesehatan", "Kecamatan Katingan Hilir")
    }


@pytest.fixture
def staff(katingan, units):
    employees = {
        "pendidikan": roster(katingan, units["Dinas Pendidikan"], 10, start=0),
        "kesehatan": roster(katingan, units["Dinas Kesehatan"], 6, start=100),
        "hilir": roster(katingan, units["Kecamatan Katingan Hilir"], 4, start=200, status="non_asn"),
    }
    return employees


def _circular(actor, katingan, units, number="800/1840/2023"):
    return circulars.circular_create(
        actor=actor,
        agency=katingan,
        number=number,
        issued_on=datetime.date(2023, 10, 2),
        issuer="Bupati Katingan",
        subject="Netralitas ASN serta Larangan Penggunaan Fasilitas Pemerintah",
        units=list(units.values()),
    )


# --- circulars ----------------------------------------------------------------------------------


def test_circular_goes_to_its_units_and_each_head_acknowledges_once(admin_katingan, katingan, units):
    circular = _circular(admin_katingan, katingan, units)
    head = opd_head(katingan, units["Dinas Pendidikan"], "kadis.pendidikan")
    delivery = CircularDelivery.objects.get(circular=circular, unit=units["Dinas Pendidikan"])
    first = circulars.circular_acknowledge(actor=head, delivery=delivery).acknowledged_at
    assert first is not None
    again = circulars.circular_acknowledge(actor=head, delivery=delivery)
    assert again.acknowledged_at == first
    assert AuditEvent.objects.filter(action="circular.acknowledged").count() == 1
    listed = circulars.circulars_for(admin_katingan).get(pk=circular.pk)
    assert (listed.delivered, listed.acknowledged) == (3, 1)
    not_yet = [d.unit.name for d in circulars.deliveries_of(admin_katingan, circular) if d.acknowledged_at is None]
    assert not_yet == ["Dinas Kesehatan", "Kecamatan Katingan Hilir"]


def test_another_units_head_cannot_acknowledge(admin_katingan, katingan, units):
    circular = _circular(admin_katingan, katingan, units)
    head = opd_head(katingan, units["Dinas Kesehatan"], "kadis.kesehatan")
    delivery = CircularDelivery.objects.get(circular=circular, unit=units["Dinas Pendidikan"])
    with pytest.raises(Http404):
        circulars.circular_acknowledge(actor=head, delivery=delivery)
    with pytest.raises(Http404):
        circulars.circular_acknowledge(actor=admin_katingan, delivery=delivery)


def test_only_the_agencys_admin_and_satgas_issue_circulars(
    katingan, units, satgas_katingan, ppk_katingan, satgas_barsel, bawaslu_katingan
):
    _circular(satgas_katingan, katingan, units)
    for outsider in (ppk_katingan, satgas_barsel, bawaslu_katingan):
        with pytest.raises(Http404):
            _circular(outsider, katingan, units, number=f"800/{outsider.pk}")


def test_circular_number_is_unique_per_agency(admin_katingan, katingan, units):
    _circular(admin_katingan, katingan, units)
    with pytest.raises(OutreachError) as refused:
        _circular(admin_katingan, katingan, units)
    assert "sudah ada" in refused.value.message


def test_an_opd_head_sees_only_circulars_to_their_unit(admin_katingan, katingan, units, agencies):
    to_all = _circular(admin_katingan, katingan, units)
    only_health = _circular(admin_katingan, katingan, {"k": units["Dinas Kesehatan"]}, number="800/2/2024")
    head = opd_head(katingan, units["Dinas Pendidikan"], "kadis.pendidikan")
    assert list(circulars.circulars_for(head)) == [to_all]
    with pytest.raises(Http404):
        circulars.circular_for(head, only_health.pk)
    assert [d.unit_id for d in circulars.deliveries_of(head, to_all)] == [units["Dinas Pendidikan"].pk]


def test_another_agency_does_not_see_the_circulars(admin_katingan, katingan, units, satgas_barsel):
    circular = _circular(admin_katingan, katingan, units)
    assert not circulars.circulars_for(satgas_barsel).exists()
    with pytest.raises(Http404):
        circulars.circular_for(satgas_barsel, circular.pk)


# --- events and check-in --------------------------------------------------------------------


def _event(actor, agency, units=(), **extra):
    return events.event_create(
        actor=actor,
        agency=agency,
        kind=extra.pop("kind", SocialisationEvent.Kind.SOSIALISASI),
        title=extra.pop("title", "Sosialisasi Netralitas ASN"),
        held_on=datetime.date(2024, 10, 7),
        place="Aula Kantor Bupati",
        speakers=[{"name": "Ketua Bawaslu Katingan", "institution": "Bawaslu Kab. Katingan"}],
        audience_units=units,
        **extra,
    )


def test_checkin_by_nip_or_employee_number_is_recorded_once(satgas_katingan, katingan, units, staff):
    event = _event(satgas_katingan, katingan, [units["Dinas Pendidikan"], units["Kecamatan Katingan Hilir"]])
    Employee.objects.filter(pk=staff["hilir"][0].pk).update(nip=None, employee_number="NA-7")
    assert events.event_checkin(code=event.checkin_code.lower(), identifier=staff["pendidikan"][0].nip)
    assert events.event_checkin(code=event.checkin_code, identifier=staff["pendidikan"][0].nip)
    assert events.event_checkin(code=f" {event.checkin_code[:3]}-{event.checkin_code[3:]} ", identifier="NA-7")
    assert EventAttendance.objects.filter(event=event, method="checkin").count() == 2
    assert AuditEvent.objects.filter(action="event.checked_in").count() == 2


def test_checkin_refuses_wrong_code_outsider_and_closed_event_alike(satgas_katingan, katingan, units, staff, agencies):
    event = _event(satgas_katingan, katingan, [units["Dinas Pendidikan"]])
    not_invited = staff["kesehatan"][0].nip
    other_agency = roster(agencies["pemkab-barito-selatan"], None, 1, start=900)[0].nip
    assert events.event_checkin(code="ZZZZZZ", identifier=staff["pendidikan"][0].nip) is False
    assert events.event_checkin(code=event.checkin_code, identifier=not_invited) is False
    assert events.event_checkin(code=event.checkin_code, identifier=other_agency) is False
    assert events.event_checkin(code=event.checkin_code, identifier=nip(999_999)) is False
    events.event_summary_update(actor=satgas_katingan, event=event, summary="", checkin_open=False)
    assert events.event_checkin(code=event.checkin_code, identifier=staff["pendidikan"][0].nip) is False
    assert not EventAttendance.objects.exists()


def test_bawaslu_rakor_invites_pemda_units(bawaslu_katingan, agencies, units, staff, satgas_katingan):
    rakor = _event(
        bawaslu_katingan, agencies["bawaslu-kab-katingan"], [units["Dinas Kesehatan"]], kind="rakor", title="Rakor"
    )
    assert events.event_checkin(code=rakor.checkin_code, identifier=staff["kesehatan"][0].nip)
    # The pemda sees the rakor that invited its OPD, though Bawaslu organised it.
    assert rakor in events.events_for(satgas_katingan)
    with pytest.raises(Http404):
        events.attendance_tick(actor=satgas_katingan, event=rakor, employee_ids=[staff["kesehatan"][1].pk])


def test_events_of_another_agency_answer_404(satgas_katingan, katingan, satgas_barsel):
    event = _event(satgas_katingan, katingan)
    with pytest.raises(Http404):
        events.event_for(satgas_barsel, event.pk)
    with pytest.raises(Http404):
        events.attendance_tick(actor=satgas_barsel, event=event, employee_ids=[])


def test_roster_tick_refuses_people_outside_the_audience(satgas_katingan, katingan, units, staff):
    event = _event(satgas_katingan, katingan, [units["Dinas Pendidikan"]])
    with pytest.raises(OutreachError):
        events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[staff["kesehatan"][0].pk])
    added = events.attendance_tick(
        actor=satgas_katingan, event=event, employee_ids=[e.pk for e in staff["pendidikan"][:3]]
    )
    assert added == 3 and EventAttendance.objects.filter(event=event, method="roster").count() == 3


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_attendance_import_names_every_bad_row_and_imports_nothing(satgas_katingan, katingan, units, staff):
    event = _event(satgas_katingan, katingan, [units["Dinas Pendidikan"]])
    good = [e.nip for e in staff["pendidikan"][:2]]
    data = _xlsx([["NIP"], [good[0]], [staff["kesehatan"][0].nip], [good[1]], ["123"]])
    added, errors = events.attendance_import(actor=satgas_katingan, event=event, data=data, filename="hadir.xlsx")
    assert added == 0 and not EventAttendance.objects.exists()
    assert [e.split(":")[0] for e in errors] == ["Baris 3", "Baris 5"]
    csv_data = ("NIP\n" + "\n".join(good) + "\n").encode()
    added, errors = events.attendance_import(actor=satgas_katingan, event=event, data=csv_data, filename="hadir.csv")
    assert (added, errors) == (2, [])


def test_attendance_import_refuses_a_file_that_is_not_excel(satgas_katingan, katingan):
    event = _event(satgas_katingan, katingan)
    with pytest.raises(OutreachError):
        events.attendance_import(actor=satgas_katingan, event=event, data=b"%PDF-1.4 nope", filename="x.xlsx")


# --- coverage ---------------------------------------------------------------------------------


def _straight_counts(unit, campaign_row):
    """The same figures by plain COUNT queries, one per figure."""
    active = Employee.objects.filter(unit=unit, active=True)
    signed = active.filter(
        Exists(PactSignature.objects.filter(employee=OuterRef("pk"), campaign=campaign_row, revoked_at=None))
    )
    reached = active.filter(Exists(EventAttendance.objects.filter(employee=OuterRef("pk"))))
    deliveries = CircularDelivery.objects.filter(unit=unit)
    return (
        active.count(),
        signed.count(),
        reached.count(),
        deliveries.count(),
        deliveries.exclude(acknowledged_at=None).count(),
    )


def test_coverage_figures_equal_straight_counts(admin_katingan, satgas_katingan, katingan, units, staff):
    pact = campaign(katingan)
    sign(pact, staff["pendidikan"])  # 100 %
    sign(pact, staff["kesehatan"][:2])
    revoked = sign(pact, staff["kesehatan"][2:3])[0]
    PactSignature.objects.filter(pk=revoked.pk).update(revoked_at=datetime.datetime(2024, 10, 1, tzinfo=datetime.UTC))
    Employee.objects.filter(pk=staff["hilir"][0].pk).update(active=False)
    tally.rebuild(katingan.pk)  # written around the services above: recount the counters
    event = _event(satgas_katingan, katingan, [units["Dinas Kesehatan"]])
    events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[e.pk for e in staff["kesehatan"][:4]])
    circular = _circular(admin_katingan, katingan, units)
    head = opd_head(katingan, units["Dinas Kesehatan"], "kadis.kesehatan")
    circulars.circular_acknowledge(actor=head, delivery=circular.deliveries.get(unit=units["Dinas Kesehatan"]))

    rows = {row.unit_name: row for row in coverage.coverage_units(outreach_reach(admin_katingan))}
    for name, unit in units.items():
        row = rows[name]
        got = (row.employees, row.signed, row.reached_by_events, row.circulars, row.circulars_acknowledged)
        assert got == _straight_counts(unit, pact), name
    assert rows["Dinas Pendidikan"].signed_percent == 100
    assert rows["Dinas Kesehatan"].signed == 2
    assert [e.pk for e in coverage.not_signed(units["Dinas Kesehatan"])] == [e.pk for e in staff["kesehatan"][2:]]


def test_coverage_counts_each_employee_once(admin_katingan, satgas_katingan, katingan, units, staff):
    """Several attendances, a revoked and renewed signature, an older campaign's: one person each."""
    old = campaign(katingan, state="closed", title="Pakta 2019", starts_on=datetime.date(2019, 1, 1))
    pact = campaign(katingan)
    kesehatan = staff["kesehatan"]
    sign(old, kesehatan)  # the closed campaign's signatures do not count for the open one
    first = sign(pact, kesehatan[:1])[0]
    PactSignature.objects.filter(pk=first.pk).update(revoked_at=datetime.datetime(2024, 10, 1, tzinfo=datetime.UTC))
    tally.rebuild(katingan.pk)
    sign(pact, kesehatan[:2])  # the first signs again, a second signs once
    for title in ("Sosialisasi 1", "Sosialisasi 2"):
        event = _event(satgas_katingan, katingan, [units["Dinas Kesehatan"]], title=title)
        events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[e.pk for e in kesehatan[:3]])
    row = next(r for r in coverage.coverage_units(outreach_reach(admin_katingan)) if r.unit_name == "Dinas Kesehatan")
    assert (row.employees, row.signed, row.reached_by_events) == (len(kesehatan), 2, 3)
    assert (row.employees, row.signed, row.reached_by_events) == _straight_counts(units["Dinas Kesehatan"], pact)[:3]


def test_coverage_counts_only_the_campaign_target(admin_katingan, katingan, units, staff):
    pact = campaign(katingan, target_statuses=["pns"])
    pact.target_units.set([units["Dinas Pendidikan"], units["Kecamatan Katingan Hilir"]])
    rows = {row.unit_name: row for row in coverage.coverage_units(outreach_reach(admin_katingan))}
    assert rows["Dinas Pendidikan"].employees == 10
    assert rows["Dinas Kesehatan"].employees == 0  # not a target unit
    assert rows["Kecamatan Katingan Hilir"].employees == 0  # non-ASN, not a target status


def test_coverage_runs_a_constant_number_of_queries(admin_katingan, katingan, units, staff, agencies):
    campaign(katingan)
    reach = outreach_reach(admin_katingan)
    with CaptureQueriesContext(connection) as few:
        before = len(coverage.coverage_units(reach))
    for i in range(5):
        unit = Unit.objects.create(agency=katingan, name=f"Kelurahan {i}")
        roster(katingan, unit, 30, start=1000 + 100 * i)
    with CaptureQueriesContext(connection) as many:
        rows = coverage.coverage_units(reach)
    assert len(rows) == before + 5
    assert len(many.captured_queries) == len(few.captured_queries) <= 5


def test_coverage_reach(katingan, units, staff, agencies, satgas_barsel, bawaslu_katingan, bkn_kanreg, outsider):
    head = opd_head(katingan, units["Dinas Kesehatan"], "kadis.kesehatan")
    assert {r.unit_name for r in coverage.coverage_units(outreach_reach(head))} == {"Dinas Kesehatan"}
    assert {r.agency_code for r in coverage.coverage_units(outreach_reach(satgas_barsel))} == {"pemkab-barito-selatan"}
    assert coverage.coverage_units(outreach_reach(outsider)) == []
    for supervisor in (bawaslu_katingan, bkn_kanreg):
        seen = {r.unit_name for r in coverage.coverage_units(outreach_reach(supervisor))}
        assert set(units) <= seen
    with pytest.raises(Http404):
        coverage.unit_in_reach(outreach_reach(satgas_barsel), units["Dinas Kesehatan"].pk)


def test_reminder_at_most_once_a_week_per_unit(admin_katingan, katingan, units, staff):
    head = opd_head(katingan, units["Dinas Kesehatan"], "kadis.kesehatan")
    unit = units["Dinas Kesehatan"]
    with time_machine.travel(datetime.datetime(2024, 10, 7, 9, 0, tzinfo=datetime.UTC), tick=False):
        coverage.coverage_reminder_send(actor=admin_katingan, unit=unit)
    assert Notification.objects.filter(user=head, kind="coverage.reminder").count() == 1
    with time_machine.travel(datetime.datetime(2024, 10, 14, 8, 59, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(OutreachError) as refused:
            coverage.coverage_reminder_send(actor=admin_katingan, unit=unit)
        assert "minggu ini" in refused.value.message
        # Another unit is not held back by this one's reminder (it has no head: its own refusal).
        with pytest.raises(OutreachError) as no_head:
            coverage.coverage_reminder_send(actor=admin_katingan, unit=units["Dinas Pendidikan"])
        assert "Kepala OPD" in no_head.value.message
    with time_machine.travel(datetime.datetime(2024, 10, 14, 9, 0, tzinfo=datetime.UTC), tick=False):
        coverage.coverage_reminder_send(actor=admin_katingan, unit=unit)
    assert Notification.objects.filter(user=head, kind="coverage.reminder").count() == 2
    assert AuditEvent.objects.filter(action="coverage.reminded").count() == 2


def test_reminders_are_sent_by_managers_only(katingan, units, staff, ppk_katingan, satgas_barsel):
    opd_head(katingan, units["Dinas Kesehatan"], "kadis.kesehatan")
    for user in (ppk_katingan, satgas_barsel):
        with pytest.raises(Http404):
            coverage.coverage_reminder_send(actor=user, unit=units["Dinas Kesehatan"])


def test_export_opens_back_with_a_header_sheet(admin_katingan, katingan, units, staff):
    sign(campaign(katingan), staff["pendidikan"][:5])
    groups = coverage.coverage_by_agency(outreach_reach(admin_katingan))
    data = coverage.coverage_export(actor=admin_katingan, groups=groups, filters={"instansi": katingan.code})
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Keterangan", "Per OPD"]
    header = {row[0]: row[1] for row in book["Keterangan"].iter_rows(values_only=True)}
    assert header["Diekspor oleh"] == "admin.katingan" and header["instansi"] == "pemkab-katingan"
    rows = list(book["Per OPD"].iter_rows(values_only=True))
    pendidikan = next(r for r in rows if r[1] == "Dinas Pendidikan")
    assert pendidikan[3:7] == (10, 5, 5, 50)
    assert AuditEvent.objects.filter(action="coverage.exported").count() == 1


def test_case_subject_matched_by_nip_or_possibly_by_name(satgas_katingan, katingan, units, staff):
    pact = campaign(katingan)
    person = staff["pendidikan"][0]
    sign(pact, [person])
    event = _event(satgas_katingan, katingan, [units["Dinas Pendidikan"]])
    events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[person.pk])
    [by_nip] = coverage.prevention_for_subject(agency_id=None, nip=person.nip, name="")
    assert by_nip.certain and by_nip.signature is not None and by_nip.events == [event]
    [by_name] = coverage.prevention_for_subject(agency_id=katingan.pk, nip="", name="pegawai  0")
    assert not by_name.certain and by_name.employee == person
    assert coverage.prevention_for_subject(agency_id=katingan.pk, nip="", name="Orang Lain") == []


def test_a_superuser_reaches_every_event_and_circular(satgas_katingan, katingan, units, admin_user):
    event = _event(satgas_katingan, katingan)
    circular = _circular(satgas_katingan, katingan, units)
    assert events.event_for(admin_user, event.pk) == event
    assert circulars.circular_for(admin_user, circular.pk) == circular
