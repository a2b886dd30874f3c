from django.core.management.base import BaseCommand

from netra.insights.aggregates import rebuild


class Command(BaseCommand):
    help = "Bangun ulang tabel agregat statistik publik dari data kasus (dijadwalkan oleh scheduler)."

    def handle(self, *args, **options):
        self.stdout.write(f"insights aggregates: {rebuild()} rows")
