"""Disk full while saving evidence (issue #14 item 3): a clear error, no half record, nothing left.

A real full filesystem: a small tmpfs mounted as MEDIA_ROOT (needs root, as on CI and this
machine; skipped elsewhere), filled to the last few KB before a photo is posted to the public API.
"""

import io
import os
import subprocess
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from netra.cases.models import Evidence
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (private_media: autouse)

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/public/reports"


@pytest.fixture
def full_media(settings, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    media = tmp_path / "tiny"
    media.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(media)], check=False).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        settings.MEDIA_ROOT = media
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
        }
        free = os.statvfs(media).f_bavail * os.statvfs(media).f_frsize
        (media / "filler").write_bytes(b"\0" * (free - 8 * 1024))  # leave ~8 KB free
        yield media
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


def photo() -> bytes:
    # A noisy image so JPEG cannot squeeze it under the space left.
    image = Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_full_disk_while_saving_evidence_leaves_nothing_behind(regions, full_media):
    filed = Client().post(REPORTS, report_data(), content_type="application/json").json()
    before = sorted(p.name for p in full_media.rglob("*") if p.is_file())
    answer = Client(raise_request_exception=False).post(
        f"{REPORTS}/{filed['receipt_code']}/evidence",
        {"file": SimpleUploadedFile(f"{uuid.uuid4().hex}.jpg", photo(), content_type="image/jpeg")},
        headers={"X-Access-Key": filed["access_key"]},
    )
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json()["error"]["code"] == "unavailable"
    assert "tidak tersedia" in answer.json()["error"]["message"]
    assert not Evidence.objects.exists()  # no half record
    assert sorted(p.name for p in full_media.rglob("*") if p.is_file()) == before  # no partial file left
    # Space again: the same upload is stored (nothing was half-recorded in the way).
    (full_media / "filler").unlink()
    again = Client().post(
        f"{REPORTS}/{filed['receipt_code']}/evidence",
        {"file": SimpleUploadedFile("foto.jpg", photo(), content_type="image/jpeg")},
        headers={"X-Access-Key": filed["access_key"]},
    )
    assert again.status_code == 201
    assert Evidence.objects.count() == 1
