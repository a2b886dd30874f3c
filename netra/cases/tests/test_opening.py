"""Accepting a public report, then opening its case in a batch (netra.cases.opening).

These tests commit for real (``transaction=True``): deferral only happens after a commit, never
inside a caller's transaction. ``NETRA_CASE_OPEN_INTERVAL`` is set as in production; the turn is
a cache key, cleared to say "the interval has passed".
"""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netra.audit.chain import SEAL_TURN_KEY
from netra.audit.models import AuditEvent
from netra.cases import opening, triage_flow
from netra.cases.intake import evidence_add, report_status, report_submit, reporter_message_add
from netra.cases.models import Case, Report, Subject, Transition
from netra.cases.tests.fixtures import image_bytes, report_data
from netra.turns import my_turn, pass_turn

pytestmark = pytest.mark.django_db(transaction=True)


# One turn per hour: no turn ends by itself while a test runs; pass_turn() ends it.
INTERVAL = 3600


@pytest.fixture(autouse=True)
def in_batches(settings, pemkab_katingan):
    settings.NETRA_CASE_OPEN_INTERVAL = INTERVAL
    pass_turn(opening.OPEN_TURN_KEY, INTERVAL)
    yield
    pass_turn(opening.OPEN_TURN_KEY, INTERVAL)


def turn_taken() -> None:
    """Another committer opened a batch a moment ago (the turn is taken): the next ones only accept."""
    my_turn(opening.OPEN_TURN_KEY, INTERVAL)


def test_an_accepted_report_costs_its_request_one_insert_and_no_case(pemkab_katingan):
    report_submit(data=report_data())  # opens (its turn) and warms the per-process tables
    turn_taken()

    with CaptureQueriesContext(connection) as captured:
        receipt = report_submit(data=report_data())

    # Committed on its own (autocommit): no BEGIN or COMMIT round trip either.
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "cases_report"')
    report = Report.objects.get(receipt_code=receipt.receipt_code)
    assert report.case_id is None
    assert Case.objects.count() == 1  # the first report's, not this one's


def test_a_pending_report_shows_the_reporter_received_and_no_staff_page_any_case(pemkab_katingan):
    turn_taken()
    receipt = report_submit(data=report_data())

    status = report_status(Report.objects.get(receipt_code=receipt.receipt_code))

    assert (status["status"], status["status_label"]) == ("received", "Diterima")
    assert [(step["status"], step["at"]) for step in status["timeline"]] == [("received", receipt.report.submitted_at)]
    assert not Case.objects.exists() and not AuditEvent.objects.filter(action="case.received").exists()


def test_the_first_committer_of_an_interval_opens_every_pending_report(pemkab_katingan):
    turn_taken()
    waiting = [report_submit(data=report_data(subject_name=f"Terlapor {n}")) for n in range(3)]
    assert not Case.objects.exists()

    pass_turn(opening.OPEN_TURN_KEY, INTERVAL)  # the interval has passed
    last = report_submit(data=report_data(subject_name="", subject_nip="", subject_position="", subject_agency=""))

    reports = Report.objects.select_related("case").order_by("pk")
    assert [r.receipt_code for r in reports] == [r.receipt_code for r in [*waiting, last]]
    for report in reports:
        case = report.case
        assert case is not None
        assert (case.status, case.agency, case.region_id, case.incident_date) == (
            "received",
            pemkab_katingan,
            "62.06",
            report.incident_date,
        )
        assert case.number == f"NTR-{case.created_at.year}-{case.pk:06d}"
        assert case.created_at == report.submitted_at
        assert list(Transition.objects.filter(case=case).values_list("from_state", "to_state", "at")) == [
            ("", "received", report.submitted_at)
        ]
        event = AuditEvent.objects.get(action="case.received", object_id=str(case.pk))
        assert (event.actor_label, event.payload["report_id"]) == ("pelapor", report.pk)
    subjects = Subject.objects.order_by("case_id")
    assert [(s.name, s.nip, s.position) for s in subjects] == [
        (f"Terlapor {n}", "198503122010011003", "Camat") for n in range(3)
    ]  # the last report named nobody: no subject row


