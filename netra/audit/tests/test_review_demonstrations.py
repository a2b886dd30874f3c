"""The outside review's demonstrations (issue #10, finding 4), each re-run: now detected or refused."""

import datetime

import pytest
from django.core.management import call_command, execute_from_command_line

from netra.audit.chain import link_hash, seal, verify
from netra.audit.head import current_line
from netra.audit.models import AuditEvent, ChainHead
from netra.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_sealed(officer, agency):
    for number in range(20):
        record(officer, "case.transitioned", agency, number=number)
    seal()
    return list(AuditEvent.objects.order_by("seq"))


def cut_last_five_and_rewind(tamper, chain):
    for event in chain[-5:]:
        tamper.delete(event.seq)
    kept = chain[-6]
    ChainHead.objects.filter(pk=1).update(seq=kept.seq, hash=kept.hash)


def test_deleting_the_last_five_and_rewinding_the_head_is_caught_by_the_published_head(twenty_sealed, tamper):
    published = (twenty_sealed[-1].seq, twenty_sealed[-1].hash)
    cut_last_five_and_rewind(tamper, twenty_sealed)

    assert verify().ok  # the demonstration: on its own, the shorter chain is consistent
    result = verify(expect=[published])

    assert result.ok is False
    assert "dipotong" in result.problem and "5 entri terakhir hilang" in result.problem


def test_verify_audit_with_the_signed_line_exits_1_after_the_cut(twenty_sealed, tamper, capsys):
    line = current_line()
    cut_last_five_and_rewind(tamper, twenty_sealed)

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit", "--expect-head", line])

    assert exit_info.value.code == 1
    assert "ujung #20 pernah diterbitkan, kini ujung rantai #15" in capsys.readouterr().err


def test_a_cut_refilled_by_new_events_is_caught_as_a_rewrite(twenty_sealed, tamper, officer):
    published = f"{twenty_sealed[-1].seq}:{twenty_sealed[-1].hash}"
    cut_last_five_and_rewind(tamper, twenty_sealed)
    for number in range(5):
        record(officer, "case.noted", number=number)
    seal()  # seq 16-20 exist again, with other content

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit", "--expect-head", published])

    assert exit_info.value.code == 1


def test_a_hand_inserted_unsealed_row_is_not_sealed_and_is_reported(twenty_sealed, tamper, officer, capsys):
    forged = AuditEvent(
        actor_id=officer.pk,
        actor_label=officer.username,
        action="case.dismissed",
        payload={"reason": "tidak terbukti"},
        created_at=datetime.datetime.now(datetime.UTC),
        seq=None,
        hash="",
    )
    tamper.insert(forged)
    forged_id = AuditEvent.objects.get(action="case.dismissed").pk
    record(officer, "case.noted")  # a genuine event after it is sealed as usual

    call_command("seal_audit")

    row = AuditEvent.objects.get(pk=forged_id)
    assert (row.seq, row.refused) == (None, True)
    assert AuditEvent.objects.get(action="case.noted").seq == 21
    assert "1 entri ditolak" in capsys.readouterr().err
    result = verify()
    assert (result.ok, result.bad_id, result.refused) == (False, forged_id, 1)
    assert f"id {forged_id}" in result.problem


def test_a_hand_inserted_row_copying_a_genuine_mac_is_refused(twenty_sealed, tamper):
    genuine = twenty_sealed[3]
    forged = AuditEvent(
        actor_label=genuine.actor_label,
        action=genuine.action,
        object_type=genuine.object_type,
        object_id=genuine.object_id,
        payload={"number": 999},  # other content, the MAC of row 4
        created_at=genuine.created_at,
    )
    forged.mac = genuine.mac
    tamper.insert(forged)

    seal()

    assert AuditEvent.objects.get(payload__number=999).refused is True
    assert ChainHead.objects.get().seq == 20


def test_a_row_edited_while_still_unsealed_is_refused(officer, tamper):
    event = record(officer, "case.transitioned", target="verification")
    tamper.execute("UPDATE {table} SET payload = %s WHERE id = %s", ['{"target": "dismissed"}', event.pk])

    assert seal() == 0
    assert AuditEvent.objects.get(pk=event.pk).refused is True
    assert not verify().ok


def test_a_verify_without_the_key_finds_every_row_forged(twenty_sealed, settings):
    settings.NETRA_AUDIT_KEY = "a-different-key-that-the-database-writer-guessed"

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 1)
    assert "HMAC" in result.problem


def copy_of(event: AuditEvent) -> AuditEvent:
    return AuditEvent(
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        agency_id=event.agency_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        payload=event.payload,
        created_at=event.created_at,
        mac=event.mac,
    )


def test_an_exact_copy_of_a_sealed_row_is_refused(twenty_sealed, tamper):
    tamper.insert(copy_of(twenty_sealed[7]))

    assert seal() == 0
    assert AuditEvent.objects.filter(mac=twenty_sealed[7].mac, refused=True).count() == 1
    assert not verify().ok


def test_two_copies_of_a_pending_row_seal_only_once(officer, agency, tamper):
    genuine = record(officer, "case.transitioned", agency, target="dismissed")
    tamper.insert(copy_of(AuditEvent.objects.get(pk=genuine.pk)))

    assert seal() == 1
    assert list(AuditEvent.objects.filter(mac=genuine.mac).values_list("seq", "refused").order_by("id")) == [
        (1, False),
        (None, True),
    ]


def test_verify_names_a_copy_that_was_sealed_around_the_check(twenty_sealed, tamper):
    twin = copy_of(twenty_sealed[2])
    twin.seq = 21
    twin.hash = link_hash(twenty_sealed[-1].hash, twin)
    tamper.insert(twin)
    ChainHead.objects.filter(pk=1).update(seq=21, hash=twin.hash)

    result = verify()

    assert (result.ok, result.bad_seq) == (False, 21)
    assert "salinan" in result.problem
