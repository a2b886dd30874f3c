"""Benchmark: the CPU cost of the row HMAC that ``audit.record()`` attaches (issue #10, finding 4).

No database: it times, in one process and the same run, the parts of building an event that
``record()`` does before its INSERT: building the row as before (baseline), the payload's JSON
round trip, the MAC itself (``row_mac``: canonical JSON + HMAC-SHA256), and the whole
``_event()`` as it is now; and the check sealing and verification do per row (``mac_ok``).
Prints microseconds of CPU per event (``time.process_time``), best of five rounds.

    .venv/bin/python bench/audit_mac.py
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS, N = 5, 20000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
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


if __name__ == "__main__":
    main()
