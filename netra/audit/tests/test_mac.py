"""record() signs each row with an HMAC whose key is outside the database (netra.audit.keys)."""

import datetime
import decimal

import pytest

from netra.audit.chain import mac_ok, seal, verify
from netra.audit.models import AuditEvent
from netra.audit.services import record, record_each

pytestmark = pytest.mark.django_db


def test_record_attaches_a_mac_that_the_stored_row_still_matches(officer, agency):
    event = record(
        officer, "sanction.recorded", agency, sk_date=datetime.date(2024, 9, 17), cut=decimal.Decimal("0.25")
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert len(stored.mac) == 64 and stored.mac == event.mac
    assert mac_ok(stored)


def test_record_each_rows_carry_macs_and_seal(officer, agency, other_agency):
    record_each(officer, "agency.checked", [(agency, {"n": 1}), (other_agency, {"n": 2, "note": "ñ ✓"})])

    assert all(mac_ok(event) for event in AuditEvent.objects.all())
    assert (seal(), verify().ok) == (2, True)


def test_an_agency_given_as_a_string_id_still_verifies(officer, agency):
    record(officer, "agency.updated", agency=str(agency.pk))

    assert (seal(), verify().ok) == (1, True)


def test_the_mac_key_is_not_the_secret_key_itself_and_needs_no_database(officer, settings):
    event = record(officer, "case.noted")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40

    assert not mac_ok(AuditEvent.objects.get(pk=event.pk))


def test_an_own_audit_key_rotates_with_the_old_one_kept_for_checking(officer, settings):
    settings.NETRA_AUDIT_KEY = "audit-key-2026-" + "a" * 40
    old = record(officer, "case.noted", n=1)
    settings.NETRA_AUDIT_KEY, settings.NETRA_AUDIT_OLD_KEYS = "audit-key-2027-" + "b" * 40, [settings.NETRA_AUDIT_KEY]
    new = record(officer, "case.noted", n=2)

    assert old.mac != new.mac
    assert (seal(), verify().ok) == (2, True)
    settings.NETRA_AUDIT_OLD_KEYS = []
    assert verify().bad_id == old.pk  # without the old key its rows no longer prove anything


@pytest.mark.parametrize("value", [1.5, 2.0, 0.1, 1e-7, 123456789.123, 1e20, -0.0, 10**20, "ñ ✓ \u2028"])
def test_numbers_and_text_come_back_from_the_database_with_the_same_mac(officer, value):
    record(officer, "case.noted", value=value, nested={"list": [value, None, True]})

    assert (seal(), verify().ok) == (1, True)
