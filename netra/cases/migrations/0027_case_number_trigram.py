"""Any part of a case number or source reference found by index (the agency API's ``q``).

``netra.sharing.present.search`` matches ``q`` anywhere in the number and the source reference
(``icontains``: ``UPPER(...) LIKE UPPER('%q%')``, docs/integration.md). Without an index that part
read every case of the token's agency: 370 ms for a NIP at 1 000 000 cases (50 000 of Katingan),
whatever the other parts took. PostgreSQL: pg_trgm GIN indexes on the compared expressions
(built CONCURRENTLY, so the old version keeps serving writes during the upgrade), then ANALYZE so
the planner knows the expressions: 370 -> 1 ms. SQLite: nothing (no such index).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_number_trgm_idx"
    " ON cases_case USING gin ((upper(number::text)) gin_trgm_ops)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_source_reference_trgm_idx"
    " ON cases_case USING gin ((upper(source_reference::text)) gin_trgm_ops)",
    "ANALYZE cases_case",
]
PG_BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS case_source_reference_trgm_idx",
    "DROP INDEX CONCURRENTLY IF EXISTS case_number_trgm_idx",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("cases", "0026_triage_result_text_parts")]

    operations = [migrations.RunPython(forward, backward)]
