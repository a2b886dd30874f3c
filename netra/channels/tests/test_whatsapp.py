"""WhatsApp Business Cloud API webhook against a local fake Graph API speaking its documented format."""

import io
import json
import logging

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from netra.cases.models import Evidence, Message, Report
from netra.channels import outbox
from netra.channels.models import ChannelReport, Conversation, InboundMessage, OutboundMessage
from netra.channels.tests.conftest import APP_SECRET, VERIFY_TOKEN, gps_jpeg, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]

NUMBER = "6281255507731"
OTHER = "6281399990000"
_seq = iter(range(1, 10_000))


def envelope(sender: str, message: dict) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "628001708", "phone_number_id": "1234567890"},
                            "contacts": [{"profile": {"name": "Warga"}, "wa_id": sender}],
                            "messages": [{"from": sender, "timestamp": "1733100000", **message}],
                        },
                    }
                ],
            }
        ],
    }


def text(body: str, mid: str | None = None) -> dict:
    return {"id": mid or f"wamid.{next(_seq)}", "type": "text", "text": {"body": body}}


def post(client, payload: dict, *, secret: str = APP_SECRET):
    body = json.dumps(payload).encode()
    return client.post(
        reverse("channels:whatsapp"),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(secret, body)},
    )


def say(client, sender: str, body: str, mid: str | None = None):
    response = post(client, envelope(sender, text(body, mid)))
    assert response.status_code == 200
    return OutboundMessage.objects.filter(channel="whatsapp").order_by("-pk").first().body


def converse(client, sender=NUMBER):
    say(client, sender, "Halo")
    say(client, sender, "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.")
    say(client, sender, "Balai desa Kasongan, Katingan")
    say(client, sender, "kemarin")
    return say(client, sender, "KIRIM")


def test_handshake_answers_the_challenge_only_with_the_verify_token(client, provider):
    url = reverse("channels:whatsapp")
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    bad = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"})
    assert bad.status_code == 403


def test_a_wrong_or_missing_signature_is_refused_and_nothing_stored(client, provider):
    assert post(client, envelope(NUMBER, text("Halo")), secret="not-the-secret").status_code == 403
    body = json.dumps(envelope(NUMBER, text("Halo"))).encode()
    assert client.post(reverse("channels:whatsapp"), body, content_type="application/json").status_code == 403
    assert not InboundMessage.objects.exists() and not OutboundMessage.objects.exists()


def test_the_conversation_files_a_report_and_the_reply_carries_code_and_key(client, provider):
    answer = converse(client)
    report = Report.objects.get()
    assert report.receipt_code in answer and "Kunci akses" in answer
    assert report.region_id == "62.06" and report.location.startswith("Balai desa")
    assert report.contact == f"WhatsApp: {NUMBER}"
    assert ChannelReport.objects.get().report == report
    assert not Conversation.objects.exists()
    # The worker sends the queued replies to the fake Graph API; the outbox forgets them.
    counts = outbox.deliver_due()
    assert counts["sent"] == 5 and counts["retried"] == 0
    last = provider.sent[-1]
    assert last["path"] == "/v21.0/1234567890/messages" and last["to"] == NUMBER
    assert last["messaging_product"] == "whatsapp" and report.receipt_code in last["text"]["body"]
    assert not OutboundMessage.objects.exclude(address="").exists()
    assert not OutboundMessage.objects.exclude(body="").exists()


def test_a_duplicate_delivery_makes_one_report(client, provider):
    say(client, NUMBER, "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.")
    say(client, NUMBER, "Balai desa Kasongan, Katingan")
    say(client, NUMBER, "kemarin")
    payload = envelope(NUMBER, text("KIRIM", "wamid.send-once"))
    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200  # Meta retries with the same message id
    assert Report.objects.count() == 1
    assert InboundMessage.objects.filter(external_id="wamid.send-once").count() == 1


