"""System checks of the task workers' timeouts (``manage.py check``; netra.ops.workers)."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def worker_timeouts(app_configs=None, **kwargs):
    beat = float(settings.NETRA_WORKER_HEARTBEAT_SECONDS)
    dead = float(settings.NETRA_WORKER_DEAD_SECONDS)
    lease = float(settings.NETRA_TASK_LEASE_SECONDS)
    problems: list[CheckMessage] = []
    if beat <= 0 or dead <= 0 or lease <= 0:
        problems.append(
            Error(
                "NETRA_WORKER_HEARTBEAT_SECONDS, NETRA_WORKER_DEAD_SECONDS and NETRA_TASK_LEASE_SECONDS "
                "must be positive.",
                id="netra.ops.E001",
            )
        )
    elif dead < 3 * beat:
        problems.append(
            Warning(
                f"NETRA_WORKER_DEAD_SECONDS ({dead:g}) is less than three heartbeats "
                f"({beat:g} s each): a busy but living worker may be taken for dead and its task run twice.",
                hint="Keep NETRA_WORKER_DEAD_SECONDS at least 3 x NETRA_WORKER_HEARTBEAT_SECONDS (defaults 30 and 5).",
                id="netra.ops.W001",
            )
        )
    return problems
