"""The case page asks the database a fixed number of times, whatever the case holds (issue #12 item 6).

A small case (one report, one subject) and a big one (20 reports over the case and four cases
merged into it, 30 evidence files, 40 messages, 5 subjects, 12 transitions, notes and audit
events, archived links, look-alikes kept by the duplicate lookup) answer with the same number of
queries — at most ``MAX_QUERIES`` — for every role that may open it, on SQLite and PostgreSQL.
Their first subject is on the agency's roster (signed the pact, attended events), so the
prevention lookup finds something. A decided case (decisions, follow-ups, BKN control actions;
no duplicate lookup) stays within the same bound, small or big.

The duplicates come from what the lookup kept on the triage result (``triage_flow.search_duplicates``),
re-checked against the reader's scope in two statements, not from a lookup per page view.

What the 15 are (Satgas, a checking case): sign-in (session, user, OTP device), the memberships,
the case (with its triage result, recommendation, latest triage choice and whether it has
decisions / control actions), the reports, the log (transitions, audit events, notes, follow-ups,
messages: one ``UNION ALL``), the subjects, their other cases, the prevention records, the
evidence, the archived links, the two duplicate statements, the officers to assign to.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from netra.audit.services import record
from netra.cases import triage_flow
from netra.cases.models import (
    Case,
    ControlAction,
    Decision,
    Evidence,
    FollowUp,
    InternalNote,
    LinkArchive,
    Message,
    Report,
    Subject,
    Transition,
)
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.outreach_models import EventAttendance, SocialisationEvent

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
ROLES = ("satgas_katingan", "lead_katingan", "ppk_katingan", "bawaslu_katingan", "bkn_supervisor", "observer")
_serial = itertools.count(1)
S = Case.Status


def _case(agency, region, *, status=S.CHECKING, merged_into=None) -> Case:
    case = Case.objects.create(
        agency=agency,
        region=region,
        status=status,
        incident_date=datetime.date(2026, 11, 20),
        merged_into=merged_into,
    )
    Case.objects.filter(pk=case.pk).update(number=f"NTR-2026-{case.pk:06d}")
    case.refresh_from_db()
    return case


def _report(case: Case, text: str) -> Report:
    return Report.objects.create(
        case=case,
        region_id=case.region_id,
        description=text,
        incident_date=case.incident_date,
        receipt_code=f"NTR-Q-{next(_serial):05d}",
        access_key_hash="0" * 64,
        contact="pelapor@example.org",
        links=["https://www.facebook.com/contoh/posts/1"],
    )


def _fill(case: Case, *, reports: int, evidence: int, messages: int, subjects: int, officer) -> None:
    mine = [_report(case, f"Camat berorasi di kampanye, laporan {n}.") for n in range(reports)]
    for n in range(subjects):
        Subject.objects.create(case=case, name=f"Terlapor {n}", nip=f"19850312201001{n:04d}", agency_name="Pemkab")
    for n in range(evidence):
        Evidence.objects.create(
            case=case,
            report=mine[n % len(mine)],
            file=f"evidence/q-{case.pk}-{n}.pdf",
            content_type="application/pdf",
            size=1000 + n,
            sha256_received=f"{n:064d}",
            sha256_stored=f"{n:064d}",
            uploaded_by="reporter",
        )
    for n in range(messages):
        satgas = n % 2 == 0
        Message.objects.create(
            case=case,
            report=mine[n % len(mine)],
            sender="satgas" if satgas else "reporter",
            author=officer if satgas else None,
            body=f"Pesan {n}",
        )
    for report in mine[:3]:  # the reports' links, archived
        LinkArchive.objects.create(case=case, report=report, url=report.links[0], status=LinkArchive.Status.ARCHIVED)
    Transition.objects.create(case=case, from_state="", to_state=S.RECEIVED)
    Transition.objects.create(case=case, from_state=S.RECEIVED, to_state=S.CHECKING, actor=officer)
    InternalNote.objects.create(case=case, author=officer, body="Catatan")
    record(officer, "case.note_added", case)


@pytest.fixture
def roster(agencies, satgas_katingan):
    """The first subject of every case is on Katingan's roster: signed the open pact, attended two events."""
    katingan = agencies["pemkab-katingan"]
    employee = Employee.objects.create(
        agency=katingan, name="Terlapor 0", nip="198503122010010000", status=Employee.Status.PNS
    )
    today = datetime.date(2026, 11, 1)
    campaign = PactCampaign.objects.create(
        agency=katingan, title="Pakta Pilkada 2026", text="…", starts_on=today, ends_on=today, state="open"
    )
    PactSignature.objects.create(
        campaign=campaign,
        employee=employee,
        method="self",
        signed_at=datetime.datetime(2026, 11, 2, 3, tzinfo=datetime.UTC),
        signed_name=employee.name,
    )
    for n in range(2):
        event = SocialisationEvent.objects.create(
            agency=katingan,
            kind=SocialisationEvent.Kind.choices[0][0],
            title=f"Sosialisasi {n}",
            held_on=datetime.date(2026, 10, 1 + n),
        )
        EventAttendance.objects.create(event=event, employee=employee, method=EventAttendance.Method.choices[0][0])
    return employee


@pytest.fixture
def small_case(agencies, regions, satgas_katingan, roster):
    case = _case(agencies["pemkab-katingan"], regions["62.06"])
    _fill(case, reports=1, evidence=0, messages=0, subjects=1, officer=satgas_katingan)
    triage_flow.search_duplicates(case)  # none alike: an empty list kept
    return case


