"""The token page: the admin requests (shown once), the lead approves, revoke, the webhook log."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.notify.models import Notification
from netra.sharing.models import ApiToken, WebhookSubscription
from netra.sharing.tests.conftest import bearer, issue
from netra.sharing.tokens import issue_token

pytestmark = pytest.mark.django_db


def create(client, agency, role="satgas_lead", name="SIMPEG"):
    return client.post(reverse("sharing:token_create"), {"name": name, "agency": agency.pk, "role": role})


def test_an_agency_admin_issues_a_token_shown_once(staff_client, admin_katingan, agencies):
    client = staff_client(admin_katingan)
    answer = create(client, agencies["pemkab-katingan"])
    token = ApiToken.objects.get()
    plaintext = answer.context["issued"].plaintext
    assert plaintext.encode() in answer.content
    assert plaintext.encode() not in client.get(reverse("sharing:tokens")).content
    assert token.created_by == admin_katingan


def test_a_requested_token_works_only_after_the_lead_approves_it(
    staff_client, admin_katingan, lead_katingan, agencies, client
):
    plaintext = create(staff_client(admin_katingan), agencies["pemkab-katingan"]).context["issued"].plaintext
    assert client.get("/api/v1/cases", headers=bearer(plaintext)).status_code == 401
    token = ApiToken.objects.get()
    lead = staff_client(lead_katingan)
    page = lead.get(reverse("sharing:tokens"))
    assert reverse("sharing:token_approve", args=[token.pk]).encode() in page.content
    assert lead.post(reverse("sharing:token_approve", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert (token.approved_by, token.is_active) == (lead_katingan, True)
    assert client.get("/api/v1/cases", headers=bearer(plaintext)).status_code == 200
    assert AuditEvent.objects.get(action="api_token.approved").actor_id == lead_katingan.pk


def test_the_lead_is_notified_of_a_request_and_the_admin_of_the_approval(
    staff_client, admin_katingan, lead_katingan, agencies
):
    create(staff_client(admin_katingan), agencies["pemkab-katingan"], role="satgas_officer")
    assert Notification.objects.filter(user=lead_katingan, kind="api_token.requested").count() == 1
    token = ApiToken.objects.get()
    staff_client(lead_katingan).post(reverse("sharing:token_approve", args=[token.pk]))
    assert Notification.objects.filter(user=admin_katingan, kind="api_token.approved").count() == 1


def test_the_admin_cannot_approve_the_token_they_requested(staff_client, admin_katingan, agencies, client):
    admin = staff_client(admin_katingan)
    plaintext = create(admin, agencies["pemkab-katingan"]).context["issued"].plaintext
    token = ApiToken.objects.get()
    assert admin.post(reverse("sharing:token_approve", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.approved_at is None
    assert client.get("/api/v1/cases", headers=bearer(plaintext)).status_code == 401


def test_a_satgas_lead_cannot_approve_a_ppk_token(staff_client, admin_katingan, lead_katingan, ppk_katingan, agencies):
    create(staff_client(admin_katingan), agencies["pemkab-katingan"], role="ppk")
    token = ApiToken.objects.get()
    assert staff_client(lead_katingan).post(reverse("sharing:token_approve", args=[token.pk])).status_code == 403
    assert staff_client(ppk_katingan).post(reverse("sharing:token_approve", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.approved_by == ppk_katingan


def test_another_agencys_lead_cannot_see_or_approve_the_token(staff_client, admin_katingan, agencies, db):
    from netra.orgs.tests.factories import MembershipFactory

    lead_barsel = MembershipFactory(agency=agencies["pemkab-barito-selatan"], role="satgas_lead").user
    create(staff_client(admin_katingan), agencies["pemkab-katingan"])
    token = ApiToken.objects.get()
    assert staff_client(lead_barsel).post(reverse("sharing:token_approve", args=[token.pk])).status_code == 404


@pytest.mark.parametrize("role", ["bkn_supervisor", "bawaslu_officer"])
def test_a_pemda_admin_cannot_request_a_bkn_or_bawaslu_token(staff_client, admin_katingan, agencies, role):
    """Issue #10 finding 1: a bkn_supervisor token for the pemda itself annulled a PPK decision."""
    answer = create(staff_client(admin_katingan), agencies["pemkab-katingan"], role=role)
    assert answer.status_code == 422
    assert ApiToken.objects.count() == 0


def test_the_form_offers_only_roles_the_agency_kind_can_hold(staff_client, admin_katingan):
    form = staff_client(admin_katingan).get(reverse("sharing:tokens")).context["form"]
    offered = {code for code, _label in form.fields["role"].choices}
    assert offered == {"satgas_officer", "satgas_lead", "ppk", "observer"}


def test_an_admin_cannot_issue_a_token_for_another_agency(staff_client, admin_katingan, agencies):
    answer = create(staff_client(admin_katingan), agencies["pemkab-barito-selatan"])
    assert answer.status_code == 422
    assert ApiToken.objects.count() == 0


def test_an_officer_without_admin_role_cannot_issue_tokens(staff_client, satgas_katingan, agencies):
    answer = create(staff_client(satgas_katingan), agencies["pemkab-katingan"])
    assert answer.status_code == 404
    assert ApiToken.objects.count() == 0


def test_an_officer_cannot_approve_or_revoke(staff_client, satgas_katingan, agencies):
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_officer", name="x").token
    officer = staff_client(satgas_katingan)
    assert officer.post(reverse("sharing:token_revoke", args=[token.pk])).status_code == 404
    assert officer.post(reverse("sharing:token_approve", args=[token.pk])).status_code == 404


def test_the_lead_may_revoke_a_satgas_token(staff_client, lead_katingan, agencies):
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_officer", name="x").token
    staff_client(lead_katingan).post(reverse("sharing:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_by == lead_katingan


def test_an_admin_revokes_a_token_of_their_agency(staff_client, admin_katingan, agencies):
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="x").token
    staff_client(admin_katingan).post(reverse("sharing:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="api_token.revoked").actor_id == admin_katingan.pk


def test_another_agencys_token_cannot_be_revoked(staff_client, admin_katingan, agencies):
    token = issue_token(agency=agencies["pemkab-barito-selatan"], role="satgas_lead", name="x").token
    answer = staff_client(admin_katingan).post(reverse("sharing:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert (answer.status_code, token.revoked_at) == (404, None)


def test_the_token_list_shows_last_use(staff_client, admin_katingan, agencies, client):
    plaintext = issue(agencies, "pemkab-katingan", "satgas_lead")
    client.get("/api/v1/cases", headers=bearer(plaintext))
    page = staff_client(admin_katingan).get(reverse("sharing:tokens"))
    [token] = page.context["tokens"]
    assert token.last_used_at is not None
    assert token.prefix.encode() in page.content


def test_the_delivery_log_is_shown_to_the_agencys_admin_only(staff_client, admin_katingan, satgas_barsel, agencies):
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="x").token
    sub = WebhookSubscription.objects.create(
        agency=token.agency,
        role=token.role,
        token=token,
        url="https://example.org/h",
        events=["case.created"],
        secret="s",
    )
    assert staff_client(admin_katingan).get(reverse("sharing:webhook_log", args=[sub.pk])).status_code == 200
    assert staff_client(satgas_barsel).get(reverse("sharing:webhook_log", args=[sub.pk])).status_code == 404
