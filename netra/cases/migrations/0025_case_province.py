"""The case's province, a stored generated column, and the queue's index on it (issue #12 item 6).

``Case.province`` is the first two characters of ``region_id`` (a Kemendagri code starts with its
province's: "62", "62.06"), computed by the database, so that a province's cases are one indexed
column in the queue's order (``scope.cases_q_parts``: one part instead of the province and each of
its kabupaten/kota). Also a partial index for the Bawaslu officer's panel (the cases waiting for a
kajian: ``selectors.waiting_for``, which read every case in verification of the scope).

PostgreSQL: ``ADD COLUMN … GENERATED ALWAYS AS … STORED`` rewrites the table under an ACCESS
EXCLUSIVE lock (reads wait too); measured on a copy of the 1 000 000-case bench data: 12.6 s for
the column, 1.2 s for the index (docs/operations.md, upgrade notes). SQLite rebuilds the table,
which keeps only the indexes the model declares: the raw-SQL index of 0016/0021 is made again here
(the insights triggers are reinstalled after every ``migrate``: ``insights.apps``).
"""

import django.db.models.functions.text
from django.db import migrations, models

TERMINAL = ("closed", "dismissed", "forwarded", "merged")  # as in 0016 and 0021
DUPLICATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS case_duplicate_open_idx ON cases_case (agency_id, incident_date, region_id) "
    "WHERE status NOT IN (" + ", ".join(f"'{s}'" for s in TERMINAL) + ")"
)


def analyze(apps, schema_editor):
    """PostgreSQL: statistics of the new column now, not at autovacuum's next visit (until then the
    planner guesses a province's rows: 0.5 % of the table, and reads Kalteng's new cases by a
    bitmap of 124 519 index entries, 30 ms, instead of walking 51 of them)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE cases_case")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0024_subject_name_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="province",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Substr("region", 1, 2),
                output_field=models.CharField(max_length=2),
                verbose_name="provinsi",
            ),
        ),
        migrations.RunSQL(DUPLICATE_INDEX, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["province", "due_date", "created_at", "id"], name="case_province_order_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("waiting_for_bawaslu", True)),
                fields=["bawaslu_due_date", "created_at", "id"],
                name="case_bawaslu_waiting_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