def test_opening_forty_reports_costs_the_statements_of_one(pemkab_katingan, settings):
    turn_taken()
    settings.NETRA_AUDIT_SEAL_INTERVAL = INTERVAL  # sealing is counted elsewhere (netra.audit)
    my_turn(SEAL_TURN_KEY, INTERVAL)
    my_turn(triage_flow.TRIAGE_TURN_KEY, INTERVAL)  # triage too (netra/cases/tests/test_triage_flow.py)

    def statements_to_open(count: int) -> int:
        for _ in range(count):
            report_submit(data=report_data())
        with CaptureQueriesContext(connection) as captured:
            assert opening.open_pending() == count
        return len(captured.captured_queries)

    # SQLite's 999 parameters hold 999 // (Case's columns) cases per INSERT (38 with 26 columns);
    # more reports take a statement per batch. So: as many as one INSERT holds.
    many = min(40, 999 // len(Case._meta.concrete_fields))
    assert many >= 30
    statements_to_open(1)  # warm: the first opening of a process also reads the webhook subscriptions once
    assert statements_to_open(many) == statements_to_open(1)


def test_the_scheduler_opens_what_the_last_requests_left(pemkab_katingan):
    turn_taken()
    receipt = report_submit(data=report_data())

    call_command("scheduler", "--once", stdout=StringIO())

    report = Report.objects.get(pk=receipt.report.pk)
    assert report.case is not None and report.case.status == "received"
    assert AuditEvent.objects.get(action="case.received").seq is not None  # opened before sealing


def test_a_message_from_the_reporter_opens_the_case_at_once(pemkab_katingan):
    turn_taken()
    receipt = report_submit(data=report_data())

    message = reporter_message_add(report=receipt.report, body="Saya punya rekaman video tambahan.")

    report = Report.objects.get(pk=receipt.report.pk)
    assert report.case is not None and message.case == report.case
    assert opening.open_pending() == 0  # not opened twice


def test_evidence_added_to_a_pending_report_opens_its_case(pemkab_katingan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    turn_taken()
    receipt = report_submit(data=report_data())

    (row,) = evidence_add(report=receipt.report, files=[SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")])

    assert row.case == Report.objects.get(pk=receipt.report.pk).case
    assert Case.objects.count() == 1


def test_reading_receipt_case_opens_it_once(pemkab_katingan):
    turn_taken()
    receipt = report_submit(data=report_data())

    assert receipt.case == receipt.case
    assert Case.objects.count() == 1 and opening.open_pending() == 0


def test_a_report_with_files_or_from_an_agency_is_opened_in_its_own_transaction(pemkab_katingan, agencies):
    from django.core.files.uploadedfile import SimpleUploadedFile

    turn_taken()
    with_file = report_submit(
        data=report_data(), files=[SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")]
    ).report
    finding = report_submit(
        data=report_data(), source=Case.Source.BAWASLU_FINDING, source_reference="001/TM/PL/Kab/21.06/XI/2024"
    ).report

    assert Report.objects.get(pk=with_file.pk).case_id is not None
    assert Report.objects.get(pk=finding.pk).case.source == "bawaslu_finding"


def test_concurrent_openers_open_each_report_exactly_once(pemkab_katingan):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs one write transaction at a time by design")
    turn_taken()
    receipts = [report_submit(data=report_data(incident_date=str(datetime.date.today()))) for _ in range(120)]
    start, errors = threading.Barrier(6), []

    def batch_opener():
        try:
            start.wait()
            opening.open_pending(batch_size=7)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def reporter(receipts_part):
        try:
            start.wait()
            for receipt in receipts_part:
                opening.open_report(Report.objects.get(pk=receipt.report.pk))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=batch_opener) for _ in range(4)]
    threads += [threading.Thread(target=reporter, args=(receipts[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Case.objects.count() == 120
    assert Report.objects.filter(case__isnull=True).count() == 0
    assert Report.objects.values("case").distinct().count() == 120
    assert Transition.objects.count() == 120
    assert AuditEvent.objects.filter(action="case.received").count() == 120


def test_opening_a_report_that_has_a_case_rolls_back_instead_of_opening_it_twice(pemkab_katingan):
    from django.db import transaction

    receipt = report_submit(data=report_data())  # its turn: opened at once
    opened = Report.objects.get(pk=receipt.report.pk)
    assert opened.case_id is not None

    with pytest.raises(RuntimeError, match="already opened"), transaction.atomic():
        opening.open_cases([opened])

    assert Case.objects.count() == 1 and Report.objects.get(pk=opened.pk).case_id == opened.case_id
