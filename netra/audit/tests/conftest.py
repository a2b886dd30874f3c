import json

import pytest
from django.db import connection

from netra.audit import triggers
from netra.audit.models import AuditEvent
from netra.orgs.models import Agency, User


@pytest.fixture
def officer(db):
    return User.objects.create_user(username="petugas.katingan", password="rahasia-panjang-sekali")


@pytest.fixture
def agency(db):
    return Agency.objects.create(code="pemkab-katingan", name="Pemerintah Kabupaten Katingan", kind="pemda_kabupaten")


@pytest.fixture
def other_agency(db):
    return Agency.objects.create(
        code="pemkab-muna-barat", name="Pemerintah Kabupaten Muna Barat", kind="pemda_kabupaten"
    )


class Tamper:
    """Raw SQL on the audit table, the way someone with database access would edit it.

    Such a person can drop the append-only triggers first (``netra.audit.triggers``), so the
    tamperer does; the test's transaction rolls the drop back.
    """

    table = connection.ops.quote_name(AuditEvent._meta.db_table)

    def execute(self, sql: str, params=()):
        triggers.uninstall(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{table}", self.table), params)

    def set_payload(self, seq: int, payload: dict):
        self.execute("UPDATE {table} SET payload = %s WHERE seq = %s", [json.dumps(payload), seq])

    def set_hash(self, seq: int, value: str):
        self.execute("UPDATE {table} SET hash = %s WHERE seq = %s", [value, seq])

    def delete(self, seq: int):
        self.execute("DELETE FROM {table} WHERE seq = %s", [seq])

    def swap(self, seq_a: int, seq_b: int):
        parked = 10**12  # seq is unique: park one row while the other takes its number
        self.execute("UPDATE {table} SET seq = %s WHERE seq = %s", [parked, seq_a])
        self.execute("UPDATE {table} SET seq = %s WHERE seq = %s", [seq_a, seq_b])
        self.execute("UPDATE {table} SET seq = %s WHERE seq = %s", [seq_b, parked])

    def insert(self, event: AuditEvent):
        columns = {
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "agency_id": event.agency_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "payload": json.dumps(event.payload),
            "created_at": connection.ops.adapt_datetimefield_value(event.created_at),
            "seq": event.seq,
            "hash": event.hash,
            "mac": event.mac,
            "refused": False,
        }
        names = ", ".join(connection.ops.quote_name(name) for name in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        # Column names are this model's own, quoted; values go as parameters.
        sql = f"INSERT INTO {{table}} ({names}) VALUES ({placeholders})"  # noqa: S608
        self.execute(sql, list(columns.values()))


@pytest.fixture
def tamper(db):
    return Tamper()
