"""Signals other apps (faces) connect to; the domain never imports a face.

Each fact is sent twice. ``…_recorded`` inside the service's transaction, for receivers that write
with it (``netra.sharing``'s webhook outbox: the event commits or rolls back with the change, and
no crash between the two can lose it). The plain name after the commit, so a receiver that acts
outside the database never sees a change that was rolled back.

A move that changes the state also writes a ``Transition`` row, whose ``post_save`` the outbox
listens to; ``case_transition_recorded`` still comes for it, with ``transition`` set.

``case_transitioned``: ``case``, ``action``, ``from_state``, ``to_state``, ``actor`` (a user, an
API token, or None for the scheduler), ``via`` ("web", "api", "scheduler"…), ``transition``
(the Transition row, None for a move that keeps the state).
``case_deadline_missed``: ``case``, ``deadline_key``, ``due_date``.
``case_control_action_recorded``: ``case``, ``control_action`` (``netra.cases.control.present``),
``actor``, ``via`` — BKN's control actions (the annulment within its move's transaction).
"""

from django.dispatch import Signal

case_transition_recorded = Signal()  # inside the transaction
case_transitioned = Signal()  # after commit
case_deadline_missed_recorded = Signal()  # inside the transaction
case_deadline_missed = Signal()  # after commit
case_control_action_recorded = Signal()  # inside the transaction
