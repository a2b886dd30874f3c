from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from netra.portal import staging


class Command(BaseCommand):
    help = "Delete evidence files staged by report forms that were never submitted (older than NETRA_STAGING_MAX_AGE_SECONDS)."

    def handle(self, *args, **options):
        # A minute past the tokens' life: a form checked just before expiry still finds its file.
        cutoff = timezone.now() - timedelta(seconds=staging.max_age() + 60)
        removed = 0
        try:
            _, names = default_storage.listdir(staging.PREFIX)
        except FileNotFoundError:
            names = []
        for name in names:
            path = staging.PREFIX + name
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        self.stdout.write(f"removed {removed} stale staged file(s)")
