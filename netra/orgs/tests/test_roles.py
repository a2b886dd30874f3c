import pytest

from netra.orgs.models import Membership
from netra.orgs.roles import (
    ACTING_ROLES,
    ADMIN_ROLES,
    CASE_ROLES,
    ROLES,
    Role,
    effective_roles,
    role_includes,
    role_spec,
)


def test_table_has_exactly_the_membership_roles():
    assert set(ROLES) == set(Membership.Role.values)


def test_role_codes_are_plain_strings():
    assert all(type(code) is str and type(spec.code) is str for code, spec in ROLES.items())


@pytest.mark.parametrize("role", Membership.Role.values)
def test_every_staff_role_needs_2fa(role):
    assert role_spec(role).needs_2fa


def test_satgas_lead_includes_satgas_officer():
    assert role_includes(Role.SATGAS_LEAD, Role.SATGAS_OFFICER)


def test_satgas_officer_does_not_include_satgas_lead():
    assert not role_includes(Role.SATGAS_OFFICER, Role.SATGAS_LEAD)


@pytest.mark.parametrize("role", Membership.Role.values)
def test_every_role_includes_itself(role):
    assert role_includes(role, role)


def test_ppk_includes_no_satgas_role():
    assert effective_roles(Role.PPK) == {"ppk"}


def test_only_agency_admin_manages_people_and_tokens():
    assert {"agency_admin"} == ADMIN_ROLES


def test_agency_admin_neither_sees_nor_acts_on_cases():
    assert "agency_admin" not in CASE_ROLES | ACTING_ROLES


def test_observer_sees_cases_read_only():
    assert "observer" in CASE_ROLES and "observer" not in ACTING_ROLES


def test_unknown_role_raises():
    with pytest.raises(KeyError):
        role_spec("bupati")
