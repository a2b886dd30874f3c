"""The webhook outbox: events are written in the same transaction as the change they report.

Every state change of a case writes a ``cases.Transition`` row inside the service's transaction
(intake for the first one, the workflow for the others); a ``post_save`` receiver on it writes
the ``WebhookEvent`` and one ``WebhookDelivery`` per interested subscription right there. If
the change rolls back, so does the event; if it commits, the worker will deliver it. An
``on_commit`` hook would lose the event when the process dies between commit and hook.

``emit()`` is the entry point for other events (``case.deadline_missed`` from the deadline job):
call it inside the transaction that records the fact. It locks the case row (PostgreSQL) before
the event takes its id, so a case's event ids follow their commit order: with the per-case rule
of ``netra.sharing.delivery.due`` that is what keeps deliveries in order with several deliverers.
"""

import datetime
import threading
import time

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from netra.cases.models import Case, Transition
from netra.orgs.selectors import Scope, scope_for_agency_role
from netra.sharing.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from netra.sharing.present import coarse

CASE_CREATED = WebhookSubscription.Event.CASE_CREATED.value
CASE_TRANSITIONED = WebhookSubscription.Event.CASE_TRANSITIONED.value
CASE_DEADLINE_MISSED = WebhookSubscription.Event.CASE_DEADLINE_MISSED.value
CASE_CONTROL_ACTION = WebhookSubscription.Event.CASE_CONTROL_ACTION.value


def case_summary(case: Case) -> dict:
    """What an event says about a case: enough to decide whether to fetch it, no personal data."""
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "source": case.source,
        "source_reference": case.source_reference,
        "agency": case.agency.code if case.agency else None,
        "region_code": case.region_id,
        # Webhooks leave the Satgas: times are coarse (netra.sharing.present.coarse).
        "updated_at": _iso(coarse(case.updated_at)),
        "url": f"/api/v1/cases/{case.pk}",
    }


def _summary(case: Case | None, status: str | None) -> dict | None:
    if case is None:
        return None
    summary = case_summary(case)
    if status:
        summary["status"] = status
    return summary


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _release_at(event_type: str, now):
    """When a delivery may first go out: ``case.created`` waits for the end of its batch window."""
    window = int(getattr(settings, "NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS", 0) or 0)
    if event_type != CASE_CREATED or window <= 0:
        return now
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp((epoch // window + 1) * window, tz=datetime.UTC)


# "No subscription exists at all", remembered per process for a few seconds: until an agency
# subscribes, every report and transition would otherwise pay a SELECT inside its transaction.
# Saving or deleting a subscription forgets it at once in that process; another process learns of
# the first subscription within NOBODY_LISTENS_SECONDS (its events from then on are delivered).
NOBODY_LISTENS_SECONDS = 5.0
_nobody_listens_until = 0.0
_forgotten_at = 0.0  # when a subscription was last saved or deleted in this process
_nobody_listens_lock = threading.Lock()


def _nobody_listens() -> bool:
    return time.monotonic() < _nobody_listens_until


def _remember_nobody_listens(started: float) -> None:
    global _nobody_listens_until
    with _nobody_listens_lock:
        # A subscription saved while we were reading (forgotten after `started`) wins.
        if _forgotten_at <= started:
            _nobody_listens_until = started + NOBODY_LISTENS_SECONDS


def forget_listeners() -> None:
    global _nobody_listens_until, _forgotten_at
    with _nobody_listens_lock:
        _nobody_listens_until, _forgotten_at = 0.0, time.monotonic()


def _on_subscription_change(sender, **kwargs):
    forget_listeners()
    # Again once it commits: a reader between the save and the commit cannot see it yet.
    transaction.on_commit(forget_listeners)


def _interested(event_type: str, case: Case | None) -> list[WebhookSubscription]:
    if _nobody_listens():
        return []
    started = time.monotonic()
    # Few subscriptions exist (≤ 20 per agency), so they are filtered here rather than in SQL
    # (SQLite cannot query inside a JSON list).
    active = list(WebhookSubscription.objects.filter(active=True, deleted_at__isnull=True).select_related("agency"))
    if not active:
        _remember_nobody_listens(started)
        return []
    subscriptions = [sub for sub in active if event_type in (sub.events or [])]
    if case is None:
        return subscriptions
    scopes: dict[tuple[int, str], Scope] = {}
    chosen = []
    for sub in subscriptions:
        key = (sub.agency_id, sub.role)
        if key not in scopes:
            scopes[key] = scope_for_agency_role(sub.agency, sub.role)
        if scopes[key].covers(agency_id=case.agency_id, region_code=case.region_id):
            chosen.append(sub)
    return chosen


def emit(
    event_type: str, *, case: Case | None, data: dict | None = None, status: str | None = None
) -> WebhookEvent | None:
    """Write one event and its deliveries into the current transaction (None: nobody listens).

    ``status``: the case's state after the change, when the caller saves the case afterwards.
    """
    if event_type not in WebhookSubscription.Event.values:
        raise ValueError(f"unknown webhook event {event_type!r}")
    subscriptions = _interested(event_type, case)
    if not subscriptions:
        return None
    with transaction.atomic():
        if case is not None:
            # One case's events are numbered in the order they commit: a move already holds this
            # lock (netra.cases.services), the deadline job and others wait here for it. Otherwise
            # an event could take its id before a concurrent one and commit after it, and a
            # deliverer would send the later id first (delivery.due() sees committed rows only).
            Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
        now = timezone.now()
        release = _release_at(event_type, now)
        event = WebhookEvent(type=event_type, case=case, created_at=now, payload={})
        event.payload = {
            "id": str(event.event_id),
            "type": event_type,
            "created_at": _iso(coarse(now)),
            "data": {"case": _summary(case, status), **(data or {})},
        }
        event.save(force_insert=True)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    event=event,
                    subscription=sub,
                    case_id=case.pk if case else None,
                    next_attempt_at=release,
                )
                for sub in subscriptions
            ]
        )
    return event


