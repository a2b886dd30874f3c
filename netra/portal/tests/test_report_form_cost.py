"""The report form's region pickers come from the per-process region table (netra.cases.lookups)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netra.catalog.models import Region
from netra.portal.forms import ReportForm, region_choices

pytestmark = pytest.mark.django_db


def test_a_second_form_reads_no_region(regions):
    ReportForm()
    with CaptureQueriesContext(connection) as captured:
        ReportForm()
    assert captured.captured_queries == []


def test_the_pickers_list_provinces_and_their_kab_kota_by_code(regions):
    provinces, regencies = region_choices()
    expected = list(Region.objects.filter(kind=Region.Kind.PROVINCE).order_by("code").values_list("code", "name"))
    assert provinces[1:] == expected
    by_name = dict(regencies[2:])
    for code, name in expected:
        assert by_name[name] == list(Region.objects.filter(parent_id=code).order_by("code").values_list("code", "name"))


def test_a_region_saved_in_this_process_is_offered_at_once(regions):
    ReportForm()
    Region.objects.create(code="62.99", name="Kabupaten Uji", kind=Region.Kind.REGENCY, parent_id="62")
    _provinces, regencies = region_choices()
    assert ("62.99", "Kabupaten Uji") in dict(regencies[2:])[Region.objects.get(code="62").name]
