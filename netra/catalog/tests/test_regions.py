import re

import pytest

from netra.catalog.models import Region
from netra.catalog.regions import load_regions, provinces, regencies_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return load_regions()


def test_load_returns_the_number_of_rows(loaded):
    assert loaded == 552
    assert Region.objects.count() == 552


def test_there_are_38_provinces(loaded):
    assert provinces().count() == 38


def test_there_are_514_kabupaten_and_kota(loaded):
    assert Region.objects.filter(kind=Region.Kind.REGENCY).count() == 416
    assert Region.objects.filter(kind=Region.Kind.CITY).count() == 98


def test_province_codes_are_two_digits(loaded):
    assert all(re.fullmatch(r"\d{2}", code) for code in provinces().values_list("code", flat=True))


def test_regency_codes_are_two_pairs_of_digits(loaded):
    codes = Region.objects.exclude(kind=Region.Kind.PROVINCE).values_list("code", flat=True)
    assert all(re.fullmatch(r"\d{2}\.\d{2}", code) for code in codes)


def test_each_regency_belongs_to_the_province_of_its_code_prefix(loaded):
    mismatched = [
        (code, parent)
        for code, parent in Region.objects.exclude(kind=Region.Kind.PROVINCE).values_list("code", "parent_id")
        if parent != code[:2]
    ]
    assert mismatched == []


def test_the_four_papua_provinces_of_2022_exist(loaded):
    names = dict(provinces().filter(code__in=["93", "94", "95", "96"]).values_list("code", "name"))
    assert names == {
        "93": "Papua Selatan",
        "94": "Papua Tengah",
        "95": "Papua Pegunungan",
        "96": "Papua Barat Daya",
    }


def test_katingan_and_barito_selatan_have_their_kemendagri_codes(loaded):
    assert Region.objects.get(code="62.06").name == "Kabupaten Katingan"
    assert Region.objects.get(code="62.04").name == "Kabupaten Barito Selatan"


def test_kind_follows_the_name(loaded):
    assert Region.objects.get(code="62.71").kind == Region.Kind.CITY
    assert Region.objects.get(code="31.01").kind == Region.Kind.REGENCY  # Kabupaten Administrasi


def test_every_region_has_a_timezone(loaded):
    assert not Region.objects.filter(timezone="").exists()
    assert set(Region.objects.values_list("timezone", flat=True)) == set(Region.Zone.values)


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("11", Region.Zone.WIB),  # Aceh
        ("31.71", Region.Zone.WIB),  # Jakarta Pusat
        ("61.71", Region.Zone.WIB),  # Pontianak: Kalimantan Barat is WIB
        ("62.06", Region.Zone.WIB),  # Katingan: Kalimantan Tengah is WIB
        ("51.71", Region.Zone.WITA),  # Denpasar
        ("63.08", Region.Zone.WITA),  # Hulu Sungai Utara: Kalimantan Selatan is WITA
        ("65", Region.Zone.WITA),  # Kalimantan Utara
        ("74.05", Region.Zone.WITA),  # Konawe Selatan
        ("74.13", Region.Zone.WITA),  # Muna Barat
        ("81.71", Region.Zone.WIT),  # Ambon
        ("82", Region.Zone.WIT),  # Maluku Utara
        ("96.71", Region.Zone.WIT),  # Sorong, Papua Barat Daya
    ],
)
def test_timezone_of_known_regions(loaded, code, zone):
    assert Region.objects.get(code=code).timezone == zone


def test_a_regency_has_the_timezone_of_its_province(loaded):
    mismatched = [
        r.code
        for r in Region.objects.select_related("parent").filter(parent__isnull=False)
        if r.timezone != r.parent.timezone
    ]
    assert mismatched == []


def test_regencies_of_lists_the_kabupaten_and_kota_of_a_province(loaded):
    assert list(regencies_of("62").values_list("code", flat=True)) == [
        *(f"62.{n:02d}" for n in range(1, 14)),
        "62.71",
    ]


def test_loading_twice_changes_nothing(loaded):
    before = list(Region.objects.values_list("code", "name", "kind", "parent_id", "timezone"))
    assert load_regions() == 552
    assert list(Region.objects.values_list("code", "name", "kind", "parent_id", "timezone")) == before


def test_loading_restores_an_edited_name(loaded):
    Region.objects.filter(code="62.06").update(name="Katingan (typo)")
    load_regions()
    assert Region.objects.get(code="62.06").name == "Kabupaten Katingan"
