"""A small scheduler: enqueue the deadline job every N minutes for the task worker (``db_worker``),
and every second open the cases of accepted reports and seal the audit log.

Run one scheduler per installation; the job itself is idempotent, so a second scheduler or a
restart only costs an extra run. The interval comes from NETRA_SCHEDULE_MINUTES (default 15).

Sealing here is what bounds how long an audit event stays outside the hash chain once requests
stop: after-commit sealing takes turns (netra.audit.chain), so the last events of a burst wait
for this tick. It is one indexed lookup when nothing is pending. The same holds for opening
the cases of accepted public reports (netra.cases.opening): after a burst, the last reports are
opened here within a second.

Every NETRA_STAGING_CLEAN_MINUTES (default 5) it runs ``clean_staging``: the cleaned copies of
files a report form kept across an error are deleted once their tokens expired. Called by its
command name, so this domain app does not import the portal.
Every NETRA_AUDIT_HEAD_MINUTES it also publishes the signed audit chain head when it moved
(netra.audit.head: a log line and a line appended to NETRA_AUDIT_HEAD_FILE), for agencies to keep.
At start and with every deadline run it rebuilds the public statistics' aggregate table
(``rebuild_insights``, by command name as well).
Every NETRA_WORKER_HEARTBEAT_SECONDS it runs ``reap_tasks`` (netra.ops, by command name): a task left
RUNNING by a dead worker is retried once, or failed with an alert.
Every NETRA_CHANNELS_POLL_SECONDS (default 30) it runs one ``run_channels --once`` tick (the
netra.channels face, by command name): the intake mailboxes are polled and the queued replies
sent, so no separate channel worker is needed (``run_channels`` alone still works).
"""

import logging
import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from netra.audit.chain import seal
from netra.audit.head import current, publish
from netra.cases.opening import open_pending
from netra.cases.tasks import run_deadlines
from netra.orgs.tasks import purge_sign_in_records

logger = logging.getLogger(__name__)
SEAL_EVERY_SECONDS = 1.0


def schedule_minutes() -> float:
    raw = os.environ.get("NETRA_SCHEDULE_MINUTES", "15")
    try:
        minutes = float(raw)
    except ValueError:
        raise CommandError(f"NETRA_SCHEDULE_MINUTES must be a number of minutes, not {raw!r}") from None
    if minutes <= 0:
        raise CommandError("NETRA_SCHEDULE_MINUTES must be positive")
    return minutes


def staging_clean_minutes() -> float:
    try:
        return max(0.1, float(os.environ.get("NETRA_STAGING_CLEAN_MINUTES", "5")))
    except ValueError:
        raise CommandError("NETRA_STAGING_CLEAN_MINUTES must be a number of minutes") from None


def clean_staging(stdout) -> None:
    try:
        call_command("clean_staging", stdout=stdout)
    except OSError:
        logger.exception("scheduler: cleaning the staged evidence failed; retrying")


def apply_retention(stdout) -> None:
    """The retention policy (UU PDP), by command name: it lives in the netra.ops face."""
    try:
        call_command("apply_retention", stdout=stdout)
    except (DatabaseError, OSError):
        logger.exception("scheduler: applying the retention policy failed; retrying")


def rebuild_insights(stdout) -> None:
    # The public statistics' aggregate table (netra.insights), by command name: no upward import.
    try:
        call_command("rebuild_insights", stdout=stdout)
    except DatabaseError:
        logger.exception("scheduler: rebuilding the statistics aggregates failed; retrying")
        connection.close()


def purge_exports(stdout) -> None:
    # Staff exports past NETRA_EXPORT_KEEP_HOURS (netra.insights), by command name: no upward import.
    try:
        call_command("purge_exports", stdout=stdout)
    except (DatabaseError, OSError):
        logger.exception("scheduler: deleting expired exports failed; retrying")
        connection.close()


def reconcile_coverage(stdout) -> None:
    """The pacts coverage counters recounted once a day: a safety net for a write that bypassed them."""
    try:
        call_command("reconcile_coverage", stdout=stdout)
    except DatabaseError:
        logger.exception("scheduler: reconciling the coverage counters failed; retrying tomorrow")
        connection.close()


def run_channels(stdout) -> bool:
    """One channel tick (mailboxes + reply outbox), by command name; False when it failed."""
    try:
        call_command("run_channels", "--once", stdout=stdout)
        return True
    except DatabaseError:
        logger.exception("scheduler: the channel tick failed; retrying")
        connection.close()
    except Exception:  # a broken mailbox setting or provider must not stop the scheduler
        logger.exception("scheduler: the channel tick failed; retrying")
    return False


def seal_audit_log() -> int:
    return _tick(seal, "sealing the audit log")


def publish_audit_head(last: tuple[int, str] | None) -> tuple[int, str] | None:
    """Publish the signed head when it moved since ``last``; return the head now published."""
    try:
        head = current()
        if head != last:
            publish()
        return head
    except (DatabaseError, OSError):
        logger.exception("scheduler: publishing the audit chain head failed; retrying")
        connection.close()
        return last


