import io

import pytest
from django.core.cache import caches
from openpyxl import Workbook

from netra.orgs.models import Membership, Unit
from netra.orgs.tests.factories import MembershipFactory, UserFactory
from netra.pacts.roster import COLUMNS, SHEET

UNITS = ("Dinas Pendidikan", "Dinas Kesehatan", "Sekretariat Daerah")


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    caches["default"].clear()
    yield root
    caches["default"].clear()


@pytest.fixture
def katingan(agencies):
    return agencies["pemkab-katingan"]


@pytest.fixture
def units(katingan):
    return {name: Unit.objects.get_or_create(agency=katingan, name=name)[0] for name in UNITS}


@pytest.fixture
def opd_head(katingan, units):
    user = UserFactory(username="kadis.pendidikan")
    MembershipFactory(user=user, agency=katingan, role=Membership.Role.OPD_HEAD, unit=units["Dinas Pendidikan"])
    return user


def nip(i: int, *, year: int = 1985) -> str:
    """A valid NIP, different for each i (serial and birth day vary)."""
    return f"{year}{(i // 999) % 12 + 1:02d}{(i // 999) // 12 % 28 + 1:02d}2010011{i % 999 + 1:03d}"


def xlsx(rows, *, header=COLUMNS, sheet=SHEET) -> bytes:
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(i: int, unit: str = "Dinas Pendidikan", status: str = "PNS", **extra):
    values = {
        "nama": f"Pegawai {i}",
        "nip": nip(i) if status != "Non-ASN" else "",
        "nomor_pegawai": f"NA-{i}" if status == "Non-ASN" else "",
        "status": status,
        "jabatan": "Staf",
        "unit_kerja": unit,
        "surel": "",
    }
    values.update(extra)
    return [values[c] for c in COLUMNS]
