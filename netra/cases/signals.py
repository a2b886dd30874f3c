"""Signals other apps (faces) connect to; the domain never imports a face.

Both are sent after the transaction commits, so a receiver never sees a change that was rolled
back. ``netra.sharing`` turns them into webhook deliveries (api.md: ``case.transitioned``,
``case.deadline_missed``).

``case_transitioned``: ``case``, ``action``, ``from_state``, ``to_state``, ``actor`` (a user, an
API token, or None for the scheduler), ``via`` ("web", "api", "scheduler"…), ``transition``
(the Transition row, None for a move that keeps the state).
``case_deadline_missed``: ``case``, ``deadline_key``, ``due_date``.
"""

from django.dispatch import Signal

case_transitioned = Signal()
case_deadline_missed = Signal()
