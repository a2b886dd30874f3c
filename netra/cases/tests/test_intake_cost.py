"""What one report costs the database, and the caches that keep it small (netra.cases.lookups)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netra.audit.models import AuditEvent
from netra.audit.services import record
from netra.cases import lookups
from netra.cases.intake import IntakeError, report_submit, route
from netra.cases.tests.fixtures import report_data
from netra.catalog.models import Election, Region
from netra.orgs.models import Agency

pytestmark = pytest.mark.django_db


def queries_of_a_report(**overrides) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        report_submit(data=report_data(**overrides))
    return [query["sql"] for query in captured.captured_queries]


def test_a_report_reads_no_reference_data_once_its_region_was_seen(pemkab_katingan):
    report_submit(data=report_data())

    statements = queries_of_a_report()

    assert not [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def test_a_report_opened_at_once_costs_ten_statements(pemkab_katingan):
    report_submit(data=report_data())

    # Opened in its own transaction (inside the test's; public reports outside one are opened in
    # batches, see test_opening): BEGIN or SAVEPOINT, report, case, its number, the report's case,
    # subject, transition, the empty triage row (filled after commit, netra.cases.triage_flow),
    # audit row, COMMIT or RELEASE.
    assert len(queries_of_a_report()) == 10


def test_a_new_pemda_takes_over_its_region_at_once_in_this_process(katingan, kanreg_banjarmasin, agencies):
    Agency.objects.filter(kind__startswith="pemda").delete()
    assert route(katingan) == kanreg_banjarmasin

    pemda = Agency.objects.create(
        code="pemkab-katingan-baru", name="Pemkab Katingan", kind=Agency.Kind.PEMDA_REGENCY, region=katingan
    )

    assert route(katingan) == pemda


def test_a_deactivated_pemda_saved_through_the_orm_stops_owning_new_cases(
    katingan, pemkab_katingan, kanreg_banjarmasin
):
    assert route(katingan) == pemkab_katingan

    pemkab_katingan.active = False
    pemkab_katingan.save()

    assert route(katingan) == kanreg_banjarmasin


def test_a_regional_office_given_a_province_routes_it_at_once(papua, kanreg_banjarmasin):
    assert route(papua) is None

    kanreg_banjarmasin.covered_regions.add(papua)

    assert route(papua) == kanreg_banjarmasin


def test_an_unknown_region_is_found_as_soon_as_it_is_loaded(katingan, pemkab_katingan):
    with pytest.raises(IntakeError, match="tidak dikenal"):
        report_submit(data=report_data(region_code="62.99"))
    Region.objects.bulk_create([Region(code="62.99", name="Uji", kind=Region.Kind.REGENCY, parent_id="62")])

    assert report_submit(data=report_data(region_code="62.99")).case.region_id == "62.99"


def test_a_cached_election_is_forgotten_when_it_is_deleted(db):
    election = Election.objects.create(
        code="pilkada-2024", name="Pilkada Serentak 2024", kind="pilkada", voting_date=datetime.date(2024, 11, 27)
    )
    assert lookups.election("pilkada-2024") == election

    election.delete()

    assert lookups.election("pilkada-2024") is None


def test_the_scheduler_seals_audit_events_left_pending(db):
    event = record("system", "case.noted")  # the test's transaction never commits: no seal ran

    call_command("scheduler", "--once", stdout=StringIO())

    assert AuditEvent.objects.get(pk=event.pk).seq is not None


def test_a_receipt_code_already_taken_is_replaced_and_the_report_kept(katingan, pemkab_katingan, monkeypatch):
    from netra.cases import intake

    taken = report_submit(data=report_data()).receipt_code
    # Randomness is the one seam here: the first code drawn is the one already taken.
    codes = iter([taken, "NTR-AAAA-BBBB"])
    monkeypatch.setattr(intake, "new_receipt_code", lambda: next(codes))

    receipt = report_submit(data=report_data())

    assert receipt.receipt_code == "NTR-AAAA-BBBB"
    assert receipt.case.reports.get().receipt_code == "NTR-AAAA-BBBB"


def test_of_two_pemdas_in_one_region_the_first_registered_owns_new_cases(katingan, pemkab_katingan):
    Agency.objects.create(
        code="pemkab-katingan-2", name="Pemkab Katingan (duplikat)", kind=Agency.Kind.PEMDA_REGENCY, region=katingan
    )

    assert route(katingan) == pemkab_katingan
