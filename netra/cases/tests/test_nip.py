import datetime

import pytest
from django.core.exceptions import ValidationError

from netra.cases.nip import nip_errors, validate_nip

TODAY = datetime.date(2024, 11, 20)


def test_valid_nip_has_no_errors():
    assert nip_errors("198503122010011003", today=TODAY) == []


def test_grouped_nip_with_spaces_is_accepted():
    assert nip_errors("19850312 201001 1 003", today=TODAY) == []


def test_nip_of_wrong_length_is_refused():
    assert nip_errors("19850312201001100", today=TODAY) == ["NIP harus terdiri dari tepat 18 angka."]


def test_nip_with_letters_is_refused():
    assert nip_errors("19850312201001100A", today=TODAY) == ["NIP harus terdiri dari tepat 18 angka."]


def test_nip_with_impossible_birth_date_is_refused():
    assert nip_errors("198502302010011003", today=TODAY) == [
        "8 angka pertama NIP (tanggal lahir 19850230) bukan tanggal yang valid."
    ]


def test_nip_with_birth_date_in_the_future_is_refused():
    assert "Tanggal lahir pada NIP (20250101) berada di masa depan." in nip_errors("202501012010011003", today=TODAY)


def test_nip_with_impossible_tmt_month_is_refused():
    assert nip_errors("198503122010131003", today=TODAY) == [
        "Angka ke-9 sampai ke-14 NIP (TMT CPNS 201013) bukan bulan yang valid."
    ]


def test_nip_with_tmt_before_the_18th_birthday_is_refused():
    assert nip_errors("198503122003021003", today=TODAY) == [
        "TMT CPNS pada NIP (200302) lebih awal dari ulang tahun ke-18 pemiliknya (lahir 19850312)."
    ]


def test_nip_with_tmt_in_the_month_of_the_18th_birthday_is_accepted():
    assert nip_errors("198503122003031003", today=TODAY) == []


def test_nip_with_tmt_in_the_future_is_refused():
    assert nip_errors("198503122025011003", today=TODAY) == ["TMT CPNS pada NIP (202501) berada di masa depan."]


def test_nip_with_gender_digit_other_than_1_or_2_is_refused():
    assert nip_errors("198503122010013003", today=TODAY) == [
        "Angka ke-15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan)."
    ]


def test_nip_with_serial_000_is_refused():
    assert nip_errors("198503122010011000", today=TODAY) == ["Tiga angka terakhir NIP (nomor urut) tidak boleh 000."]


def test_every_nip_problem_is_reported_at_once():
    assert len(nip_errors("198502302010133000", today=TODAY)) == 4  # birth date, TMT, gender, serial


def test_validate_nip_raises_a_django_validation_error():
    with pytest.raises(ValidationError) as raised:
        validate_nip("198503122010011000")
    assert raised.value.messages == ["Tiga angka terakhir NIP (nomor urut) tidak boleh 000."]
