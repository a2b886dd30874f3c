"""Recount the coverage counters (``netra.pacts.tally``) from the roster, signatures and attendance,
report any difference and fix it. None is expected: every write keeps them in its transaction.
Run it after writing those tables by hand (a restore, a manual SQL fix)."""

from django.core.management.base import BaseCommand

from netra.orgs.models import Agency
from netra.pacts import tally


class Command(BaseCommand):
    help = "Hitung ulang angka cakupan pencegahan per OPD dan perbaiki selisihnya."

    def add_arguments(self, parser):
        parser.add_argument("--agency", help="kode instansi (default: semua)")

    def handle(self, *args, **options):
        agency_id = None
        if options.get("agency"):
            agency_id = Agency.objects.get(code=options["agency"]).pk
        differences = tally.rebuild(agency_id)
        if not differences:
            self.stdout.write("Angka cakupan sudah tepat.")
            return
        for (unit, status, kind, ref), (was, counted) in sorted(differences.items()):
            self.stdout.write(f"  OPD {unit} {status} {kind} {ref or '-'}: {was} -> {counted}")
        self.stdout.write(f"{len(differences)} angka cakupan diperbaiki.")
