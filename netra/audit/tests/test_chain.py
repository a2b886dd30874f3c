import datetime

import pytest

from netra.audit.chain import GENESIS_HASH, link_hash, seal, verify
from netra.audit.models import AuditEvent, ChainHead
from netra.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(officer, agency):
    """Ten sealed events."""
    for number in range(10):
        record(officer, "case.transitioned", agency, number=number, note="Pengecekan — ñ ✓")
    seal()
    return list(AuditEvent.objects.order_by("seq"))


def test_many_sealed_events_form_an_intact_chain(officer):
    for number in range(250):
        record(officer, "case.noted", number=number)

    sealed = seal(batch_size=100)

    assert (sealed, verify().ok, verify().checked) == (250, True, 250)


def test_seal_numbers_events_one_by_one_in_id_order(chain):
    assert [event.seq for event in chain] == list(range(1, 11))
    assert [event.pk for event in chain] == sorted(event.pk for event in chain)


def test_each_hash_covers_the_previous_hash(chain):
    assert chain[0].hash == link_hash(GENESIS_HASH, chain[0])
    assert chain[5].hash == link_hash(chain[4].hash, chain[5])


def test_head_points_at_the_last_sealed_event(chain):
    head = ChainHead.objects.get()

    assert (head.seq, head.hash) == (10, chain[-1].hash)


def test_seal_with_nothing_pending_changes_nothing(chain):
    assert seal() == 0
    assert ChainHead.objects.get().seq == 10


def test_events_recorded_after_a_seal_extend_the_chain(chain, officer):
    record(officer, "case.noted")
    seal()

    assert (verify().ok, verify().checked) == (True, 11)


def test_empty_log_verifies(db):
    assert verify().ok


def test_verify_reports_unsealed_events_as_pending_not_broken(chain, officer):
    record(officer, "case.noted")

    result = verify()

    assert (result.ok, result.checked, result.pending) == (True, 10, 1)


def test_verify_detects_an_edited_payload(chain, tamper):
    tamper.set_payload(4, {"number": 99})

    result = verify()

    assert (result.ok, result.bad_seq, result.bad_id) == (False, 4, chain[3].pk)


def test_verify_detects_an_edit_whose_own_hash_was_recomputed_by_the_rows_mac(chain, tamper):
    edited = AuditEvent.objects.get(seq=4)
    edited.payload = {"number": 99}
    tamper.set_payload(4, {"number": 99})
    tamper.set_hash(4, link_hash(chain[2].hash, edited))

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 4)  # before the MAC: only the next row's link broke
    assert "HMAC" in result.problem


def test_verify_detects_a_deleted_middle_row(chain, tamper):
    tamper.delete(6)

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 7)
    assert "hilang" in result.problem


def test_verify_detects_rows_cut_off_the_end(chain, tamper):
    tamper.delete(10)

    result = verify()

    assert result.ok is False
    assert "ujung rantai" in result.problem


def test_verify_detects_a_forged_row_with_a_valid_hash_beyond_the_head(chain, tamper):
    forged = AuditEvent(
        actor_label="system",
        action="case.dismissed",
        payload={"reason": "tidak terbukti"},
        created_at=datetime.datetime.now(datetime.UTC),
        seq=11,
    )
    forged.hash = link_hash(chain[-1].hash, forged)
    tamper.insert(forged)

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 11)


def test_verify_detects_a_forged_row_given_a_free_sequence_number(chain, tamper):
    forged = AuditEvent(
        actor_label="system",
        action="case.dismissed",
        created_at=datetime.datetime.now(datetime.UTC),
        seq=10**9,
        hash="f" * 64,
    )
    tamper.insert(forged)

    assert verify().bad_seq == 10**9


def test_verify_detects_two_swapped_rows(chain, tamper):
    tamper.swap(3, 4)

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 3)


def test_verify_detects_a_deleted_head_when_sealed_rows_remain(chain, tamper):
    ChainHead.objects.all().delete()

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 1)
