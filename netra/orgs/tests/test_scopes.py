"""Who sees which agencies: every role and agency kind that matters, written out by hand."""

import pytest
from django.contrib.auth.models import AnonymousUser

from netra.orgs.models import Agency, Unit
from netra.orgs.selectors import (
    KIND_REACH,
    Scope,
    admin_scope,
    agencies_for,
    case_scope,
    members_of,
    roles_in,
)
from netra.orgs.tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory

K = Agency.Kind

# Besides the demo agencies: an inspektorat under Pemkab Katingan, a ministry with a provincial
# and a district office below it (two levels), and a city in Kalteng.
EXTRA_AGENCIES = [
    # code, kind, region, parent
    ("inspektorat-katingan", K.INSPECTORATE, "62.06", "pemkab-katingan"),
    ("kemenag", K.MINISTRY, None, None),
    ("kanwil-kemenag-kalteng", K.MINISTRY, "62", "kemenag"),
    ("kankemenag-katingan", K.MINISTRY, "62.06", "kanwil-kemenag-kalteng"),
    ("pemkot-palangka-raya", K.PEMDA_CITY, "62.71", None),
]

KATINGAN_PEMDA = {"pemkab-katingan", "inspektorat-katingan"}
KALTENG = {
    "pemprov-kalteng",
    "pemkab-katingan",
    "pemkab-barito-selatan",
    "pemkot-palangka-raya",
    "bawaslu-prov-kalteng",
    "bawaslu-kab-katingan",
    "pengamat-kalteng",
    "inspektorat-katingan",
    "kanwil-kemenag-kalteng",
    "kankemenag-katingan",
}
EVERYTHING = KALTENG | {
    "pemkab-konawe-selatan",
    "bawaslu-ri",
    "bkn-pusat",
    "kanreg-bkn-banjarmasin",
    "kemenag",
}

CASE_SCOPE_TABLE = [
    # id, role, agency of the membership, agencies whose cases the user sees
    ("katingan-satgas", "satgas_officer", "pemkab-katingan", KATINGAN_PEMDA),
    ("katingan-lead", "satgas_lead", "pemkab-katingan", KATINGAN_PEMDA),
    ("katingan-ppk", "ppk", "pemkab-katingan", KATINGAN_PEMDA),
    ("katingan-observer", "observer", "pemkab-katingan", KATINGAN_PEMDA),
    ("katingan-admin-sees-no-cases", "agency_admin", "pemkab-katingan", set()),
    ("barsel-satgas", "satgas_officer", "pemkab-barito-selatan", {"pemkab-barito-selatan"}),
    ("kota-satgas", "satgas_officer", "pemkot-palangka-raya", {"pemkot-palangka-raya"}),
    ("konsel-satgas", "satgas_officer", "pemkab-konawe-selatan", {"pemkab-konawe-selatan"}),
    ("pemprov-satgas-sees-province", "satgas_officer", "pemprov-kalteng", KALTENG),
    (
        "bawaslu-kab-sees-its-kabupaten",
        "bawaslu_officer",
        "bawaslu-kab-katingan",
        {"bawaslu-kab-katingan", "pemkab-katingan", "inspektorat-katingan", "kankemenag-katingan"},
    ),
    ("bawaslu-prov-sees-province", "bawaslu_officer", "bawaslu-prov-kalteng", KALTENG),
    ("bawaslu-ri-sees-all", "bawaslu_officer", "bawaslu-ri", EVERYTHING),
    (
        "kanreg-sees-covered-provinces",
        "bkn_supervisor",
        "kanreg-bkn-banjarmasin",
        KALTENG | {"kanreg-bkn-banjarmasin"},
    ),
    ("bkn-pusat-sees-all", "bkn_supervisor", "bkn-pusat", EVERYTHING),
    ("bkn-pusat-admin-sees-no-cases", "agency_admin", "bkn-pusat", set()),
    ("inspektorat-sees-parent", "observer", "inspektorat-katingan", KATINGAN_PEMDA),
    ("pengamat-sees-its-region", "observer", "pengamat-kalteng", KALTENG),
    (
        "ministry-sees-children-at-any-depth",
        "satgas_officer",
        "kemenag",
        {"kemenag", "kanwil-kemenag-kalteng", "kankemenag-katingan"},
    ),
]

ADMIN_SCOPE_TABLE = [
    ("katingan-admin", "agency_admin", "pemkab-katingan", {"pemkab-katingan"}),
    ("bkn-pusat-admin-only-own", "agency_admin", "bkn-pusat", {"bkn-pusat"}),
    ("lead-manages-nobody", "satgas_lead", "pemkab-katingan", set()),
    ("bkn-supervisor-manages-nobody", "bkn_supervisor", "bkn-pusat", set()),
]


