"""``manage.py run_worker``: the django-tasks-db worker (``db_worker``, same options) with a heartbeat.

A second thread writes this worker's heartbeat every ``NETRA_WORKER_HEARTBEAT_SECONDS`` and reaps
the tasks of dead workers (``netra.ops.workers``). Without ``--worker-id`` the id is
``host:pid:random``. A database outage does not end it (``workers.outlive_outages``: one warning
per outage, a back-off, the interrupted task given back once the database answers; a SIGTERM while
it waits ends it at once); with ``--batch`` the error is raised. The autoreloader runs only with
``--reload`` (outages are not outlived under it).
"""

import contextlib

from django.db import DatabaseError
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from netra.ops import workers


class Command(DbWorker):
    help = "Jalankan pekerja tugas (db_worker) dengan detak jantung; tugas pekerja yang mati diulang sekali."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)  # host:pid:random instead of the library's random string
        # No autoreloader unless asked (the library's default is DEBUG): under it the loop runs in a
        # thread of its own, a database outage ends that thread, and the process lives on idle.
        parser.set_defaults(reload=False)

    def handle(self, *args, worker_id: str | None = None, **options):
        worker_id = worker_id or workers.new_worker_id()
        heartbeat = workers.Heartbeat(worker_id)
        heartbeat.tick()  # beating before the first claim: a fresh worker is never taken for dead
        heartbeat.start()

        def run() -> None:
            super(Command, self).handle(*args, worker_id=worker_id, **options)

        try:
            if options.get("batch"):
                run()
            else:
                workers.outlive_outages(run, worker_id)
        finally:
            heartbeat.stopping.set()
            with contextlib.suppress(DatabaseError):
                workers.forget(worker_id)
