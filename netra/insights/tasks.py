"""Background jobs of the staff exports (django-tasks; the database backend's ``db_worker`` runs them).

Thin on purpose: the work is ``netra.insights.exports.process_export``, which does nothing for an
export already finished, so an extra run changes nothing.
"""

from django_tasks import task

from netra.insights.exports import process_export


@task()
def run_export(export_id: int) -> str:
    return process_export(export_id).state
