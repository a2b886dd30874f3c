"""The authorization matrix (outside review, issue #10): who may reach every URL and API operation.

Generated from the role table (``netra.orgs.roles.ROLES``), the agency kinds (``Agency.Kind``),
every URL pattern (``get_resolver()`` walked recursively, ``/en/`` variants and the admin
included) and every operation of the django-ninja API (``netra.api.api``). The expectations are
written by hand below, keyed by URL name / "METHOD path" of the operation:

    WEB[url name]      -> a Web rule: how the URL is requested and who may reach it
    API[op key]        -> an Api rule: the same for a token (or no token)
    ADMIN_RULE         -> every ``admin:*`` URL (superuser only)

A URL or an operation without an entry fails ``test_every_url_and_operation_has_a_matrix_entry``
with the place to add it. Out-of-scope objects must answer 404 exactly like missing ones (a 403
would tell that the case exists). One request per cell; the data is made once (one test function
walks the whole web matrix, one the API matrix); each prints its figures (cells allowed / denied).

Principals: anonymous, a signed-in account without membership, a superuser, and one member for
every (role, agency) pair the agency's kind can hold (``HOLDS``), over one agency of every kind.
Cases: K (Katingan, 62.06), B (Barito Selatan, 62.04) and S (Konawe Selatan, 74.05); ``REACH``
says by hand which of them each agency sees.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from netra.cases import letters
from netra.cases.intake import report_submit
from netra.cases.models import Case, Evidence, LinkArchive
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401
from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the violation catalogue
from netra.insights import exports
from netra.insights.models import Export
from netra.orgs.enrolment import issue_link
from netra.orgs.models import Agency, Membership, Unit
from netra.orgs.roles import (
    ACTING_ROLES,
    ROLES,
    UNIT_ROLES,
    may_vouch_for,
    role_allowed_in,
    role_kind_error,
    roles_for_kind,
)
from netra.orgs.tests.factories import AgencyFactory, UserFactory
from netra.portal import onetime
from netra.sharing import outbox
from netra.sharing.models import ApiToken, WebhookSubscription
from netra.sharing.tokens import TokenRefused, approve_token, issue_token, request_token

pytestmark = pytest.mark.django_db
Kind = Agency.Kind
R = Membership.Role

# --- the design, by hand ------------------------------------------------------------------------

# Which roles an agency of each kind can hold, by hand; ``test_holds_is_the_role_table`` holds it
# against the real rule (``netra.orgs.roles``: ``agency_kinds``, ``role_allowed_in``). An employer
# (pemda, kementerian/lembaga) has its Satgas, its PPK, and its own read-only observers.
_PEMDA = frozenset({R.SATGAS_OFFICER, R.SATGAS_LEAD, R.PPK, R.OBSERVER, R.AGENCY_ADMIN, R.OPD_HEAD})
HOLDS: dict[str, frozenset[str]] = {
    Kind.PEMDA_PROVINCE: _PEMDA,
    Kind.PEMDA_REGENCY: _PEMDA,
    Kind.PEMDA_CITY: _PEMDA,
    Kind.MINISTRY: _PEMDA,
    Kind.BAWASLU_RI: frozenset({R.BAWASLU_OFFICER, R.AGENCY_ADMIN}),
    Kind.BAWASLU_PROVINCE: frozenset({R.BAWASLU_OFFICER, R.AGENCY_ADMIN}),
    Kind.BAWASLU_REGENCY: frozenset({R.BAWASLU_OFFICER, R.AGENCY_ADMIN}),
    Kind.BKN_CENTRAL: frozenset({R.BKN_SUPERVISOR, R.AGENCY_ADMIN}),
    Kind.BKN_REGIONAL: frozenset({R.BKN_SUPERVISOR, R.AGENCY_ADMIN}),
    Kind.INSPECTORATE: frozenset({R.OBSERVER, R.AGENCY_ADMIN}),
    Kind.OBSERVER: frozenset({R.OBSERVER, R.AGENCY_ADMIN}),
}
# One agency of every kind (demo agencies, plus three made here) and the cases it reaches.
REACH: dict[str, frozenset[str]] = {
    "pemprov-kalteng": frozenset("KB"),  # the kabupaten of its province
    "pemkab-katingan": frozenset("K"),
    "pemkab-barito-selatan": frozenset("B"),
    "pemkab-konawe-selatan": frozenset("S"),
    "pemkot-matrix": frozenset(),  # a city in Kalteng: not its kabupaten's cases
    "kementerian-matrix": frozenset(),
    "bawaslu-ri": frozenset("KBS"),
    "bawaslu-prov-kalteng": frozenset("KB"),
    "bawaslu-kab-katingan": frozenset("K"),
    "bkn-pusat": frozenset("KBS"),
    "kanreg-bkn-banjarmasin": frozenset("KB"),  # provinces 62-65
    "inspektorat-katingan": frozenset("K"),  # the government it belongs to
    "pengamat-kalteng": frozenset("KB"),
}
EXTRA_AGENCIES = {
    "pemkot-matrix": {"kind": Kind.PEMDA_CITY, "region_id": "62.71"},
    "kementerian-matrix": {"kind": Kind.MINISTRY, "region_id": None},
    "inspektorat-katingan": {"kind": Kind.INSPECTORATE, "region_id": "62.06", "parent": "pemkab-katingan"},
}


@dataclass(frozen=True)
class Principal:
    name: str
    role: str | None = None  # None: anonymous / no membership / superuser
    agency: str | None = None
    kind: str | None = None
    anonymous: bool = False
    superuser: bool = False

    @property
    def member(self) -> bool:
        return self.superuser or self.role is not None

    @property
    def sees_cases(self) -> bool:
        return self.superuser or (self.role is not None and ROLES[self.role].sees_cases)

    @property
    def manages(self) -> bool:
        return self.superuser or (self.role is not None and ROLES[self.role].manages_agency)

    def reaches(self, case_key: str) -> bool:
        return self.superuser or (self.sees_cases and case_key in REACH[self.agency or ""])

    def vouches_for(self, role: str) -> bool:
        """May hand ``role``'s power on in their own agency (``vouched_by`` in the role table)."""
        return self.role is not None and may_vouch_for([self.role], role)

    @property
    def sees_own_tokens(self) -> bool:
        """The token page lists their agency's tokens: its admin, and whoever vouches for some role."""
        return self.manages or any(self.vouches_for(role) for role in ROLES)

    @property
    def may_request_tokens(self) -> bool:
        return self.manages or any(self.vouches_for(role) for role in HOLDS[self.kind or ""])


ANONYMOUS = Principal("anonymous", anonymous=True)
OUTSIDER = Principal("signed in, no membership")
SUPERUSER = Principal("superuser", superuser=True)


def token_role(code: str) -> str:
    """The case role of the tokens made for an agency in the matrix: one its kind can hold."""
    return next(
        r for r in (R.SATGAS_LEAD, R.BAWASLU_OFFICER, R.BKN_SUPERVISOR, R.OBSERVER) if r in HOLDS[kind_of(code)]
    )


def kind_of(code: str) -> str:
    extra = EXTRA_AGENCIES.get(code)
    if extra:
        return extra["kind"]
    from netra.orgs.demo import DEMO_AGENCIES

    return next(a.kind for a in DEMO_AGENCIES if a.code == code)