def reap_tasks(stdout) -> None:
    """Tasks left RUNNING by a dead worker: retried once or failed (the netra.ops face, by command name)."""
    try:
        call_command("reap_tasks", stdout=stdout)
    except DatabaseError:
        logger.exception("scheduler: reaping the tasks of dead workers failed; retrying")
        connection.close()


def open_reports() -> int:
    return _tick(open_pending, "opening the cases of accepted reports")


class Arrivals:
    """The reports' arrival rate between two readings, from the newest report id (one index probe)."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.last: tuple[float, int] | None = None

    def per_second(self) -> float:
        from netra.cases.triage_flow import newest_report_id

        now, newest = self.clock(), newest_report_id()
        last, self.last = self.last, (now, newest)
        if last is None or now <= last[0]:
            return 0.0
        return max(0, newest - last[1]) / (now - last[0])


class TriagePace:
    """When the scheduler triages: a batch at a time, up to ``TICK_BATCHES`` a tick; in a burst (the
    arrival rate is read again before every batch, so a burst that starts during a long catch-up is
    seen at once) one small batch (``BURST_BATCH`` cases), then a rest (``triage_flow.burst_pause``)."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.arrivals = Arrivals(clock)
        self.resume_at = 0.0

    def run(self, triage) -> int:
        """Call ``triage(max_batches=1)`` while it is due and finds work (in a burst with
        ``batch_size=BURST_BATCH``); return what it triaged."""
        from netra.cases.triage_flow import BURST_BATCH, TICK_BATCHES, burst_pause, in_burst

        total = 0
        for _batch in range(TICK_BATCHES):
            burst = in_burst(self.arrivals.per_second())
            began = self.clock()
            if burst and began < self.resume_at:
                break
            done = triage(max_batches=1, batch_size=BURST_BATCH) if burst else triage(max_batches=1)
            total += done
            if burst:
                ended = self.clock()
                self.resume_at = ended + burst_pause(ended - began) if done else 0.0
                break
            if not done:
                break
        return total


def triage_reports(pace: TriagePace) -> int:
    from netra.cases.triage_flow import triage_pending

    return _tick(lambda: pace.run(triage_pending), "triaging opened cases")


RECONCILE_EVERY_SECONDS = 24 * 3600


def _tick(work, what: str) -> int:
    try:
        return work()
    except DatabaseError:
        # The database restarted or went away: reconnect on the next tick, keep scheduling.
        logger.exception("scheduler: %s failed; retrying", what)
        connection.close()
        return 0


class Command(BaseCommand):
    help = (
        "Antrekan tugas tenggat (run_deadlines) setiap NETRA_SCHEDULE_MINUTES menit; "
        "buka kasus laporan yang diterima dan segel log audit tiap detik."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Antrekan, buka, dan segel sekali lalu berhenti.")

    def handle(self, *args, once=False, **options):
        interval = schedule_minutes() * 60
        next_deadlines = next_head = time.monotonic()
        published = None
        pace = TriagePace()
        reap_interval, next_reap = settings.NETRA_WORKER_HEARTBEAT_SECONDS, time.monotonic()
        next_reconcile = time.monotonic() + RECONCILE_EVERY_SECONDS
        staging_interval, next_staging = staging_clean_minutes() * 60, time.monotonic()
        channels_interval, next_channels = max(1.0, float(settings.NETRA_CHANNELS_POLL_SECONDS)), time.monotonic()
        while True:
            if time.monotonic() >= next_staging:
                clean_staging(self.stdout)
                next_staging = time.monotonic() + staging_interval
            if time.monotonic() >= next_deadlines:
                result = run_deadlines.enqueue()
                self.stdout.write(f"run_deadlines enqueued: {result.id}")
                purge_sign_in_records.enqueue()  # staff sign-in records past their retention
                apply_retention(self.stdout)  # reporter contacts, dismissed cases' evidence
                rebuild_insights(self.stdout)
                purge_exports(self.stdout)
                next_deadlines = time.monotonic() + interval
            if time.monotonic() >= next_reconcile:
                reconcile_coverage(self.stdout)
                next_reconcile = time.monotonic() + RECONCILE_EVERY_SECONDS
            if time.monotonic() >= next_channels:
                run_channels(self.stdout)  # a failed tick is simply retried at the next interval
                next_channels = time.monotonic() + channels_interval
            if time.monotonic() >= next_reap:
                reap_tasks(self.stdout)
                next_reap = time.monotonic() + reap_interval
            open_reports()  # before sealing: opening writes the cases' audit events
            triage_reports(pace)  # what the after-commit turns left; less of it in a burst
            seal_audit_log()
            if time.monotonic() >= next_head:
                published = publish_audit_head(published)
                next_head = time.monotonic() + settings.NETRA_AUDIT_HEAD_MINUTES * 60
            if once:
                return
            try:
                time.sleep(SEAL_EVERY_SECONDS)
            except KeyboardInterrupt:
                return
