from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.orgs.demo import create_demo_orgs


class Command(BaseCommand):
    help = "Create the demo dataset and demo accounts (never in production). Idempotent."

    def handle(self, *args, **options):
        # Demo accounts have a published password: refuse anywhere but a demo/development install.
        if settings.PRODUCTION or not settings.DEMO_MODE:
            raise CommandError(_("load_demo menolak berjalan: mode produksi atau NETRA_DEMO tidak aktif."))
        demo = create_demo_orgs()
        self.stdout.write(
            _("demo: %(agencies)d instansi, %(users)d akun, %(regions)d wilayah")
            % {"agencies": len(demo["agencies"]), "users": len(demo["users"]), "regions": len(demo["regions"])}
        )
        header = (_("nama pengguna"), _("peran"), _("instansi"), _("kata sandi"))
        rows = [header, *demo["accounts"]]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        for n, row in enumerate(rows):
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if n == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