def member_principals() -> list[Principal]:
    return [
        Principal(f"{role}@{code}", role=str(role), agency=code, kind=kind_of(code))
        for code in REACH
        for role in sorted(HOLDS[kind_of(code)])
    ]


# Outcomes a cell may have.
OK, LOGIN, NO_MEMBER, FORBIDDEN, NOT_FOUND, INVALID, UNAUTHORIZED, GONE, LINK_GONE = (
    "ok",
    "login",
    "no-membership",
    "403",
    "404",
    "422",
    "401",
    "204",
    "410",
)


def staff(p: Principal, allowed: Callable[[Principal], str]) -> str:
    """The workspace's door (staff_required) before the view's own rule."""
    if p.anonymous:
        return LOGIN
    if not p.member:
        return NO_MEMBER
    return allowed(p)


@dataclass(frozen=True)
class Web:
    method: str = "GET"
    # "K"/"S": the URL names a case (in scope for some, not for others); "token", "hook": other objects.
    obj: str | None = None
    data: dict | None = None
    expect: Callable[[Principal, str | None], str] = lambda p, key: OK
    action: str = ""  # workspace:move's action
    fresh_client: bool = False  # the request ends the session (sign-out): a client of its own
    # What the answer must (not) show, beyond its status: (response, key) -> a complaint or None.
    check: Callable[[object, str | None], str | None] | None = None


def _case_rule(p: Principal, key: str | None) -> str:
    return staff(p, lambda p: OK if p.reaches(key or "") else NOT_FOUND)


def _case_act_rule(p: Principal, key: str | None) -> str:
    """A case in reach, for a role that acts on cases ("Cari ulang"); an observer gets 404 too."""
    return staff(p, lambda p: OK if p.reaches(key or "") and (p.superuser or p.role in ACTING_ROLES) else NOT_FOUND)


def _case_form_rule(p: Principal, key: str | None) -> str:
    return staff(p, lambda p: INVALID if p.reaches(key or "") else NOT_FOUND)


def _token_rule(allowed: Callable[[Principal], bool]) -> Callable[[Principal, str | None], str]:
    """Tokens and webhook logs of the user's own agency (key "own"), never another's (404).

    Listed for the agency admin and for whoever vouches for some role there (``sees_own_tokens``);
    among those, ``allowed`` says who may do what the URL does (else 403).
    """

    def expect(p: Principal, key: str | None) -> str:
        def rule(p):
            if not (p.superuser or (key == "own" and p.sees_own_tokens)):
                return NOT_FOUND
            return OK if allowed(p) else FORBIDDEN

        return staff(p, rule)

    return expect


def _may_revoke(p: Principal) -> bool:
    return p.superuser or p.manages or p.vouches_for(token_role(p.agency or "pemkab-katingan"))


def _may_approve(p: Principal) -> bool:
    # A holder of the token's power in its agency; not the agency admin, not the superuser.
    return p.vouches_for(token_role(p.agency or "pemkab-katingan"))


def _people_send_rule(p: Principal, key: str | None) -> str:
    return staff(p, lambda p: OK if p.superuser or (p.manages and key == "own") else NOT_FOUND)


def _elections_rule(p: Principal) -> str:
    national = p.kind in (Kind.BKN_CENTRAL, Kind.BAWASLU_RI) and p.manages
    return OK if p.superuser or national else NOT_FOUND


def _no_secret_before_password(response, key) -> str | None:
    context = response.context or {}
    if any(name in context for name in ("secret", "qr_data_uri", "code_form")):
        return "the enrolment secret is shown before the password"
    return None


def _receipt_check(response, key) -> str | None:
    context = response.context or {}
    shown = (context.get("receipt") or {}).get("access_key") if "receipt" in context else None
    if key == "fresh" and shown != RECEIPT_KEY:
        return "the receipt's first view does not show the access key"
    if key != "fresh" and (shown or RECEIPT_KEY.encode() in response.content):
        return "a receipt shows the access key a second time"
    return None


RECEIPT_KEY = "MATRIX0KEY1" + "Z" * 17


PUBLIC = "public"  # any answer but a refusal or an error (a form error, 405, a redirect)


def _public(p, key) -> str:
    return PUBLIC


def _fixed(outcome: str) -> Callable[[Principal, str | None], str]:
    return lambda p, key: outcome


# Prevention outreach (issue #11): a unit, circular, event and event file of Katingan ("K") and of
# Konawe Selatan ("S"). Read by whoever reaches that agency (case scope, or admin of it); changed by
# its agency admin and Satgas (netra.pacts.outreach_access); 404 for everyone else.
OUTREACH_AGENCY = {"K": "pemkab-katingan", "S": "pemkab-konawe-selatan"}
OUTREACH_MANAGERS = frozenset({R.AGENCY_ADMIN, R.SATGAS_OFFICER, R.SATGAS_LEAD})


def _outreach_reaches(p: Principal, key: str | None) -> bool:
    return p.reaches(key or "") or (p.manages and p.agency == OUTREACH_AGENCY.get(key or ""))


def _outreach_manages(p: Principal, key: str | None) -> bool:
    return p.superuser or (p.role in OUTREACH_MANAGERS and p.agency == OUTREACH_AGENCY.get(key or ""))


def _outreach_read(p: Principal, key: str | None) -> str:
    return staff(p, lambda p: OK if _outreach_reaches(p, key) else NOT_FOUND)


def _outreach_change(p: Principal, key: str | None) -> str:
    return staff(p, lambda p: OK if _outreach_manages(p, key) else NOT_FOUND)


# Pacts (#11): agency admin and Satgas manage their own agency's rosters and campaigns; a Kepala
# OPD reads their unit (the matrix's employees sit in "Unit matriks", the unit every OPD head here
# heads); Bawaslu and BKN read in their reach (REACH); anyone else: 404.
_PACT_MANAGERS = frozenset({R.AGENCY_ADMIN, R.SATGAS_OFFICER, R.SATGAS_LEAD})
_PACT_READERS = frozenset({R.BAWASLU_OFFICER, R.BKN_SUPERVISOR})
_PACT_AGENCY = {"K": "pemkab-katingan", "S": "pemkab-konawe-selatan"}


def _pact_any(p: Principal) -> bool:
    return p.superuser or p.role in (_PACT_MANAGERS | _PACT_READERS | {R.OPD_HEAD})


def _pact_manager(p: Principal) -> bool:
    return p.superuser or p.role in _PACT_MANAGERS


def _pact_manages(p: Principal, key: str | None) -> bool:
    return p.superuser or (p.role in _PACT_MANAGERS and p.agency == _PACT_AGENCY[key or ""])


def _pact_sees(p: Principal, key: str | None) -> bool:
    if _pact_manages(p, key):
        return True
    if p.role == R.OPD_HEAD:
        return p.agency == _PACT_AGENCY[key or ""]
    return p.role in _PACT_READERS and (key or "") in REACH[p.agency or ""]


def _pact_page(rule: Callable[[Principal, str | None], bool]) -> Callable[[Principal, str | None], str]:
    return lambda p, key: staff(p, lambda p: OK if rule(p, key) else NOT_FOUND)


# Past registers (issue #12 item 4): the agency admin and the Satgas lead of an agency that has a
# Satgas, into their own agency only; everyone else (a superuser too) 404.
_HISTORY_IMPORTERS = frozenset({R.AGENCY_ADMIN, R.SATGAS_LEAD})


