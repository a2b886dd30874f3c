import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from netra.orgs.models import Membership, Unit
from netra.orgs.roles import Role, role_allowed_in
from netra.orgs.tests.factories import UserFactory
from netra.pacts.codes import ALPHABET, LENGTH, new_verification_code
from netra.pacts.models import Employee

GOOD_NIP = "198503122010011003"


@pytest.fixture
def katingan(agencies):
    return agencies["pemkab-katingan"]


def test_employee_unique_by_nip_and_number_per_agency(katingan, agencies):
    Employee.objects.create(agency=katingan, name="A", nip=GOOD_NIP, status=Employee.Status.PNS)
    Employee.objects.create(agency=katingan, name="B", employee_number="NA-1", status=Employee.Status.NON_ASN)
    # The same person may be on another agency's roster.
    Employee.objects.create(agency=agencies["pemkab-barito-selatan"], name="A", nip=GOOD_NIP, status="pns")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(agency=katingan, name="A2", nip=GOOD_NIP, status=Employee.Status.PNS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(agency=katingan, name="B2", employee_number="NA-1", status="non_asn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(agency=katingan, name="C", status=Employee.Status.NON_ASN)


def test_verification_codes_are_long_and_unambiguous():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("01OIL") & set(ALPHABET)


def test_opd_head_needs_a_unit_of_its_agency(katingan, agencies):
    unit, _ = Unit.objects.get_or_create(agency=katingan, name="Dinas Pendidikan")
    other, _ = Unit.objects.get_or_create(agency=agencies["pemkab-barito-selatan"], name="Dinas Pendidikan")
    user = UserFactory(username="kadis")
    with pytest.raises(ValidationError) as raised:
        Membership.objects.create(user=user, agency=katingan, role=Role.OPD_HEAD)
    assert "unit" in raised.value.message_dict
    with pytest.raises(ValidationError):
        Membership.objects.create(user=user, agency=katingan, role=Role.OPD_HEAD, unit=other)
    with pytest.raises(ValidationError):
        Membership.objects.create(user=user, agency=katingan, role=Role.SATGAS_OFFICER, unit=unit)
    membership = Membership.objects.create(user=user, agency=katingan, role=Role.OPD_HEAD, unit=unit)
    assert membership.unit == unit


def test_opd_head_only_in_employers():
    assert role_allowed_in(Role.OPD_HEAD, "pemda_kabupaten")
    assert not role_allowed_in(Role.OPD_HEAD, "bawaslu_kabkota")
