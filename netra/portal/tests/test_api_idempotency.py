"""Issue #17, item 1 on the public API: the Idempotency-Key header (docs/integration.md)."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from netra.cases import intake
from netra.cases.models import Evidence, Message, Report
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (private_media: autouse)

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/public/reports"


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def post(api, data, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(REPORTS, data, content_type="application/json", headers=headers)


def test_the_same_key_and_body_answer_the_same_201_and_store_one_report(api, regions):
    key = str(uuid.uuid4())
    first, again = post(api, report_data(), key), post(api, report_data(), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the same receipt code and the same access key
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    report = Report.objects.get()
    assert intake.hash_access_key(first.json()["access_key"]) == report.access_key_hash
    assert key not in (report.submission_key or "")  # stored as a keyed hash only
    status = api.get(first.json()["status_url"], headers={"X-Access-Key": first.json()["access_key"]})
    assert status.status_code == 200


def test_the_same_key_with_another_body_answers_422_idempotency_key_reused(api, regions):
    key = str(uuid.uuid4())
    post(api, report_data(), key)
    other = post(api, report_data(location="Balai desa"), key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


def test_without_a_key_every_post_is_a_new_report(api, regions):
    a, b = post(api, report_data()), post(api, report_data())
    assert a.json()["receipt_code"] != b.json()["receipt_code"]
    assert Report.objects.count() == 2


def test_a_malformed_key_answers_422(api, regions):
    answer = post(api, report_data(), "short")
    assert answer.status_code == 422 and "idempotency_key" in answer.json()["error"]["fields"]
    assert not Report.objects.exists()


def test_different_clients_keys_do_not_mix(api, regions):
    a, b = post(api, report_data(), str(uuid.uuid4())), post(api, report_data(), str(uuid.uuid4()))
    assert a.json()["receipt_code"] != b.json()["receipt_code"]


def test_a_retried_message_is_stored_once(api, regions):
    receipt = post(api, report_data()).json()
    headers = {"X-Access-Key": receipt["access_key"], "Idempotency-Key": str(uuid.uuid4())}
    url = f"{REPORTS}/{receipt['receipt_code']}/messages"
    first = api.post(url, {"body": "Ada video."}, content_type="application/json", headers=headers)
    again = api.post(url, {"body": "Ada video."}, content_type="application/json", headers=headers)
    other = api.post(url, {"body": "Lain."}, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert Message.objects.count() == 1


def test_a_retried_upload_is_stored_once(api, regions):
    receipt = post(api, report_data()).json()
    headers = {"X-Access-Key": receipt["access_key"], "Idempotency-Key": str(uuid.uuid4())}
    url = f"{REPORTS}/{receipt['receipt_code']}/evidence"
    answers = [
        api.post(url, {"file": SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg")}, headers=headers)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Evidence.objects.count() == 1
    png = SimpleUploadedFile("b.png", image_bytes("PNG"), content_type="image/png")
    assert api.post(url, {"file": png}, headers=headers).status_code == 422


def test_a_replay_is_not_rate_limited_and_not_counted(api, regions, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    key = str(uuid.uuid4())
    assert post(api, report_data(), key).status_code == 201
    assert post(api, report_data(), key).status_code == 201  # the retry of the accepted one
    assert post(api, report_data()).status_code == 429  # a new one is over the limit