def _history_importer(p: Principal) -> bool:
    return p.role in _HISTORY_IMPORTERS and R.SATGAS_LEAD in HOLDS[p.kind or ""]


def _history_page(rule: Callable[[Principal, str | None], bool]) -> Callable[[Principal, str | None], str]:
    return lambda p, key: staff(p, lambda p: OK if rule(p, key) else NOT_FOUND)


WEB: dict[str, Web] = {
    "workspace:history_import": Web(expect=_history_page(lambda p, k: _history_importer(p))),
    "workspace:history_import_template": Web(expect=_history_page(lambda p, k: _history_importer(p))),
    "workspace:history_import_status": Web(
        obj="history_import",
        expect=_history_page(lambda p, k: _history_importer(p) and p.agency == _PACT_AGENCY[k or ""]),
    ),
    "workspace:coverage": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:coverage_export": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:coverage_unit": Web(obj="outreach_unit", expect=_outreach_read),
    "workspace:coverage_remind": Web(method="POST", obj="outreach_unit", data={}, expect=_outreach_change),
    "workspace:circulars": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:circular": Web(obj="circular", expect=_outreach_read),
    # Only the head of a receiving unit acknowledges (none in the matrix): 404 for every other.
    "workspace:circular_acknowledge": Web(
        method="POST", obj="circular", data={}, expect=lambda p, k: staff(p, lambda p: NOT_FOUND)
    ),
    "workspace:circular_document": Web(obj="circular", expect=_outreach_read),
    "workspace:events": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:event": Web(obj="event", expect=_outreach_read),
    "workspace:event_attendance": Web(method="POST", obj="event", data={}, expect=_outreach_change),
    "workspace:event_upload": Web(method="POST", obj="event", data={}, expect=_outreach_change),
    "workspace:event_update": Web(method="POST", obj="event", data={"checkin_open": "1"}, expect=_outreach_change),
    "workspace:event_file": Web(obj="event_file", expect=_outreach_read),
    # Editing, deleting, cancelling (without the page's confirm=1 a POST changes nothing).
    "workspace:circular_edit": Web(obj="circular", expect=_outreach_change),
    "workspace:circular_remove": Web(method="POST", obj="circular", data={}, expect=_outreach_change),
    "workspace:event_edit": Web(obj="event", expect=_outreach_change),
    "workspace:event_remove": Web(method="POST", obj="event", data={}, expect=_outreach_change),
    "portal:checkin": Web(expect=_public),
    "healthz": Web(expect=_public),
    "readyz": Web(expect=_public),
    "set_language": Web(method="POST", data={"language": "id", "next": "/"}, expect=_public),
    "portal:home": Web(expect=_public),
    "portal:report_new": Web(expect=_public),
    "portal:service_worker": Web(expect=_public),
    "portal:receipt_pdf": Web(expect=_public),
    "portal:status": Web(expect=_public),
    # Pacts (#11): the public verification page and PDF (anyone holding the code), the signing link.
    "portal:pact_verify": Web(obj="pact", expect=_public),
    "portal:pact_pdf": Web(obj="pact", expect=_public),
    "portal:pact_sign": Web(obj="pact_link", expect=_public),
    # Provider webhooks (netra.channels): anyone may POST; without the provider's signature, 403.
    "channels:whatsapp": Web(method="POST", expect=_fixed(FORBIDDEN)),
    "channels:sms": Web(method="POST", expect=_fixed(FORBIDDEN)),
    "channels:twilio": Web(method="POST", expect=_fixed(FORBIDDEN)),
    "portal:privacy": Web(expect=_public),
    # The one-time receipt after the report form: anyone holding its id, once; an unknown id is 404.
    "portal:receipt": Web(
        obj="receipt",
        expect=lambda p, key: NOT_FOUND if key == "unknown" else OK,
        check=_receipt_check,
    ),
    "workspace:login": Web(expect=_public),
    # The enrolment link: whoever holds a valid one (signed in or not) gets the password step,
    # never the secret; a used, expired or unknown link is gone.
    "workspace:enrol": Web(
        obj="enrol",
        expect=lambda p, key: OK if key == "valid" else LINK_GONE,
        check=_no_secret_before_password,
    ),
    # The agency admin's people page (superusers too); anyone else 404.
    "workspace:people": Web(expect=lambda p, k: staff(p, lambda p: OK if p.manages else NOT_FOUND)),
    "workspace:people_send_link": Web(method="POST", obj="person", expect=_people_send_rule),
    # Signer details (issue #16): everyone edits their own; the agency admin those of their agency's
    # people (the same rule as sending a link), a superuser anyone; anyone else 404.
    "workspace:profile": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:people_profile": Web(obj="person", expect=_people_send_rule),
    # Elections and their phases (issue #16): a superuser and the agency admin of BKN pusat or
    # Bawaslu RI (national data: no regional or pemda admin); anyone else 404.
    "workspace:elections": Web(expect=lambda p, k: staff(p, _elections_rule)),
    "workspace:election_new": Web(expect=lambda p, k: staff(p, _elections_rule)),
    "workspace:election_edit": Web(obj="election", expect=lambda p, k: staff(p, _elections_rule)),
    "workspace:two_factor": Web(expect=lambda p, k: LOGIN if p.anonymous else OK),
    "workspace:logout": Web(method="POST", expect=_public, fresh_client=True),
    # netra.insights: the public statistics page; the staff dashboard for any member (their scope only).
    "insights:public": Web(expect=_public),
    "insights_staff:dashboard": Web(expect=lambda p, k: staff(p, lambda p: OK if p.sees_cases else NOT_FOUND)),
    # Exports (issue #12 item 3): started within the scope; an export is its requester's only. The
    # matrix's export belongs to an officer who is no principal, so every principal gets 404.
    "insights_staff:export_queue": Web(expect=lambda p, k: staff(p, lambda p: OK if p.sees_cases else NOT_FOUND)),
    "insights_staff:export_report": Web(expect=lambda p, k: staff(p, lambda p: OK if p.sees_cases else NOT_FOUND)),
    "insights_staff:export_status": Web(obj="export", expect=lambda p, k: staff(p, lambda p: NOT_FOUND)),
    "insights_staff:export_download": Web(obj="export", expect=lambda p, k: staff(p, lambda p: NOT_FOUND)),
    "workspace:no_membership": Web(expect=_fixed(FORBIDDEN)),
    "workspace:home": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:pacts_roster": Web(expect=_pact_page(lambda p, k: _pact_any(p))),
    "workspace:pacts_campaigns": Web(expect=_pact_page(lambda p, k: _pact_any(p))),
    "workspace:pacts_import_template": Web(expect=_pact_page(lambda p, k: _pact_any(p))),
    "workspace:pacts_import": Web(expect=_pact_page(lambda p, k: _pact_manager(p))),
    "workspace:pacts_campaign_new": Web(expect=_pact_page(lambda p, k: _pact_manager(p))),
    "workspace:pacts_import_status": Web(obj="roster_import", expect=_pact_page(_pact_manages)),
    "workspace:pacts_campaign": Web(obj="campaign", expect=_pact_page(_pact_sees)),
    "workspace:pacts_campaign_edit": Web(obj="campaign", expect=_pact_page(_pact_manages)),
    "workspace:pacts_codes": Web(method="POST", obj="campaign", data={}, expect=_pact_page(_pact_manages)),
    "workspace:pacts_sheet": Web(method="POST", obj="campaign", data={}, expect=_pact_page(_pact_manages)),
    "workspace:pacts_ceremony": Web(method="POST", obj="campaign", data={}, expect=_pact_page(_pact_manages)),
    "workspace:pacts_revoke": Web(method="POST", obj="pact", data={}, expect=_pact_page(_pact_manages)),
    "workspace:bulk": Web(method="POST", data={}, expect=lambda p, k: staff(p, lambda p: OK)),
    "workspace:case": Web(obj="case", expect=_case_rule),
    "workspace:evidence": Web(obj="case", expect=_case_rule),
    "workspace:link_archive": Web(obj="case", expect=_case_rule),
    "workspace:move": Web(obj="case", action="annulled", expect=_case_rule),
    # An empty message / note: past the door and the case scope, the form refuses it (422).
    "workspace:message": Web(method="POST", obj="case", data={"message-body": ""}, expect=_case_form_rule),
    "workspace:note": Web(method="POST", obj="case", data={"note-body": ""}, expect=_case_form_rule),
    "workspace:assign": Web(method="POST", obj="case", data={"assignee": "x"}, expect=_case_rule),
    "workspace:merge": Web(method="POST", obj="case", data={"other": ""}, expect=_case_rule),
    "workspace:followup": Web(method="POST", obj="case", data={}, expect=_case_rule),
    "workspace:duplicates": Web(method="POST", obj="case", expect=_case_act_rule),
    # Issue #16: BKN's control action; an empty form is refused (422) inside scope, 404 outside.
    "workspace:control_action": Web(method="POST", obj="case", action="warning", data={}, expect=_case_form_rule),
    "workspace:recommendation_letter": Web(obj="case", expect=_case_rule),
    "workspace:decision_summary": Web(obj="case", expect=_case_rule),
    # Triage (netra.workspace.triage): the case's rule; an empty choice is refused with a message.
    "workspace:triage_confirm": Web(method="POST", obj="case", data={"chosen": ""}, expect=_case_rule),
    "workspace:triage_fact": Web(method="POST", obj="case", data={"field": ""}, expect=_case_rule),
    # A cluster lists open cases only: the matrix's cases are decided, so it is not found for all.
    "workspace:triage_cluster": Web(obj="case", expect=lambda p, k: staff(p, lambda p: NOT_FOUND)),
    # Every member may open the token page; only an agency admin sees or manages anything there.
    "sharing:tokens": Web(expect=lambda p, k: staff(p, lambda p: OK)),
    # Requested by the agency admin, or by whoever vouches for a role the agency holds.
    "sharing:token_create": Web(
        method="POST",
        data={},
        expect=lambda p, k: staff(p, lambda p: INVALID if p.superuser or p.may_request_tokens else NOT_FOUND),
    ),
    # A requested (pending) token: approved by a holder of its role in its agency only.
    "sharing:token_approve": Web(method="POST", obj="pending", expect=_token_rule(_may_approve)),
    "sharing:token_revoke": Web(method="POST", obj="token", expect=_token_rule(_may_revoke)),
    "sharing:webhook_log": Web(obj="hook", expect=_token_rule(lambda p: True)),
}
# Every admin page: superusers only (a second factor included); a member without is_staff is refused.
ADMIN_RULE = Web(expect=lambda p, k: LOGIN if p.anonymous else (OK if p.superuser else FORBIDDEN))
# Admin pages even a superuser is refused, by design, and why.
ADMIN_REFUSED = {
    "admin:audit_auditevent_add": "the audit log is append-only",
    "admin:audit_auditevent_delete": "the audit log is append-only",
    "admin:axes_accessattempt_add": "django-axes' log is read-only",
    "admin:axes_accessfailurelog_add": "django-axes' log is read-only",
    "admin:axes_accesslog_add": "django-axes' log is read-only",
    "admin:django_tasks_database_dbtaskresult_add": "task results are written by the worker",
    "admin:django_tasks_database_dbtaskresult_delete": "task results are written by the worker",
    "admin:sharing_apitoken_add": "tokens are issued by netra.sharing.tokens (hash, audit)",
    "admin:sharing_apitoken_delete": "tokens are revoked, never deleted",
    "admin:login": "a signed-in user is not sent to sign in again (netra.workspace.admin_site)",
    "admin:autocomplete": "Django refuses an autocomplete request without its parameters",
    "admin:orgs_enrolmentlink_add": "enrolment links are issued by netra.orgs.enrolment, never typed in",
    # Case records and notifications are written by the workflow only; the admin reads them.
    **{
        f"admin:{model}_{view}": "case records are read-only in the admin (netra.audit.admin.ReadOnlyAdmin)"
        for model in (
            "cases_case",
            "cases_report",
            "cases_evidence",
            "cases_message",
            "cases_transition",
            "cases_recommendation",
            "cases_decision",
            "cases_followup",
            "cases_controlaction",
            "cases_internalnote",
            "notify_notification",
        )
        for view in ("add", "delete")
    },
}
# django-otp's device pages look the device up with .get(): a 500 for a device that does not exist,
# made a 404 in netra.workspace.admin_site. Asserted strictly (the matrix forgives the admin's own
# 404s for object 0 elsewhere).
ADMIN_MISSING_IS_404 = {"admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"}


