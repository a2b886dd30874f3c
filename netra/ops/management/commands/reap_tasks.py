"""``manage.py reap_tasks``: retry once (or fail) the tasks left RUNNING by dead workers (``netra.ops.workers``)."""

from django.core.management.base import BaseCommand

from netra.ops.workers import reap


class Command(BaseCommand):
    help = "Ulangi sekali (atau gagalkan) tugas yang tertinggal berjalan oleh pekerja yang mati."

    def handle(self, *args, **options):
        done = reap()
        if done.requeued or done.failed or options["verbosity"] > 1:
            self.stdout.write(f"reaped: {len(done.requeued)} requeued, {len(done.failed)} failed")
