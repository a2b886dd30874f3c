"""The subject's name found by any part of it (netra.cases.search, issue #12 item 6).

PostgreSQL: a pg_trgm GIN index on ``upper(name)``, the expression Django's ``icontains`` compares
(``UPPER("cases_subject"."name"::text) LIKE UPPER(%s)``), so a search for part of a name reads
the index instead of every subject (pg_trgm itself is created by migration 0014). SQLite: nothing
(it has no such index; its subjects are few).
"""

from django.db import migrations

PG_FORWARD = ["CREATE INDEX subject_name_trgm_idx ON cases_subject USING gin ((upper(name::text)) gin_trgm_ops)"]
PG_BACKWARD = ["DROP INDEX IF EXISTS subject_name_trgm_idx"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_queue_scope_order_indexes")]

    operations = [migrations.RunPython(forward, backward)]
