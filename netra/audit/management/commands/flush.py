"""Django's ``flush``, able to empty the append-only audit table on SQLite.

``flush`` wipes the whole database on purpose (tests between transactional cases, a developer
resetting a database). On PostgreSQL it uses TRUNCATE, which row triggers do not see; on SQLite
it DELETEs, which the audit table's trigger refuses, so the triggers are dropped for the flush
and put back after it (``netra.audit.triggers``).
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from netra.audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        triggers.uninstall(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