@pytest.fixture
def world(agencies):
    world = dict(agencies)
    for code, kind, region, parent in EXTRA_AGENCIES:
        world[code] = AgencyFactory(code=code, kind=kind, region_id=region, parent=world[parent] if parent else None)
    return world


def member(world, role, agency_code, **membership):
    return MembershipFactory(agency=world[agency_code], role=role, **membership).user


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_world_is_what_the_table_assumes(world):
    assert codes(Agency.objects.all()) == EVERYTHING


@pytest.mark.parametrize(
    ("role", "agency", "expected"), [r[1:] for r in CASE_SCOPE_TABLE], ids=[r[0] for r in CASE_SCOPE_TABLE]
)
def test_case_scope(world, role, agency, expected):
    assert codes(case_scope(member(world, role, agency)).agencies()) == expected


@pytest.mark.parametrize(
    ("role", "agency", "expected"), [r[1:] for r in ADMIN_SCOPE_TABLE], ids=[r[0] for r in ADMIN_SCOPE_TABLE]
)
def test_admin_scope(world, role, agency, expected):
    assert codes(admin_scope(member(world, role, agency)).agencies()) == expected


def test_every_agency_kind_has_a_reach_rule():
    assert set(KIND_REACH) == set(Agency.Kind.values)


# --- the named cases, on the shared personas ---------------------------------------------


def test_katingan_satgas_sees_katingan(satgas_katingan):
    assert "pemkab-katingan" in codes(case_scope(satgas_katingan).agencies())


def test_katingan_satgas_does_not_see_barito_selatan(satgas_katingan):
    assert "pemkab-barito-selatan" not in codes(case_scope(satgas_katingan).agencies())


def test_bawaslu_kalteng_sees_katingan_and_barito_selatan(bawaslu_kalteng):
    assert {"pemkab-katingan", "pemkab-barito-selatan"} <= codes(case_scope(bawaslu_kalteng).agencies())


def test_bawaslu_katingan_sees_katingan_region_only(bawaslu_katingan):
    scope = case_scope(bawaslu_katingan)
    assert scope.region_prefixes == ("62.06",)
    assert "pemkab-barito-selatan" not in codes(scope.agencies())


def test_kanreg_sees_both_kabupaten_but_not_another_province(bkn_kanreg):
    seen = codes(case_scope(bkn_kanreg).agencies())
    assert {"pemkab-katingan", "pemkab-barito-selatan"} <= seen
    assert "pemkab-konawe-selatan" not in seen


def test_bkn_pusat_sees_everything(bkn_supervisor):
    assert case_scope(bkn_supervisor).everything


def test_agency_admin_sees_no_cases(admin_katingan):
    assert case_scope(admin_katingan).is_empty


def test_agency_admin_administers_own_agency(admin_katingan, agencies):
    assert admin_scope(admin_katingan).agency_ids == {agencies["pemkab-katingan"].pk}


def test_outsider_sees_nothing(outsider):
    assert case_scope(outsider).is_empty and admin_scope(outsider).is_empty


# --- what switches a scope off -------------------------------------------------------------------


def test_inactive_membership_sees_nothing(agencies):
    user = MembershipFactory(agency=agencies["pemkab-katingan"], active=False).user
    assert case_scope(user).is_empty


def test_inactive_user_sees_nothing(satgas_katingan):
    satgas_katingan.is_active = False
    satgas_katingan.save()
    assert case_scope(satgas_katingan).is_empty


def test_inactive_agency_gives_nothing(satgas_katingan, agencies):
    Agency.objects.filter(code="pemkab-katingan").update(active=False)
    assert case_scope(satgas_katingan).is_empty


def test_inactive_admin_membership_manages_nothing(agencies):
    user = MembershipFactory(agency=agencies["pemkab-katingan"], role="agency_admin", active=False).user
    assert admin_scope(user).is_empty


def test_anonymous_sees_nothing():
    assert case_scope(AnonymousUser()).is_empty


def test_superuser_sees_everything(db):
    admin = UserFactory(is_superuser=True)
    assert case_scope(admin).everything and admin_scope(admin).everything


def test_inactive_superuser_sees_nothing(db):
    admin = UserFactory(is_superuser=True, is_active=False)
    assert case_scope(admin).is_empty


# --- unions --------------------------------------------------------------------------------------


def test_scope_is_the_union_of_memberships(satgas_katingan, agencies):
    MembershipFactory(user=satgas_katingan, agency=agencies["pemkab-barito-selatan"])
    assert codes(case_scope(satgas_katingan).agencies()) == {"pemkab-katingan", "pemkab-barito-selatan"}


