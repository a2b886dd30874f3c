"""A small scheduler: enqueue the deadline job every N minutes for the task worker (``db_worker``).

Run one scheduler per installation; the job itself is idempotent, so a second scheduler or a
restart only costs an extra run. The interval comes from NETRA_SCHEDULE_MINUTES (default 15).
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from netra.cases.tasks import run_deadlines


def schedule_minutes() -> float:
    raw = os.environ.get("NETRA_SCHEDULE_MINUTES", "15")
    try:
        minutes = float(raw)
    except ValueError:
        raise CommandError(f"NETRA_SCHEDULE_MINUTES must be a number of minutes, not {raw!r}") from None
    if minutes <= 0:
        raise CommandError("NETRA_SCHEDULE_MINUTES must be positive")
    return minutes


class Command(BaseCommand):
    help = "Antrekan tugas tenggat (run_deadlines) setiap NETRA_SCHEDULE_MINUTES menit."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Antrekan sekali lalu berhenti.")

    def handle(self, *args, once=False, **options):
        interval = schedule_minutes() * 60
        while True:
            result = run_deadlines.enqueue()
            self.stdout.write(f"run_deadlines enqueued: {result.id}")
            if once:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return
