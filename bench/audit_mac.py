"""Benchmark: the CPU cost of the row HMAC that ``audit.record()`` attaches (issue #10, finding 4).

First, without the database, it times in one process and the same run the parts of building
an event that ``record()`` does before its INSERT: building the row (baseline), the payload's
JSON round trip, the MAC itself (``row_mac``: canonical JSON + HMAC-SHA256), the whole
``_event()`` as it is now, and the check sealing and verification do per row (``mac_ok``).
Then, on a temporary SQLite file, a raw INSERT of an unsealed row and the sealing UPDATE with
the append-only triggers (netra.audit.triggers) against the same statements with the triggers
dropped, alternating. Prints microseconds of CPU per event (``time.process_time``), best of
five rounds.

    .venv/bin/python bench/audit_mac.py
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS, N = 5, 20000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    scratch = tempfile.mkdtemp(prefix="netra-bench-mac-")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    import django

    django.setup()
    from django.core.serializers.json import DjangoJSONEncoder
    from django.utils import timezone

    from netra.audit.chain import mac_ok, row_mac
    from netra.audit.models import AuditEvent
    from netra.audit.services import _event

    # What intake records: case.received with a handful of short fields.
    payload = {"channel": "web", "report": 1234, "receipt": "NTR-7KQ2-MX4P", "region": "62.06", "files": 0}

    def baseline():
        AuditEvent(
            actor_id=None,
            actor_label="pelapor",
            agency_id=7,
            action="case.received",
            object_type="cases.case",
            object_id="1234",
            payload=dict(payload),
            created_at=timezone.now(),
        )

    def round_trip():
        json.loads(json.dumps(payload, cls=DjangoJSONEncoder))

    event = _event("pelapor", "case.received", None, dict(payload, agency=7))

    def mac():
        row_mac(event)

    def event_now():
        _event("pelapor", "case.received", None, dict(payload, agency=7))

    def check():
        mac_ok(event)

    def best(work) -> float:
        times = []
        for _ in range(ROUNDS):
            start = time.process_time()
            for _ in range(N):
                work()
            times.append((time.process_time() - start) / N * 1e6)
        return min(times)

    rows = [
        ("AuditEvent() built (baseline)", best(baseline)),
        ("payload JSON round trip", best(round_trip)),
        ("row_mac (canonical JSON + HMAC-SHA256)", best(mac)),
        ("_event() now (row + round trip + MAC)", best(event_now)),
        ("mac_ok (sealing/verify, per row)", best(check)),
    ]
    print(f"audit row MAC, CPU µs per event, best of {ROUNDS} rounds of {N}:")
    for label, micros in rows:
        print(f"  {label:<42}{micros:8.2f} µs")
    print(f"  {'added per record() (round trip + MAC)':<42}{rows[1][1] + rows[2][1]:8.2f} µs")

    from django.core.management import call_command
    from django.db import connection, transaction

    from netra.audit import triggers

    call_command("migrate", "audit", verbosity=0)
    insert = (
        "INSERT INTO audit_auditevent (actor_label, action, object_type, object_id, payload, created_at, hash, mac,"
        " refused) VALUES ('bench', 'bench.intake', '', '', '{\"a\":1}', '2026-12-01 10:00:00', '', %s, %s)"
    )
    seal_sql = "UPDATE audit_auditevent SET seq = id, hash = %s WHERE id = %s"

    def statements() -> tuple[float, float]:
        with transaction.atomic(), connection.cursor() as cursor:
            start = time.process_time()
            for _ in range(N // 4):
                cursor.execute(insert, ["f" * 64, False])
            inserted = time.process_time() - start
            cursor.execute("SELECT id FROM audit_auditevent WHERE seq IS NULL")
            ids = [row[0] for row in cursor.fetchall()]
            start = time.process_time()
            for pk in ids:
                cursor.execute(seal_sql, ["a" * 64, pk])
            sealed = time.process_time() - start
            transaction.set_rollback(True)
        return inserted / (N // 4) * 1e6, sealed / len(ids) * 1e6

    on, off = [], []
    for _ in range(ROUNDS):
        on.append(statements())
        triggers.uninstall(connection)
        off.append(statements())
        triggers.install(connection)
    print("SQLite statements, CPU µs per row, triggers on / off (alternating, same run):")
    for n, label in enumerate(["INSERT of an unsealed row", "sealing UPDATE"]):
        with_t, without_t = min(r[n] for r in on), min(r[n] for r in off)
        print(f"  {label:<28}{with_t:8.2f} / {without_t:8.2f} µs  (+{with_t - without_t:.2f})")
    connection.close()
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
