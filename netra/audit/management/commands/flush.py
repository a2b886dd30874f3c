"""Django's ``flush``, able to empty the append-only audit table on SQLite.

``flush`` wipes the whole database on purpose (tests between transactional cases, a developer
resetting a database). On PostgreSQL it uses TRUNCATE, which row triggers do not see; on SQLite
it DELETEs, which the audit table's trigger refuses, so the triggers are dropped for the flush
and put back after it (``netra.audit.triggers``).

On SQLite a flush may meet a table still locked by another thread of the same process (a browser
test's live server finishing the work it does after an answer: opening, sealing, triage); the
flush then waits for it, a tenth of a second at a time, for at most ten seconds.
"""

import time

from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from netra.audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        _when_unlocked(lambda: triggers.uninstall(connection))
        try:
            return _when_unlocked(lambda: super(Command, self).handle(**options))
        finally:
            _when_unlocked(lambda: triggers.install(connection))


def _when_unlocked(step, *, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return step()
        except (OperationalError, CommandError) as error:
            # Django's flush wraps the database's error in a CommandError.
            cause = error if isinstance(error, OperationalError) else error.__cause__
            if not isinstance(cause, OperationalError) or "locked" not in str(cause) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
