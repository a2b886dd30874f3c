"""Background jobs of the rosters (django-tasks; the database backend's ``db_worker`` runs them).

Thin on purpose: the work is ``netra.pacts.imports.process_roster_import``, which does nothing
for a job already finished, so an extra run changes nothing.
"""

from django_tasks import task

from netra.pacts.imports import process_roster_import


@task()
def run_roster_import(job_id: int) -> str:
    return process_roster_import(job_id).state
