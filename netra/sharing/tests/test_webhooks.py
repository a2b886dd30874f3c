"""Webhooks: subscriptions over the API, the outbox, and delivery to a real local receiver."""

import datetime
import json

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from netra.cases import services
from netra.cases.models import Case
from netra.sharing import delivery
from netra.sharing.models import ApiToken, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription
from netra.sharing.tests.conftest import bearer, file_case
from netra.sharing.tests.receiver import Receiver, free_port
from netra.sharing.tokens import hash_token, revoke_token
from netra.sharing.webhooks import verify

pytestmark = pytest.mark.django_db

HOOKS = "/api/v1/webhooks"
ALL_EVENTS = ["case.created", "case.transitioned", "case.deadline_missed"]


def subscribe(api, token, url, events=ALL_EVENTS):
    return api.post(HOOKS, {"url": url, "events": events}, content_type="application/json", headers=bearer(token))


def move(api, token, case, action, **body):
    answer = api.post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"action": action, **body},
        content_type="application/json",
        headers=bearer(token),
    )
    assert answer.status_code == 200, answer.json()


def later(minutes: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)


@pytest.fixture
def receiver():
    hook = Receiver(free_port())
    yield hook
    hook.stop()


# --- the API ----------------------------------------------------------------------------------


def test_subscribing_answers_201_with_the_secret_once(api, satgas_katingan_token, receiver):
    answer = subscribe(api, satgas_katingan_token, receiver.url)
    body = answer.json()
    assert answer.status_code == 201
    assert set(body) == {"id", "url", "events", "active", "created_at", "secret"}
    listed = api.get(HOOKS, headers=bearer(satgas_katingan_token)).json()["items"]
    assert [set(item) for item in listed] == [{"id", "url", "events", "active", "created_at"}]


def test_deleting_a_subscription_answers_204_and_removes_it(api, satgas_katingan_token, receiver):
    sub_id = subscribe(api, satgas_katingan_token, receiver.url).json()["id"]
    answer = api.delete(f"{HOOKS}/{sub_id}", headers=bearer(satgas_katingan_token))
    assert answer.status_code == 204
    assert api.get(HOOKS, headers=bearer(satgas_katingan_token)).json()["count"] == 0


def test_another_agencys_subscription_answers_404(api, satgas_katingan_token, bawaslu_katingan_token, receiver):
    sub_id = subscribe(api, satgas_katingan_token, receiver.url).json()["id"]
    assert api.delete(f"{HOOKS}/{sub_id}", headers=bearer(bawaslu_katingan_token)).status_code == 404
    assert WebhookSubscription.objects.get(pk=sub_id).deleted_at is None


def test_a_non_http_url_is_a_validation_error(api, satgas_katingan_token, db):
    answer = subscribe(api, satgas_katingan_token, "ftp://example.org/hook")
    assert answer.status_code == 422
    assert "url" in answer.json()["error"]["fields"]


def test_an_unknown_event_is_a_validation_error(api, satgas_katingan_token, receiver):
    answer = subscribe(api, satgas_katingan_token, receiver.url, events=["case.exploded"])
    assert answer.status_code == 422
    assert "events" in answer.json()["error"]["fields"]


@override_settings(NETRA_OUTBOUND_ALLOWED_NETWORKS=[])
def test_outside_development_a_loopback_target_is_refused(api, satgas_katingan_token, receiver):
    answer = subscribe(api, satgas_katingan_token, receiver.url)
    assert answer.status_code == 422
    assert "url" in answer.json()["error"]["fields"]


def test_revoking_a_token_stops_the_subscriptions_it_made(api, satgas_katingan_token, receiver):
    sub_id = subscribe(api, satgas_katingan_token, receiver.url).json()["id"]
    revoke_token(token=ApiToken.objects.get(token_hash=hash_token(satgas_katingan_token)))
    assert WebhookSubscription.objects.get(pk=sub_id).active is False


# --- the outbox -------------------------------------------------------------------------------


