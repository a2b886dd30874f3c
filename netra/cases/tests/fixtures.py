"""Shared fixtures of the public-reporting tests (``private_media`` is imported by netra/portal/tests too)."""

import datetime
import io

import pytest
from django.core.cache import caches
from PIL import Image

from netra.catalog.models import Region


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Evidence goes to a throwaway MEDIA_ROOT; rate-limit counters start from zero."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
    }
    caches["default"].clear()
    yield media
    caches["default"].clear()


# Built on the shared demo data of the root conftest (``regions``, ``agencies``).
@pytest.fixture
def kalteng(regions):
    return regions["62"]


@pytest.fixture
def katingan(regions):
    return regions["62.06"]


@pytest.fixture
def palangka_raya(regions):
    """A kota with no pemkot in Netra."""
    return regions["62.71"]


@pytest.fixture
def pemkab_katingan(agencies):
    return agencies["pemkab-katingan"]


@pytest.fixture
def kanreg_banjarmasin(agencies):
    return agencies["kanreg-bkn-banjarmasin"]


@pytest.fixture
def papua(db):
    """A province no agency in Netra covers."""
    region, _ = Region.objects.get_or_create(
        code="91", defaults={"name": "Papua", "kind": Region.Kind.PROVINCE, "timezone": Region.Zone.WIT}
    )
    return region


def report_data(**overrides) -> dict:
    """A valid public report (region 62.06 Katingan)."""
    data = {
        "description": "Camat hadir dan berorasi di deklarasi pasangan calon bupati di lapangan kecamatan.",
        "incident_date": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
        "region_code": "62.06",
        "subject_name": "Budi Santoso",
        "subject_nip": "198503122010011003",
        "subject_position": "Camat",
        "subject_agency": "Kecamatan Katingan Hilir",
        "location": "Lapangan Kasongan",
        "links": ["https://www.facebook.com/contoh/posts/1"],
        "contact": "",
    }
    data.update(overrides)
    return data


def image_bytes(fmt: str = "JPEG", size=(64, 48), *, gps: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "MarkerCam"  # Make
        exif[0x8825] = {1: "S", 2: (1.0, 57.0, 30.0), 3: "E", 4: (113.0, 23.0, 10.0)}  # GPSInfo IFD
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes() if len(exif) else b"")
    return out.getvalue()
