"""Read side of the agency API: scoped case queries, the keyset cursor, and answer dicts.

Scope: a token sees what a member of its agency in its role would see (``case_scope`` rules via
``scope_for_agency_role``); anything else is "not found".

Order of the case list: ``updated_at`` desc, ``id`` desc — a total order, so pages never skip or
repeat a case, and a keyset cursor (``updated_at``, ``id``) of the last row reaches the next page
with an index range scan instead of an OFFSET that reads and discards every earlier row.
"""

import base64
import binascii
import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from netra.cases import reporter_data
from netra.cases.models import Case
from netra.orgs.roles import Role, role_includes
from netra.orgs.selectors import Scope, scope_for_agency_role
from netra.sharing.models import ApiToken

COUNT_CACHE_MIN = 10_000
COUNT_CACHE_SECONDS = 60


def token_scope(token: ApiToken) -> Scope:
    return scope_for_agency_role(token.agency, token.role)


def cases_in_scope(token: ApiToken) -> QuerySet[Case]:
    from netra.cases.scope import cases_q

    # The token's scope, plus the cases referred to its agency while referred (cases/scope.py).
    return Case.objects.filter(cases_q(token))


def case_or_none(token: ApiToken, case_id: int) -> Case | None:
    return cases_in_scope(token).select_related("agency", "region").filter(pk=case_id).first()


# --- what leaves the owning Satgas (issue #10, finding 12) -----------------------------------------


def is_owning_satgas(token: ApiToken | None, case: Case) -> bool:
    """The Satgas of the agency that owns the case: the chain of custody and exact times are theirs."""
    return (
        token is not None
        and case.agency_id is not None
        and token.agency_id == case.agency_id
        and role_includes(token.role, Role.SATGAS_OFFICER)
    )


def coarse(value: datetime.datetime | None) -> datetime.datetime | None:
    """A time floored to ``NETRA_SHARED_TIME_PRECISION`` ("day" or "hour"; "exact" to switch off).

    Everyone but the owning Satgas gets times this coarse: an exact submission time, matched with
    who was seen with a phone when, can point at a reporter. Floored in Netra's time zone (WIB)
    and still ISO 8601 with its offset; flooring never moves a time later, so ``updated_since``
    with a time read from an answer never misses a change.
    """
    if value is None:
        return None
    precision = getattr(settings, "NETRA_SHARED_TIME_PRECISION", "day")
    if precision == "exact":
        return value
    local = timezone.localtime(value, timezone.get_default_timezone())
    if precision == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _times(exact: bool):
    return (lambda value: value) if exact else coarse


# --- list filters -----------------------------------------------------------------------------


