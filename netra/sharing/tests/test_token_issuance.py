"""Who may give an API token its power (issue #10, finding 1), cell by cell from the role table.

Role, agency kind and issuer's role → refused / pending (waits for approval) / active, through
the services themselves. The expectations come from the hand-written decisions in
``netra.orgs.tests.test_roles`` (a new role or kind without a decision fails there and here).
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from netra.audit.models import AuditEvent
from netra.notify.models import Notification
from netra.orgs.roles import UNIT_ROLES
from netra.orgs.tests.factories import AgencyFactory, MembershipFactory
from netra.orgs.tests.test_roles import CELLS, ISSUERS, ROLES_BY_KIND, SUPERUSER, VOUCHERS, make_issuer
from netra.sharing.models import ApiToken
from netra.sharing.tests.conftest import bearer, issue
from netra.sharing.tokens import TokenRefused, approve_token, issue_token, request_token

pytestmark = pytest.mark.django_db

NO_CASE_POWER = {"agency_admin"}


def expected_request(role: str, kind: str, issuer: str) -> str:
    if role not in ROLES_BY_KIND[kind] or role in UNIT_ROLES:
        return "refused"  # a Kepala OPD's power is one unit's; a token has no unit
    if issuer in VOUCHERS[role]:
        return "active"
    if issuer in ("agency_admin", SUPERUSER):
        return "active" if role in NO_CASE_POWER else "pending"
    return "refused"


def expected_approval(role: str, kind: str, approver: str) -> bool:
    return role in ROLES_BY_KIND[kind] and approver in VOUCHERS[role]


def _outcome(**kwargs) -> str:
    try:
        with transaction.atomic():
            issued = request_token(**kwargs)
    except TokenRefused:
        return "refused"
    return "active" if issued.token.is_active else "pending"


@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_token_request_matrix(role, kind):
    agency = AgencyFactory(kind=kind)
    for issuer in ISSUERS:
        if issuer != SUPERUSER and issuer not in ROLES_BY_KIND[kind]:
            continue  # such an issuer cannot exist (netra.orgs.tests.test_roles)
        before = ApiToken.objects.count()
        outcome = _outcome(agency=agency, role=role, name="t", requested_by=make_issuer(agency, issuer))
        assert outcome == expected_request(role, kind, issuer), (role, kind, issuer)
        assert ApiToken.objects.count() == before + (outcome != "refused")


@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_token_approval_matrix(role, kind):
    if role not in ROLES_BY_KIND[kind] or role in NO_CASE_POWER or role in UNIT_ROLES:
        return  # nothing to approve: refused at request, or live at once
    agency = AgencyFactory(kind=kind)
    admin = MembershipFactory(agency=agency, role="agency_admin").user
    for approver in ISSUERS:
        if approver != SUPERUSER and approver not in ROLES_BY_KIND[kind]:
            continue
        token = request_token(agency=agency, role=role, name="t", requested_by=admin).token
        assert token.is_pending
        try:
            with transaction.atomic():
                approve_token(token=token, approved_by=make_issuer(agency, approver))
        except TokenRefused:
            pass
        token.refresh_from_db()
        assert token.is_active == expected_approval(role, kind, approver), (role, kind, approver)


@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_the_operator_break_glass_still_obeys_the_kind(role, kind):
    agency = AgencyFactory(kind=kind)
    out = io.StringIO()
    if role in ROLES_BY_KIND[kind] and role not in UNIT_ROLES:
        call_command("create_api_token", agency=agency.code, role=role, stdout=out, stderr=io.StringIO())
        assert ApiToken.objects.get(agency=agency, role=role).is_active
        return
    with pytest.raises(CommandError):
        call_command("create_api_token", agency=agency.code, role=role, stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""
    assert not ApiToken.objects.filter(agency=agency).exists()


def test_issue_token_with_a_person_is_only_for_a_superuser(agencies, admin_katingan):
    with pytest.raises(TokenRefused):
        issue_token(agency=agencies["pemkab-katingan"], role="ppk", name="x", created_by=admin_katingan)
    assert not ApiToken.objects.exists()


def test_break_glass_issuance_is_audited_and_told_to_the_lead(agencies, lead_katingan):
    issued = issue_token(agency=agencies["pemkab-katingan"], role="satgas_officer", name="SIMPEG")
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.payload["break_glass"] is True and event.payload["state"] == "active"
    note = Notification.objects.get(user=lead_katingan)
    assert (note.kind, issued.token.name in note.text) == ("api_token.created", True)


# --- the review's demonstrations, re-run --------------------------------------------------------


def test_admin_katingan_cannot_mint_a_ppk_token_that_reads_katingan_cases(api, agencies, admin_katingan, ppk_katingan):
    """Finding 1: admin.katingan (sees 0 cases) minted a PPK token that read every Katingan case."""
    from netra.sharing.tests.conftest import file_case

    case = file_case("62.06")
    issued = request_token(agency=agencies["pemkab-katingan"], role="ppk", name="x", requested_by=admin_katingan)
    answer = api.get(f"/api/v1/cases/{case.pk}", headers=bearer(issued.plaintext))
    assert answer.status_code == 401  # pending: not a working token
    assert api.get("/api/v1/cases", headers=bearer(issued.plaintext)).status_code == 401
    # The PPK approves it; only then does it read.
    approve_token(token=issued.token, approved_by=ppk_katingan)
    assert api.get(f"/api/v1/cases/{case.pk}", headers=bearer(issued.plaintext)).status_code == 200


def test_no_bkn_supervisor_token_for_the_pemda_itself(api, agencies, admin_katingan, db):
    """Finding 1: a bkn_supervisor token minted for the pemda annulled a PPK decision (200)."""
    pemda = agencies["pemkab-katingan"]
    with pytest.raises(TokenRefused) as refused:
        request_token(agency=pemda, role="bkn_supervisor", name="x", requested_by=admin_katingan)
    assert refused.value.code == "validation_error"
    with pytest.raises(TokenRefused):
        issue_token(agency=pemda, role="bkn_supervisor", name="x")
    assert not ApiToken.objects.exists()


def test_a_stored_token_whose_role_the_kind_cannot_hold_answers_401(api, agencies, katingan_case):
    """Tokens made before the rule (or an agency whose kind changed) stop working, not only new ones."""
    plaintext = issue(agencies, "bkn-pusat", "bkn_supervisor")
    ApiToken.objects.update(agency=agencies["pemkab-katingan"])
    assert api.get("/api/v1/cases", headers=bearer(plaintext)).status_code == 401


def test_every_demo_account_fits_its_agency_kind(agencies):
    from netra.cases.demo import EXTRA_ACCOUNTS
    from netra.orgs.demo import DEMO_ACCOUNTS

    held = [(a.role, a.agency) for a in DEMO_ACCOUNTS] + [(role, code) for _u, role, code, _f, _l in EXTRA_ACCOUNTS]
    for role, code in held:
        assert role in ROLES_BY_KIND[agencies[code].kind], (role, code)
