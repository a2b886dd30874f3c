"""Seal audit events that are not in the hash chain yet.

After-commit sealing takes turns (at most one sealer per NETRA_AUDIT_SEAL_INTERVAL seconds), and
a process can die right after a commit, so some events wait: ``manage.py scheduler`` seals them
every second. Without the scheduler, run ``seal_audit --loop``, or ``seal_audit`` from cron. It
is cheap when nothing is pending (one indexed lookup).
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from netra.audit.chain import refused_ids, seal

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = _("Menyegel entri log audit yang belum masuk rantai hash.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help=_("Terus menyegel sampai dihentikan."))
        parser.add_argument(
            "--interval", type=float, default=1.0, help=_("Jeda antarputaran dengan --loop, dalam detik (bawaan 1).")
        )

    def handle(self, *args, loop=False, interval=1.0, **options):
        if not loop:
            sealed = seal()
            self.stdout.write(_("%(count)d entri disegel.") % {"count": sealed})
            if refused := refused_ids():
                self.stderr.write(
                    _(
                        "%(count)d entri ditolak: HMAC-nya tidak ada atau salah (tidak ditulis lewat record()); id %(ids)s."
                    )
                    % {"count": len(refused), "ids": ", ".join(map(str, refused[:20]))}
                )
            return
        while True:
            try:
                sealed = seal()
            except DatabaseError:
                # The database restarted or went away: reconnect on the next turn, keep looping.
                logger.exception("seal_audit: sealing failed; retrying")
                connection.close()
                sealed = 0
            if sealed:
                self.stdout.write(_("%(count)d entri disegel.") % {"count": sealed})
            try:
                time.sleep(max(interval, 0.05))
            except KeyboardInterrupt:
                return
