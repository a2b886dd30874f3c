"""Parallel writers on PostgreSQL. SQLite serialises every write transaction (IMMEDIATE), so
there is nothing concurrent to prove there; the CI's PostgreSQL run executes these."""

import os
import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from netra.audit.chain import verify
from netra.audit.models import AuditEvent, ChainHead
from netra.audit.services import record

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WRITERS, TRANSACTIONS = 8, 50


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        if os.environ.get("NETRA_TEST_POSTGRES"):
            pytest.fail("the PostgreSQL run must run the concurrency tests, but the database is not PostgreSQL")
        pytest.skip("PostgreSQL only: SQLite runs one write transaction at a time by design")


def run_threads(*targets):
    """Run each target in its own thread and connection; re-raise the first error."""
    errors = []

    def wrapped(target):
        try:
            target()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=wrapped, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    if errors:
        raise errors[0]


def test_parallel_writers_build_one_linear_chain_without_forks(officer):
    start = threading.Barrier(WRITERS)

    def writer(number):
        def run():
            start.wait()
            for step in range(TRANSACTIONS):
                with transaction.atomic():
                    record(officer, "case.noted", writer=number, step=step)

        return run

    run_threads(*(writer(number) for number in range(WRITERS)))

    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    written = Counter((p["writer"], p["step"]) for p in AuditEvent.objects.values_list("payload", flat=True))
    result = verify()
    assert seqs == list(range(1, WRITERS * TRANSACTIONS + 1))
    assert set(written.values()) == {1} and len(written) == WRITERS * TRANSACTIONS
    assert (result.ok, result.checked, result.pending) == (True, WRITERS * TRANSACTIONS, 0)
    assert ChainHead.objects.get().seq == WRITERS * TRANSACTIONS


def test_intake_neither_records_nor_commits_behind_a_sealer_holding_the_chain_lock(officer):
    locked, intake_done = threading.Event(), threading.Event()
    held_until_intake_finished = []
    ChainHead.objects.create(pk=1)

    def sealer_holding_the_lock():
        with transaction.atomic():
            ChainHead.objects.select_for_update().get(pk=1)
            locked.set()
            held_until_intake_finished.append(intake_done.wait(timeout=5))

    def intake():
        locked.wait(timeout=5)
        with transaction.atomic():
            record(officer, "report.submitted")
        intake_done.set()  # commit and after-commit seal attempt both done while the head is locked

    run_threads(sealer_holding_the_lock, intake)

    assert held_until_intake_finished == [True]
    assert verify().pending == 1  # left for the lock holder's re-check, or seal_audit


def test_a_row_committed_after_a_later_row_was_sealed_gets_the_later_seq(officer):
    first_recorded, second_sealed = threading.Event(), threading.Event()
    ids = {}

    def slow_transaction():
        with transaction.atomic():
            ids["slow"] = record(officer, "case.noted", which="slow").pk
            first_recorded.set()
            second_sealed.wait(timeout=5)

    def fast_transaction():
        first_recorded.wait(timeout=5)
        with transaction.atomic():
            ids["fast"] = record(officer, "case.noted", which="fast").pk
        second_sealed.set()

    run_threads(slow_transaction, fast_transaction)

    seq = dict(AuditEvent.objects.values_list("payload__which", "seq"))
    assert ids["slow"] < ids["fast"]
    assert (seq["fast"], seq["slow"]) == (1, 2)
    assert verify().ok
