import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from netra.audit.models import AuditEvent
from netra.orgs.memberships import grant_membership
from netra.orgs.models import Agency, Membership
from netra.orgs.roles import (
    ACTING_ROLES,
    ADMIN_ROLES,
    CASE_ROLES,
    ROLES,
    UNIT_ROLES,
    Role,
    effective_roles,
    may_vouch_for,
    role_allowed_in,
    role_includes,
    role_kind_error,
    role_spec,
)
from netra.orgs.tests.factories import AgencyFactory, MembershipFactory, UnitFactory, UserFactory


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


# --- where a role may exist, and who may hand out its power (issue #10, finding 1) ------------
#
# Written out by hand, on purpose: these are the decisions. The tests below are generated from
# the role table and the agency kinds, so a new role or a new kind without a row here fails.

K = Agency.Kind
_EMPLOYER = {"satgas_officer", "satgas_lead", "ppk", "agency_admin", "observer", "opd_head"}

# Which roles an agency of each kind can hold. No BKN or Bawaslu role in a pemda, ever.
ROLES_BY_KIND: dict[str, set[str]] = {
    K.PEMDA_PROVINCE: _EMPLOYER,
    K.PEMDA_REGENCY: _EMPLOYER,
    K.PEMDA_CITY: _EMPLOYER,
    K.MINISTRY: _EMPLOYER,
    K.BAWASLU_RI: {"bawaslu_officer", "agency_admin"},
    K.BAWASLU_PROVINCE: {"bawaslu_officer", "agency_admin"},
    K.BAWASLU_REGENCY: {"bawaslu_officer", "agency_admin"},
    K.BKN_CENTRAL: {"bkn_supervisor", "agency_admin"},
    K.BKN_REGIONAL: {"bkn_supervisor", "agency_admin"},
    K.INSPECTORATE: {"observer", "agency_admin"},
    K.OBSERVER: {"observer", "agency_admin"},
}

# Who, holding which role in the same agency, may give this role's power (a membership, or the
# approval of a token): nobody hands out more than they hold. The agency admin gives only admins.
VOUCHERS: dict[str, set[str]] = {
    "satgas_officer": {"satgas_lead"},
    "satgas_lead": {"satgas_lead"},
    "ppk": {"ppk"},
    "bawaslu_officer": {"bawaslu_officer"},
    "bkn_supervisor": {"bkn_supervisor"},
    "agency_admin": {"agency_admin"},
    "observer": {"observer", "satgas_lead", "ppk"},
    "opd_head": {"agency_admin"},
}

SUPERUSER = "superuser"
ISSUERS = [*Membership.Role.values, SUPERUSER]
CELLS = [(role, kind) for role in Membership.Role.values for kind in Agency.Kind.values]


def test_every_kind_has_a_decision():
    assert set(ROLES_BY_KIND) == set(Agency.Kind.values)


def test_every_role_has_a_decision():
    assert set(VOUCHERS) == set(Membership.Role.values)
    assert set().union(*ROLES_BY_KIND.values()) <= set(Membership.Role.values)


@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_the_role_table_says_where_a_role_may_exist(role, kind):
    assert role_allowed_in(role, kind) == (role in ROLES_BY_KIND[kind])
    assert (role_kind_error(role, kind) is None) == (role in ROLES_BY_KIND[kind])


@pytest.mark.parametrize("role", Membership.Role.values)
def test_the_role_table_says_who_vouches(role):
    assert {held for held in Membership.Role.values if may_vouch_for([held], role)} == VOUCHERS[role]


def expected_grant(role: str, kind: str, issuer: str) -> bool:
    if role not in ROLES_BY_KIND[kind]:
        return False
    return issuer == SUPERUSER or issuer in VOUCHERS[role]


def unit_for(agency, role: str):
    """A Kepala OPD heads one unit of the agency; no other role has one."""
    return UnitFactory(agency=agency) if role in UNIT_ROLES else None


def make_issuer(agency, issuer: str):
    if issuer == SUPERUSER:
        return UserFactory(is_superuser=True, is_staff=True)
    return MembershipFactory(agency=agency, role=issuer, unit=unit_for(agency, issuer)).user


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_membership_creation_matrix(role, kind):
    """Role, agency kind and granter's role → allowed or refused, through the one service."""
    agency = AgencyFactory(kind=kind)
    for issuer in ISSUERS:
        if issuer != SUPERUSER and issuer not in ROLES_BY_KIND[kind]:
            continue  # such a granter cannot exist (next test)
        granter = make_issuer(agency, issuer)
        newcomer = UserFactory()
        try:
            with transaction.atomic():
                grant_membership(
                    user=newcomer, agency=agency, role=role, granted_by=granter, unit=unit_for(agency, role)
                )
            outcome = True
        except (ValidationError, PermissionDenied):
            outcome = False
        assert outcome == expected_grant(role, kind, issuer), (role, kind, issuer)
        assert Membership.objects.filter(user=newcomer, agency=agency, role=role).exists() == outcome
        if outcome:
            event = AuditEvent.objects.filter(action="membership.granted").latest("pk")
            assert (event.actor_id, event.payload["role"]) == (granter.pk, role)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "kind"), CELLS)
def test_a_membership_the_kind_cannot_hold_is_refused_on_every_save(role, kind):
    """Model validation and save() alike: the Django admin, the demo and the shell all go through it."""
    agency = AgencyFactory(kind=kind)
    membership = Membership(user=UserFactory(), agency=agency, role=role, unit=unit_for(agency, role))
    if role in ROLES_BY_KIND[kind]:
        membership.full_clean()
        membership.save()
        return
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "role" in refused.value.message_dict
    with pytest.raises(ValidationError), transaction.atomic():
        membership.save()
    assert not Membership.objects.filter(agency=agency, role=role).exists()


@pytest.mark.django_db
def test_a_bkn_supervisor_membership_in_a_pemda_is_refused_even_when_updated_in(agencies):
    """The review's case: a pemda holding a BKN role. An existing membership cannot be switched to it."""
    membership = MembershipFactory(agency=agencies["pemkab-katingan"], role="satgas_officer")
    membership.role = "bkn_supervisor"
    with pytest.raises(ValidationError):
        membership.save()
    membership.refresh_from_db()
    assert membership.role == "satgas_officer"
