"""Print the audit chain head as a signed line to keep outside the database (netra.audit.head)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from netra.audit.chain import seal
from netra.audit.head import current_line, publish


class Command(BaseCommand):
    help = _("Mencetak ujung rantai log audit sebagai baris bertanda tangan untuk disimpan di luar basis data.")

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help=_("Segel entri yang tertunda lebih dulu."))
        parser.add_argument(
            "--publish", action="store_true", help=_("Tulis juga ke log dan ke berkas NETRA_AUDIT_HEAD_FILE.")
        )

    def handle(self, *args, **options):
        if options["seal"]:
            seal()
        self.stdout.write(publish() if options["publish"] else current_line())
