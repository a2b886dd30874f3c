"""Webhook SSRF by DNS rebinding (issue #10, finding 7), end to end through subscribe and delivery.

Before: the subscription check and each delivery resolved the name twice; a name answering a
public address first and 127.0.0.1 next reached a local listener. 127.0.0.2 stands in for the
public address (allowed by the setting), 127.0.0.1 for our own network; both listeners are real.
"""

import pytest

from netra.sharing import delivery, webhooks
from netra.sharing.models import ApiToken, WebhookAttempt, WebhookDelivery
from netra.sharing.tests.conftest import file_case
from netra.sharing.tests.receiver import Receiver, free_port
from netra.sharing.tokens import hash_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_the_stand_in_is_allowed(settings):
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]


@pytest.fixture
def pair():
    port = free_port()
    public, local = Receiver(port, address="127.0.0.2").start(), Receiver(port).start()
    yield port, public, local
    public.stop()
    local.stop()


def rebinding(*answers):
    calls = []

    def resolve(hostname, port):
        calls.append(hostname)
        return [answers[min(len(calls), len(answers)) - 1]]

    resolve.calls = calls
    return resolve


def token(satgas_katingan_token):
    return ApiToken.objects.get(token_hash=hash_token(satgas_katingan_token))


def test_a_name_rebound_to_loopback_after_subscribing_is_never_delivered_to(satgas_katingan_token, pair):
    port, public, local = pair
    resolver = rebinding("127.0.0.2", "127.0.0.1")
    webhooks.subscribe(
        token=token(satgas_katingan_token),
        url=f"http://hook.example:{port}/hook",
        events=["case.created"],
        resolver=resolver,
    )  # checked: 127.0.0.2
    file_case("62.06")
    assert delivery.deliver_due(resolver=resolver) == 1  # the delivery's one lookup: 127.0.0.1
    assert local.received == [] and public.received == []
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.error) == (None, "address_refused")
    assert WebhookDelivery.objects.get().status == "pending"  # retried later, re-checked then


def test_a_delivery_connects_to_the_address_it_checked(satgas_katingan_token, pair):
    port, public, local = pair
    webhooks.subscribe(
        token=token(satgas_katingan_token),
        url=f"http://hook.example:{port}/hook",
        events=["case.created"],
        resolver=rebinding("127.0.0.2"),
    )
    file_case("62.06")
    resolver = rebinding("127.0.0.2", "127.0.0.1")  # a second lookup would answer 127.0.0.1
    delivery.deliver_due(resolver=resolver)
    assert resolver.calls == ["hook.example"]
    assert local.received == []
    assert [headers["host"] for headers, _body in public.received] == [f"hook.example:{port}"]
    assert WebhookDelivery.objects.get().status == "delivered"


def test_subscribing_a_name_that_answers_loopback_is_refused(satgas_katingan_token):
    with pytest.raises(webhooks.SubscriptionError) as refused:
        webhooks.subscribe(
            token=token(satgas_katingan_token),
            url="http://hook.example/hook",
            events=["case.created"],
            resolver=rebinding("127.0.0.1"),
        )
    assert "url" in refused.value.fields
