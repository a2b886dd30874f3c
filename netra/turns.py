"""Taking turns at after-commit housekeeping, across the processes that share the cache.

Sealing the audit log (``netra.audit.chain``) and opening the cases of accepted reports
(``netra.cases.opening``) are both cheaper done for many rows at once than after every commit.
The first committer of each interval wins a non-blocking ``cache.add`` and does the whole
backlog; every other committer returns at once. A scheduler tick covers the rest once traffic stops.
On SQLite, writers also take turns at the database's single write lock (``writer_turn``).

The key names the interval's slot of the clock (``time // interval``), so a turn may be shorter
than a second on every cache backend (Redis keeps whole seconds only) and expires on its own.
"""

import contextlib
import fcntl
import logging
import math
import os
import threading
import time
from functools import partial
from typing import IO

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def my_turn(key: str, interval: float) -> bool:
    """True for the first caller of each ``interval`` seconds (always when ``interval`` ≤ 0).

    A process asks the cache once per slot: once it has asked, every later ask in that slot is
    False (its own add took the slot, or another's had), so it answers that itself. Every public
    report asked after its commit, and one Redis round trip through django's cache (a new client
    object per call) was a fifth of the report's CPU (bench/profile_intake.py, issue #14).
    """
    if interval <= 0:
        return True
    slot_key = _slot_key(key, interval)
    if _asked.get(key) == slot_key:
        return False
    try:
        won = cache.add(slot_key, 1, timeout=math.ceil(interval) + 1)
    except Exception:
        # A cache outage must not stop the work, nor make every committer do the whole backlog
        # (with Redis down intake fell to a third: each report opened and sealed everything).
        # Take turns within this process instead, as with a per-process cache.
        with _LOCAL_TURNS_LOCK:
            if _local_turns.get(key) == slot_key:
                return False
            _local_turns[key] = slot_key
            return True
    _asked[key] = slot_key
    return bool(won)


# The last slot this process asked the cache for, per turn key (a dict's item assignment is
# atomic: threads of one process at worst both ask, and the cache still gives the slot once).
_asked: dict[str, str] = {}
_LOCAL_TURNS_LOCK = threading.Lock()
_local_turns: dict[str, str] = {}  # key → the slot this process took while the cache was away


def after_response(work) -> None:
    """Run ``work()`` once the current request's answer has been sent; at once outside a request.

    A turn's batch (tens of reports to open, hundreds of events to seal) then never delays the
    answer of the request that happened to win it. A failure is logged, never raised. Should the
    response never be closed (a download nobody read to the end), the work is dropped: it is a
    turn's housekeeping, which the next turn or the scheduler's tick does anyway.
    """
    pending = getattr(_request, "after_response", None)
    if pending is None:
        _run(work)
    else:
        pending.append(work)


class AfterResponseMiddleware:
    """Collects ``after_response`` work while the view runs; the server runs it on closing the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _request.after_response = []
        try:
            response = self.get_response(request)
        finally:
            pending, _request.after_response = _request.after_response, None
        if pending:
            # Django calls these from HttpResponse.close(), which the WSGI server calls once the
            # last byte has gone out (so do the test client and runserver).
            response._resource_closers.extend(partial(_run, work) for work in pending)
        return response


def _run(work) -> None:
    try:
        work()
    except Exception:
        logger.exception("after-response work %r failed", getattr(work, "__name__", work))


_request = threading.local()


def pass_turn(key: str, interval: float) -> None:
    """Forget the current slot's turn: the next caller gets it (as when the interval has passed)."""
    _asked.pop(key, None)
    cache.delete(_slot_key(key, interval))


def _slot_key(key: str, interval: float) -> str:
    return f"{key}:{int(time.time() // interval)}"


# --- SQLite: one writer at a time, handed over at once -------------------------------------------
# SQLite lets one transaction write at a time; the others retry in sleeps of 1 to 100 ms
# (busy_timeout), so under load the write lock sat idle between one commit and the next retry,
# and a process whose threads wrote back to back starved the other workers. Writers that take this
# turn queue instead: the threads of a process on a lock, the processes (gunicorn workers, the
# scheduler) on an flock of a file beside the database, which the kernel hands to the next waiter
# at once. It only orders those writers: SQLite's own lock still guards the data, and writers that
# take no turn (staff actions; intake's single INSERT, which holds it only inside SQLite's C code)
# wait for it as before. PostgreSQL has row locks: no turn there.
_THREADS = threading.Lock()
_holding = threading.local()  # this thread holds the turn (after-commit work runs inside it)
_turn_files: dict[tuple[int, str], IO] = {}  # (process id, lock file) → the file, open for the process


def writer_turn():
    """Hold around a write transaction on the default database (a no-op inside one, or on PostgreSQL)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or getattr(_holding, "turn", False):
        return contextlib.nullcontext()  # an outer transaction or turn already holds the write lock
    name = str(connection.settings_dict["NAME"])
    in_memory = name == ":memory:" or "mode=memory" in name
    return _sqlite_writer(None if in_memory else f"{name}.writer-turn")


@contextlib.contextmanager
def _sqlite_writer(path: str | None):
    with _THREADS:
        turn_file = None
        if path is not None:
            key = (os.getpid(), path)  # a descriptor inherited through fork() would be shared
            turn_file = _turn_files.get(key)
            if turn_file is None:
                turn_file = _turn_files[key] = open(path, "a")  # noqa: SIM115 (kept open for the process)
            fcntl.flock(turn_file, fcntl.LOCK_EX)
        _holding.turn = True
        try:
            yield
        finally:
            _holding.turn = False
            if turn_file is not None:
                fcntl.flock(turn_file, fcntl.LOCK_UN)
