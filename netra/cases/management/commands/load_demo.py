"""``manage.py load_demo``: the demo world (agencies, one account per role) and ~200 demo cases.

Lives in ``cases`` because it uses both ``orgs`` (below) and ``cases``: a lower app never imports
a higher one (design.md section 2).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.cases.demo import DEFAULT_COUNT, create_demo_cases
from netra.orgs.demo import create_demo_orgs
from netra.pacts.demo import DEFAULT_EMPLOYEES, create_demo_outreach


class Command(BaseCommand):
    help = "Create the demo dataset, demo accounts and demo cases (never in production). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=DEFAULT_COUNT, help="How many demo cases to create (0: none).")
        parser.add_argument(
            "--employees", type=int, default=DEFAULT_EMPLOYEES, help="Katingan's demo roster size (prevention data)."
        )

    def handle(self, *args, **options):
        # Demo accounts have a published password: refuse anywhere but a demo/development install.
        if settings.PRODUCTION or not settings.DEMO_MODE:
            raise CommandError(_("load_demo menolak berjalan: mode produksi atau NETRA_DEMO tidak aktif."))
        started = time.monotonic()
        demo = create_demo_orgs()
        cases = create_demo_cases(demo, n=options["cases"])
        outreach_started = time.monotonic()
        outreach = create_demo_outreach(demo, employees=options["employees"])
        if not outreach["skipped"]:
            self.stdout.write(
                _(
                    "demo: %(employees)d pegawai, %(signatures)d tanda tangan pakta, %(events)d kegiatan (%(seconds).1f detik)"
                )
                % {**outreach, "seconds": time.monotonic() - outreach_started}
            )
        accounts = [*demo["accounts"][:-1], *cases.accounts, demo["accounts"][-1]]  # superuser stays last
        self.stdout.write(
            _("demo: %(agencies)d instansi, %(users)d akun, %(regions)d wilayah")
            % {"agencies": len(demo["agencies"]), "users": len(accounts), "regions": len(demo["regions"])}
        )
        if cases.skipped:
            self.stdout.write(_("demo: kasus demo sudah ada, tidak ditambah."))
        elif cases.created:
            self.stdout.write(
                _("demo: %(count)d kasus dibuat dalam %(seconds).1f detik")
                % {"count": cases.created, "seconds": time.monotonic() - started}
            )
        header = (_("nama pengguna"), _("peran"), _("instansi"), _("kata sandi"))
        rows = [header, *accounts]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