def parse_since(value: str) -> datetime.datetime | None:
    value = value.strip()
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return None
        parsed = datetime.datetime.combine(day, datetime.time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def search(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """Case number, source reference, a subject's name / NIP, or words of the report text: the
    workspace queue's search (``netra.cases.search``), plus the source reference and any part of
    the number. The list keeps its order (``updated_at``, the cursor's): every match, no rank
    (``ranked=False``); SearchError for text that cannot be searched (the view answers 422 first)."""
    from netra.cases.search import search_cases

    q = q.strip()
    return search_cases(qs, q, also=Q(source_reference__icontains=q) | Q(number__icontains=q), ranked=False)


def encode_cursor(case: Case) -> str:
    raw = f"{case.updated_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, pk = raw.partition("|")
        when = datetime.datetime.fromisoformat(stamp)
        return (when, int(pk)) if timezone.is_aware(when) else None
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def after_cursor(qs: QuerySet[Case], cursor: tuple[datetime.datetime, int]) -> QuerySet[Case]:
    """Rows after (updated_at, id) in list order.

    Written as ``updated_at <= t AND (updated_at < t OR id < i)``: the first condition is an
    index range on ``case_updated_idx``; the plain OR form makes PostgreSQL walk the index from
    the top and costs as much as an OFFSET (1 M cases, depth 50 k: 5 ms against 54 ms).
    """
    when, pk = cursor
    return qs.filter(updated_at__lte=when).filter(Q(updated_at__lt=when) | Q(pk__lt=pk))


def count(qs: QuerySet[Case]) -> int:
    """The list's ``count``; large counts are cached for a minute per query.

    Counting a million rows costs more than fetching any page (PostgreSQL reads them all), so a
    client paging through a big list pays it once a minute, not once a page. Counts under
    COUNT_CACHE_MIN stay exact on every call.
    """
    try:
        key = "netra.sharing.count:" + hashlib.sha256(str(qs.query).encode()).hexdigest()
    except EmptyResultSet:  # a filter that can match nothing (a search without any match)
        return 0
    if (cached := cache.get(key)) is not None:
        return cached
    total = qs.count()
    if total >= COUNT_CACHE_MIN:
        cache.set(key, total, COUNT_CACHE_SECONDS)
    return total


# --- answers ----------------------------------------------------------------------------------


def _overdue(case: Case) -> bool:
    return bool(getattr(case, "overdue_at", None)) and case.status not in Case.TERMINAL_STATES


def case_item(case: Case, token: ApiToken | None = None, *, exact: bool | None = None) -> dict:
    """A list item; times are coarse (``coarse``) unless ``token`` is the owning Satgas."""
    when = _times(is_owning_satgas(token, case) if exact is None else exact)
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "source": case.source,
        "source_reference": case.source_reference,
        "agency": case.agency.code if case.agency else None,
        "region_code": case.region_id,
        "election": case.election_id,
        "incident_date": case.incident_date,
        "due_date": getattr(case, "due_date", None),
        "overdue": _overdue(case),
        "created_at": when(case.created_at),
        "updated_at": when(case.updated_at),
    }


def _deadlines(case: Case) -> list[dict]:
    today = timezone.localdate()
    found = []
    if (due := getattr(case, "due_date", None)) and case.status not in Case.TERMINAL_STATES:
        found.append(
            {
                "key": case.deadline_key or case.status,
                "due_date": due,
                "overdue": _overdue(case) or due < today,
            }
        )
    if getattr(case, "waiting_for_bawaslu", False) and case.bawaslu_due_date:
        found.append(
            {"key": "bawaslu_review", "due_date": case.bawaslu_due_date, "overdue": case.bawaslu_due_date < today}
        )
    return found


def _recommendation(case: Case) -> dict | None:
    # A missing one-to-one row raises RelatedObjectDoesNotExist, an AttributeError.
    rec = getattr(case, "recommendation", None)
    if rec is None:
        return None
    return {
        "violations": list(rec.violations or []),
        "sanction_category": rec.sanction_category_id,
        "suggested_category": rec.suggested_category_id,
        "legal_basis": rec.legal_basis,
        "findings": rec.findings,
        "created_at": rec.created_at,
    }


def _decision(case: Case) -> dict | None:
    if not hasattr(case, "decisions"):
        return None
    decision = case.decisions.order_by("-created_at", "-pk").first()
    if decision is None:
        return None
    return {
        "sanction_type": decision.sanction_type_id,
        "decree_number": decision.decree_number,
        "decree_date": decision.decree_date,
        "annulled_at": decision.annulled_at,
        "created_at": decision.created_at,
    }


def _control_actions(case: Case) -> list[dict]:
    from netra.cases.control import present

    return [present(row) for row in case.control_actions.order_by("date", "pk")]


def _referral(case: Case) -> dict | None:
    agency = getattr(case, "referred_to", None)
    if agency is None:
        return None
    return {"agency": agency.code, "agency_name": agency.name, "since": coarse(case.referred_at)}


def _allowed_actions(case: Case, token: ApiToken) -> list[str]:
    from netra.cases.workflow import available_moves

    return sorted({str(move.action) for move in available_moves(case, token)})


def case_detail(case: Case, token: ApiToken) -> dict:
    from netra.cases.selectors import reports_of_case

    owner = is_owning_satgas(token, case)
    when = _times(owner)
    detail = case_item(case, exact=owner)
    detail |= {
        "region_name": case.region.name,
        "agency_name": case.agency.name if case.agency else None,
        "dismissal_reason": getattr(case, "dismissal_reason", ""),
        "forwarded_to_external": getattr(case, "forwarded_to_external", ""),
        "merged_into": case.merged_into_id,
        "waiting_for_bawaslu": bool(getattr(case, "waiting_for_bawaslu", False)),
        "subjects": [
            {
                "id": s.pk,
                "name": s.name,
                "nip": s.nip,
                "position": s.position,
                "agency_name": s.agency_name,
                "unit": s.unit,
                "employment_status": s.employment_status,
            }
            for s in case.subjects.all()
        ],
        # What was reported; never the reporter's contact, receipt code or access key.
        "reports": [
            {
                "id": r.pk,
                "description": r.description,
                "incident_date": r.incident_date,
                "location": r.location,
                "links": list(r.links or []),
                "submitted_at": when(r.submitted_at),
            }
            for r in reports_of_case(case).order_by("submitted_at", "pk")
        ],
        "evidence": [
            {
                "id": e.pk,
                "content_type": e.content_type,
                "size": e.size,
                # The file Netra keeps (metadata stripped). The original's hash is chain of
                # custody for the owning Satgas only: it would let anyone holding the
                # reporter's original file (a forwarded WhatsApp copy) confirm who sent it.
                "sha256": e.sha256_stored,
                "sha256_stored": e.sha256_stored,
                "sha256_received": e.sha256_received if owner else None,
                "metadata_removed": e.metadata_removed,
                "uploaded_by": e.uploaded_by,
                "uploaded_at": when(e.uploaded_at),
            }
            for e in case.evidence.all()
        ],
        "transitions": [
            {"from": t.from_state, "to": t.to_state, "at": when(t.at), "note": t.public_note}
            for t in case.transitions.order_by("at", "pk")
        ],
        "deadlines": _deadlines(case),
        "recommendation": _recommendation(case),
        "decision": _decision(case),
        "allowed_actions": _allowed_actions(case, token),
        "control_actions": _control_actions(case),
        "referred_to": _referral(case),
    }
    reporter_data.redact(detail["reports"], token, case)  # the one rule for reporter data
    return detail