@pytest.fixture
def big_case(agencies, regions, satgas_katingan, roster):
    agency, region = agencies["pemkab-katingan"], regions["62.06"]
    case = _case(agency, region)
    _fill(case, reports=12, evidence=30, messages=40, subjects=5, officer=satgas_katingan)
    for _n in range(4):  # four cases merged into it: 8 more reports, their transitions
        merged = _case(agency, region, status=S.MERGED, merged_into=case)
        _fill(merged, reports=2, evidence=1, messages=2, subjects=1, officer=satgas_katingan)
        Transition.objects.create(case=merged, from_state=S.CHECKING, to_state=S.MERGED, actor=satgas_katingan)
    for n in range(10):  # more history on the case itself
        Transition.objects.create(case=case, from_state=S.CHECKING, to_state=S.CHECKING, actor=satgas_katingan)
        record(satgas_katingan, "case.assigned", case, step=n)
    # Other cases of the same people (subject history) and look-alikes (duplicates).
    for _n in range(6):
        other = _case(agency, region)
        _fill(other, reports=1, evidence=0, messages=0, subjects=1, officer=satgas_katingan)
    assert triage_flow.search_duplicates(case), "the big case has look-alikes to show"
    return case


def _decided(case: Case, officer, *, decisions: int, follow_ups: int, control_actions: int) -> Case:
    from netra.catalog.models import SanctionType

    sanction = SanctionType.objects.order_by("pk").first()
    made = [
        Decision.objects.create(
            case=case, sanction_type=sanction, decree_number=f"SK-{case.pk}-{n}", decree_date=datetime.date(2026, 12, 1)
        )
        for n in range(decisions)
    ]
    for n in range(follow_ups):
        FollowUp.objects.create(
            case=case,
            kind=FollowUp.Kind.choices[0][0],
            text=f"Tindak lanjut {n}",
            date=datetime.date(2026, 12, 2 + n % 20),
            created_by=officer,
        )
    for n in range(control_actions):
        ControlAction.objects.create(
            case=case,
            kind=ControlAction.Kind.WARNING,
            reference=f"B-{n}",
            date=datetime.date(2026, 12, 3),
            decision=made[0],
            created_by=officer,
        )
    Case.objects.filter(pk=case.pk).update(status=S.DECIDED)
    return case


@pytest.fixture
def decided_cases(agencies, regions, satgas_katingan, roster):
    from netra.catalog.violations import load_sanctions

    load_sanctions()
    agency, region = agencies["pemkab-katingan"], regions["62.06"]
    small = _case(agency, region)
    _fill(small, reports=1, evidence=0, messages=0, subjects=1, officer=satgas_katingan)
    big = _case(agency, region)
    _fill(big, reports=12, evidence=30, messages=40, subjects=5, officer=satgas_katingan)
    return (
        _decided(small, satgas_katingan, decisions=1, follow_ups=1, control_actions=1),
        _decided(big, satgas_katingan, decisions=3, follow_ups=8, control_actions=4),
    )


def _count(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workspace:case", args=[case.pk]))
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries]


@pytest.mark.parametrize("role", ROLES)
def test_the_case_page_takes_the_same_few_queries_for_a_small_and_a_big_case(
    role, request, staff_client, small_case, big_case
):
    client = staff_client(request.getfixturevalue(role))
    client.get(reverse("workspace:case", args=[small_case.pk]))  # per-process caches (elections, calendar)
    small, _small_sql = _count(client, small_case)
    big, big_sql = _count(client, big_case)
    assert big == small, "\n".join(big_sql)
    assert big <= MAX_QUERIES, "\n".join(big_sql)


@pytest.mark.parametrize("role", ROLES)
def test_a_decided_case_stays_within_the_same_few_queries(role, request, staff_client, decided_cases):
    small_case, big_case = decided_cases
    client = staff_client(request.getfixturevalue(role))
    client.get(reverse("workspace:case", args=[small_case.pk]))  # per-process caches
    small, _small_sql = _count(client, small_case)
    big, big_sql = _count(client, big_case)
    response = client.get(reverse("workspace:case", args=[big_case.pk]))
    for shown in (b"SK-%d-2" % big_case.pk, b"Tindak lanjut 7", b"B-3"):  # decisions, follow-ups, control actions
        assert shown in response.content
    assert big == small, "\n".join(big_sql)
    assert big <= MAX_QUERIES, "\n".join(big_sql)


def test_extracted_facts_cost_one_statement_whatever_their_number(request, staff_client, small_case, big_case):
    """The facts the engine pulled out of the text (NIPs, positions, kabupaten/kota, a code that is
    no region) are offered with the subjects the page read (no query) and the named regions read in
    one statement: one region fact or three, with NIPs and positions, take the same count — one
    more than a case whose text named no region."""
    from django.utils import timezone

    from netra.cases.models import TriageResult

    client = staff_client(request.getfixturevalue("satgas_katingan"))
    client.get(reverse("workspace:case", args=[small_case.pk]))  # per-process caches
    TriageResult.objects.update_or_create(
        case=small_case, defaults={"computed_at": timezone.now(), "facts": {"positions": ["camat"]}}
    )
    without, _sql = _count(client, small_case)
    TriageResult.objects.update_or_create(
        case=small_case, defaults={"computed_at": timezone.now(), "facts": {"region_codes": ["62.06"]}}
    )
    one, _sql = _count(client, small_case)
    facts = {
        "nips": ["198503152010011001"],
        "positions": ["camat", "kepala desa"],
        "region_codes": ["62.06", "62.07", "99.99"],
    }
    TriageResult.objects.update_or_create(case=big_case, defaults={"computed_at": timezone.now(), "facts": facts})
    many, sql = _count(client, big_case)
    response = client.get(reverse("workspace:case", args=[big_case.pk]))
    assert b"198503152010011001" in response.content
    assert without <= MAX_QUERIES
    assert one == without + 1
    assert many == one, "\n".join(sql)
