"""The elections page (issue #16 item 5): a national admin (BKN pusat / Bawaslu RI agency admin,
or a superuser) adds Pemilu 2029 and its phases; overlapping phases or phases outside the
election are refused in Indonesian; the sanction suggestion and the election lookup follow at
once; audited; anyone else 404."""

import datetime

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases import lookups
from netra.catalog.elections import phase_on
from netra.catalog.models import Election
from netra.catalog.violations import suggest_category, violation_groups
from netra.orgs.models import Membership
from netra.orgs.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PEMILU_2029 = {
    "code": "pemilu-2029",
    "name": "Pemilu 2029",
    "kind": "pemilu",
    "voting_date": "2029-02-14",
    "source": "PKPU (rancangan)",
    "phase_pre_designation_start": "2027-06-14",
    "phase_pre_designation_end": "2028-11-12",
    "phase_designation_start": "2028-11-13",
    "phase_designation_end": "2028-11-27",
    "phase_campaign_start": "2028-11-28",
    "phase_campaign_end": "2029-02-10",
    "phase_quiet_start": "2029-02-11",
    "phase_quiet_end": "2029-02-13",
    "phase_voting_start": "2029-02-14",
    "phase_voting_end": "2029-02-14",
    "phase_counting_start": "2029-02-14",
    "phase_counting_end": "2029-03-20",
}


@pytest.fixture
def national_admin(agencies):
    user = UserFactory(username="admin.bkn")
    MembershipFactory(user=user, agency=agencies["bkn-pusat"], role=Membership.Role.AGENCY_ADMIN)
    return user


@pytest.fixture
def catalogue_loaded(db):
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()


def suggestions_on(day):
    return {group.code: suggest_category(group, day) for group in violation_groups()}


def test_a_national_admin_adds_pemilu_2029_and_the_suggestion_follows(staff_client, national_admin, catalogue_loaded):
    client = staff_client(national_admin)
    assert "Pemilu 2029" not in client.get(reverse("workspace:elections")).text
    assert lookups.election("pemilu-2029") is None
    before = suggestions_on(D(2028, 6, 1))
    assert phase_on(D(2028, 6, 1)) is None
    response = client.post(reverse("workspace:election_new"), PEMILU_2029)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert lookups.election("pemilu-2029").name == "Pemilu 2029"
    assert phase_on(D(2028, 6, 1)).kind == "pre_designation"
    assert suggestions_on(D(2028, 6, 1)) != before  # ethics before designation, not discipline
    election = Election.objects.get(code="pemilu-2029")
    assert election.phases.count() == 6
    event = AuditEvent.objects.get(action="election.created")
    assert event.actor_id == national_admin.pk and event.payload["after"]["phases"]["voting"] == ["2029-02-14"] * 2
    page = client.get(reverse("workspace:elections")).text
    assert "Pemilu 2029" in page and "14 Feb 2029" in page


def test_overlapping_phases_are_refused_in_indonesian(staff_client, national_admin):
    client = staff_client(national_admin)
    data = PEMILU_2029 | {"phase_campaign_start": "2028-11-20"}  # inside the designation phase
    response = client.post(reverse("workspace:election_new"), data)
    assert response.status_code == 422
    assert "Bertumpang tindih dengan tahapan Penetapan calon" in response.text
    assert not Election.objects.filter(code="pemilu-2029").exists()
    assert not AuditEvent.objects.filter(action__startswith="election.").exists()


def test_phases_outside_the_election_are_refused(staff_client, national_admin):
    client = staff_client(national_admin)
    late_quiet = PEMILU_2029 | {"phase_quiet_end": "2029-02-14", "phase_voting_start": "2029-02-15"}
    response = client.post(reverse("workspace:election_new"), late_quiet)
    assert response.status_code == 422
    assert "harus selesai sebelum hari pemungutan suara" in response.text
    assert "harus memuat hari pemungutan suara" in response.text
    half = PEMILU_2029 | {"phase_quiet_end": ""}
    assert "Isi tanggal mulai dan selesai" in client.post(reverse("workspace:election_new"), half).text


def test_a_psu_with_only_voting_and_counting_and_an_edit(staff_client, national_admin):
    client = staff_client(national_admin)
    psu = {
        "code": "psu-pilkada-2024-katingan",
        "name": "PSU Pilkada Katingan 2024",
        "kind": "pilkada",
        "voting_date": "2025-02-22",
        "phase_voting_start": "2025-02-22",
        "phase_voting_end": "2025-02-22",
        "phase_counting_start": "2025-02-22",
        "phase_counting_end": "2025-03-01",
    }
    assert client.post(reverse("workspace:election_new"), psu).status_code == 302
    assert client.post(reverse("workspace:election_new"), psu).status_code == 422  # the code is taken
    url = reverse("workspace:election_edit", args=["psu-pilkada-2024-katingan"])
    assert client.post(url, psu | {"phase_counting_end": "2025-03-05", "code": "something-else"}).status_code == 302
    election = Election.objects.get(code="psu-pilkada-2024-katingan")
    assert election.phases.get(kind="counting").end == D(2025, 3, 5)
    assert not Election.objects.filter(code="something-else").exists()  # the code stays
    changed = AuditEvent.objects.get(action="election.changed")
    assert changed.payload["before"]["phases"]["counting"][1] == "2025-03-01"


def test_nobody_else_reaches_the_page(staff_client, admin_katingan, bkn_supervisor, satgas_katingan, bawaslu_katingan):
    for user in (admin_katingan, bkn_supervisor, satgas_katingan, bawaslu_katingan):
        client = staff_client(user)
        assert client.get(reverse("workspace:elections")).status_code == 404
        assert client.post(reverse("workspace:election_new"), PEMILU_2029).status_code == 404
    assert not Election.objects.filter(code="pemilu-2029").exists()


def test_bawaslu_ri_admin_and_superuser_may(staff_client, agencies):
    bawaslu_ri = UserFactory(username="admin.bawaslu")
    MembershipFactory(user=bawaslu_ri, agency=agencies["bawaslu-ri"], role=Membership.Role.AGENCY_ADMIN)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    for user in (bawaslu_ri, root):
        assert staff_client(user).get(reverse("workspace:elections")).status_code == 200
