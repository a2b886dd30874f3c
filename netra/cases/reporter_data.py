"""Reporter data: which facts of a report reach or identify its reporter, and who may see them.

One map, asked by every place that shows a report: the case page (``netra.workspace.presenters``),
the agency API (``netra.sharing.present``), the admin (``netra.cases.admin``). Letters, webhooks and
queue rows carry none of these fields at all (``tests/test_reporter_data.py`` searches them).

The reporter was promised (report form) that the contact is for the Satgas only: the PPK is often
the accused's political principal, and observers, Bawaslu and BKN have no need to reach the
reporter. So every field below is for the Satgas (officer, lead) *of the agency that owns the
case*; nobody else — not a supervisor reaching the case by region, not a superuser in the
workspace, not an API token whatever its role (the agency API never carries reporter data).
"""

from __future__ import annotations

from enum import StrEnum

from netra.cases.scope import is_token
from netra.orgs.models import Membership
from netra.orgs.roles import effective_roles

Role = Membership.Role


class ReporterField(StrEnum):
    CONTACT = "contact"  # Report.contact: how to reach the reporter
    RECEIPT_CODE = "receipt_code"  # Report.receipt_code: the reporter's handle (with the key: the status page)
    ACCESS_KEY_HASH = "access_key_hash"  # Report.access_key_hash: of use to nobody but an attacker
    SUBMITTED_TIME = "submitted_time"  # Report.submitted_at beyond the day (the minute can name a person)
    # Which of several reporters wrote which messages: threads headed by receipt code.
    MESSAGE_AUTHORSHIP = "message_authorship"
    # The channel's sender (issue #15, netra.channels): the e-mail address or phone number a
    # report came from is its contact (``Report.contact``, above); what the channel keeps besides
    # (a keyed hash of the sender, a reply waiting in the outbox) is for no person at all.
    CHANNEL_SENDER = "channel_sender"


F = ReporterField
SATGAS_ROLES: frozenset[str] = frozenset({Role.SATGAS_OFFICER.value, Role.SATGAS_LEAD.value})

# Role codes that, held in the case's owning agency, may see the field. Nobody else may.
VISIBLE_TO: dict[ReporterField, frozenset[str]] = {
    F.CONTACT: SATGAS_ROLES,
    F.RECEIPT_CODE: SATGAS_ROLES,
    F.ACCESS_KEY_HASH: frozenset(),
    F.SUBMITTED_TIME: SATGAS_ROLES,
    F.MESSAGE_AUTHORSHIP: SATGAS_ROLES,
    F.CHANNEL_SENDER: frozenset(),
}
# An agency API token (any role) sees none of them: api.md's case answer has no reporter data.
TOKEN_VISIBLE: frozenset[ReporterField] = frozenset()
# The Django admin (superusers, operations): the receipt code, to help a reporter who calls in;
# never how to reach them, never the key hash.
ADMIN_VISIBLE: frozenset[ReporterField] = frozenset({F.RECEIPT_CODE})

# Model fields of Report that hold reporter data, by the map's field.
REPORT_MODEL_FIELDS: dict[ReporterField, str] = {
    F.CONTACT: "contact",
    F.RECEIPT_CODE: "receipt_code",
    F.ACCESS_KEY_HASH: "access_key_hash",
}

# Columns outside Report that hold reporter data (named, not imported: channels is a face above).
# None is registered in the admin or shown on a page; the outbox blanks address and text once sent,
# and ``netra.channels.services.purge`` is the retention hook for all of them.
CHANNEL_MODEL_FIELDS: dict[str, tuple[str, ...]] = {
    "channels.ChannelReport": ("sender_hash",),
    "channels.Conversation": ("sender_hash", "answers"),
    "channels.OutboundMessage": ("address", "body"),
}


def owning_roles(actor, case) -> frozenset[str]:
    """The effective roles ``actor`` (a user) holds in the agency that owns ``case``."""
    if actor is None or is_token(actor) or case is None or case.agency_id is None:
        return frozenset()
    if not (actor.is_authenticated and actor.is_active):
        return frozenset()
    from netra.cases.scope import memberships  # the live memberships, once per request

    codes = [m.role for m in memberships(actor) if m.agency_id == case.agency_id]
    roles: set[str] = set()
    for code in codes:
        roles |= effective_roles(code)
    return frozenset(roles)


def visible_fields(actor, case) -> frozenset[ReporterField]:
    """Every reporter field ``actor`` (a user or an API token) may see on ``case``."""
    if actor is None:
        return frozenset()
    if is_token(actor):
        return TOKEN_VISIBLE
    roles = owning_roles(actor, case)
    return frozenset(field for field, allowed in VISIBLE_TO.items() if roles & allowed)


def may_see(actor, case, field: ReporterField | str) -> bool:
    """Whether ``actor`` (a user or an API token) may see reporter field ``field`` of ``case``."""
    return ReporterField(field) in visible_fields(actor, case)


def redact(rows: list[dict], actor, case) -> list[dict]:
    """Drop from report dicts (API answers, exports) every reporter field the actor may not see."""
    allowed = visible_fields(actor, case)
    hidden = [name for field, name in REPORT_MODEL_FIELDS.items() if field not in allowed]
    hidden += [field.value for field in ReporterField if field not in allowed]
    for row in rows:
        for name in hidden:
            row.pop(name, None)
    return rows


def admin_hidden_fields() -> list[str]:
    """Report model fields the Django admin never shows."""
    return sorted(name for field, name in REPORT_MODEL_FIELDS.items() if field not in ADMIN_VISIBLE)
