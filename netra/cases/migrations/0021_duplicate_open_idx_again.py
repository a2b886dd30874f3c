"""The duplicate lookup's partial index once more, after 0017-0020.

On SQLite, adding fields to ``cases_case`` (0017_history_import) rebuilds the table, and a rebuild
keeps only the indexes the model declares: the raw-SQL index of 0016 was lost there. ``IF NOT EXISTS``
makes this a no-op on PostgreSQL, where it survived. A later migration that rebuilds ``cases_case``
on SQLite must do the same (``test_triage_flow`` fails if the index is missing).
"""

from django.db import migrations

TERMINAL = ("closed", "dismissed", "forwarded", "merged")  # as in 0016
CREATE = (
    "CREATE INDEX IF NOT EXISTS case_duplicate_open_idx ON cases_case (agency_id, incident_date, region_id) "
    "WHERE status NOT IN (" + ", ".join(f"'{s}'" for s in TERMINAL) + ")"
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_case_due_order_index"),
    ]

    operations = [
        migrations.RunSQL(CREATE, migrations.RunSQL.noop),
    ]
