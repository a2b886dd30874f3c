from django.core.management.base import BaseCommand

from netra.insights import cube
from netra.insights.aggregates import rebuild


class Command(BaseCommand):
    help = (
        "Bangun ulang tabel agregat statistik publik dari data kasus dan perbarui kubus dasbor staf "
        "(dijadwalkan oleh scheduler)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Hitung ulang kubus dasbor dari awal.")

    def handle(self, *args, full=False, **options):
        self.stdout.write(f"insights aggregates: {rebuild()} rows")
        if full or (cube.state().refreshed_at is None and cube.pending()):
            self.stdout.write(f"dashboard cube rebuilt: {cube.rebuild()} cells")
        else:
            self.stdout.write(f"dashboard cube: {cube.refresh()} changes applied")
