"""Background task for the django-tasks worker: deliver the webhooks that are due.

``manage.py deliver_webhooks`` is the dedicated loop; this task lets a periodic scheduler (or
anyone) nudge delivery through the ordinary task worker instead.
"""

from django_tasks import task

from netra.sharing import delivery


@task()
def deliver_due_webhooks(limit: int = 200) -> int:
    return delivery.deliver_due(limit=limit)