def test_batal_cancels_and_keeps_nothing(client, provider):
    say(client, NUMBER, "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.")
    answer = say(client, NUMBER, "BATAL")
    assert "dibatalkan" in answer
    assert not Conversation.objects.exists() and not Report.objects.exists()


def test_a_photo_is_fetched_by_id_and_stored_without_exif(client, provider):
    provider.media["MEDIA77"] = (gps_jpeg(), "image/jpeg")
    say(client, NUMBER, "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.")
    image = {"id": "wamid.photo", "type": "image", "image": {"id": "MEDIA77", "mime_type": "image/jpeg"}}
    assert post(client, envelope(NUMBER, image)).status_code == 200
    say(client, NUMBER, "Kasongan, Katingan")
    say(client, NUMBER, "hari ini")
    say(client, NUMBER, "kirim")
    evidence = Evidence.objects.get()
    with default_storage.open(evidence.file.name) as stored:
        data = stored.read()
    assert b"MarkerCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert not provider.bad_auth


def test_an_oversize_document_gets_a_clear_reply(client, provider, settings):
    settings.NETRA_EVIDENCE_MAX_BYTES = 2_000
    provider.media["BIG"] = (b"%PDF-1.4\n" + b"0" * 5_000, "application/pdf")
    document = {"id": "wamid.big", "type": "document", "document": {"id": "BIG", "filename": "bukti.pdf"}}
    assert post(client, envelope(NUMBER, document)).status_code == 200
    answer = OutboundMessage.objects.order_by("-pk").first().body
    assert "terlalu besar" in answer and "MB" in answer
    assert not Evidence.objects.exists()


def test_a_later_message_quoting_the_code_continues_the_thread(client, provider):
    converse(client)
    report = Report.objects.get()
    answer = say(client, NUMBER, f"Untuk {report.receipt_code}: kaosnya bergambar nomor urut 2.")
    assert report.receipt_code in answer
    message = Message.objects.get(report=report)
    assert "nomor urut 2" in message.body and message.sender == Message.Sender.REPORTER
    assert Report.objects.count() == 1


def test_another_number_quoting_a_real_or_a_wrong_code_gets_the_same_neutral_reply(client, provider):
    converse(client)
    report = Report.objects.get()
    real = say(client, OTHER, f"Kode saya {report.receipt_code}, tolong tambahkan ini")
    wrong = say(client, OTHER, "Kode saya NTR-0000-0000, tolong tambahkan ini")
    assert real == wrong and report.receipt_code not in real
    assert not Message.objects.exists()


def test_a_failing_provider_is_retried_with_backoff(client, provider):
    provider.fail_sends = 1
    say(client, NUMBER, "Halo")
    assert outbox.deliver_due() == {"sent": 0, "retried": 1, "gave_up": 0}
    queued = OutboundMessage.objects.get()
    assert queued.last_error == "http_500" and queued.address == NUMBER
    assert outbox.deliver_due() == {"sent": 0, "retried": 0, "gave_up": 0}  # not due yet
    assert outbox.deliver_due(now=queued.next_attempt_at)["sent"] == 1
    assert provider.sent[0]["to"] == NUMBER


def test_logs_never_carry_the_number(client, provider, caplog):
    provider.fail_sends = 2
    caplog.set_level(logging.DEBUG)
    converse(client)
    outbox.deliver_due()
    assert caplog.records  # the failing sends were logged …
    assert NUMBER not in caplog.text and "0812" not in caplog.text  # … without the number


def test_media_fetch_goes_through_the_outbound_guard(client, provider, settings):
    # Production allows no loopback: the Graph API "at 127.0.0.1" is refused before any request.
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = []
    provider.media["M1"] = (gps_jpeg(), "image/jpeg")
    image = {"id": "wamid.guard", "type": "image", "image": {"id": "M1", "mime_type": "image/jpeg"}}
    assert post(client, envelope(NUMBER, image)).status_code == 200
    assert "tidak dapat kami ambil" in OutboundMessage.objects.get().body
    assert not provider.bad_auth and not provider.sent