def test_a_new_case_writes_one_delivery_per_interested_subscription(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    case = file_case("62.06")
    event = WebhookEvent.objects.get()
    assert (event.type, event.case_id) == ("case.created", case.pk)
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_events_outside_the_subscribers_scope_are_not_written(api, bawaslu_katingan_token, receiver):
    subscribe(api, bawaslu_katingan_token, receiver.url)
    file_case("62.04")  # Barito Selatan: not Bawaslu Katingan's region
    assert WebhookDelivery.objects.count() == 0


def test_only_subscribed_event_types_are_written(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url, events=["case.transitioned"])
    file_case("62.06")
    assert WebhookEvent.objects.count() == 0


def test_a_change_that_rolls_back_leaves_no_event(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        file_case("62.06")
        raise RuntimeError("rolled back after the Transition row was written")
    assert (WebhookEvent.objects.count(), WebhookDelivery.objects.count()) == (0, 0)


def overdue(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(deadline_key="checking", due_date=datetime.date(2024, 11, 1))
    case.refresh_from_db()
    return case


def test_a_missed_deadline_becomes_an_event(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    case = overdue(file_case("62.06"))

    services.deadline_missed_send(case=case)

    event = WebhookEvent.objects.get(type="case.deadline_missed")
    assert event.payload["data"]["deadline"] == {"key": "checking", "due_date": "2024-11-01"}


def test_a_missed_deadline_is_written_to_the_outbox_with_its_audit_event(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    case = overdue(file_case("62.06"))

    with pytest.raises(RuntimeError), transaction.atomic():
        services.deadline_missed_send(case=case)
        assert WebhookEvent.objects.filter(type="case.deadline_missed").exists()  # before any commit
        raise RuntimeError("the job's transaction rolls back")

    assert not WebhookEvent.objects.filter(type="case.deadline_missed").exists()


def test_a_bawaslu_review_request_is_an_event_of_the_move_s_own_transaction(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    case = file_case("62.06")
    for action in ("checking", "verification"):
        move(api, satgas_katingan_token, case, action)
    events = WebhookEvent.objects.count()

    move(api, satgas_katingan_token, case, "bawaslu_review", data={"explanation": "Mohon kajian."})

    (event,) = WebhookEvent.objects.order_by("pk")[events:]
    assert event.type == "case.transitioned"
    assert event.payload["data"]["transition"]["action"] == "bawaslu_review"
    assert event.payload["data"]["transition"]["from"] == event.payload["data"]["transition"]["to"] == "verification"


# --- delivery to a real receiver --------------------------------------------------------------


def test_a_delivery_is_signed_with_the_subscription_secret(api, satgas_katingan_token, receiver):
    secret = subscribe(api, satgas_katingan_token, receiver.url).json()["secret"]
    receiver.start()
    file_case("62.06")
    delivery.run(once=True)
    ((headers, body),) = receiver.received
    assert verify(secret, body, headers["x-netra-signature"])
    assert headers["x-netra-signature"].startswith("sha256=")


def test_a_delivery_carries_its_event_id_in_header_and_body(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    receiver.start()
    file_case("62.06")
    delivery.run(once=True)
    ((headers, body),) = receiver.received
    assert json.loads(body)["id"] == headers["x-netra-event-id"] == str(WebhookEvent.objects.get().event_id)


def test_a_receiver_down_then_back_gets_every_event_in_order(api, satgas_katingan_token, receiver):
    secret = subscribe(api, satgas_katingan_token, receiver.url).json()["secret"]
    case = file_case("62.06")
    move(api, satgas_katingan_token, case, "checking")
    move(api, satgas_katingan_token, case, "verification")

    delivery.run(once=True)  # nobody listens: connection refused
    assert WebhookAttempt.objects.count() == 1  # the later events wait for the first one
    assert WebhookDelivery.objects.filter(status="pending").count() == 3

    receiver.start()
    with later(10):
        delivery.run(once=True)

    bodies = [json.loads(body) for _headers, body in receiver.received]
    assert [(b["type"], (b["data"].get("transition") or {}).get("to")) for b in bodies] == [
        ("case.created", None),
        ("case.transitioned", "checking"),
        ("case.transitioned", "verification"),
    ]
    assert all(verify(secret, body, headers["x-netra-signature"]) for headers, body in receiver.received)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_failed_delivery_is_retried_with_the_same_event_id_and_body(api, satgas_katingan_token, db):
    hook = Receiver(free_port(), fail_first=True).start()
    try:
        subscribe(api, satgas_katingan_token, hook.url)
        case = file_case("62.06")
        move(api, satgas_katingan_token, case, "checking")
        delivery.run(once=True)
        for minutes in (5, 10):
            with later(minutes):
                delivery.run(once=True)
    finally:
        hook.stop()
    by_id: dict[str, set[bytes]] = {}
    for headers, body in hook.received:
        by_id.setdefault(headers["x-netra-event-id"], set()).add(body)
    assert set(by_id) == {str(e) for e in WebhookEvent.objects.values_list("event_id", flat=True)}
    assert all(len(bodies) == 1 for bodies in by_id.values())  # a duplicate is byte-identical
    assert len(hook.received) == 4  # each event: a 500, then a 200


def test_a_failed_attempt_is_logged_and_rescheduled_with_backoff(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    file_case("62.06")
    before = timezone.now()
    delivery.run(once=True)
    pending = WebhookDelivery.objects.get()
    attempt = WebhookAttempt.objects.get()
    assert (pending.status, pending.attempts, attempt.status_code) == ("pending", 1, None)
    # A category, never the exception text (which would name our addresses and ports).
    assert (attempt.error, pending.last_error) == ("connect_failed", "connect_failed")
    assert pending.next_attempt_at >= before + datetime.timedelta(seconds=25)


def test_backoff_doubles_up_to_an_hour():
    waits = [delivery.backoff(n) for n in (1, 2, 3, 12)]
    assert 27 <= waits[0].total_seconds() <= 33
    assert 54 <= waits[1].total_seconds() <= 66
    assert 108 <= waits[2].total_seconds() <= 132
    assert waits[3] <= datetime.timedelta(hours=1, minutes=6)


@override_settings(NETRA_WEBHOOK_RETRY_HOURS=1)
def test_retries_last_at_least_24_hours(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    file_case("62.06")
    with later(23 * 60):
        delivery.run(once=True)
    assert WebhookDelivery.objects.get().status == "pending"


@override_settings(NETRA_WEBHOOK_RETRY_HOURS=24)
def test_a_delivery_failing_past_the_retry_window_is_given_up(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    file_case("62.06")
    with later(25 * 60):
        delivery.run(once=True)
    assert WebhookDelivery.objects.get().status == "failed"


def test_a_claimed_delivery_cannot_be_claimed_twice(api, satgas_katingan_token, receiver):
    subscribe(api, satgas_katingan_token, receiver.url)
    file_case("62.06")
    (delivery_id,) = delivery.due()
    assert delivery.claim(delivery_id) is True
    assert delivery.claim(delivery_id) is False


def test_a_deleted_subscription_gets_nothing_more(api, satgas_katingan_token, receiver):
    sub_id = subscribe(api, satgas_katingan_token, receiver.url).json()["id"]
    receiver.start()
    file_case("62.06")
    api.delete(f"{HOOKS}/{sub_id}", headers=bearer(satgas_katingan_token))
    delivery.run(once=True)
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == "cancelled"
