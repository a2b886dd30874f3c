"""The case's stored province (``Case.province``, migration 0025) and the scope read through it:
a province is one part of the queue (``cases_q_parts``), and ``cases_q`` finds exactly the cases
that the scope's own rule (``orgs.selectors.Scope.q``: the code, or a code under it) finds."""

import datetime

import pytest
from django.db.models import Q

from netra.cases.models import Case
from netra.cases.scope import actor_scope, cases_q, cases_q_parts, receiving_agency_ids, region_q
from netra.cases.tests.test_selectors import make_case
from netra.catalog.models import Region

pytestmark = pytest.mark.django_db


def test_the_province_is_the_regions_first_two_characters_and_follows_every_write(agencies, regions):
    case = make_case(agencies["pemkab-katingan"], regions["62.06"])
    assert Case.objects.get(pk=case.pk).province == "62"
    # update() and raw writes bypass the model: the database computes the column itself.
    Case.objects.filter(pk=case.pk).update(region_id="63")
    assert Case.objects.values_list("province", flat=True).get(pk=case.pk) == "63"
    made = Case.objects.bulk_create(
        [Case(region=regions["62.04"], incident_date=datetime.date(2026, 11, 1), status=Case.Status.RECEIVED)]
    )
    assert Case.objects.get(pk=made[0].pk).province == "62"


def _scope_rule(user) -> Q:
    """What the orgs rule and the referral give, without the stored province."""
    condition = actor_scope(user).q(agency_field="agency", region_field="region")
    if receiving := receiving_agency_ids(user):
        condition |= Q(referred_to__in=sorted(receiving))
    return condition


@pytest.fixture
def everywhere(agencies, regions):
    """Cases in every demo region (a province, its kabupaten/kota, other provinces), with and
    without an agency, one referred; plus a region whose code shares Kalteng's first digit."""
    near = Region.objects.create(code="6", kind=Region.Kind.PROVINCE, name="Bukan Kalteng", timezone="Asia/Jakarta")
    owners = [None, agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]]
    places = [*regions.values(), near]
    cases = [make_case(owner, place) for owner in owners for place in places]
    Case.objects.filter(pk=cases[-1].pk).update(referred_to=agencies["pemkab-katingan"])
    return cases


@pytest.mark.parametrize(
    "persona", ["satgas_katingan", "bawaslu_katingan", "bawaslu_kalteng", "bkn_kanreg", "observer", "outsider"]
)
def test_cases_q_finds_what_the_scope_rule_finds(request, everywhere, persona):
    user = request.getfixturevalue(persona)
    found = set(Case.objects.filter(cases_q(user)).values_list("pk", flat=True))
    assert found == set(Case.objects.filter(_scope_rule(user)).values_list("pk", flat=True))
    # ... through a relation too (the prefix every child list uses).
    from netra.cases.models import Transition

    for case in everywhere:
        Transition.objects.create(case=case, from_state="", to_state="received")
    through = set(Transition.objects.filter(cases_q(user, prefix="case__")).values_list("case_id", flat=True))
    assert through == found


def test_a_province_is_one_part_a_kabupaten_its_region(bawaslu_kalteng, bawaslu_katingan, bkn_kanreg, agencies):
    own = agencies["bawaslu-prov-kalteng"].pk
    # Its own agency, its province, the cases referred to it: three parts (were 2 + its 14 regions).
    assert cases_q_parts(bawaslu_kalteng) == [
        (Q(agency_id=own), True),
        (Q(province="62"), True),
        (Q(referred_to_id=own), True),
    ]
    # A Kanreg BKN's provinces: one part each, whatever the number of their kabupaten/kota.
    assert [q for q, _ in cases_q_parts(bkn_kanreg) if "province" in str(q)] == [
        Q(province=code) for code in ("62", "63", "64", "65")
    ]
    assert (Q(region_id="62.06"), True) in cases_q_parts(bawaslu_katingan)


def test_the_region_filter_finds_the_region_and_what_lies_under_it(everywhere):
    """``region_q`` (the queue's and the agency API's region filter) against the code-or-under-it
    rule: a province by its stored column, a kabupaten/kota by its code; "6" is not Kalteng's."""
    for code in Region.objects.values_list("code", flat=True):
        found = set(Case.objects.filter(region_q(code)).values_list("pk", flat=True))
        rule = Q(region_id=code) | Q(region__code__startswith=f"{code}.")
        assert found == set(Case.objects.filter(rule).values_list("pk", flat=True)), code
        assert found, code