def admin_expect(p: Principal, name: str) -> str:
    outcome = ADMIN_RULE.expect(p, None)
    if outcome == OK and name in ADMIN_REFUSED:
        return FORBIDDEN
    if outcome == OK and name in ADMIN_MISSING_IS_404:
        return NOT_FOUND
    return outcome


# Not pages: the /api/ catch-all (JSON 404) and the API's own URLs (the API matrix covers them).
NOT_PAGES = {"?": "^api/"}


@dataclass(frozen=True)
class Api:
    method: str
    path: str  # {case} {sub} filled per cell
    body: dict | None = None
    expect: Callable[[Principal | None, str | None], str] = lambda p, key: OK
    obj: str | None = None


def _api_token_rule(inner: Callable[[Principal, str | None], str]) -> Callable[[Principal | None, str | None], str]:
    return lambda p, key: UNAUTHORIZED if p is None else inner(p, key)


def _reader_case(p: Principal, key: str | None) -> str:
    if not p.sees_cases:
        return FORBIDDEN  # the role reads no case at all: says nothing about any case
    return OK if p.reaches(key or "") else NOT_FOUND


def _reader_case_invalid(p: Principal, key: str | None) -> str:
    outcome = _reader_case(p, key)
    return INVALID if outcome == OK else outcome


def _public_api(p, key) -> str:
    return "public"


