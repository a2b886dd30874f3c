"""Upgrading a database whose log predates row MACs: 0002 signs the old rows, then guards them."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from netra.audit.chain import GENESIS_HASH, link_hash, seal, verify
from netra.audit.services import record

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = [("audit", "0001_initial")], [("audit", "0002_row_mac_and_append_only_triggers")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_rows_from_before_the_mac_verify_after_the_upgrade_and_are_guarded(officer):
    old_apps = migrate(BEFORE)
    OldEvent = old_apps.get_model("audit", "AuditEvent")
    OldHead = old_apps.get_model("audit", "ChainHead")
    previous = GENESIS_HASH
    for seq in (1, 2):  # sealed by the old code
        row = OldEvent(
            actor_label="system",
            action="case.noted",
            payload={"n": seq},
            created_at=datetime.datetime(2026, 11, 30, 8, seq, tzinfo=datetime.UTC),
            seq=seq,
        )
        row.hash = previous = link_hash(previous, row)
        row.save()
    OldHead.objects.create(pk=1, seq=2, hash=previous)
    OldEvent.objects.create(actor_label="system", action="case.noted", payload={"n": 3}, created_at=row.created_at)

    migrate(AFTER)

    record(officer, "case.noted", n=4)  # committed at once: its seal takes the old pending row too
    seal()
    result = verify()
    assert (result.ok, result.checked, result.pending, result.refused) == (True, 4, 0, 0)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
