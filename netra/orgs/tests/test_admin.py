import pytest
from django.urls import reverse

from netra.orgs.models import Agency, Membership, Unit


@pytest.fixture
def admin_client_with_demo(admin_client, satgas_katingan):
    return admin_client


@pytest.mark.parametrize("model", ["user", "agency", "unit", "membership"])
def test_changelist_opens(admin_client_with_demo, model):
    assert admin_client_with_demo.get(reverse(f"admin:orgs_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", ["user", "agency", "unit", "membership"])
def test_add_page_opens(admin_client_with_demo, model):
    assert admin_client_with_demo.get(reverse(f"admin:orgs_{model}_add")).status_code == 200


def test_user_page_shows_memberships_inline(admin_client_with_demo, satgas_katingan):
    response = admin_client_with_demo.get(reverse("admin:orgs_user_change", args=[satgas_katingan.pk]))
    assert response.status_code == 200
    assert "Pemerintah Kabupaten Katingan" in response.content.decode()


def test_agency_page_shows_units_inline(admin_client_with_demo):
    katingan = Agency.objects.get(code="pemkab-katingan")
    response = admin_client_with_demo.get(reverse("admin:orgs_agency_change", args=[katingan.pk]))
    assert "Dinas Pendidikan" in response.content.decode()


def test_agency_changelist_filters_by_kind(admin_client_with_demo):
    response = admin_client_with_demo.get(reverse("admin:orgs_agency_changelist"), {"kind__exact": "bkn_kanreg"})
    assert [a.code for a in response.context["cl"].result_list] == ["kanreg-bkn-banjarmasin"]


def test_agency_search_by_name(admin_client_with_demo):
    response = admin_client_with_demo.get(reverse("admin:orgs_agency_changelist"), {"q": "Barito"})
    assert [a.code for a in response.context["cl"].result_list] == ["pemkab-barito-selatan"]


def test_membership_search_by_username(admin_client_with_demo):
    response = admin_client_with_demo.get(reverse("admin:orgs_membership_changelist"), {"q": "satgas.katingan"})
    assert list(response.context["cl"].result_list) == list(Membership.objects.filter(user__username="satgas.katingan"))


def test_unit_changelist_lists_opds(admin_client_with_demo):
    response = admin_client_with_demo.get(reverse("admin:orgs_unit_changelist"))
    assert response.context["cl"].result_count == Unit.objects.count() > 0
