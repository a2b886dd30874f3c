"""Webhook order per case with several deliverers at once (PostgreSQL: real row locks, real threads).

``make scale-check`` checks the same with two ``deliver_webhooks`` processes under load.
"""

import json
import os
import threading
import time

import pytest
from django.db import connection, transaction

from netra.sharing import delivery, outbox
from netra.sharing.models import WebhookDelivery, WebhookEvent
from netra.sharing.tests.conftest import file_case
from netra.sharing.tests.receiver import Receiver, free_port
from netra.sharing.tests.test_webhooks import move, overdue, subscribe

pytestmark = [
    pytest.mark.skipif(not os.environ.get("NETRA_TEST_POSTGRES"), reason="row locks: set NETRA_TEST_POSTGRES=1"),
    pytest.mark.django_db(transaction=True),
]


class SlowReceiver(Receiver):
    """Answers each POST after a short pause, so two deliverers overlap."""

    def start(self):
        super().start()
        handler = self._server.RequestHandlerClass
        original = handler.do_POST

        def slow(this):
            time.sleep(0.02)
            original(this)

        handler.do_POST = slow
        return self


def in_thread(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def received(receiver) -> list[tuple[int, str, str]]:
    """(case id, event id, type) in the order the receiver got them."""
    out = []
    for headers, body in receiver.received:
        event = json.loads(body)
        out.append((event["data"]["case"]["id"], headers["x-netra-event-id"], event["type"]))
    return out


def test_two_deliverers_keep_each_cases_events_in_order_and_send_each_once(api, satgas_katingan_token):
    hook = SlowReceiver(free_port()).start()
    try:
        assert subscribe(api, satgas_katingan_token, hook.url).status_code == 201
        cases = [file_case("62.06") for _ in range(6)]
        for case in cases:
            for action in ("checking", "verification"):
                move(api, satgas_katingan_token, case, action)
        stop = threading.Event()

        def deliverer():
            while not stop.is_set() and WebhookDelivery.objects.filter(status="pending").exists():
                delivery.deliver_due(limit=5)

        threads = [in_thread(deliverer) for _ in range(2)]
        for thread in threads:
            thread.join(60)
        stop.set()
    finally:
        hook.stop()
    order = {str(e.event_id): (e.case_id, e.pk) for e in WebhookEvent.objects.all()}
    got = received(hook)
    assert sorted(event_id for _case, event_id, _type in got) == sorted(order)  # each event once
    for case in cases:
        ids = [order[event_id][1] for case_id, event_id, _type in got if case_id == case.pk]
        assert ids == sorted(ids) and len(ids) == 3, case.pk
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_two_writers_of_one_cases_events_commit_in_id_order(api, satgas_katingan_token):
    """Two jobs write an event of the same case at once (neither holds the case's lock itself).

    Without the case lock in ``outbox.emit`` the second took a later id but committed first, and
    a deliverer sent it before the first one (whose row was not visible yet): out of order.
    """
    hook = Receiver(free_port()).start()
    try:
        subscribe(api, satgas_katingan_token, hook.url)
        case = overdue(file_case("62.06"))
        delivery.deliver_due()  # case.created
        with transaction.atomic():
            first = outbox.emit(outbox.CASE_DEADLINE_MISSED, case=case, data={"n": 1})
            second = in_thread(lambda: outbox.emit(outbox.CASE_DEADLINE_MISSED, case=case, data={"n": 2}))
            time.sleep(0.5)
            meanwhile = in_thread(delivery.deliver_due)
            meanwhile.join(30)
        second.join(30)
        delivery.deliver_due()
        delivery.deliver_due()
    finally:
        hook.stop()
    got = [json.loads(body)["data"].get("n") for _headers, body in hook.received]
    assert got == [None, 1, 2]
    assert first is not None
    ids = list(
        WebhookEvent.objects.filter(type="case.deadline_missed")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    assert ids == sorted(ids)
