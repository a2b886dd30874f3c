"""``manage.py restore PATH``: an archive of ``manage.py backup`` into an empty database, verified."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.audit.chain import seal
from netra.audit.services import record
from netra.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = _("Memulihkan cadangan ke basis data kosong, lalu memeriksa berkas dan rantai audit.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("Arsip dari manage.py backup."))

    def handle(self, *args, **options):
        try:
            result = restore_backup(Path(options["archive"]))
        except BackupError as error:
            raise CommandError(_("Pemulihan gagal: %(error)s.") % {"error": error}) from None
        record("system", "ops.backup_restored", agency=None, files=result.files, audit_head=result.audit_head[0])
        seal()
        self.stdout.write(
            _(
                "Dipulihkan dan diperiksa: %(cases)d kasus, %(files)d berkas (SHA-256 cocok), %(audit)d entri audit utuh."
            )
            % {"cases": result.counts["cases.Case"], "files": result.files, "audit": result.audit_checked}
        )
