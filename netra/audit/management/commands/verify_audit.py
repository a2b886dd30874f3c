"""Recompute the audit hash chain; exit 1 naming the first bad row when it is broken.

Read-only by default (it can run against a replica); ``--seal`` seals pending events first.
Keep the printed head somewhere outside the database (or the signed lines the scheduler
publishes, netra.audit.head): ``--expect-head SEQ:HASH`` (or ``--expect-head "NETRA-AUDIT-HEAD
v1 …"``) then checks that the chain still contains it, which catches events cut off the end
with the head rewound, and a table rewritten with freshly computed hashes.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netra.audit.chain import seal, verify
from netra.audit.head import BadHead, parse_expected


class Command(BaseCommand):
    help = _("Memeriksa keutuhan rantai hash log audit.")

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help=_("Segel entri yang tertunda sebelum memeriksa."))
        parser.add_argument(
            "--expect-head",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help=_("Ujung rantai yang pernah diterbitkan (NOMOR:HASH atau baris NETRA-AUDIT-HEAD); boleh berulang."),
        )

    def handle(self, *args, **options):
        try:
            expected = [parse_expected(text) for text in options["expect_head"]]
        except BadHead as error:
            raise CommandError(_("--expect-head: %(error)s.") % {"error": error}, returncode=2) from None
        if options["seal"]:
            seal()
        result = verify(expect=expected)
        if not result.ok:
            if result.bad_seq is not None:
                where = _("nomor urut %(seq)s (id %(id)s)") % {"seq": result.bad_seq, "id": result.bad_id}
            elif result.bad_id is not None:
                where = _("id %(id)s (belum disegel)") % {"id": result.bad_id}
            else:
                where = _("ujung rantai")
            raise CommandError(
                _("Rantai log audit rusak pada %(where)s: %(problem)s.") % {"where": where, "problem": result.problem},
                returncode=1,
            )
        self.stdout.write(
            _("Rantai log audit utuh: %(count)d entri, ujung #%(seq)d %(hash)s.")
            % {"count": result.checked, "seq": result.head_seq, "hash": result.head_hash}
        )
        for seq, hash_ in expected:
            self.stdout.write(
                _("Ujung #%(seq)d %(hash)s yang diterbitkan masih ada di rantai.") % {"seq": seq, "hash": hash_}
            )
        if result.pending:
            self.stdout.write(_("%(count)d entri belum disegel (jalankan seal_audit).") % {"count": result.pending})
