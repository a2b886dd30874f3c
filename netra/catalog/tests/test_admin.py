from datetime import date

import pytest
from django.urls import reverse

from netra.catalog.calendar import load_cuti_bersama
from netra.catalog.elections import load_elections
from netra.catalog.models import NonWorkingDay
from netra.catalog.regions import load_regions

pytestmark = pytest.mark.django_db

MODELS = [
    "region",
    "election",
    "nonworkingday",
    "sanctioncategory",
    "sanctiontype",
    "violationgroup",
]


@pytest.fixture
def loaded():
    load_regions()
    load_elections()
    load_cuti_bersama()


@pytest.mark.parametrize("model", MODELS)
def test_changelist_opens_for_a_superuser(admin_client, loaded, model):
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_election_page_shows_its_phases_inline(admin_client, loaded):
    response = admin_client.get(reverse("admin:catalog_election_change", args=["pilkada-2024"]))
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 6


def test_region_search_finds_katingan(admin_client, loaded):
    response = admin_client.get(reverse("admin:catalog_region_changelist"), {"q": "Katingan"})
    assert [r.code for r in response.context["cl"].result_list] == ["62.06"]


def test_a_cuti_bersama_day_can_be_added_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:catalog_nonworkingday_add"), {"date": "2027-01-04", "description": "Cuti bersama uji"}
    )
    assert response.status_code == 302
    assert NonWorkingDay.objects.filter(date=date(2027, 1, 4)).exists()


def test_labels_are_indonesian(admin_client, loaded):
    response = admin_client.get(reverse("admin:catalog_region_changelist"))
    assert "Kode wilayah" in response.content.decode()
