"""The ops canary task: proves the task workers run each enqueued task exactly once.

``canary(key, seconds)`` sleeps ``seconds`` (so a fault test can kill a worker in the middle of
it) and then writes one ``CanaryRun`` row. Nothing is written before the end, so an interrupted
run leaves nothing behind and its retry (``netra.ops.workers.reap``) writes the one row.
"""

import time

from django_tasks import TaskContext, task

from netra.ops.models import CanaryRun


@task(takes_context=True)
def canary(context: TaskContext, key: str, seconds: float = 0.0) -> int:
    if seconds > 0:
        time.sleep(min(seconds, 60.0))
    workers = list(context.task_result.worker_ids or [])
    CanaryRun.objects.create(key=key[:64], attempt=max(1, len(workers)), worker_id=(workers or [""])[-1][:64])
    return len(workers)
