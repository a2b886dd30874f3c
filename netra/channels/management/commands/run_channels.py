"""The channel worker: poll the intake mailboxes and send the queued replies (``--once`` or a loop)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from netra.channels import mail, outbox


class Command(BaseCommand):
    help = "Poll the IMAP intake mailboxes and deliver channel replies (the outbox)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, once=False, interval=30.0, **options):
        while True:
            polled = mail.poll_all(settings.NETRA_INTAKE_MAILBOXES)
            sent = outbox.deliver_due()
            self.stdout.write(f"mailboxes {polled} replies {sent}")
            if once:
                return
            time.sleep(interval)
