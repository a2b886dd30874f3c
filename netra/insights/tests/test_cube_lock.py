"""A web request's after-response refresh of the cube never waits for a rebuild holding its lock."""

import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from netra.insights import cube
from netra.insights.models import DashState

HOLD = 1.5  # seconds the other transaction keeps the state row locked


def _postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("NETRA_TEST_POSTGRES"):
            pytest.fail("the PostgreSQL run must run the locking tests")
        pytest.skip("PostgreSQL only: SQLite's writers take turns at its single write lock")


def _held_elsewhere():
    """Start a thread that holds the state row (as the scheduler's rebuild does) for HOLD seconds."""
    locked = threading.Event()

    def hold():
        try:
            with transaction.atomic():
                DashState.objects.select_for_update().get(pk=1)
                locked.set()
                time.sleep(HOLD)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(10)
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("wait", [False, True], ids=["after-response-leaves", "reader-waits"])
def test_a_refresh_that_must_not_wait_leaves_while_the_state_is_locked(wait):
    _postgres_only()
    DashState.objects.get_or_create(pk=1)
    thread = _held_elsewhere()
    began = time.monotonic()
    cube.refresh(limit=cube.BACKGROUND_LIMIT, wait=wait)
    elapsed = time.monotonic() - began
    thread.join()
    if wait:
        assert elapsed > HOLD / 2  # it queued behind the holder
    else:
        assert elapsed < HOLD / 2  # it left at once
