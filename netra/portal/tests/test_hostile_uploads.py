"""Hostile uploads through every public door: the report form, the status page, the public API.

Each file of ``netra.cases.tests.hostile`` is refused with a clear 4xx / form error (nothing
written anywhere) or stored inert; never a 500. Plus the staging of a failed form (issue #10, 5):
only cleaned bytes are staged, at most the per-report limit, for two hours.
"""

import hashlib
import io
import os
import re
import time
from io import StringIO

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from netra.cases.models import Evidence, Report
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (autouse)
from netra.cases.tests.hostile import STORED, UNSUPPORTED, corpus, over_size

pytestmark = pytest.mark.django_db

REPORT_URL, STATUS_URL, REPORTS = "/lapor/", "/status/", "/api/v1/public/reports"
CORPUS = corpus()
IDS = [h.id for h in CORPUS]
API_STATUS = {"unsupported_media_type": 415, "payload_too_large": 413, "validation_error": 422}


def form_data(**overrides) -> dict:
    data = report_data()
    data["links"] = "\n".join(data["links"])
    data["province"] = "62"
    data["started"] = signing.dumps(time.time() - 30, salt="netra.portal.report-form")
    data.update(overrides)
    return data


def as_upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def files_under(media, folder: str) -> list:
    return sorted((media / folder).iterdir()) if (media / folder).exists() else []


