"""What leaves the owning Satgas (issue #10, finding 12), the review's demonstrations re-run.

A token stops only the webhooks it made; the original file's hash goes to the owning Satgas
only; times are coarse (a day) for everyone else and in webhooks; ``case.created`` goes out at
the end of its batch window, not the moment a reporter pressed "send".
"""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from netra.cases import intake
from netra.cases.tests.fixtures import image_bytes, report_data
from netra.sharing import delivery
from netra.sharing.models import WebhookDelivery, WebhookSubscription
from netra.sharing.tests.conftest import bearer, file_case, issue
from netra.sharing.tests.receiver import Receiver, free_port

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks"
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
# A report sent at 14:37:12 WIB on a weekday.
SENT = datetime.datetime(2026, 11, 24, 14, 37, 12, tzinfo=WIB)


@pytest.fixture
def receiver():
    hook = Receiver(free_port())
    yield hook
    hook.stop()


def subscribe(api, token, url, events=("case.created", "case.transitioned")):
    body = {"url": url, "events": list(events)}
    return api.post(HOOKS, body, content_type="application/json", headers=bearer(token))


# --- webhooks: only one's own ----------------------------------------------------------------


def test_a_token_cannot_delete_another_tokens_webhook_of_its_own_agency(api, agencies, receiver):
    """The demonstration: any token of the agency deleted the agency's other subscriptions."""
    simpeg = issue(agencies, "pemkab-katingan", "satgas_lead")
    other = issue(agencies, "pemkab-katingan", "satgas_officer")
    sub_id = subscribe(api, simpeg, receiver.url).json()["id"]
    assert api.delete(f"{HOOKS}/{sub_id}", headers=bearer(other)).status_code == 404
    assert WebhookSubscription.objects.get(pk=sub_id).deleted_at is None
    assert api.get(HOOKS, headers=bearer(other)).json()["count"] == 0
    assert api.get(HOOKS, headers=bearer(simpeg)).json()["count"] == 1
    assert api.delete(f"{HOOKS}/{sub_id}", headers=bearer(simpeg)).status_code == 204


# --- evidence hashes -----------------------------------------------------------------------------


@pytest.fixture
def case_with_photo(agencies):
    upload = SimpleUploadedFile("foto.jpg", image_bytes(gps=True), "image/jpeg")
    return intake.report_submit(data=report_data(), files=[upload]).case


def evidence_of(api, token, case):
    (evidence,) = api.get(f"/api/v1/cases/{case.pk}", headers=bearer(token)).json()["evidence"]
    return evidence


def test_the_original_files_hash_goes_to_the_owning_satgas_only(api, agencies, case_with_photo):
    stored = case_with_photo.evidence.get()
    assert stored.sha256_received != stored.sha256_stored  # the GPS tag was stripped
    for code, role in [("bawaslu-kab-katingan", "bawaslu_officer"), ("bkn-pusat", "bkn_supervisor")]:
        seen = evidence_of(api, issue(agencies, code, role), case_with_photo)
        assert (seen["sha256"], seen["sha256_received"]) == (stored.sha256_stored, None)
        assert stored.sha256_received not in json.dumps(seen)
    # The pemda's PPK is not the Satgas: the chain of custody is the Satgas's.
    assert evidence_of(api, issue(agencies, "pemkab-katingan", "ppk"), case_with_photo)["sha256_received"] is None
    owner = evidence_of(api, issue(agencies, "pemkab-katingan", "satgas_officer"), case_with_photo)
    assert (owner["sha256"], owner["sha256_received"]) == (stored.sha256_stored, stored.sha256_received)


# --- times ---------------------------------------------------------------------------------------


@pytest.fixture
def sent_case(agencies):
    with time_machine.travel(SENT, tick=False):
        return file_case("62.06")


def _times(body) -> list[str]:
    return [
        body["created_at"],
        body["updated_at"],
        *(r["submitted_at"] for r in body["reports"]),
        *(t["at"] for t in body["transitions"]),
    ]


def test_outside_the_owning_satgas_times_are_floored_to_the_day(api, agencies, sent_case):
    token = issue(agencies, "bawaslu-kab-katingan", "bawaslu_officer")
    body = api.get(f"/api/v1/cases/{sent_case.pk}", headers=bearer(token)).json()
    day = datetime.datetime(2026, 11, 24, tzinfo=WIB)
    assert {datetime.datetime.fromisoformat(t) for t in _times(body)} == {day}
    listed = api.get("/api/v1/cases", headers=bearer(token)).json()["items"][0]
    assert datetime.datetime.fromisoformat(listed["created_at"]) == day
    events = api.get(f"/api/v1/cases/{sent_case.pk}/events", headers=bearer(token)).json()["items"]
    assert all(datetime.datetime.fromisoformat(e["at"]) == day for e in events)
    assert "14:37" not in json.dumps(body) and "07:37" not in json.dumps(body)


def test_the_owning_satgas_sees_exact_times(api, agencies, sent_case):
    token = issue(agencies, "pemkab-katingan", "satgas_officer")
    body = api.get(f"/api/v1/cases/{sent_case.pk}", headers=bearer(token)).json()
    assert datetime.datetime.fromisoformat(body["created_at"]) == SENT


def test_the_precision_is_a_setting(api, agencies, sent_case, settings):
    settings.NETRA_SHARED_TIME_PRECISION = "hour"
    token = issue(agencies, "bawaslu-kab-katingan", "bawaslu_officer")
    body = api.get(f"/api/v1/cases/{sent_case.pk}", headers=bearer(token)).json()
    assert datetime.datetime.fromisoformat(body["created_at"]) == SENT.replace(minute=0, second=0)


# --- case.created: batched, coarse -------------------------------------------------------------


def test_case_created_goes_out_at_the_end_of_its_batch_window_with_coarse_times(api, agencies, receiver, settings):
    """The demonstration: a pemda token's webhook learned of a report against its ASN at once."""
    settings.NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS = 3600
    token = issue(agencies, "pemkab-katingan", "satgas_lead")
    subscribe(api, token, receiver.url)
    receiver.start()
    with time_machine.travel(SENT, tick=False):
        case = file_case("62.06")
        assert delivery.run(once=True) == 0
    assert receiver.received == []
    assert WebhookDelivery.objects.get().next_attempt_at == datetime.datetime(2026, 11, 24, 15, 0, tzinfo=WIB)
    with time_machine.travel(SENT + datetime.timedelta(minutes=10), tick=False):
        delivery.run(once=True)
    assert receiver.received == []
    with time_machine.travel(datetime.datetime(2026, 11, 24, 15, 0, 1, tzinfo=WIB), tick=False):
        delivery.run(once=True)
    ((_headers, raw),) = receiver.received
    event = json.loads(raw)
    assert (event["type"], event["data"]["case"]["id"]) == ("case.created", case.pk)
    day = datetime.datetime(2026, 11, 24, tzinfo=WIB)
    assert datetime.datetime.fromisoformat(event["created_at"]) == day
    assert datetime.datetime.fromisoformat(event["data"]["case"]["updated_at"]) == day


def test_other_events_are_not_held_back(api, agencies, receiver, settings):
    settings.NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS = 3600
    token = issue(agencies, "pemkab-katingan", "satgas_lead")
    subscribe(api, token, receiver.url, events=("case.transitioned",))
    case = file_case("62.06")
    answer = api.post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"action": "checking"},
        content_type="application/json",
        headers=bearer(token),
    )
    assert answer.status_code == 200
    assert WebhookDelivery.objects.get().next_attempt_at <= timezone.now()
