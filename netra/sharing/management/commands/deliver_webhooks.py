"""Deliver webhooks from the outbox: a loop (run it beside the web server) or ``--once``."""

import signal

from django.core.management.base import BaseCommand

from netra.sharing import delivery


class Command(BaseCommand):
    help = "Kirim webhook yang sudah jatuh tempo dari outbox (terus-menerus, atau sekali dengan --once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Kirim yang jatuh tempo sekarang, lalu berhenti.")
        parser.add_argument("--idle", type=float, default=2.0, help="Detik menunggu saat tidak ada kiriman.")

    def handle(self, *args, once=False, idle=2.0, **options):
        stopping = []

        def stop(*_args):
            stopping.append(True)

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        made = delivery.run(once=once, idle_seconds=idle, stop=lambda: bool(stopping))
        self.stdout.write(f"{made} attempt(s)")
