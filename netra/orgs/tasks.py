"""Background jobs of orgs (django-tasks; ``db_worker`` runs them, the scheduler queues them)."""

from django_tasks import task

from netra.orgs.signin_records import purge


@task()
def purge_sign_in_records() -> str:
    return str(purge())
