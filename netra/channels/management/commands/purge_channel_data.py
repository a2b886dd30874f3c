"""Retention hook: forget channel data (inbound ids, sender hashes, conversations, replies) by age.

``apply_retention`` (netra.ops) calls it by name with the strictest contact period of the agencies'
policies; it prints (and returns) the counts as JSON.
"""

import datetime
import json

from django.core.management.base import BaseCommand

from netra.channels.services import purge


class Command(BaseCommand):
    help = "Delete channel intake data older than --days (default 365)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--now", type=datetime.datetime.fromisoformat, default=None, help="ISO time (tests)")

    def handle(self, *args, days=365, now=None, **options):
        return json.dumps(purge(older_than_days=days, now=now), sort_keys=True)
