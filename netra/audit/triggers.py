"""Database triggers that keep the audit table append-only, below the ORM.

The model and its manager already refuse ``save()`` of an existing row, ``update()`` and
``delete()``; these triggers refuse the same through raw SQL, a database console or any code
path around the model. Allowed: INSERT of an unsealed row (``seq`` NULL, ``hash`` empty, not
refused), and on a row that is still unsealed the UPDATE that seals it (sets ``seq`` and
``hash``) or marks it refused; its content never changes. A sealed row never changes and no row
is ever deleted. Errors are integrity errors (SQLSTATE 23000 on PostgreSQL, ABORT on SQLite).

What they do not stop: a database owner who drops the trigger first, and PostgreSQL's TRUNCATE
(row triggers do not fire; Django's test flush relies on it). Both are caught afterwards by
``verify_audit --expect-head`` with a head published before (``netra.audit.head``). On SQLite,
where Django's ``flush`` empties tables with DELETE, the ``flush`` command of this app drops the
triggers for the flush and puts them back.
"""

TABLE = "audit_auditevent"
# Columns a row is born with; none of them ever changes.
CONTENT = (
    "id",
    "actor_id",
    "actor_label",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "payload",
    "created_at",
    "mac",
)
MESSAGE = "audit events are append-only: only sealing may update an unsealed row"

_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT)
_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)

POSTGRESQL_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{MESSAGE} (DELETE of id %)', OLD.id USING ERRCODE = '23000';
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.seq IS NOT NULL OR NEW.hash <> '' OR NEW.refused THEN
            RAISE EXCEPTION '{MESSAGE} (INSERT of a sealed row)' USING ERRCODE = '23000';
        END IF;
    ELSIF OLD.seq IS NOT NULL OR OLD.refused OR {_PG_CHANGED} THEN
        RAISE EXCEPTION '{MESSAGE} (UPDATE of id %)', OLD.id USING ERRCODE = '23000';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$""",
    f"""CREATE TRIGGER audit_event_append_only BEFORE INSERT OR UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]
POSTGRESQL_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE)'); END""",
    f"""CREATE TRIGGER audit_event_insert_unsealed BEFORE INSERT ON {TABLE}
    WHEN NEW.seq IS NOT NULL OR NEW.hash <> '' OR NEW.refused
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (INSERT of a sealed row)'); END""",
    f"""CREATE TRIGGER audit_event_seal_once BEFORE UPDATE ON {TABLE}
    WHEN OLD.seq IS NOT NULL OR OLD.refused OR {_SQLITE_CHANGED}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE)'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_event_insert_unsealed",
    "DROP TRIGGER IF EXISTS audit_event_seal_once",
]


def _statements(connection, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_UNINSTALL
    if connection.vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_UNINSTALL
    return []  # other databases: the model's own refusals only


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=True):
            cursor.execute(sql)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)
