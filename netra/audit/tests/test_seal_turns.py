"""After-commit sealing takes turns: one sealer per NETRA_AUDIT_SEAL_INTERVAL, the rest skip."""

import pytest

from netra.audit.chain import SEAL_TURN_KEY, verify
from netra.audit.models import AuditEvent
from netra.audit.services import record
from netra.turns import pass_turn

# One turn per hour: no turn ends by itself while a test runs; pass_turn() ends it.
INTERVAL = 3600


@pytest.fixture
def one_turn_per_interval(settings):
    settings.NETRA_AUDIT_SEAL_INTERVAL = INTERVAL
    pass_turn(SEAL_TURN_KEY, INTERVAL)
    yield
    pass_turn(SEAL_TURN_KEY, INTERVAL)


def committed(officer, capture, **payload) -> AuditEvent:
    with capture(execute=True):
        event = record(officer, "case.noted", **payload)
    return AuditEvent.objects.get(pk=event.pk)


def test_the_first_commit_of_an_interval_seals(officer, one_turn_per_interval, django_capture_on_commit_callbacks):
    assert committed(officer, django_capture_on_commit_callbacks).seq == 1


def test_a_commit_in_the_same_interval_leaves_its_event_pending(
    officer, one_turn_per_interval, django_capture_on_commit_callbacks
):
    committed(officer, django_capture_on_commit_callbacks)

    assert committed(officer, django_capture_on_commit_callbacks).seq is None


def test_the_next_turn_seals_what_earlier_commits_left_pending(
    officer, one_turn_per_interval, django_capture_on_commit_callbacks
):
    committed(officer, django_capture_on_commit_callbacks, n=1)
    left = committed(officer, django_capture_on_commit_callbacks, n=2)
    pass_turn(SEAL_TURN_KEY, INTERVAL)  # the interval has passed

    committed(officer, django_capture_on_commit_callbacks, n=3)

    assert AuditEvent.objects.get(pk=left.pk).seq == 2
    assert (verify().ok, verify().checked, verify().pending) == (True, 3, 0)


def test_interval_zero_seals_after_every_commit(officer, settings, django_capture_on_commit_callbacks):
    settings.NETRA_AUDIT_SEAL_INTERVAL = 0
    committed(officer, django_capture_on_commit_callbacks)

    assert committed(officer, django_capture_on_commit_callbacks).seq == 2
