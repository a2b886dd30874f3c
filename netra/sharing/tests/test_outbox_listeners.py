"""The outbox remembers for a few seconds that nobody subscribes, and forgets it on a subscription change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from netra.sharing import outbox
from netra.sharing.models import WebhookEvent, WebhookSubscription
from netra.sharing.tests.conftest import file_case
from netra.sharing.tokens import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nobody_known():
    outbox.forget_listeners()
    yield
    outbox.forget_listeners()


def subscribe(agencies) -> WebhookSubscription:
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="SIPP").token
    return WebhookSubscription.objects.create(
        agency=token.agency,
        role=token.role,
        token=token,
        url="https://example.org/hook",
        events=["case.created"],
        secret="s",
    )


def test_without_subscriptions_a_second_case_does_not_look_for_them(agencies):
    file_case()

    with CaptureQueriesContext(connection) as captured:
        file_case()

    assert not [q for q in captured.captured_queries if "sharing_webhooksubscription" in q["sql"]]


def test_a_subscription_saved_after_nobody_listened_gets_the_next_event(agencies):
    file_case()
    subscribe(agencies)

    case = file_case()

    assert WebhookEvent.objects.filter(case=case, type="case.created").exists()
