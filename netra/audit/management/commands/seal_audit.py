"""Seal audit events whose after-commit seal did not run (e.g. the process died right after commit).

Run it periodically (cron or a task worker); it is cheap when nothing is pending.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from netra.audit.chain import seal


class Command(BaseCommand):
    help = _("Menyegel entri log audit yang belum masuk rantai hash.")

    def handle(self, *args, **options):
        sealed = seal()
        self.stdout.write(_("%(count)d entri disegel.") % {"count": sealed})