def _on_transition(sender, instance: Transition, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    case = instance.case
    if not instance.from_state:
        emit(CASE_CREATED, case=case)
        return
    emit(
        CASE_TRANSITIONED,
        case=case,
        data={"transition": {"from": instance.from_state, "to": instance.to_state, "at": _iso(coarse(instance.at))}},
        status=instance.to_state,
    )


def _on_move_keeping_state(sender, case: Case, action: str, transition=None, from_state="", to_state="", **kwargs):
    # Moves without a Transition row (Bawaslu's review request and answer) are announced by
    # netra.cases.signals inside the move's transaction: the event commits with the move.
    if transition is not None:
        return  # already in the outbox, from the Transition row
    emit(
        CASE_TRANSITIONED,
        case=case,
        data={"transition": {"from": from_state, "to": to_state, "at": _iso(coarse(timezone.now())), "action": action}},
    )


def _on_deadline_missed(sender, case: Case, deadline_key: str = "", due_date=None, **kwargs):
    # Inside the deadline job's transaction that records the missed deadline.
    emit(
        CASE_DEADLINE_MISSED,
        case=case,
        data={"deadline": {"key": deadline_key, "due_date": due_date.isoformat() if due_date else None}},
    )


def _on_control_action(sender, case: Case, control_action: dict, **kwargs):
    # Inside the transaction of BKN's control action (or of the annulment move).
    emit(CASE_CONTROL_ACTION, case=case, data={"control_action": control_action})


def connect() -> None:
    post_save.connect(_on_transition, sender=Transition, dispatch_uid="netra.sharing.outbox.transition")
    post_save.connect(_on_subscription_change, sender=WebhookSubscription, dispatch_uid="netra.sharing.outbox.sub")
    post_delete.connect(
        _on_subscription_change, sender=WebhookSubscription, dispatch_uid="netra.sharing.outbox.sub_del"
    )
    try:
        from netra.cases import signals
    except ImportError:  # the workflow's signals are not there yet
        return
    signals.case_transition_recorded.connect(_on_move_keeping_state, dispatch_uid="netra.sharing.outbox.moved")
    signals.case_deadline_missed_recorded.connect(_on_deadline_missed, dispatch_uid="netra.sharing.outbox.deadline")
    signals.case_control_action_recorded.connect(_on_control_action, dispatch_uid="netra.sharing.outbox.control")
