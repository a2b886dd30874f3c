"""The Twilio-format SMS webhook: Twilio's documented signature, form posts in, TwiML out, media with
basic auth and replies through the Messages resource of a local fake Twilio on 127.0.0.1."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.urls import reverse
from PIL import Image

from netra.cases.models import Evidence, Report
from netra.channels import adapters, outbox
from netra.channels.models import InboundMessage, OutboundMessage
from netra.channels.tests.conftest import gps_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "twilio-auth-token"
HOOK = "https://netra.example.go.id/kanal/twilio/"
NUMBER, OURS = "+6281255507731", "+15005550006"
_seq = iter(range(1, 10_000))


class FakeTwilio:
    def __init__(self):
        self.media: dict[str, tuple[bytes, str]] = {}
        self.sent: list[dict] = []
        self.bad_auth: list[str] = []


def _handler(fake: FakeTwilio):
    expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status, body=b"", content_type="application/json", location=""):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            name = self.path.rsplit("/", 1)[-1]
            if self.path.startswith("/cdn/") and name in fake.media:  # the media store: a signed URL
                data, mime = fake.media[name]
                return self._reply(200, data, mime)
            if self.headers.get("Authorization") != expected:
                fake.bad_auth.append(self.path)
                return self._reply(401, b'{"code": 20003}')
            if f"/2010-04-01/Accounts/{SID}/Messages/" in self.path and name in fake.media:
                host, port = self.server.server_address[:2]
                return self._reply(307, location=f"http://{host}:{port}/cdn/{name}")
            return self._reply(404, b'{"code": 20404}')

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Authorization") != expected:
                fake.bad_auth.append(self.path)
                return self._reply(401, b'{"code": 20003}')
            if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
                return self._reply(404, b'{"code": 20404}')
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            fake.sent.append(form)
            return self._reply(201, b'{"sid": "SMout", "status": "queued"}')

    return Handler


@pytest.fixture
def twilio(settings):
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.NETRA_TWILIO_ACCOUNT_SID = SID
    settings.NETRA_TWILIO_AUTH_TOKEN = TOKEN
    settings.NETRA_TWILIO_WEBHOOK_URL = HOOK
    settings.NETRA_TWILIO_API_URL = f"http://127.0.0.1:{port}"
    fake.base = f"http://127.0.0.1:{port}"
    yield fake
    server.shutdown()
    server.server_close()


def twilio_sign(token: str, url: str, params: dict) -> str:
    """Written out again here from Twilio's documentation (checked against its published vector)."""
    import hashlib
    import hmac

    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def sms(client, text: str, *, sender=NUMBER, sid=None, token=TOKEN, media=(), url=HOOK, signature=None):
    params = {
        "MessageSid": sid or f"SM{next(_seq):032d}",
        "AccountSid": SID,
        "From": sender,
        "To": OURS,
        "Body": text,
        "NumMedia": str(len(media)),
        "ApiVersion": "2010-04-01",
    }
    for n, (media_url, mime) in enumerate(media):
        params[f"MediaUrl{n}"], params[f"MediaContentType{n}"] = media_url, mime
    headers = {"X-Twilio-Signature": signature if signature is not None else twilio_sign(token, url, params)}
    return client.post(reverse("channels:twilio"), params, headers=headers)


def test_the_signature_is_twilios_documented_one():
    params = QueryDict(mutable=True)
    for name, value in {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }.items():
        params[name] = value
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert adapters.twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio_sign("12345", url, params.dict()) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    repeated = QueryDict("Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234")
    assert adapters.twilio_signature("12345", url, repeated) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    assert adapters.twilio_signature("12345", url + "&x=1", params) != "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_bad_missing_or_unconfigured_signatures_are_refused(client, twilio, settings):
    assert sms(client, "Halo", token="salah").status_code == 403
    assert sms(client, "Halo", signature="").status_code == 403
    # Signed for the host a proxy rewrote to, not the configured URL: refused.
    assert sms(client, "Halo", url="http://testserver/kanal/twilio/").status_code == 403
    settings.NETRA_TWILIO_AUTH_TOKEN = ""
    assert sms(client, "Halo", token="").status_code == 403
    assert not InboundMessage.objects.exists() and not OutboundMessage.objects.exists()


def test_the_flow_answers_twiml_files_a_report_and_replies_through_the_rest_api(client, twilio):
    answer = sms(client, "Lurah membagikan sembako bergambar calon bupati kepada warga.")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/xml")
    assert answer.content.strip().endswith(b"<Response/>")
    sms(client, "Pasar Kasongan Katingan")
    sms(client, "kemarin")
    sms(client, "KIRIM", sid="SMdup")
    assert sms(client, "KIRIM", sid="SMdup").status_code == 200  # Twilio's retry: nothing twice
    report = Report.objects.get()
    assert report.contact == f"SMS: {NUMBER}"
    assert outbox.deliver_due()["sent"] == 4
    assert [m["To"] for m in twilio.sent] == [NUMBER] * 4 and {m["From"] for m in twilio.sent} == {OURS}
    assert report.receipt_code in twilio.sent[-1]["Body"]
    assert not OutboundMessage.objects.exclude(address="").exists()
    assert not twilio.bad_auth


def test_a_photo_is_fetched_with_basic_auth_through_the_redirect_and_stored_without_exif(client, twilio):
    twilio.media["ME77"] = (gps_jpeg(), "image/jpeg")
    photo = (f"{twilio.base}/2010-04-01/Accounts/{SID}/Messages/MM1/Media/ME77", "image/jpeg")
    sms(client, "Camat Budi ikut kampanye dan membagikan kaos pasangan calon di balai desa.", media=[photo])
    sms(client, "Kasongan, Katingan")
    sms(client, "hari ini")
    sms(client, "kirim")
    evidence = Evidence.objects.get()
    with default_storage.open(evidence.file.name) as stored:
        data = stored.read()
    assert b"MarkerCam" not in data and not Image.open(io.BytesIO(data)).getexif()
    assert not twilio.bad_auth


def test_media_outside_the_allowed_networks_is_refused_with_a_clear_reply(client, twilio, settings):
    twilio.media["ME1"] = (gps_jpeg(), "image/jpeg")
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = []
    photo = (f"{twilio.base}/2010-04-01/Accounts/{SID}/Messages/MM1/Media/ME1", "image/jpeg")
    sms(client, "Camat Budi ikut kampanye di balai desa dan membagikan kaos.", media=[photo])
    assert "tidak dapat kami ambil" in OutboundMessage.objects.order_by("-pk").first().body
