"""``manage.py backup PATH``: the database and the evidence files in one archive (netra.ops.backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = _("Mencadangkan basis data dan berkas bukti ke satu arsip dengan manifest.")

    def add_arguments(self, parser):
        parser.add_argument("output", help=_("Berkas arsip yang ditulis (.tar)."))

    def handle(self, *args, **options):
        output = Path(options["output"])
        try:
            manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(_("Pencadangan gagal: %(error)s.") % {"error": error}) from None
        record(
            "system",
            "ops.backup_created",
            agency=None,
            files=len(manifest["files"]),
            database_sha256=manifest["database"]["sha256"],
            audit_head=manifest["audit_head"]["seq"],
        )
        self.stdout.write(
            _("Cadangan ditulis ke %(path)s: %(cases)d kasus, %(files)d berkas, ujung audit #%(seq)d.")
            % {
                "path": output,
                "cases": manifest["counts"]["cases.Case"],
                "files": len(manifest["files"]),
                "seq": manifest["audit_head"]["seq"],
            }
        )
