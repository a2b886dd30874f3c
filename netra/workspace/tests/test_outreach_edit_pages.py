"""Editing, deleting and cancelling circulars and events (issue #11), and the paged list of who
has not signed, through the test client: scope (another agency 404, an OPD head cannot edit),
audit, and cancelled records kept but out of the coverage figures."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.orgs.models import Unit
from netra.pacts import circulars, coverage, events
from netra.pacts.outreach_access import outreach_reach
from netra.pacts.outreach_models import Circular, EventAttendance, SocialisationEvent
from netra.pacts.tests.outreach_support import campaign, opd_head, roster, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def katingan(agencies):
    return agencies["pemkab-katingan"]


@pytest.fixture
def unit(katingan):
    return Unit.objects.get_or_create(agency=katingan, name="Dinas Pendidikan")[0]


@pytest.fixture
def people(katingan, unit):
    return roster(katingan, unit, 6)


@pytest.fixture
def event(satgas_katingan, katingan, unit):
    return events.event_create(
        actor=satgas_katingan, agency=katingan, kind=SocialisationEvent.Kind.SOSIALISASI, title="Sosialisasi",
        held_on=datetime.date(2024, 10, 7), place="Aula", audience_units=[unit],
    )  # fmt: skip


@pytest.fixture
def circular(admin_katingan, katingan, unit):
    return circulars.circular_create(
        actor=admin_katingan, agency=katingan, number="800/1/2024", issued_on=datetime.date(2024, 9, 2),
        issuer="Bupati Katingan", subject="Netralitas ASN", units=[unit],
    )  # fmt: skip


def _row(reach, unit):
    return {row.unit_id: row for row in coverage.coverage_units(reach)}[unit.pk]


def test_event_edit_changes_it_and_is_audited(staff_client, satgas_katingan, event, unit):
    client = staff_client(satgas_katingan)
    assert client.get(reverse("workspace:event_edit", args=[event.pk])).status_code == 200
    answer = client.post(
        reverse("workspace:event_edit", args=[event.pk]),
        {"kind": "bimtek", "title": "Bimtek Netralitas", "held_on": "2024-10-08", "place": "Aula Bupati",
         "audience_units": [unit.pk], "summary": "Ringkas"},
    )  # fmt: skip
    assert answer.status_code == 302
    event.refresh_from_db()
    assert (event.kind, event.title, event.place, event.summary) == (
        "bimtek",
        "Bimtek Netralitas",
        "Aula Bupati",
        "Ringkas",
    )
    changed = AuditEvent.objects.get(action="event.changed", object_id=str(event.pk))
    assert changed.payload["changes"]["title"] == ["Sosialisasi", "Bimtek Netralitas"]


def test_event_without_attendance_is_deleted_with_attendance_cancelled(
    staff_client, satgas_katingan, event, people, unit
):
    client = staff_client(satgas_katingan)
    events.attendance_tick(actor=satgas_katingan, event=event, employee_ids=[people[0].pk, people[1].pk])
    reach = outreach_reach(satgas_katingan)
    assert _row(reach, unit).reached_by_events == 2
    refused = client.post(
        reverse("workspace:event_remove", args=[event.pk]), {"reason": "", "confirm": "1"}, follow=True
    )
    assert "tulis alasan" in refused.text
    assert SocialisationEvent.objects.filter(pk=event.pk, cancelled_at=None).exists()
    client.post(
        reverse("workspace:event_remove", args=[event.pk]), {"reason": "Narasumber berhalangan", "confirm": "1"}
    )
    event.refresh_from_db()
    assert event.cancelled_at and event.cancelled_reason == "Narasumber berhalangan" and not event.checkin_open
    assert EventAttendance.objects.filter(event=event).count() == 2, "who came is kept"
    assert _row(reach, unit).reached_by_events == 0, "a cancelled event reaches nobody"
    page = client.get(reverse("workspace:event", args=[event.pk])).text
    assert 'id="cancelled"' in page and "Narasumber berhalangan" in page and "event-edit" not in page
    assert "dibatalkan" in client.get(reverse("workspace:events")).text
    assert client.get(reverse("workspace:event_edit", args=[event.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="event.cancelled", object_id=str(event.pk)).exists()
    assert not events.event_checkin(code=event.checkin_code, identifier=people[2].nip)
    from netra.sharing.tokens import issue_token

    token = issue_token(agency=event.agency, role="satgas_officer", name="t").plaintext
    listed = Client().get("/api/v1/events", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert [(e["id"], e["attendance"], e["cancelled_at"] is not None) for e in listed] == [(event.pk, 2, True)]

    other = events.event_create(
        actor=satgas_katingan, agency=event.agency, kind="sosialisasi", title="Kosong",
        held_on=datetime.date(2024, 10, 9), place="Aula",
    )  # fmt: skip
    client.post(reverse("workspace:event_remove", args=[other.pk]))  # without the page's confirm: nothing
    assert SocialisationEvent.objects.filter(pk=other.pk).exists()
    client.post(reverse("workspace:event_remove", args=[other.pk]), {"confirm": "1"})
    assert not SocialisationEvent.objects.filter(pk=other.pk).exists()
    assert AuditEvent.objects.filter(action="event.deleted", payload__event=other.pk).exists()


def test_circular_edit_delete_and_cancel(staff_client, admin_katingan, katingan, circular, unit):
    client = staff_client(admin_katingan)
    second = Unit.objects.get_or_create(agency=katingan, name="Dinas Kesehatan")[0]
    answer = client.post(
        reverse("workspace:circular_edit", args=[circular.pk]),
        {"number": "800/1/2024", "issued_on": "2024-09-03", "issuer": "Bupati Katingan", "subject": "Netralitas",
         "units": [unit.pk, second.pk]},
    )  # fmt: skip
    assert answer.status_code == 302
    assert set(circular.deliveries.values_list("unit_id", flat=True)) == {unit.pk, second.pk}
    assert AuditEvent.objects.filter(action="circular.changed", object_id=str(circular.pk)).exists()

    head = opd_head(katingan, unit, "kadis.pendidikan")
    circulars.circular_acknowledge(actor=head, delivery=circular.deliveries.get(unit=unit))
    # The OPD that acknowledged cannot be taken off; the circular cannot be deleted, only cancelled.
    refused = client.post(
        reverse("workspace:circular_edit", args=[circular.pk]),
        {"number": "800/1/2024", "issued_on": "2024-09-03", "issuer": "Bupati Katingan", "subject": "Netralitas",
         "units": [second.pk]},
    )  # fmt: skip
    assert refused.status_code == 200 and "sudah mengonfirmasi" in refused.text
    reach = outreach_reach(admin_katingan)
    assert {r.unit_id: r.circulars_acknowledged for r in coverage.coverage_units(reach)}[unit.pk] == 1
    client.post(reverse("workspace:circular_remove", args=[circular.pk]), {"reason": "Diganti SE baru", "confirm": "1"})
    circular.refresh_from_db()
    assert circular.cancelled_at and circular.deliveries.count() == 2
    assert {r.unit_id: r.circulars for r in coverage.coverage_units(reach)}[unit.pk] == 0
    assert "Diganti SE baru" in client.get(reverse("workspace:circular", args=[circular.pk])).text

    fresh = circulars.circular_create(
        actor=admin_katingan, agency=katingan, number="800/2/2024", issued_on=datetime.date(2024, 9, 4),
        issuer="Sekda", subject="Pakta", units=[unit],
    )  # fmt: skip
    client.post(reverse("workspace:circular_remove", args=[fresh.pk]), {"confirm": "1"})
    assert not Circular.objects.filter(pk=fresh.pk).exists()
    assert AuditEvent.objects.filter(action="circular.deleted", payload__circular=fresh.pk).exists()


def test_who_must_never_edit_or_remove(staff_client, satgas_barsel, katingan, unit, event, circular):
    """Another agency: 404 (nothing is revealed). The OPD head reads but cannot edit: 404 too."""
    head = opd_head(katingan, unit, "kadis.pendidikan")
    for user in (satgas_barsel, head):
        client = staff_client(user)
        assert client.get(reverse("workspace:event_edit", args=[event.pk])).status_code == 404
        assert client.post(reverse("workspace:event_edit", args=[event.pk]), {"title": "x"}).status_code == 404
        assert (
            client.post(reverse("workspace:event_remove", args=[event.pk]), {"reason": "x", "confirm": "1"}).status_code
            == 404
        )
        assert client.get(reverse("workspace:circular_edit", args=[circular.pk])).status_code == 404
        assert (
            client.post(
                reverse("workspace:circular_remove", args=[circular.pk]), {"reason": "x", "confirm": "1"}
            ).status_code
            == 404
        )
    assert SocialisationEvent.objects.filter(pk=event.pk, cancelled_at=None).exists()
    assert Circular.objects.filter(pk=circular.pk, cancelled_at=None).exists()
    # The head still reads both pages, without the edit controls.
    client = staff_client(head)
    assert "event-edit" not in client.get(reverse("workspace:event", args=[event.pk])).text
    assert "circular-edit" not in client.get(reverse("workspace:circular", args=[circular.pk])).text


def test_the_list_of_who_has_not_signed_is_paged(staff_client, admin_katingan, katingan, unit, settings):
    staff = roster(katingan, unit, 230)
    sign(campaign(katingan), staff[:5])
    client = staff_client(admin_katingan)
    url = reverse("workspace:coverage_unit", args=[unit.pk])
    first = client.get(url)
    assert first.status_code == 200 and "225 orang" in first.text
    assert first.text.count("<tr data-employee=") == 100
    assert 'id="missing-next"' in first.text
    seen: list[int] = []
    after = None
    for _page in range(5):
        text = client.get(url + (f"?setelah={after}" if after else "")).text
        seen += [int(pk) for pk in re.findall(r'<tr data-employee="(\d+)"', text)]
        found = re.search(r'id="missing-next" href="[^"]*\?setelah=(\d+)"', text)
        if found is None:
            break
        after = int(found.group(1))
    names = sorted(staff[5:], key=lambda e: (e.name, e.pk))
    assert seen == [e.pk for e in names], "every unsigned employee once, in name order"
