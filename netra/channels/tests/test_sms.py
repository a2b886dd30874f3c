"""The generic JSON SMS gateway: signed posts in, signed replies out (a local fake gateway)."""

import json

import pytest
from django.urls import reverse

from netra.cases.models import Message, Report
from netra.channels import outbox
from netra.channels.models import InboundMessage, OutboundMessage
from netra.channels.tests.conftest import SMS_SECRET, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]

NUMBER = "+62 812-5550-7731"
_seq = iter(range(1, 10_000))


def sms(client, text: str, *, sender=NUMBER, mid=None, secret=SMS_SECRET):
    body = json.dumps({"id": mid or f"sms-{next(_seq)}", "from": sender, "text": text}).encode()
    return client.post(
        reverse("channels:sms"),
        body,
        content_type="application/json",
        headers={"X-Netra-Signature": sign(secret, body)},
    )


def last_reply() -> str:
    return OutboundMessage.objects.order_by("-pk").first().body


def test_signature_invalid_or_missing_is_refused(client, provider):
    assert sms(client, "Halo", secret="salah").status_code == 403
    body = json.dumps({"id": "x", "from": NUMBER, "text": "Halo"}).encode()
    assert client.post(reverse("channels:sms"), body, content_type="application/json").status_code == 403
    assert not InboundMessage.objects.exists()


def test_an_unconfigured_gateway_refuses_even_a_signed_post(client, provider, settings):
    settings.NETRA_SMS_SECRET = ""
    assert sms(client, "Halo", secret="").status_code == 403


def test_the_sms_flow_files_a_report_and_the_signed_reply_reaches_the_gateway(client, provider):
    assert sms(client, "Lurah membagikan sembako bergambar calon bupati kepada warga.").status_code == 200
    assert "Di mana" in last_reply()
    sms(client, "Pasar Kasongan Katingan")
    sms(client, "20-11-2026 tidak, maksud saya kemarin")  # understood: the first date it reads
    assert "KIRIM" in last_reply()
    sms(client, "kirim")
    report = Report.objects.get()
    assert report.receipt_code in last_reply()
    assert outbox.deliver_due()["sent"] == 4
    assert provider.sent[-1]["path"] == "/sms/send" and provider.sent[-1]["to"] == NUMBER
    assert report.receipt_code in provider.sent[-1]["text"]


def test_duplicate_delivery_and_thread_continuation(client, provider):
    for text in ("Lurah membagikan sembako bergambar calon bupati kepada warga.", "Katingan", "hari ini"):
        sms(client, text)
    sms(client, "KIRIM", mid="gw-77")
    sms(client, "KIRIM", mid="gw-77")
    assert Report.objects.count() == 1
    report = Report.objects.get()
    # The same number, the code typed loosely (lower case, no dashes): joins the thread.
    sms(
        client,
        f"{report.receipt_code.lower().replace('-', '')} sembakonya dibagikan lagi hari ini",
        sender="6281255507731",
    )
    assert Message.objects.get(report=report).body.endswith("dibagikan lagi hari ini")
    # Another number with the code and the key (from the reply) also joins.
    key_line = next(
        line for line in OutboundMessage.objects.get(body__contains="Kunci akses").body.splitlines() if "Kunci" in line
    )
    key = key_line.split(":", 1)[1].strip()
    sms(client, f"{report.receipt_code} {key} saya pindah nomor", sender="+628199990000")
    assert Message.objects.filter(report=report).count() == 2
