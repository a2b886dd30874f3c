"""Signer details (issue #16 item 2): "Profil saya" for everyone, the agency admin's edit from the
people page, and nobody else (another agency's admin, a colleague: 404). Every change audited."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.orgs.models import Membership
from netra.orgs.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
DATA = {
    "first_name": "Rahmat",
    "last_name": "Hidayat, S.H.",
    "nip": "197805122005011003",
    "pangkat_golongan": "Pembina (IV/a)",
    "jabatan": "Asisten Pemerintahan Setda Kabupaten Katingan",
}


@pytest.fixture
def admin_barsel(agencies):
    user = UserFactory(username="admin.barsel")
    MembershipFactory(user=user, agency=agencies["pemkab-barito-selatan"], role=Membership.Role.AGENCY_ADMIN)
    return user


def test_everyone_edits_their_own_profile_and_it_is_audited(staff_client, lead_katingan):
    client = staff_client(lead_katingan)
    page = client.get(reverse("workspace:profile")).text
    assert "Profil saya" in page and "Belum diisi untuk menandatangani surat" in page
    response = client.post(reverse("workspace:profile"), DATA)
    assert response.status_code == 302
    lead_katingan.refresh_from_db()
    assert (lead_katingan.nip, lead_katingan.jabatan) == (DATA["nip"], DATA["jabatan"])
    event = AuditEvent.objects.get(action="user.profile_updated")
    assert event.actor_id == lead_katingan.pk and event.payload["by_self"] is True
    assert set(event.payload["fields"]) == set(DATA)
    assert "Data penanda tangan lengkap" in client.get(reverse("workspace:profile")).text


def test_a_wrong_nip_is_refused_in_indonesian_and_nothing_changes(staff_client, lead_katingan):
    response = staff_client(lead_katingan).post(reverse("workspace:profile"), DATA | {"nip": "1978-05"})
    assert response.status_code == 422
    assert "NIP terdiri atas 18 angka." in response.text
    lead_katingan.refresh_from_db()
    assert lead_katingan.nip == "" and not AuditEvent.objects.filter(action="user.profile_updated").exists()


def test_the_agency_admin_edits_their_peoples_profile(staff_client, admin_katingan, lead_katingan):
    client = staff_client(admin_katingan)
    people = client.get(reverse("workspace:people")).text
    url = reverse("workspace:people_profile", args=[lead_katingan.pk])
    assert url in people
    assert client.post(url, DATA).status_code == 302
    lead_katingan.refresh_from_db()
    assert lead_katingan.jabatan == DATA["jabatan"]
    event = AuditEvent.objects.get(action="user.profile_updated")
    assert event.actor_id == admin_katingan.pk and event.payload["by_self"] is False


def test_another_agencys_admin_and_a_colleague_get_404(
    staff_client, admin_barsel, satgas_katingan, lead_katingan, admin_katingan
):
    url = reverse("workspace:people_profile", args=[lead_katingan.pk])
    for outsider in (admin_barsel, satgas_katingan):
        client = staff_client(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, DATA).status_code == 404
    # An agency admin does not reach a superuser either.
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert staff_client(admin_katingan).get(reverse("workspace:people_profile", args=[root.pk])).status_code == 404
    lead_katingan.refresh_from_db()
    assert lead_katingan.jabatan == "" and not AuditEvent.objects.filter(action="user.profile_updated").exists()


def test_an_admins_link_to_their_own_profile_goes_to_profil_saya(staff_client, admin_katingan):
    response = staff_client(admin_katingan).get(reverse("workspace:people_profile", args=[admin_katingan.pk]))
    assert response.status_code == 302 and response.url == reverse("workspace:profile")
