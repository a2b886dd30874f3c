"""Full-text search of the report text (netra.cases.search, issue #12 item 6).

PostgreSQL: the accent-free ``simple`` tsvector of ``TriageResult.search_text`` in a generated
column with a GIN index (the duplicate search's trigram index stays as it is). SQLite: nothing —
the FTS5 table ``cases_triage_fts`` of migration 0014 is searched.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is STABLE (it reads a dictionary); with the dictionary named it is safe to call
    # IMMUTABLE, which an index and a generated column require.
    """CREATE OR REPLACE FUNCTION netra_search_vector(text) RETURNS tsvector
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT to_tsvector('simple'::regconfig, public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    """ALTER TABLE cases_triageresult ADD COLUMN search_vector tsvector
       GENERATED ALWAYS AS (netra_search_vector(search_text)) STORED""",
    "CREATE INDEX triage_search_fts_idx ON cases_triageresult USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS triage_search_fts_idx",
    "ALTER TABLE cases_triageresult DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS netra_search_vector(text)",
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
    dependencies = [("cases", "0017_history_import")]

    operations = [migrations.RunPython(forward, backward)]