def stored_bytes(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def assert_sent(response) -> None:
    """The form was accepted: 303 to the one-time receipt (Post/Redirect/Get), one report filed."""
    assert response.status_code == 303
    assert response["Location"].startswith("/lapor/terkirim/")
    assert Report.objects.count() == 1


def assert_inert(hostile, evidence: Evidence) -> None:
    data = stored_bytes(evidence)
    assert evidence.metadata_removed
    for marker in hostile.markers:
        assert marker not in data, marker


@pytest.fixture
def filed(regions):
    answer = Client().post(REPORTS, report_data(), content_type="application/json")
    assert answer.status_code == 201
    return answer.json()


@pytest.mark.parametrize("hostile", [*CORPUS, over_size(1024 * 1024)], ids=[*IDS, "over-size"])
def test_the_report_form_refuses_or_stores_inert(client, agencies, private_media, settings, hostile):  # noqa: F811
    settings.NETRA_EVIDENCE_MAX_BYTES = 1024 * 1024
    response = client.post(REPORT_URL, form_data(evidence=as_upload(hostile.name, hostile.content)))
    if hostile.outcome == STORED:
        assert_sent(response)
        assert_inert(hostile, Evidence.objects.get())
    else:
        assert response.status_code == 422
        assert response.context["form"].errors["evidence"]  # said in Indonesian beside the field
        assert not Report.objects.exists()
        assert not files_under(private_media, "evidence")
    assert not files_under(private_media, "staging")  # attached, or never written


@pytest.mark.parametrize("hostile", CORPUS, ids=IDS)
def test_the_status_page_refuses_or_stores_inert(client, filed, private_media, hostile):  # noqa: F811
    response = client.post(
        STATUS_URL,
        {
            "receipt_code": filed["receipt_code"],
            "access_key": filed["access_key"],
            "action": "evidence",
            "evidence": as_upload(hostile.name, hostile.content),
        },
    )
    if hostile.outcome == STORED:
        assert response.status_code == 200
        assert_inert(hostile, Evidence.objects.get())
        assert "Bukti tambahan diterima." in response.content.decode()
    else:
        assert response.status_code == 422  # it was a 500 before: add_error on the unbound message form
        assert response.context["evidence_error"]  # said beside the evidence field
        assert response.context["evidence_error"] in response.content.decode()
        assert not Evidence.objects.exists() and not files_under(private_media, "evidence")


@pytest.mark.parametrize("hostile", [*CORPUS, over_size(1024 * 1024)], ids=[*IDS, "over-size"])
def test_the_public_api_refuses_or_stores_inert(filed, private_media, settings, hostile):  # noqa: F811
    settings.NETRA_EVIDENCE_MAX_BYTES = 1024 * 1024
    answer = Client().post(
        f"{REPORTS}/{filed['receipt_code']}/evidence",
        {"file": as_upload(hostile.name, hostile.content)},
        headers={"X-Access-Key": filed["access_key"]},
    )
    if hostile.outcome == STORED:
        assert answer.status_code == 201
        assert answer.json()["sha256"] == hashlib.sha256(hostile.content).hexdigest()
        assert_inert(hostile, Evidence.objects.get())
    else:
        assert answer.status_code == API_STATUS[hostile.outcome]
        assert answer.json()["error"]["code"] == hostile.outcome
        assert not Evidence.objects.exists() and not files_under(private_media, "evidence")


def test_a_hundred_files_on_the_status_page_are_refused_before_any_is_read(client, filed, private_media):  # noqa: F811
    photos = [as_upload(f"{n}.jpg", image_bytes(gps=True)) for n in range(100)]
    response = client.post(
        STATUS_URL,
        {"receipt_code": filed["receipt_code"], "access_key": filed["access_key"], "action": "evidence",
         "evidence": photos},
    )  # fmt: skip
    assert response.status_code == 422
    assert "paling banyak 10 bukti" in response.content.decode()
    assert not Evidence.objects.exists()


def test_more_files_than_django_accepts_answer_400_not_500(client, agencies, private_media):  # noqa: F811
    photos = [as_upload(f"{n}.jpg", b"x") for n in range(101)]
    response = client.post(REPORT_URL, form_data(evidence=photos))
    assert response.status_code == 400
    assert not files_under(private_media, "staging")


# --- staging a failed form (issue #10, finding 5) ---------------------------------------------


def test_thirty_geotagged_photos_on_a_failed_form_stage_ten_cleaned_copies(client, agencies, private_media):  # noqa: F811
    photos = [as_upload(f"IMG_{n}.jpg", image_bytes(gps=True)) for n in range(30)]
    response = client.post(REPORT_URL, form_data(description="pendek", evidence=photos))

    assert response.status_code == 422
    assert (
        "Terlalu banyak berkas: paling banyak 10 bukti per laporan. 20 berkas terakhir tidak dilampirkan; "
        "pilih yang terpenting." in response.context["form"].errors["evidence"]
    )
    staged = files_under(private_media, "staging")
    assert len(staged) == 10
    for path in staged:
        data = path.read_bytes()
        assert b"MarkerCam" not in data and not Image.open(io.BytesIO(data)).getexif()


def test_a_refused_file_is_never_staged(client, agencies, private_media):  # noqa: F811
    bad = as_upload("foto.jpg", b"<?php echo 1; ?>")
    response = client.post(REPORT_URL, form_data(description="pendek", evidence=bad))
    assert response.status_code == 422
    assert not files_under(private_media, "staging")


def test_a_staged_photo_keeps_the_hash_of_what_the_reporter_sent(client, agencies, private_media):  # noqa: F811
    original = image_bytes(gps=True)
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=as_upload("foto.jpg", original)))
    token = re.search(r'name="staged" value="([^"]+)"', first.content.decode()).group(1)

    second = client.post(REPORT_URL, form_data(staged=token))

    assert_sent(second)
    evidence = Evidence.objects.get()
    assert evidence.sha256_received == hashlib.sha256(original).hexdigest()
    assert evidence.sha256_stored == hashlib.sha256(stored_bytes(evidence)).hexdigest()
    assert b"MarkerCam" not in stored_bytes(evidence)


def test_staged_files_count_towards_the_limit_on_the_next_try(client, agencies, private_media, settings):  # noqa: F811
    settings.NETRA_EVIDENCE_MAX_FILES = 3
    first = client.post(
        REPORT_URL,
        form_data(description="pendek", evidence=[as_upload(f"{n}.png", image_bytes("PNG")) for n in range(2)]),
    )
    tokens = re.findall(r'name="staged" value="([^"]+)"', first.content.decode())
    second = client.post(
        REPORT_URL,
        form_data(description="pendek", staged=tokens, evidence=[as_upload(f"b{n}.png", image_bytes("PNG")) for n in range(2)]),
    )  # fmt: skip
    assert "1 berkas terakhir tidak dilampirkan" in " ".join(second.context["form"].errors["evidence"])
    assert len(files_under(private_media, "staging")) == 3


