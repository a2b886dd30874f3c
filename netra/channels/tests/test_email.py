"""E-mail intake against a real IMAP4rev1 server on 127.0.0.1 (pymap); replies through Django's
e-mail backend (locmem) from the outbox."""

import imaplib
import io
import logging
from email.message import EmailMessage

import pytest
from django.core import mail as outgoing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from PIL import Image

from netra.cases.models import Evidence, Message, Report
from netra.channels import mail, outbox
from netra.channels.models import ChannelReport, OutboundMessage
from netra.channels.tests.conftest import gps_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]

SENDER = "warga.rahasia@contoh.id"
STORY = (
    "Kepala dinas ikut berkampanye untuk pasangan calon di Kasongan, Katingan, dan mengajak pegawai memilihnya.\n"
    "\n"
    "-- \n"
    "Warga Rahasia, Jl. Melati 7"
)


def deliver(server: dict, *, sender=SENDER, subject="Laporan ASN kampanye", body=STORY, attach=None, mid=None):
    message = EmailMessage()
    message["From"] = f"Warga <{sender}>"
    message["To"] = "laporan@netra.test"
    message["Subject"] = subject
    message["Date"] = "Mon, 30 Nov 2026 08:00:00 +0700"
    message["Message-ID"] = mid or f"<{abs(hash((sender, subject, body)))}@contoh.id>"
    message.set_content(body)
    for data, maintype, subtype, name in attach or []:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    client = imaplib.IMAP4(server["host"], server["port"])
    client.login(server["user"], server["password"])
    client.append("INBOX", None, None, message.as_bytes())
    client.logout()
    return message


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def replies():
    outbox.deliver_due()
    return outgoing.outbox


def test_a_mail_becomes_a_report_and_the_sender_gets_code_and_key(imap_server):
    deliver(imap_server)
    assert mail.poll(imap_server) == 1
    report = Report.objects.get()
    assert report.description.startswith("Kepala dinas ikut berkampanye")
    assert "Jl. Melati" not in report.description  # the signature went
    assert report.region_id == "62.06" and report.incident_date.isoformat() == "2026-11-30"
    assert report.contact == f"E-mail: {SENDER}"
    [sent] = replies()
    assert sent.to == [SENDER] and sent.from_email == "laporan@netra.test"
    assert report.receipt_code in sent.body and "Kunci akses" in sent.body
    assert sent.subject == "Re: Laporan ASN kampanye"
    assert not OutboundMessage.objects.exclude(address="").exists()


def test_a_mail_fetched_again_makes_no_second_report(imap_server):
    deliver(imap_server, mid="<once@contoh.id>")
    deliver(imap_server, mid="<once@contoh.id>")  # the same mail in the folder twice (a client's copy)
    assert mail.poll(imap_server) == 1
    # The \Seen flags lost: everything unseen again, fetched again.
    client = imaplib.IMAP4(imap_server["host"], imap_server["port"])
    client.login(imap_server["user"], imap_server["password"])
    client.select("INBOX")
    client.store("1:*", "-FLAGS", "(\\Seen)")
    client.logout()
    assert mail.poll(imap_server) == 0
    assert Report.objects.count() == 1 and len(replies()) == 1


def test_a_photo_attachment_is_stripped_of_exif(imap_server):
    deliver(imap_server, attach=[(gps_jpeg(), "image", "jpeg", "IMG_2041.jpg")])
    mail.poll(imap_server)
    evidence = Evidence.objects.get()
    with default_storage.open(evidence.file.name) as stored:
        data = stored.read()
    assert b"MarkerCam" not in data and not Image.open(io.BytesIO(data)).getexif()


def test_an_oversize_attachment_gets_a_clear_reply_and_no_report(imap_server, settings):
    settings.NETRA_EVIDENCE_MAX_BYTES = 2_000
    deliver(imap_server, attach=[(b"%PDF-1.4\n" + b"0" * 5_000, "application", "pdf", "bukti.pdf")])
    mail.poll(imap_server)
    assert not Report.objects.exists()
    [sent] = replies()
    assert "bukti.pdf" in sent.body and "terlalu besar" in sent.body


def test_a_reply_quoting_the_code_from_the_same_address_joins_the_thread(imap_server):
    deliver(imap_server)
    mail.poll(imap_server)
    report = Report.objects.get()
    deliver(
        imap_server,
        subject=f"Re: Laporan Netra {report.receipt_code}",
        body="Saya lupa: acaranya dihadiri camat juga.\n\nPada 30 Nov 2026 Netra menulis:\n> Laporan Anda sudah kami terima.",
    )
    assert mail.poll(imap_server) == 1
    message = Message.objects.get(report=report)
    assert message.body == "Saya lupa: acaranya dihadiri camat juga."
    assert Report.objects.count() == 1
    assert report.receipt_code in replies()[-1].body


def test_another_address_quoting_a_code_hears_nothing_about_it(imap_server):
    deliver(imap_server)
    mail.poll(imap_server)
    report = Report.objects.get()
    deliver(imap_server, sender="orang.lain@contoh.id", subject=f"Tentang {report.receipt_code}", body="Tambahan.")
    deliver(imap_server, sender="orang.lain@contoh.id", subject="Tentang NTR-0000-0000", body="Tambahan.")
    assert mail.poll(imap_server) == 2
    real, wrong = replies()[-2:]
    assert real.body == wrong.body and report.receipt_code not in real.body
    assert not Message.objects.exists() and ChannelReport.objects.count() == 1


def test_plain_imap_is_refused_beyond_loopback():
    with pytest.raises(ImproperlyConfigured):
        mail.connect({"host": "imap.contoh.id", "tls": False, "user": "u", "password": "p"})


def test_logs_never_carry_the_address(imap_server, caplog):
    caplog.set_level(logging.DEBUG)
    deliver(imap_server)
    mail.poll_all([imap_server, {**imap_server, "name": "mati", "port": 1}])  # one mailbox down: logged
    replies()
    assert "mati" in caplog.text
    assert SENDER not in caplog.text and "warga.rahasia" not in caplog.text
