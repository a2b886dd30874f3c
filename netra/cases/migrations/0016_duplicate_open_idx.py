"""The duplicate lookup's own index (netra.cases.triage_flow): open cases by agency and incident date.

Partial (only cases that are not finished: about a fifth of a mature table) so the lookup reads a
few dozen index entries of its agency's window instead of every open case of the agency. Raw SQL
(the same on PostgreSQL and SQLite) because the predicate must read exactly as the lookup's filter
``status NOT IN (terminal states)``; ``test_triage_flow`` checks it still names every terminal state.
"""

from django.db import migrations

TERMINAL = ("closed", "dismissed", "forwarded", "merged")  # Case.TERMINAL_STATES, sorted
CREATE = (
    "CREATE INDEX IF NOT EXISTS case_duplicate_open_idx ON cases_case (agency_id, incident_date, region_id) "
    "WHERE status NOT IN (" + ", ".join(f"'{s}'" for s in TERMINAL) + ")"
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_link_archive"),
    ]

    operations = [
        migrations.RunSQL(CREATE, "DROP INDEX IF EXISTS case_duplicate_open_idx"),
    ]