API: dict[str, Api] = {
    # Prevention coverage and events: every token, each within its own reach (empty lists otherwise).
    "GET /pacts/coverage": Api("GET", "/api/v1/pacts/coverage", expect=_api_token_rule(lambda p, k: OK)),
    "GET /events": Api("GET", "/api/v1/events", expect=_api_token_rule(lambda p, k: OK)),
    "POST /public/reports": Api("POST", "/api/v1/public/reports", body={}, expect=_public_api),
    "POST /public/reports/{receipt_code}/evidence": Api(
        "POST", "/api/v1/public/reports/NTR-XXXX-XXXX/evidence", body={}, expect=_public_api
    ),
    "GET /public/reports/{receipt_code}": Api("GET", "/api/v1/public/reports/NTR-XXXX-XXXX", expect=_public_api),
    "GET /public/statistics": Api("GET", "/api/v1/public/statistics", expect=_public_api),
    "POST /public/reports/{receipt_code}/messages": Api(
        "POST", "/api/v1/public/reports/NTR-XXXX-XXXX/messages", body={}, expect=_public_api
    ),
    "GET /cases": Api("GET", "/api/v1/cases", expect=_api_token_rule(lambda p, k: OK if p.sees_cases else FORBIDDEN)),
    "POST /cases": Api(
        "POST",
        "/api/v1/cases",
        body={"source": "nope"},
        expect=_api_token_rule(lambda p, k: INVALID if ROLES[p.role or ""].acts_on_cases else FORBIDDEN),
    ),
    "GET /cases/{case_id}": Api("GET", "/api/v1/cases/{case}", obj="case", expect=_api_token_rule(_reader_case)),
    "POST /cases/{case_id}/transitions": Api(
        "POST",
        "/api/v1/cases/{case}/transitions",
        body={"action": ""},
        obj="case",
        expect=_api_token_rule(_reader_case_invalid),
    ),
    "GET /cases/{case_id}/events": Api(
        "GET", "/api/v1/cases/{case}/events", obj="case", expect=_api_token_rule(_reader_case)
    ),
    # Pacts (#11): a signature in K's or S's agency, read like a case (same reach).
    "GET /pacts/signatures/{verification_code}": Api(
        "GET", "/api/v1/pacts/signatures/{pact}", obj="pact", expect=_api_token_rule(_reader_case)
    ),
    "GET /catalog/violations": Api("GET", "/api/v1/catalog/violations", expect=_api_token_rule(lambda p, k: OK)),
    "GET /catalog/regions": Api("GET", "/api/v1/catalog/regions", expect=_api_token_rule(lambda p, k: OK)),
    "POST /webhooks": Api(
        "POST",
        "/api/v1/webhooks",
        body={"url": "", "events": []},
        expect=_api_token_rule(lambda p, k: INVALID if p.sees_cases else FORBIDDEN),
    ),
    "GET /webhooks": Api(
        "GET", "/api/v1/webhooks", expect=_api_token_rule(lambda p, k: OK if p.sees_cases else FORBIDDEN)
    ),
    # A subscription of the token's own agency ("own") or of another ("other").
    "DELETE /webhooks/{subscription_id}": Api(
        "DELETE",
        "/api/v1/webhooks/{sub}",
        obj="hook",
        expect=_api_token_rule(lambda p, k: FORBIDDEN if not p.sees_cases else (GONE if k == "own" else NOT_FOUND)),
    ),
}
# The API's own documentation pages (served under /api/v1/, no token).
API_DOCS = {"api-v1:openapi-json", "api-v1:openapi-view", "api-v1:api-root"}


# --- walking what exists ---------------------------------------------------------------------------