def test_admin_who_is_also_officer_sees_cases_through_the_officer_role(admin_katingan, agencies):
    MembershipFactory(user=admin_katingan, agency=agencies["pemkab-katingan"], role="satgas_officer")
    assert codes(case_scope(admin_katingan).agencies()) == {"pemkab-katingan"}


def test_one_national_membership_makes_the_union_everything(satgas_katingan, agencies):
    MembershipFactory(user=satgas_katingan, agency=agencies["bkn-pusat"], role="bkn_supervisor")
    assert case_scope(satgas_katingan).everything


def test_agencies_for_joins_case_and_admin_scope(admin_katingan, agencies):
    MembershipFactory(user=admin_katingan, agency=agencies["pemkab-barito-selatan"], role="satgas_officer")
    assert codes(agencies_for(admin_katingan)) == {"pemkab-katingan", "pemkab-barito-selatan"}


def test_agencies_for_leaves_out_inactive_agencies(bawaslu_kalteng):
    Agency.objects.filter(code="pemkab-barito-selatan").update(active=False)
    assert "pemkab-barito-selatan" not in codes(agencies_for(bawaslu_kalteng))


def test_case_scope_takes_a_bounded_number_of_queries(bkn_kanreg, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        case_scope(bkn_kanreg)


# --- the Scope value -----------------------------------------------------------------------------


def test_prefix_6_does_not_match_62(regions):
    assert not Scope(region_prefixes=("6",)).covers_region("62")


def test_prefix_6_selects_no_kalteng_agency(agencies):
    assert codes(Scope(region_prefixes=("6",)).agencies()) == set()


def test_prefix_62_0_does_not_match_62_06(agencies):
    assert codes(Scope(region_prefixes=("62.0",)).agencies()) == set()


def test_province_prefix_covers_itself_and_its_kabupaten():
    scope = Scope(region_prefixes=("62",))
    assert scope.covers_region("62") and scope.covers_region("62.06")
    assert not scope.covers_region("63.71")


def test_prefixes_are_deduplicated_and_narrower_ones_dropped():
    assert Scope(region_prefixes=("62.06", "62", "62", "63.71")).region_prefixes == ("62", "63.71")


def test_union_of_scopes():
    union = Scope(agency_ids=frozenset({1}), region_prefixes=("62",)) | Scope(agency_ids=frozenset({2}))
    assert union == Scope(agency_ids=frozenset({1, 2}), region_prefixes=("62",))


def test_union_with_everything_is_everything():
    assert (Scope.nothing() | Scope.all()).everything


def test_empty_scope_filters_without_asking_the_database(agencies, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Agency.objects.filter(Scope.nothing().q(agency_field="pk"))) == []


def test_q_filters_another_model_through_a_region_path(agencies):
    UnitFactory(agency=agencies["pemkab-konawe-selatan"], name="Dinas Konsel")
    scope = Scope(region_prefixes=("62",))
    units = Unit.objects.filter(scope.q(agency_field="agency", region_field="agency__region"))
    assert units.exists()
    assert not units.filter(agency__code="pemkab-konawe-selatan").exists()


def test_q_by_agency_only(agencies):
    scope = Scope(agency_ids=frozenset({agencies["pemkab-katingan"].pk}), region_prefixes=("74",))
    units = Unit.objects.filter(scope.q(agency_field="agency", region_field=None))
    assert set(units.values_list("agency__code", flat=True)) == {"pemkab-katingan"}


def test_covers_matches_q_on_one_object(agencies):
    scope = Scope(region_prefixes=("62.04",))
    barsel = agencies["pemkab-barito-selatan"]
    assert scope.covers(agency_id=barsel.pk, region_code=barsel.region_id)
    assert not scope.covers(agency_id=agencies["pemkab-katingan"].pk, region_code="62.06")


# --- members and roles ---------------------------------------------------------------------------


def test_members_of_lists_active_members(satgas_katingan, satgas_barsel, agencies):
    assert [m.user for m in members_of(agencies["pemkab-katingan"])] == [satgas_katingan]


def test_members_of_leaves_out_inactive_memberships(satgas_katingan, agencies):
    satgas_katingan.memberships.update(active=False)
    assert not members_of(agencies["pemkab-katingan"]).exists()


def test_roles_in_applies_nesting(lead_katingan, agencies):
    assert roles_in(lead_katingan, agencies["pemkab-katingan"]) == {"satgas_lead", "satgas_officer"}


def test_roles_in_another_agency_is_empty(satgas_barsel, agencies):
    assert roles_in(satgas_barsel, agencies["pemkab-katingan"]) == frozenset()
