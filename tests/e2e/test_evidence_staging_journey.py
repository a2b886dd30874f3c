"""A reporter picks too many geotagged photos and makes a mistake: told why, the cleaned photos kept.

Issue #10, finding 5: a failed submit stages only cleaned bytes, at most the per-report limit.
"""

import datetime
import io

import pytest
from PIL import Image

from netra.cases.models import Evidence
from netra.portal import forms

RECENTLY = (datetime.date.today() - datetime.timedelta(days=5)).isoformat()


@pytest.fixture(autouse=True)
def quick_form(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(forms, "MIN_FILL_SECONDS", 0)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    settings.NETRA_EVIDENCE_MAX_FILES = 3


@pytest.fixture
def photos(tmp_path):
    paths = []
    for n in range(5):
        path = tmp_path / f"IMG_2024_{n}.jpg"
        exif = Image.Exif()
        exif[0x010F] = "MarkerCam"
        exif[0x8825] = {1: "S", 2: (1.0, 57.0, 30.0), 3: "E", 4: (113.0, 23.0, 10.0)}
        Image.new("RGB", (320, 240), (30, 90, 10 * n)).save(path, "JPEG", exif=exif.tobytes())
        paths.append(path)
    return paths


@pytest.mark.django_db(transaction=True)
def test_too_many_photos_and_a_mistake_keep_three_cleaned_photos(
    live_server, phone_context, agencies, photos, tmp_path
):
    page = phone_context.new_page()
    page.goto(live_server.url + "/lapor/")
    assert "paling banyak 3 berkas" in page.locator("form.report-form").inner_text()

    page.get_by_label("Apa yang terjadi?").fill("pendek")
    page.get_by_label("Kapan terjadi?").fill(RECENTLY)
    page.get_by_label("Provinsi").select_option("62")
    page.get_by_label("Bukti foto, video, atau dokumen (opsional)").set_input_files([str(p) for p in photos])
    page.get_by_role("button", name="Kirim laporan").click()

    text = page.content()
    assert "paling banyak 3 bukti per laporan. 2 berkas terakhir tidak dilampirkan" in text
    assert page.locator("ul.staged li").count() == 3
    staged = sorted((tmp_path / "media" / "staging").iterdir())
    assert len(staged) == 3
    assert all(b"MarkerCam" not in p.read_bytes() for p in staged)  # only cleaned bytes were written

    page.get_by_label("Apa yang terjadi?").fill(
        "Kepala dinas membagikan stiker pasangan calon di apel pagi dan meminta pegawai memilihnya."
    )
    page.get_by_label("Kabupaten/kota").select_option("62.06")
    page.get_by_role("button", name="Kirim laporan").click()

    assert page.locator("#receipt-code").inner_text().startswith("NTR-")
    assert Evidence.objects.count() == 3
    for evidence in Evidence.objects.all():
        with evidence.file.open("rb") as handle:
            assert not Image.open(io.BytesIO(handle.read())).getexif()
    assert not list((tmp_path / "media" / "staging").iterdir())
