# ruff: noqa: S608 -- DDL built from this module's own constants only
"""Database triggers that mark a case dirty for the dashboard's cube (``netra.insights.cube``).

Every write that may change a case's dashboard figures inserts its id into
``insights_dirtycase``: a case created, deleted, or changed in one of the columns the cube counts
(state, region, agency, election, creation time, due date); a recommendation, decision, subject
or transition added, removed or changed in what is counted (the subjects' NIPs and names, the
transitions' state and time: ``DashSubject`` and ``DashStep``). Below the ORM, so ``update()``, bulk inserts
(``cases.opening``), imports and raw SQL are all seen, and the ``cases`` code knows nothing of it
(a face's table, written by the database: no upward import).

Installed by migration ``insights.0002`` and again after every ``migrate`` (``apps.py``,
idempotent): on SQLite a later migration that rebuilds a ``cases`` table drops its triggers.

Also here, ``insights_transition_at_idx`` on the transitions' time (kept: the step times read
``DashStep`` now, but other readers may window the transitions by time).
"""

from __future__ import annotations

DIRTY = "insights_dirtycase"
CASE_COLUMNS = ("status", "region_id", "agency_id", "election_id", "created_at", "due_date")
CHILDREN = {
    "cases_recommendation": ("violations",),
    "cases_decision": ("annulled_at", "sanction_type_id"),
    "cases_subject": ("unit", "nip", "name"),
    "cases_transition": ("to_state", "at"),
}
TRANSITION_INDEX = "insights_transition_at_idx"
TRANSITION_INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {TRANSITION_INDEX} ON cases_transition (at)"


def _pg_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _sqlite_changed(columns) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _postgresql() -> list[str]:
    sql = [
        f"""CREATE OR REPLACE FUNCTION insights_mark_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN INSERT INTO {DIRTY} (case_id) VALUES (OLD.id);
    ELSE INSERT INTO {DIRTY} (case_id) VALUES (NEW.id); END IF;
    RETURN NULL;
END $$""",
        f"""CREATE OR REPLACE FUNCTION insights_mark_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN INSERT INTO {DIRTY} (case_id) VALUES (OLD.case_id); END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.case_id IS DISTINCT FROM OLD.case_id) THEN
        INSERT INTO {DIRTY} (case_id) VALUES (NEW.case_id);
    END IF;
    RETURN NULL;
END $$""",
    ]
    for table, function, columns in [
        ("cases_case", "insights_mark_case", CASE_COLUMNS),
        *((table, "insights_mark_child", (*cols, "case_id")) for table, cols in CHILDREN.items()),
    ]:
        sql += [
            f"DROP TRIGGER IF EXISTS insights_dirty ON {table}",
            f"DROP TRIGGER IF EXISTS insights_dirty_update ON {table}",
            f"""CREATE TRIGGER insights_dirty AFTER INSERT OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {function}()""",
            f"""CREATE TRIGGER insights_dirty_update AFTER UPDATE ON {table}
                FOR EACH ROW WHEN ({_pg_changed(columns)}) EXECUTE FUNCTION {function}()""",
        ]
    return sql


def _sqlite() -> list[str]:
    sql = [
        f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_case_insert AFTER INSERT ON cases_case
            BEGIN INSERT INTO {DIRTY} (case_id) VALUES (NEW.id); END""",
        f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_case_delete AFTER DELETE ON cases_case
            BEGIN INSERT INTO {DIRTY} (case_id) VALUES (OLD.id); END""",
        f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_case_update AFTER UPDATE ON cases_case
            WHEN {_sqlite_changed(CASE_COLUMNS)}
            BEGIN INSERT INTO {DIRTY} (case_id) VALUES (NEW.id); END""",
    ]
    for table, columns in CHILDREN.items():
        name = table.removeprefix("cases_")
        sql += [
            f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_{name}_insert AFTER INSERT ON {table}
                BEGIN INSERT INTO {DIRTY} (case_id) VALUES (NEW.case_id); END""",
            f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_{name}_delete AFTER DELETE ON {table}
                BEGIN INSERT INTO {DIRTY} (case_id) VALUES (OLD.case_id); END""",
            f"""CREATE TRIGGER IF NOT EXISTS insights_dirty_{name}_update AFTER UPDATE ON {table}
                WHEN {_sqlite_changed((*columns, "case_id"))}
                BEGIN INSERT INTO {DIRTY} (case_id) VALUES (OLD.case_id), (NEW.case_id); END""",
        ]
    return sql


def install(connection) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for statement in _postgresql() if connection.vendor == "postgresql" else _sqlite():
            cursor.execute(statement)
        cursor.execute(TRANSITION_INDEX_SQL)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("cases_case", *CHILDREN):
                cursor.execute(f"DROP TRIGGER IF EXISTS insights_dirty ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS insights_dirty_update ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS insights_mark_case()")
            cursor.execute("DROP FUNCTION IF EXISTS insights_mark_child()")
        elif connection.vendor == "sqlite":
            for name in ("case", *(t.removeprefix("cases_") for t in CHILDREN)):
                for op in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS insights_dirty_{name}_{op}")
        cursor.execute(f"DROP INDEX IF EXISTS {TRANSITION_INDEX}")