def test_an_expired_staged_file_asks_to_be_attached_again(client, agencies, private_media, settings):  # noqa: F811
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=as_upload("foto.jpg", image_bytes())))
    token = re.search(r'name="staged" value="([^"]+)"', first.content.decode()).group(1)
    settings.NETRA_STAGING_MAX_AGE_SECONDS = 0  # the token has expired; the sweeper has not run yet

    second = client.post(REPORT_URL, form_data(staged=token))

    assert second.status_code == 422
    assert second.context["form"].errors["evidence"] == [
        "Berkas «foto.jpg» sudah kedaluwarsa dan tidak tersimpan lagi. Silakan lampirkan lagi."
    ]
    assert not Report.objects.exists()  # not submitted as if the photo were attached


def test_a_staged_file_removed_by_the_clean_up_asks_to_be_attached_again(client, agencies, private_media):  # noqa: F811
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=as_upload("foto.jpg", image_bytes())))
    token = re.search(r'name="staged" value="([^"]+)"', first.content.decode()).group(1)
    for path in files_under(private_media, "staging"):
        path.unlink()
    second = client.post(REPORT_URL, form_data(staged=token))
    assert second.status_code == 422
    assert "kedaluwarsa" in second.context["form"].errors["evidence"][0]


def test_a_token_sent_twice_attaches_its_file_once(client, agencies, private_media):  # noqa: F811
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=as_upload("foto.jpg", image_bytes())))
    token = re.search(r'name="staged" value="([^"]+)"', first.content.decode()).group(1)
    assert_sent(client.post(REPORT_URL, form_data(staged=[token, token])))
    assert Evidence.objects.count() == 1


def test_a_forged_token_is_ignored(client, agencies, private_media):  # noqa: F811
    response = client.post(REPORT_URL, form_data(staged="evidence/../../settings.py:forged"))
    assert_sent(response)
    assert not Evidence.objects.exists()


def test_the_scheduler_removes_staged_files_past_their_window(agencies, private_media, settings):  # noqa: F811
    settings.NETRA_STAGING_MAX_AGE_SECONDS = 2 * 60 * 60
    staging_dir = private_media / "staging"
    staging_dir.mkdir(parents=True)
    (staging_dir / "old").write_bytes(b"x")
    (staging_dir / "new").write_bytes(b"y")
    old = time.time() - 2 * 60 * 60 - 5 * 60
    os.utime(staging_dir / "old", (old, old))

    call_command("scheduler", "--once", stdout=StringIO())

    assert sorted(p.name for p in staging_dir.iterdir()) == ["new"]


def test_the_form_says_how_many_files_and_how_large(client, agencies):
    html = client.get(REPORT_URL).content.decode()
    assert "paling banyak 10 berkas, masing-masing sampai 20 MB" in html


def test_an_unsupported_file_on_the_form_gets_the_indonesian_reason(client, agencies):
    hostile = next(h for h in CORPUS if h.id == "svg-named-png")
    assert hostile.outcome == UNSUPPORTED
    response = client.post(REPORT_URL, form_data(evidence=as_upload(hostile.name, hostile.content)))
    assert response.context["form"].errors["evidence"] == [
        "«foto.png» bukan jenis berkas yang diterima. Kirim foto JPEG, PNG atau WebP, dokumen PDF, atau video MP4."
    ]


def test_more_files_than_django_accepts_on_the_api_answer_a_4xx_not_500(filed, private_media):  # noqa: F811
    answer = Client().post(
        f"{REPORTS}/{filed['receipt_code']}/evidence",
        {"file": [as_upload(f"{n}.jpg", b"x") for n in range(101)]},
        headers={"X-Access-Key": filed["access_key"]},
    )
    assert answer.status_code == 400  # it was a 500 before
    assert answer.json()["error"]["code"] == "bad_request"
    assert not Evidence.objects.exists()
