"""Recompute the audit hash chain; exit 1 naming the first bad row when it is broken.

Read-only by default (it can run against a replica); ``--seal`` seals pending events first.
Keep the printed head somewhere outside the database: it is what proves, later, that the whole
table was not rewritten with freshly computed hashes.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.audit.chain import seal, verify


class Command(BaseCommand):
    help = _("Memeriksa keutuhan rantai hash log audit.")

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help=_("Segel entri yang tertunda sebelum memeriksa."))

    def handle(self, *args, **options):
        if options["seal"]:
            seal()
        result = verify()
        if not result.ok:
            where = (
                _("nomor urut %(seq)s (id %(id)s)") % {"seq": result.bad_seq, "id": result.bad_id}
                if result.bad_id is not None
                else _("ujung rantai")
            )
            raise CommandError(
                _("Rantai log audit rusak pada %(where)s: %(problem)s.") % {"where": where, "problem": result.problem},
                returncode=1,
            )
        self.stdout.write(
            _("Rantai log audit utuh: %(count)d entri, ujung #%(seq)d %(hash)s.")
            % {"count": result.checked, "seq": result.head_seq, "hash": result.head_hash}
        )
        if result.pending:
            self.stdout.write(_("%(count)d entri belum disegel (jalankan seal_audit).") % {"count": result.pending})
