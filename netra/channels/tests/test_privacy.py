"""The channel's sender is contact data: only the owning Satgas sees it; nowhere else; purged."""

import datetime
import json

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from conftest import verified_login
from netra.audit.models import AuditEvent
from netra.cases import reporter_data
from netra.cases.models import Report
from netra.channels import outbox, services
from netra.channels.models import ChannelReport, InboundMessage, OutboundMessage
from netra.notify.models import Notification
from netra.sharing.models import WebhookEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]

NUMBER = "6281255507731"


@pytest.fixture
def whatsapp_report(provider):
    data = {
        "description": "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.",
        "incident_date": datetime.date.today().isoformat(),
        "region_code": "62.06",
        "location": "Kasongan",
    }
    outcome = services.submit(channel="whatsapp", address=NUMBER, data=data, files=[])
    services.reply("whatsapp", NUMBER, outcome.reply)
    return Report.objects.get(pk=outcome.report.pk)


def test_only_the_owning_satgas_sees_the_number(client, whatsapp_report, satgas_katingan, ppk_katingan, satgas_barsel):
    case = whatsapp_report.case
    url = reverse("workspace:case", args=[case.pk])
    assert NUMBER in verified_login(client, satgas_katingan).get(url).content.decode()
    client.logout()
    page = verified_login(client, ppk_katingan).get(url)
    assert page.status_code == 200 and NUMBER not in page.content.decode()
    client.logout()
    assert verified_login(client, satgas_barsel).get(url).status_code == 404


def test_the_number_is_nowhere_else(whatsapp_report):
    texts = [json.dumps(e.payload) for e in AuditEvent.objects.all()]
    texts += [json.dumps(e.payload, default=str) for e in WebhookEvent.objects.all()]
    texts += [n.text for n in Notification.objects.all()]
    assert texts and not any(NUMBER in t for t in texts)
    assert NUMBER not in ChannelReport.objects.get().sender_hash
    # The reply holds it only until sent.
    assert OutboundMessage.objects.filter(address=NUMBER).exists()
    outbox.deliver_due()
    assert not OutboundMessage.objects.filter(address=NUMBER).exists()


def test_the_map_names_real_columns():
    for label, names in reporter_data.CHANNEL_MODEL_FIELDS.items():
        model = apps.get_model(label)
        assert all(model._meta.get_field(name) for name in names)


def test_retention_removes_the_channel_data(whatsapp_report):
    InboundMessage.objects.create(channel="whatsapp", external_id="wamid.old")
    assert services.purge(older_than_days=30)["origins"] == 0  # young: kept
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=31)):
        counts = services.purge(older_than_days=30)
    assert counts["origins"] == 1 and counts["inbound"] == 1 and counts["outbound"] == 1
    assert not ChannelReport.objects.exists() and not OutboundMessage.objects.exists()
