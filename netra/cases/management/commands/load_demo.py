"""``manage.py load_demo``: the demo world (agencies, one account per role) and ~200 demo cases.

Lives in ``cases`` because it uses both ``orgs`` (below) and ``cases``: a lower app never imports
a higher one (design.md section 2).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.cases.demo import DEFAULT_COUNT, create_demo_cases
from netra.cases.demo_history import DEFAULT_HISTORY, create_demo_history
from netra.orgs.demo import create_demo_orgs
from netra.pacts.demo import DEFAULT_EMPLOYEES, create_demo_outreach


class Command(BaseCommand):
    help = "Create the demo dataset, demo accounts and demo cases (never in production). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=DEFAULT_COUNT, help="How many demo cases to create (0: none).")
        parser.add_argument(
            "--history",
            type=int,
            default=None,
            help=f"How many past cases (Pemilu and Pilkada 2024) to import as registers (default {DEFAULT_HISTORY}; "
            "0 with --cases 0).",
        )
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
        history_started = time.monotonic()
        wanted = options["history"] if options["history"] is not None else (DEFAULT_HISTORY if options["cases"] else 0)
        history = create_demo_history(demo, {**demo["users"]}, n=wanted)
        if history.created:
            self.stdout.write(
                _("demo: %(count)d kasus lama (Pemilu dan Pilkada 2024) diimpor dari register (%(seconds).1f detik)")
                % {"count": history.created, "seconds": time.monotonic() - history_started}
            )
        outreach_started = time.monotonic()
        outreach = create_demo_outreach(demo, employees=options["employees"])
        if not outreach["skipped"]:
            self.stdout.write(
                _(
                    "demo: %(employees)d pegawai, %(signatures)d tanda tangan pakta, %(events)d kegiatan (%(seconds).1f detik)"
                )
                % {**outreach, "seconds": time.monotonic() - outreach_started}
            )
        accounts = [*demo["accounts"][:-1], *cases.accounts, *(history.accounts or []), demo["accounts"][-1]]
        # (the superuser stays last)
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
