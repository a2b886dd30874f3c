"""The append-only triggers (netra.audit.triggers), tried with raw SQL on SQLite and PostgreSQL."""

import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from netra.audit import triggers
from netra.audit.chain import seal, verify
from netra.audit.models import AuditEvent
from netra.audit.services import record

pytestmark = pytest.mark.django_db
TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", TABLE), params)


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic():
            raw(sql, params)
    except IntegrityError as error:
        return "append-only" in str(error)
    return False


@pytest.fixture
def sealed(officer):
    event = record(officer, "case.transitioned", target="verification")
    seal()
    return AuditEvent.objects.get(pk=event.pk)


def test_update_of_a_sealed_rows_content_is_refused(sealed):
    assert refused("UPDATE {table} SET payload = %s WHERE id = %s", [json.dumps({"target": "dismissed"}), sealed.pk])
    assert AuditEvent.objects.get(pk=sealed.pk).payload == {"target": "verification"}


def test_update_of_a_sealed_rows_hash_or_seq_is_refused(sealed):
    assert refused("UPDATE {table} SET hash = %s WHERE id = %s", ["f" * 64, sealed.pk])
    assert refused("UPDATE {table} SET seq = 99 WHERE id = %s", [sealed.pk])


def test_unsealing_a_sealed_row_is_refused(sealed):
    assert refused("UPDATE {table} SET seq = NULL, hash = '' WHERE id = %s", [sealed.pk])


def test_delete_of_a_sealed_row_is_refused(sealed):
    assert refused("DELETE FROM {table} WHERE id = %s", [sealed.pk])
    assert AuditEvent.objects.filter(pk=sealed.pk).exists()


def test_delete_of_an_unsealed_row_is_refused(officer):
    event = record(officer, "case.noted")

    assert refused("DELETE FROM {table} WHERE id = %s", [event.pk])


def test_update_of_an_unsealed_rows_content_is_refused(officer):
    event = record(officer, "case.noted")

    assert refused("UPDATE {table} SET action = 'case.dismissed' WHERE id = %s", [event.pk])
    assert refused("UPDATE {table} SET mac = %s WHERE id = %s", ["0" * 64, event.pk])


def test_insert_of_an_already_sealed_row_is_refused(sealed):
    assert refused(
        "INSERT INTO {table} (actor_label, action, object_type, object_id, payload, created_at, seq, hash, mac,"
        " refused) VALUES ('system', 'case.dismissed', '', '', '{}', %s, 2, %s, '', %s)",
        [connection.ops.adapt_datetimefield_value(sealed.created_at), "a" * 64, False],
    )


def test_a_refused_row_stays_refused(officer, tamper):
    event = record(officer, "case.noted")
    tamper.execute("UPDATE {table} SET mac = '' WHERE id = %s", [event.pk])
    triggers.install(connection)  # back in place (the tamperer dropped them)
    seal()

    assert refused("UPDATE {table} SET refused = %s WHERE id = %s", [False, event.pk])


def test_sealing_still_works_under_the_triggers(officer):
    for number in range(3):
        record(officer, "case.noted", number=number)

    assert (seal(), verify().ok) == (3, True)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_and_leaves_the_triggers_in_place(officer):
    record(officer, "case.noted")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    from netra.orgs.models import User

    someone = User.objects.create_user(username="setelah.flush", password="rahasia-panjang-sekali")
    event = record(someone, "case.noted")
    assert refused("DELETE FROM {table} WHERE id = %s", [event.pk])
