"""Writing to the audit log.

Every service that changes state calls ``record()`` once, inside its own transaction::

    with transaction.atomic():
        case.save()
        audit.record(user, "case.transitioned", case, source="checking", target="verification")

The event commits or rolls back with the caller's data. It is sealed into the hash chain after
commit, outside the caller's transaction: by this committer or, when another sealed less than
``NETRA_AUDIT_SEAL_INTERVAL`` seconds ago, by a later one or the scheduler (``netra.audit.chain``).
"""

import json
import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .chain import row_mac, seal_after_commit
from .models import AuditEvent

ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# Design.md §4: no IP address or user agent is stored anywhere, the audit log included.
FORBIDDEN_PAYLOAD_KEYS = frozenset({"ip", "ip_address", "remote_addr", "user_agent", "http_user_agent"})
_UNSET = object()


def record(actor, action: str, obj=None, **payload) -> AuditEvent:
    """Append one event to the audit log in the caller's transaction; return it (unsealed).

    ``actor``: a user; a string naming a non-account actor (``"system"``, ``"pelapor"``,
    ``"api-token:<prefix>"``); any other model instance (labelled by its ``audit_label``
    attribute or ``app_label.model:pk``); or ``None`` for the system.
    ``action``: dotted lower-case name, ``"<entity>.<verb>"`` (e.g. ``"case.transitioned"``).
    ``obj``: the saved model instance the event is about, or ``None``.
    ``agency=``: the agency (instance or id) the event belongs to; by default taken from ``obj``
    (``obj.agency_id`` / ``obj.agency``, or ``obj`` itself when it is an agency). Pass
    ``agency=None`` for none.
    Every other keyword goes into the JSON payload (dates, decimals and UUIDs are accepted).
    """
    event = _event(actor, action, obj, payload)
    event.save(force_insert=True)
    # Outside an atomic block on_commit runs at once, which is right: the row is committed.
    transaction.on_commit(seal_after_commit, robust=True)
    return event


def record_each(actor, action: str, items: Iterable[tuple[models.Model, dict]]) -> list[AuditEvent]:
    """``record()`` for many objects at once (one INSERT): one event per ``(obj, payload)``.

    For a batch that changes many objects in one transaction (opening the cases of many reports):
    the same checks and the same rows as one ``record()`` call per object.
    """
    events = [_event(actor, action, obj, dict(payload)) for obj, payload in items]
    if events:
        AuditEvent.objects.bulk_create(events)
        transaction.on_commit(seal_after_commit, robust=True)
    return events


def _event(actor, action: str, obj, payload: dict) -> AuditEvent:
    if not ACTION_RE.match(action):
        raise ValueError(f"audit action must be dotted lower-case words, e.g. 'case.transitioned': {action!r}")
    if forbidden := FORBIDDEN_PAYLOAD_KEYS.intersection(key.lower() for key in payload):
        raise ValueError(f"the audit log never stores {sorted(forbidden)}")
    agency = payload.pop("agency", _UNSET)
    actor_id, actor_label = _actor(actor)
    object_type, object_id = _object(obj)
    agency_id = _agency_id(agency, obj)
    event = AuditEvent(
        actor_id=actor_id,
        actor_label=actor_label,
        agency_id=None if agency_id is None else int(agency_id),
        action=action,
        object_type=object_type,
        object_id=object_id,
        # The payload as the database gives it back (dates and decimals as strings), so the MAC
        # computed now is the MAC sealing recomputes from the stored row.
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
        created_at=timezone.now(),
    )
    event.mac = row_mac(event)  # the key is outside the database: a row INSERTed by hand has none
    return event


def _actor(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        if not actor.strip():
            raise ValueError("an audit actor label cannot be empty")
        return None, actor[:150]
    if isinstance(actor, get_user_model()):
        if actor.pk is None:
            raise ValueError("an audit actor must be a saved user")
        return actor.pk, actor.get_username()
    if getattr(actor, "is_anonymous", False):  # AnonymousUser from a request
        return None, "anonymous"
    label = getattr(actor, "audit_label", None)
    if label is None and isinstance(actor, models.Model):
        label = f"{actor._meta.label_lower}:{actor.pk}"
    if not label:
        raise TypeError(f"cannot name an audit actor of type {type(actor).__name__}")
    return None, str(label)[:150]


def _object(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if not isinstance(obj, models.Model):
        raise TypeError(f"audit obj must be a model instance, not {type(obj).__name__}")
    if obj.pk is None:
        raise ValueError("audit obj must be saved before its event is recorded")
    return obj._meta.label_lower, str(obj.pk)


def _agency_id(agency, obj) -> int | None:
    if agency is not _UNSET:
        return agency.pk if isinstance(agency, models.Model) else agency
    if obj is None:
        return None
    if obj._meta.label == "orgs.Agency":
        return obj.pk
    if (agency_id := getattr(obj, "agency_id", None)) is not None:
        return agency_id
    return getattr(getattr(obj, "agency", None), "pk", None)
