from django.core.management.base import BaseCommand
from django.db import transaction

from netra.catalog import calendar, elections, regions, violations


class Command(BaseCommand):
    help = "Load or update all reference data from netra/catalog/data/ (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for label, loader in [
            ("regions", regions.load_regions),
            ("sanctions", violations.load_sanctions),
            ("violations", violations.load_violations),
            ("elections", elections.load_elections),
            ("cuti bersama", calendar.load_cuti_bersama),
        ]:
            count = loader()
            self.stdout.write(f"{label}: {count}")
