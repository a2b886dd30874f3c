"""Retention hook: forget channel data (inbound ids, sender hashes, conversations, replies) by age."""

from django.core.management.base import BaseCommand

from netra.channels.services import purge


class Command(BaseCommand):
    help = "Delete channel intake data older than --days (default 365)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, days=365, **options):
        self.stdout.write(str(purge(older_than_days=days)))
