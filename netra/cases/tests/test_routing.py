import pytest

from netra.cases.intake import report_submit, route
from netra.cases.tests.fixtures import report_data
from netra.orgs.models import Agency

pytestmark = pytest.mark.django_db


def test_a_report_in_katingan_goes_to_the_katingan_pemda(katingan, pemkab_katingan, kanreg_banjarmasin):
    receipt = report_submit(data=report_data(region_code="62.06"))
    assert receipt.case.agency == pemkab_katingan


def test_a_kab_kota_without_a_pemda_in_netra_goes_to_the_bkn_regional_office(palangka_raya, kanreg_banjarmasin):
    receipt = report_submit(data=report_data(region_code="62.71"))
    assert receipt.case.agency == kanreg_banjarmasin


def test_a_province_level_report_goes_to_the_pemprov_when_it_is_in_netra(kalteng, agencies):
    assert route(kalteng) == agencies["pemprov-kalteng"]


def test_an_inactive_pemda_is_skipped(katingan, pemkab_katingan, kanreg_banjarmasin):
    Agency.objects.filter(pk=pemkab_katingan.pk).update(active=False)
    assert route(katingan) == kanreg_banjarmasin


def test_a_region_nobody_covers_goes_to_national_triage(papua):
    receipt = report_submit(data=report_data(region_code="91"))
    assert receipt.case.agency is None


def test_a_bawaslu_office_of_the_region_does_not_own_the_case(katingan, agencies):
    Agency.objects.filter(kind__startswith="pemda").delete()
    Agency.objects.filter(kind=Agency.Kind.BKN_REGIONAL).update(active=False)
    assert agencies["bawaslu-kab-katingan"].region == katingan
    assert route(katingan) is None


def test_an_explicit_agency_overrides_the_routing(katingan, pemkab_katingan, kanreg_banjarmasin):
    receipt = report_submit(data=report_data(), source="agency_referral", agency=kanreg_banjarmasin)
    assert receipt.case.agency == kanreg_banjarmasin
    assert receipt.case.source == "agency_referral"
