"""Memberships read once per request and shared (netra.orgs.per_request), read again after a change."""

import pytest

from netra.orgs.models import Membership
from netra.orgs.per_request import active_roles, live_memberships, once_per_request
from netra.orgs.selectors import case_scope

pytestmark = pytest.mark.django_db


def test_inside_a_request_the_memberships_are_read_once(satgas_katingan, django_assert_num_queries):
    with once_per_request(), django_assert_num_queries(1):
        live_memberships(satgas_katingan)
        live_memberships(satgas_katingan)
        active_roles(satgas_katingan)
    with django_assert_num_queries(2):  # outside a request: every time
        live_memberships(satgas_katingan)
        live_memberships(satgas_katingan)


def test_a_membership_changed_in_the_request_is_read_again(satgas_katingan, agencies):
    with once_per_request():
        assert case_scope(satgas_katingan).covers(agency_id=agencies["pemkab-katingan"].pk, region_code="62.06")
        Membership.objects.filter(user=satgas_katingan).get().delete()  # a signal: what was kept is dropped
        assert live_memberships(satgas_katingan) == []
        assert not case_scope(satgas_katingan).covers(agency_id=agencies["pemkab-katingan"].pk, region_code="62.06")


def test_an_agency_switched_off_in_the_request_gives_no_right(satgas_katingan, agencies):
    with once_per_request():
        assert live_memberships(satgas_katingan)
        agency = agencies["pemkab-katingan"]
        agency.active = False
        agency.save()
        assert live_memberships(satgas_katingan) == []
