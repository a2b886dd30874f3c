"""Background jobs of the case workflow (django-tasks; the database backend's ``db_worker`` runs them).

Thin on purpose: the work is ``netra.cases.jobs.process_deadlines``, which is idempotent,
so an extra or overlapping run changes nothing.
"""

from django_tasks import task

from netra.cases.jobs import process_deadlines


@task()
def run_deadlines() -> str:
    return str(process_deadlines())
