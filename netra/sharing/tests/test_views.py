"""The agency admin's token page: issue (shown once), revoke, and the webhook delivery log."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
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


def test_the_issued_token_works_on_the_api(staff_client, admin_katingan, agencies, client):
    plaintext = create(staff_client(admin_katingan), agencies["pemkab-katingan"]).context["issued"].plaintext
    assert client.get("/api/v1/cases", headers=bearer(plaintext)).status_code == 200


def test_an_admin_cannot_issue_a_token_for_another_agency(staff_client, admin_katingan, agencies):
    answer = create(staff_client(admin_katingan), agencies["pemkab-barito-selatan"])
    assert answer.status_code == 422
    assert ApiToken.objects.count() == 0


def test_an_officer_without_admin_role_cannot_issue_tokens(staff_client, satgas_katingan, agencies):
    answer = create(staff_client(satgas_katingan), agencies["pemkab-katingan"])
    assert answer.status_code == 404
    assert ApiToken.objects.count() == 0


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
    token = page.context["tokens"].get()
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
