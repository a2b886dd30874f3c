import hashlib
import re

import pytest

from netra.cases.intake import (
    hash_access_key,
    new_access_key,
    new_receipt_code,
    normalize_access_key,
    normalize_receipt_code,
    report_lookup,
    report_submit,
)
from netra.cases.models import Report
from netra.cases.tests.fixtures import report_data

pytestmark = pytest.mark.django_db

CROCKFORD_CODE = re.compile(r"^NTR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
ACCESS_KEY = re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$")


def test_receipt_codes_are_crockford_base32_without_ambiguous_letters():
    codes = {new_receipt_code() for _ in range(500)}
    assert all(CROCKFORD_CODE.match(code) for code in codes)
    assert not any(set(code[4:]) & set("ILOU") for code in codes)


def test_receipt_codes_are_random():
    assert len({new_receipt_code() for _ in range(500)}) == 500


def test_a_code_typed_in_lower_case_without_dashes_is_normalised():
    assert normalize_receipt_code(" ntr 7k3m q9xd ") == "NTR-7K3M-Q9XD"


def test_letters_o_i_l_typed_for_digits_are_normalised():
    assert normalize_receipt_code("NTR-OIL0-1234") == "NTR-0110-1234"


def test_a_code_without_the_prefix_is_normalised():
    assert normalize_receipt_code("7K3M-Q9XD") == "NTR-7K3M-Q9XD"


def test_a_code_of_the_wrong_length_normalises_to_nothing():
    assert normalize_receipt_code("NTR-7K3M-Q9X") == ""


def test_a_code_with_a_u_normalises_to_nothing():
    assert normalize_receipt_code("NTR-7K3M-Q9XU") == ""


def test_the_receipt_has_a_code_and_an_access_key_of_at_least_128_bits(katingan):
    receipt = report_submit(data=report_data())
    assert CROCKFORD_CODE.match(receipt.receipt_code)
    assert ACCESS_KEY.match(receipt.access_key)  # 28 Crockford symbols, 5 bits each: 140 bits


def test_the_access_key_is_stored_only_as_its_sha256(katingan):
    receipt = report_submit(data=report_data())
    report = Report.objects.get()
    canonical = receipt.access_key.replace("-", "")
    assert report.access_key_hash == hashlib.sha256(b"netra.access-key.v2:" + canonical.encode()).hexdigest()
    stored = [str(getattr(report, field.attname)) for field in Report._meta.concrete_fields]
    assert not any(receipt.access_key in value for value in stored)


def test_lookup_with_code_and_key_finds_the_report(katingan):
    receipt = report_submit(data=report_data())
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=receipt.access_key) == receipt.report


def test_lookup_of_a_hand_typed_code_finds_the_report(katingan):
    receipt = report_submit(data=report_data())
    typed = receipt.receipt_code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert report_lookup(receipt_code=typed, access_key=receipt.access_key) == receipt.report


def test_lookup_with_a_wrong_key_finds_nothing(katingan):
    receipt = report_submit(data=report_data())
    assert report_lookup(receipt_code=receipt.receipt_code, access_key="salah") is None


def test_lookup_with_an_empty_key_finds_nothing(katingan):
    receipt = report_submit(data=report_data())
    assert report_lookup(receipt_code=receipt.receipt_code, access_key="") is None


def test_lookup_of_an_unknown_code_finds_nothing(katingan):
    receipt = report_submit(data=report_data())
    assert report_lookup(receipt_code="NTR-0000-0000", access_key=receipt.access_key) is None


def test_lookup_with_another_reports_key_finds_nothing(katingan):
    first = report_submit(data=report_data())
    second = report_submit(data=report_data())
    assert report_lookup(receipt_code=first.receipt_code, access_key=second.access_key) is None


def test_hash_access_key_is_sha256_hex():
    assert hash_access_key("abc") == hashlib.sha256(b"abc").hexdigest()


# --- the grouped access key (issue #17, item 10) -----------------------------------------------


def test_access_keys_are_random_grouped_crockford_without_look_alikes():
    keys = {new_access_key() for _ in range(200)}
    assert len(keys) == 200 and all(ACCESS_KEY.match(k) for k in keys)
    assert not set("".join(keys)) & set("ILOU_")


@pytest.mark.parametrize(
    "typed",
    [
        lambda k: k,
        lambda k: k.replace("-", ""),
        lambda k: k.lower(),
        lambda k: k.replace("-", " ").lower(),
        lambda k: "  " + k.replace("-", "_") + "\n",
        lambda k: k.replace("0", "O").replace("1", "l"),
    ],
    ids=["as-shown", "no-dashes", "lower-case", "spaces", "underscores", "o-and-l-for-0-and-1"],
)
def test_a_key_typed_by_hand_still_opens_the_report(katingan, typed):
    receipt = report_submit(data=report_data())
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=typed(receipt.access_key)) == receipt.report


def test_a_key_with_one_wrong_symbol_finds_nothing(katingan):
    receipt = report_submit(data=report_data())
    key = receipt.access_key
    wrong = ("Z" if key[0] != "Z" else "Y") + key[1:]
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=wrong) is None
    assert normalize_access_key(key[:-1]) == ""


def test_a_key_of_the_old_format_keeps_working(katingan):
    """Reports filed before the grouped key hold sha256(token_urlsafe(20)) as given."""
    old_key = "aB3_-x9QzK0lmN4pR7sT2uVwXy1"
    receipt = report_submit(data=report_data())
    Report.objects.filter(pk=receipt.report.pk).update(access_key_hash=hashlib.sha256(old_key.encode()).hexdigest())
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=old_key) == receipt.report
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=f" {old_key} ") == receipt.report
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=old_key.upper()) is None
    assert report_lookup(receipt_code=receipt.receipt_code, access_key=receipt.access_key) is None