def url_patterns(resolver=None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(namespaced name, pattern) of every URL pattern, recursively."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern, inner)
        else:
            found.append((f"{namespace}{pattern.name or '?'}", pattern))
    return found


def api_operations() -> list[str]:
    from netra.api import api

    return [
        f"{method} {prefix.rstrip('/')}{path}".replace("//", "/").replace(" /", " /")
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    ]


def _op_key(raw: str) -> str:
    method, path = raw.split(" ", 1)
    return f"{method} {path}" if path.startswith("/") else f"{method} /{path}"


def test_every_url_and_operation_has_a_matrix_entry():
    names = {name for name, _pattern in url_patterns()}
    unlisted = sorted(
        name
        for name in names
        if name not in WEB
        and not name.startswith("admin:")
        and not name.startswith("api-v1:")
        and name not in NOT_PAGES
    )
    assert not unlisted, f"URL names without an authorization matrix entry: add them to WEB in {__file__}: {unlisted}"
    api_names = {name for name in names if name.startswith("api-v1:")}
    operations = {_op_key(op) for op in api_operations()}
    assert not (operations - set(API)), (
        f"API operations without an authorization matrix entry: add them to API in {__file__}: "
        f"{sorted(operations - set(API))}"
    )
    assert not (set(API) - operations), f"matrix entries for operations that no longer exist: {set(API) - operations}"
    assert api_names - API_DOCS, "the API's URLs were not found in the resolver"
    assert sum(name.startswith("admin:") for name in names) > 20  # the admin was walked too


# --- the data, made once -------------------------------------------------------------------------


@pytest.fixture
def world(agencies, catalogue, private_media, django_user_model):  # noqa: F811
    outbox.forget_listeners()
    for code, spec in EXTRA_AGENCIES.items():
        parent = spec.get("parent")
        AgencyFactory(
            code=code,
            kind=spec["kind"],
            region_id=spec["region_id"],
            parent=Agency.objects.get(code=parent) if parent else None,
        )
    users: dict[Principal, object] = {}
    for p in member_principals():
        user = UserFactory(username=p.name.replace("@", ".").replace("_", "-")[:150])
        agency = Agency.objects.get(code=p.agency)
        Membership.objects.create(user=user, agency=agency, role=p.role, unit=unit_for(agency, p.role))
        users[p] = user
    users[OUTSIDER] = UserFactory(username="outsider-matrix")
    users[SUPERUSER] = django_user_model.objects.create_superuser("root-matrix", "root@example.org", "x")
    # An account waiting for its 2FA enrolment, and its one-time link (GET only: never used up here).
    enrol_link = issue_link(user=UserFactory(username="enrol-matrix"), issued_by=None)

    def member(role, code):
        return users[Principal(f"{role}@{code}", role=str(role), agency=code, kind=kind_of(code))]

    cases = {}
    for key, region, code in [("K", "62.06", "pemkab-katingan"), ("S", "74.05", "pemkab-konawe-selatan")]:
        photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
        case = report_submit(data=report_data(region_code=region), files=[photo]).case
        assert case.agency.code == code
        cases[key] = take_to(
            case,
            "decided",
            officer=member(R.SATGAS_OFFICER, code),
            lead=member(R.SATGAS_LEAD, code),
            ppk=member(R.PPK, code),
        )
    evidence = {key: Evidence.objects.filter(case=case).first() for key, case in cases.items()}
    outreach = _outreach_world(member)
    pacts = _pact_world()
    link_archive = {key: _archived_link(case) for key, case in cases.items()}
    exporter = UserFactory(username="exporter-matrix")
    Membership.objects.create(user=exporter, agency=cases["K"].agency, role=R.SATGAS_OFFICER)
    export = exports.export_start(actor=exporter, kind=Export.Kind.QUEUE_XLSX, params={"status": "all"}, total=1)
    return {
        "export": export,
        "users": users,
        "cases": cases,
        "evidence": evidence,
        "enrol_link": enrol_link,
        "outreach": outreach,
        **pacts,
        "link_archive": link_archive,
    }


def _outreach_world(member) -> dict:
    """A unit, circular (with its PDF), event and event photo per agency, made by the services."""
    import datetime

    from netra.orgs.models import Unit
    from netra.pacts import circulars, events

    found: dict[str, dict] = {"outreach_unit": {}, "circular": {}, "event": {}, "event_file": {}}
    for key, code in OUTREACH_AGENCY.items():
        agency = Agency.objects.get(code=code)
        admin = member(R.AGENCY_ADMIN, code)
        unit = Unit.objects.create(agency=agency, name="OPD Matriks")
        found["outreach_unit"][key] = unit
        found["circular"][key] = circulars.circular_create(
            actor=admin, agency=agency, number=f"800/{key}", issued_on=datetime.date(2024, 1, 2),
            issuer="Bupati", subject="Netralitas", units=[unit], document=b"%PDF-1.4 matrix",
        )  # fmt: skip
        event = events.event_create(
            actor=admin, agency=agency, kind="sosialisasi", title="Sosialisasi", held_on=datetime.date(2024, 1, 3),
            place="Aula", audience_units=[unit],
        )  # fmt: skip
        found["event"][key] = event
        found["event_file"][key] = events.event_file_add(
            actor=admin, event=event, kind="photo", data=image_bytes(), content_type="image/jpeg", sha256="0" * 64
        )
    return found


def _pact_world() -> dict:
    """Pacts (#11): a roster member, an open campaign and a signature in K's and in S's agency."""
    import datetime

    from django.utils import timezone

    from netra.cases.models import HistoryImport
    from netra.pacts.links import sign_link_token
    from netra.pacts.models import Employee, PactCampaign, PactSignature, RosterImport

    campaigns, signatures, employees, imports, history = {}, {}, {}, {}, {}
    for key, code in [("K", "pemkab-katingan"), ("S", "pemkab-konawe-selatan")]:
        agency = Agency.objects.get(code=code)
        unit = Unit.objects.get_or_create(agency=agency, name="Unit matriks")[0]
        employees[key] = Employee.objects.create(
            agency=agency, unit=unit, name=f"Pegawai {key}", nip="198503122010011003", status="pns"
        )
        campaigns[key] = PactCampaign.objects.create(
            agency=agency,
            title=f"Pakta {key}",
            text="Teks pakta",
            starts_on=datetime.date(2024, 9, 1),
            ends_on=datetime.date(2024, 11, 27),
            state=PactCampaign.State.OPEN,
        )
        signatures[key] = PactSignature.objects.create(
            campaign=campaigns[key],
            employee=employees[key],
            method=PactSignature.Method.SHEET,
            signed_at=timezone.now(),
            signed_name=employees[key].name,
        )
        imports[key] = RosterImport.objects.create(
            agency=agency, filename="pegawai.xlsx", state=RosterImport.State.DONE, finished_at=timezone.now()
        )
        history[key] = HistoryImport.objects.create(
            agency=agency, filename="register.xlsx", state=HistoryImport.State.DONE, finished_at=timezone.now()
        )
    return {
        "history_imports": history,
        "roster_imports": imports,
        "pacts": signatures,
        "campaigns": campaigns,
        "employees": employees,
        "pact_link": sign_link_token(campaigns["K"]),
    }


def _archived_link(case: Case) -> LinkArchive:
    """An archived link of the case's report, as the worker leaves it (netra.cases.archive)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    report = case.reports.first()
    name = default_storage.save("evidence/matrix.png", ContentFile(image_bytes("PNG")))
    return LinkArchive.objects.create(
        case=case, report=report, url="https://example.org/pos", status=LinkArchive.Status.ARCHIVED, screenshot=name
    )


def _outcome(response, *, api: bool = False) -> str:
    status = response.status_code
    if api:
        return {200: OK, 201: OK, 204: GONE, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND, 422: INVALID}.get(
            status, str(status)
        )
    if status == 302:
        location = response["Location"].split("?")[0]
        if location in LOGIN_URLS:
            return LOGIN
        if reverse("workspace:no_membership") in location:
            return NO_MEMBER
        return OK
    return {200: OK, 403: FORBIDDEN, 404: NOT_FOUND, 410: LINK_GONE, 422: INVALID}.get(status, str(status))


def _login_urls() -> set[str]:
    urls = set()
    for language in ("id", "en"):
        with translation.override(language):
            urls.add(reverse("workspace:login"))
            urls.add(reverse("admin:login"))  # the admin's sign-in sends on to the staff sign-in
    return urls


LOGIN_URLS = _login_urls()


def _web_args(name: str, rule: Web, world, key: str | None, p: Principal) -> tuple[list, str | None]:
    """The URL arguments of a cell, and the key its expectation is looked up with."""
    if rule.obj == "case":
        case = world["cases"][key]
        if name == "workspace:evidence":
            return [case.pk, world["evidence"][key].pk], key
        if name == "workspace:link_archive":
            return [case.pk, world["link_archive"][key].pk, "png"], key
        if name in ("workspace:move", "workspace:control_action"):
            return [case.pk, rule.action], key
        return [case.pk], key
    if rule.obj in ("token", "pending", "hook", "person"):
        return [world[rule.obj][key].pk], key
    if rule.obj == "election":
        from netra.catalog.models import Election

        election, _created = Election.objects.get_or_create(
            code="matrix-pemilu", defaults={"name": "Matrix", "kind": "pemilu", "voting_date": "2029-02-14"}
        )
        return [election.code], None
    if rule.obj in ("outreach_unit", "circular", "event"):
        return [world["outreach"][rule.obj][key].pk], key
    if rule.obj == "event_file":
        row = world["outreach"]["event_file"][key]
        return [row.event_id, row.pk], key
    if rule.obj == "enrol":
        return [world["enrol_link"] if key == "valid" else "tidak-ada-tautan-ini"], key
    if rule.obj == "pact":
        if name == "workspace:pacts_revoke":
            return [world["pacts"][key].pk], key
        return [world["pacts"][key].verification_code], key
    if rule.obj in ("campaign", "roster_import", "history_import"):
        return [world[f"{rule.obj}s"][key].pk], key
    if rule.obj == "pact_link":
        return [world["pact_link"]], None
    if rule.obj == "export":
        return [world["export"].pk], None
    if rule.obj == "receipt":
        if key == "unknown":
            return ["tidak-ada-tanda-terima-ini"], key
        view_id = onetime.stash(receipt_code="NTR-MTRX-0001", access_key=RECEIPT_KEY)
        if key == "used":
            assert onetime.take(view_id)
        return [view_id], key
    return [], None


def _objects_for(p: Principal, world, obj: str | None) -> list[str | None]:
    if obj in (
        "case",
        "pact",
        "campaign",
        "roster_import",
        "history_import",
        "outreach_unit",
        "circular",
        "event",
        "event_file",
    ):
        return ["K", "S"]
    if obj in ("token", "pending", "hook", "person"):
        return ["own", "other"]
    if obj == "enrol":
        return ["valid", "unknown"]
    if obj == "receipt":
        return ["fresh", "used", "unknown"]
    return [None]


def _own_and_other(world, p: Principal) -> None:
    """Objects of the principal's agency ('own') and of another ('other').

    A live token and its webhook subscription, a token its agency admin requested (pending), and
    a person to send an enrolment link to (a member other than the principal).
    """
    own_code = p.agency or "pemkab-katingan"
    other_code = "pemkab-konawe-selatan" if own_code != "pemkab-konawe-selatan" else "pemkab-katingan"
    for obj in ("token", "pending", "hook", "person"):
        world[obj] = {}
    for key, code in [("own", own_code), ("other", other_code)]:
        agency = Agency.objects.get(code=code)
        role = token_role(code)
        admin = world["users"][
            Principal(f"{R.AGENCY_ADMIN}@{code}", role=R.AGENCY_ADMIN, agency=code, kind=agency.kind)
        ]
        world["pending"][key] = request_token(agency=agency, role=role, name="p", requested_by=admin).token
        world["person"][key] = min(
            (
                (q.role == R.AGENCY_ADMIN, q.name, user)
                for q, user in world["users"].items()
                if q.agency == code and q != p
            ),
            key=lambda found: found[:2],
        )[2]
        token = issue_token(agency=agency, role=role, name="m")
        world["token"][key] = token.token
        world["hook"][key] = WebhookSubscription.objects.create(
            agency=agency,
            role=token.token.role,
            token=token.token,
            url="https://example.org/hook",
            events=["case.created"],
            secret="s",
        )


def _client_for(p: Principal, world) -> Client:
    from conftest import verified_login

    client = Client(raise_request_exception=False)  # a 500 is a wrong cell, not the end of the matrix
    if not p.anonymous:
        verified_login(client, world["users"][p])
    return client


# The /en/ variant of every page is asked by these (the same views answer both; one of each kind of
# outcome is enough to prove the English URLs are guarded alike, and keeps the matrix fast).
EN_PRINCIPALS = {
    ANONYMOUS.name,
    OUTSIDER.name,
    SUPERUSER.name,
    "satgas_officer@pemkab-katingan",
    "satgas_officer@pemkab-barito-selatan",
    "agency_admin@pemkab-katingan",
    "observer@pengamat-kalteng",
}


def _letter_html(template: str, context: dict) -> bytes:
    """The letters' HTML without WeasyPrint: who may print is the matrix's question, not how it looks.

    Printing was a third of the matrix's time; the PDFs themselves are tested in netra/cases/tests.
    """
    with translation.override("id"):
        return render_to_string(template, context).encode()


def test_the_web_matrix(world, capsys, monkeypatch):
    monkeypatch.setattr(letters, "_render", _letter_html)
    principals = [ANONYMOUS, OUTSIDER, SUPERUSER, *member_principals()]
    walked = {name for name, _pattern in url_patterns()}
    admin_names = sorted(
        (name, pattern)
        for name, pattern in url_patterns()
        if name.startswith("admin:") and name not in ("admin:?", "admin:logout")  # sign-out: not a page
    )
    wrong, figures = [], Counter()
    for p in principals:
        _own_and_other(world, p)
        client = _client_for(p, world)
        for language in ("id", "en") if p.name in EN_PRINCIPALS else ("id",):
            for name, rule in WEB.items():
                assert name in walked, f"{name} is in WEB but no longer a URL: remove it"
                for key in _objects_for(p, world, rule.obj):
                    args, lookup = _web_args(name, rule, world, key, p)
                    with translation.override(language):
                        url = reverse(name, args=args)
                    if language == "en" and not url.startswith("/en/"):
                        continue  # outside i18n_patterns: one URL only
                    asking = _client_for(p, world) if rule.fresh_client else client
                    response = getattr(asking, rule.method.lower())(url, rule.data or {})
                    expected, got = rule.expect(p, lookup), _outcome(response)
                    if expected == PUBLIC:
                        expected = got if got not in (FORBIDDEN, "500") else OK
                    figures["allowed" if expected in (OK, INVALID) else "denied"] += 1
                    if expected != got:
                        wrong.append(f"{p.name} {rule.method} {url} [{key}]: expected {expected}, got {got}")
                    elif rule.check and (complaint := rule.check(response, key)):
                        wrong.append(f"{p.name} {rule.method} {url} [{key}]: {complaint}")
        if p in (ANONYMOUS, OUTSIDER, SUPERUSER) or (p.role == R.SATGAS_LEAD and p.agency == "pemkab-katingan"):
            # The admin: every page of it, for the principals that differ there.
            for (name, pattern), language in itertools.product(admin_names, ("id", "en") if p.superuser else ("id",)):
                with translation.override(language):
                    url = _admin_url(name, pattern)
                if url is None:
                    continue
                # Followed to the end: the admin's sign-in page sends on, or refuses a signed-in non-admin.
                response = client.get(url, follow=True)
                final = response.request["PATH_INFO"]
                got = LOGIN if response.status_code == 200 and final in LOGIN_URLS else _outcome(response)
                expected = admin_expect(p, name)
                if expected == OK and got == NOT_FOUND:
                    got = OK  # a superuser asking for object 0 of a model: the admin's own 404/redirect
                figures["allowed" if expected == OK else "denied"] += 1
                if expected != got:
                    wrong.append(f"{p.name} GET {url}: expected {expected}, got {got}")
        cache.clear()  # rate limits of one principal must not spill into the next
    with capsys.disabled():
        print(f"\nweb matrix: {sum(figures.values())} cells, {figures['allowed']} allowed, {figures['denied']} denied")
    assert not wrong, "\n".join(wrong[:300]) + f"\n({len(wrong)} wrong cells)"


def _admin_url(name: str, pattern: URLPattern) -> str | None:
    converters = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
    kwargs = {}
    for arg in converters:
        kwargs[arg] = "0"
    regex_groups = getattr(pattern.pattern, "regex", None)
    if regex_groups is not None and regex_groups.groupindex and not converters:
        if name.endswith("app_list"):
            kwargs = {"app_label": "cases"}
        else:
            return None  # the admin's catch-all and view_on_site: not pages of their own
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:
        return None


def test_the_api_matrix(world, client, capsys):
    # No token acts as a Kepala OPD (a unit role: netra.sharing.tokens refuses it).
    principals: list[Principal | None] = [None, *(p for p in member_principals() if p.role not in UNIT_ROLES)]
    wrong, figures = [], Counter()
    for p in principals:
        headers = {}
        if p is not None:
            token = issue_token(agency=Agency.objects.get(code=p.agency), role=p.role, name="matrix")
            headers = {"Authorization": f"Bearer {token.plaintext}"}
            own = WebhookSubscription.objects.create(
                agency=token.token.agency,
                role=p.role,
                token=token.token,
                url="https://example.org/hook",
                events=["case.created"],
                secret="s",
            )
        other_code = "pemkab-barito-selatan" if (p and p.agency) != "pemkab-barito-selatan" else "pemkab-katingan"
        other_token = issue_token(agency=Agency.objects.get(code=other_code), role=R.SATGAS_LEAD, name="o").token
        other = WebhookSubscription.objects.create(
            agency=other_token.agency,
            role=other_token.role,
            token=other_token,
            url="https://example.org/hook",
            events=["case.created"],
            secret="s",
        )
        for op, rule in API.items():
            keys = ["K", "S"] if rule.obj in ("case", "pact") else ["own", "other"] if rule.obj == "hook" else [None]
            for key in keys:
                if rule.obj == "hook" and p is None and key == "own":
                    continue
                path = rule.path
                if rule.obj == "case":
                    path = path.format(case=world["cases"][key].pk)
                elif rule.obj == "pact":
                    path = path.format(pact=world["pacts"][key].verification_code)
                elif rule.obj == "hook":
                    path = path.format(sub=(own if key == "own" else other).pk)
                kwargs = {"headers": headers}
                if rule.body is not None:
                    kwargs |= {"data": json.dumps(rule.body), "content_type": "application/json"}
                response = getattr(client, rule.method.lower())(path, **kwargs)
                expected, got = rule.expect(p, key), _outcome(response, api=True)
                if expected == "public":
                    ok = response.status_code < 500 and response.status_code not in (401, 403)
                    figures["allowed"] += 1
                    if not ok:
                        wrong.append(f"anyone {rule.method} {path}: expected a public answer, got {got}")
                    continue
                figures["allowed" if expected in (OK, INVALID, GONE) else "denied"] += 1
                if expected != got:
                    wrong.append(f"{p.name if p else 'no token'} {op} [{key}]: expected {expected}, got {got}")
        cache.clear()
    with capsys.disabled():
        print(f"\nAPI matrix: {sum(figures.values())} cells, {figures['allowed']} allowed, {figures['denied']} denied")
    assert not wrong, "\n".join(wrong[:300]) + f"\n({len(wrong)} wrong cells)"


# --- domain cells: case scope, token issuance, membership creation --------------------------------


def test_case_scope_by_role_and_agency_kind(world):
    """``case_for`` for every member principal and every case: in reach → the case, else Http404."""
    from django.http import Http404

    from netra.cases.selectors import case_for

    wrong = []
    for p in member_principals():
        for key in "KS":
            case = world["cases"][key]
            try:
                found = case_for(world["users"][p], case.pk) == case
            except Http404:
                found = False
            if found != p.reaches(key):
                wrong.append(f"{p.name} case {key}: expected {'seen' if p.reaches(key) else '404'}")
    assert not wrong, wrong


_CASE_READING = sorted(r for r, spec in ROLES.items() if spec.sees_cases)
_IMPOSSIBLE = [(kind, role) for kind in HOLDS for role in sorted(ROLES) if role not in HOLDS[kind]]
_POSSIBLE = [(kind, role) for kind in HOLDS for role in sorted(HOLDS[kind])]


def unit_for(agency: Agency, role: str):
    """A Kepala OPD heads one unit of their agency (``Membership.unit``); no other role has one."""
    if role not in UNIT_ROLES:
        return None
    return Unit.objects.get_or_create(agency=agency, name="Unit matriks")[0]


def _agency_of_kind(kind: str) -> Agency:
    return AgencyFactory(code=f"matrix-{kind}".replace("_", "-"), kind=kind, region_id=None)


REFUSED = (ValueError, PermissionDenied, ValidationError, TokenRefused)


def test_holds_is_the_role_table():
    """The hand-written HOLDS and the rule the code enforces (``netra.orgs.roles``) agree, cell by cell."""
    for kind in Kind.values:
        for role in ROLES:
            assert role_allowed_in(role, kind) == (role in HOLDS[kind]), f"{role} in {kind}"
            assert (role_kind_error(role, kind) is None) == (role in HOLDS[kind]), f"{role} in {kind}"
        assert set(roles_for_kind(kind)) == HOLDS[kind], kind


@pytest.mark.parametrize(("kind", "role"), _POSSIBLE)
def test_a_membership_the_kind_can_hold_is_created(regions, kind, role):
    agency = _agency_of_kind(kind)
    membership = Membership(user=UserFactory(), agency=agency, role=role, unit=unit_for(agency, role))
    membership.full_clean()
    membership.save()


@pytest.mark.parametrize(("kind", "role"), _IMPOSSIBLE)
def test_a_membership_the_kind_cannot_hold_is_refused(regions, kind, role):
    agency = _agency_of_kind(kind)
    with pytest.raises(ValidationError):
        Membership(user=UserFactory(), agency=agency, role=role).full_clean()
    # Not even past validation: save() refuses as well, and nothing is written.
    with pytest.raises(REFUSED):
        Membership(user=UserFactory(), agency=agency, role=role).save()
    assert not Membership.objects.filter(agency=agency, role=role).exists()


@pytest.mark.parametrize(
    ("kind", "role"), [(k, r) for k, r in _POSSIBLE if r != R.AGENCY_ADMIN and r not in UNIT_ROLES]
)
def test_a_token_the_kind_can_hold_is_issued_by_a_superuser(regions, django_user_model, kind, role):
    root = django_user_model.objects.create_superuser("root-tokens", "r@example.org", "x")
    issued = issue_token(agency=_agency_of_kind(kind), role=role, name="t", created_by=root)
    assert issued.token.pk and issued.token.role == role


@pytest.mark.parametrize(
    ("kind", "role"),
    [(k, r) for k, r in _IMPOSSIBLE if r != R.AGENCY_ADMIN] + [(k, r) for k, r in _POSSIBLE if r in UNIT_ROLES],
)
def test_a_token_the_kind_cannot_hold_is_refused(regions, django_user_model, kind, role):
    root = django_user_model.objects.create_superuser("root-tokens", "r@example.org", "x")
    agency = _agency_of_kind(kind)
    with pytest.raises(REFUSED):
        issue_token(agency=agency, role=role, name="t", created_by=root)
    admin = UserFactory()
    Membership.objects.create(user=admin, agency=agency, role=R.AGENCY_ADMIN)
    with pytest.raises(REFUSED):
        request_token(agency=agency, role=role, name="t", requested_by=admin)
    assert not ApiToken.objects.filter(agency=agency).exists()


def _agency_holding(agencies, role: str) -> Agency:
    for code in ("pemkab-katingan", "bawaslu-kab-katingan", "bkn-pusat", "pengamat-kalteng"):
        if role in HOLDS[agencies[code].kind]:
            return agencies[code]
    raise AssertionError(f"no demo agency holds {role}")


@pytest.mark.parametrize("role", _CASE_READING)
def test_an_agency_admin_cannot_issue_a_case_reading_token(agencies, role):
    """The admin only *requests*: the token stays dead until a holder of its role approves it."""
    agency = _agency_holding(agencies, role)
    admin, holder = UserFactory(), UserFactory()
    Membership.objects.create(user=admin, agency=agency, role=R.AGENCY_ADMIN)
    with pytest.raises(REFUSED):
        issue_token(agency=agency, role=role, name="t", created_by=admin)
    issued = request_token(agency=agency, role=role, name="t", requested_by=admin)
    token = issued.token
    assert token.approved_at is None and token.is_pending
    with pytest.raises(REFUSED):
        approve_token(token=token, approved_by=admin)
    token.refresh_from_db()
    assert token.approved_at is None
    voucher = next(code for code in ROLES if ROLES[role].vouched_by and code in ROLES[role].vouched_by)
    Membership.objects.create(user=holder, agency=agency, role=voucher)
    approve_token(token=token, approved_by=holder)
    token.refresh_from_db()
    assert token.approved_at is not None and token.approved_by == holder


def test_the_matrix_covers_every_role_and_kind():
    assert set(HOLDS) == set(Kind.values), "a new agency kind needs a HOLDS row"
    assert {kind_of(code) for code in REACH} == set(Kind.values), "a new agency kind needs an agency in REACH"
    assert set().union(*HOLDS.values()) == set(ROLES), "a new role needs a place in HOLDS"
    assert Case.Status  # the case states are the workflow matrix's business (netra/cases/tests)
