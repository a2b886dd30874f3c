"""NIP (Nomor Induk Pegawai): 18 digits = birth date YYYYMMDD + TMT CPNS YYYYMM + gender + serial.

The layout is BKN's (domain.md section 5). NI PPPK numbers are said to follow the same layout
(unverified), so they pass through the same checks.
"""

import datetime
import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# "Today" on the most eastern clock (WIT), so nobody in Papua is refused a date that is already theirs.
EASTERNMOST_ZONE = zoneinfo.ZoneInfo("Asia/Jayapura")
MIN_CPNS_AGE = 18  # PP 11/2017 art. 23 (1) a: at least 18 years old when applying

_SEPARATORS = re.compile(r"[\s.\-]")


def normalize_nip(value: str) -> str:
    """People write NIPs grouped ("19850312 201001 1 003"); keep the digits' order, drop separators."""
    return _SEPARATORS.sub("", value or "")


def today_easternmost() -> datetime.date:
    return datetime.datetime.now(EASTERNMOST_ZONE).date()


def nip_errors(value: str, *, today: datetime.date | None = None) -> list[str]:
    """Every problem with ``value`` as a NIP, as Indonesian messages; empty when it is valid."""
    nip = normalize_nip(value)
    if len(nip) != 18 or not nip.isascii() or not nip.isdigit():
        return [_("NIP harus terdiri dari tepat 18 angka.")]
    today = today or today_easternmost()
    errors = []

    birth_text, tmt_text, gender, serial = nip[:8], nip[8:14], nip[14], nip[15:]
    birth: datetime.date | None
    try:
        birth = datetime.date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        birth = None
        errors.append(
            _("8 angka pertama NIP (tanggal lahir %(value)s) bukan tanggal yang valid.") % {"value": birth_text}
        )
    else:
        if birth > today:
            errors.append(_("Tanggal lahir pada NIP (%(value)s) berada di masa depan.") % {"value": birth_text})

    tmt_year, tmt_month = int(tmt_text[:4]), int(tmt_text[4:])
    if not 1 <= tmt_month <= 12 or tmt_year < 1900:
        errors.append(
            _("Angka ke-9 sampai ke-14 NIP (TMT CPNS %(value)s) bukan bulan yang valid.") % {"value": tmt_text}
        )
    else:
        if (tmt_year, tmt_month) > (today.year, today.month):
            errors.append(_("TMT CPNS pada NIP (%(value)s) berada di masa depan.") % {"value": tmt_text})
        # Compared by month: TMT is a month, and the CPNS applied at 18 at the earliest.
        if birth and (tmt_year, tmt_month) < (birth.year + MIN_CPNS_AGE, birth.month):
            errors.append(
                _("TMT CPNS pada NIP (%(tmt)s) lebih awal dari ulang tahun ke-18 pemiliknya (lahir %(birth)s).")
                % {"tmt": tmt_text, "birth": birth_text}
            )

    if gender not in "12":
        errors.append(_("Angka ke-15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan)."))
    if serial == "000":
        errors.append(_("Tiga angka terakhir NIP (nomor urut) tidak boleh 000."))
    return errors


def validate_nip(value: str) -> None:
    """Django validator form of :func:`nip_errors` (model fields, forms)."""
    if errors := nip_errors(value):
        raise ValidationError(errors, code="invalid_nip")
