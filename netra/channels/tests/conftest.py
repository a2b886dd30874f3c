"""Real local servers for the channel tests: a fake Graph API / SMS gateway speaking the documented
formats over HTTP on 127.0.0.1, and a real IMAP4rev1 server (pymap, in-memory backend)."""

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from netra.cases.tests.fixtures import image_bytes, private_media  # noqa: F401
from netra.cases.tests.workflow_support import catalogue  # noqa: F401

APP_SECRET = "wa-app-secret"
VERIFY_TOKEN = "wa-verify"
ACCESS_TOKEN = "wa-access-token"
SMS_SECRET = "sms-secret"


class FakeProvider:
    """What the provider holds (media by id) and what it was sent (replies)."""

    def __init__(self):
        self.media: dict[str, tuple[bytes, str]] = {}
        self.sent: list[dict] = []
        self.fail_sends = 0  # answer 500 to this many sends first
        self.bad_auth: list[str] = []


def _handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _reply(self, status, body: bytes, content_type="application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                provider.bad_auth.append(self.path)
                return self._reply(401, b'{"error":{"message":"Invalid OAuth access token"}}')
            parts = self.path.strip("/").split("/")
            if parts[:2] == ["v21.0", "bin"] and parts[2] in provider.media:
                data, mime = provider.media[parts[2]]
                return self._reply(200, data, mime)
            if len(parts) == 2 and parts[0] == "v21.0" and parts[1] in provider.media:
                data, mime = provider.media[parts[1]]
                host, port = self.server.server_address[:2]
                info = {
                    "messaging_product": "whatsapp",
                    "url": f"http://{host}:{port}/v21.0/bin/{parts[1]}",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "file_size": len(data),
                    "id": parts[1],
                }
                return self._reply(200, json.dumps(info).encode())
            return self._reply(404, b'{"error":{"message":"not found"}}')

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if provider.fail_sends > 0:
                provider.fail_sends -= 1
                return self._reply(500, b"{}")
            if self.path.startswith("/sms"):
                expected = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
                if self.headers.get("X-Netra-Signature") != expected:
                    return self._reply(403, b"{}")
            elif self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                return self._reply(401, b"{}")
            provider.sent.append({"path": self.path, **json.loads(body)})
            return self._reply(200, b'{"messages":[{"id":"wamid.out"}]}')

    return Handler


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.NETRA_WHATSAPP_GRAPH_URL = f"http://127.0.0.1:{port}/v21.0"
    settings.NETRA_WHATSAPP_APP_SECRET = APP_SECRET
    settings.NETRA_WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.NETRA_WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.NETRA_WHATSAPP_PHONE_NUMBER_ID = "1234567890"
    settings.NETRA_SMS_SECRET = SMS_SECRET
    settings.NETRA_SMS_SEND_URL = f"http://127.0.0.1:{port}/sms/send"
    yield fake
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def imap_server(tmp_path):
    """A real IMAP4rev1 server (pymap, dict backend) on 127.0.0.1; yields the mailbox setting."""
    port = _free_port()
    pymap = Path(sys.executable).with_name("pymap")
    process = subprocess.Popen(
        [
            str(pymap),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            "laporan",
            "--demo-password",
            "rahasia",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("pymap did not start")
            time.sleep(0.1)
    yield {
        "name": "laporan",
        "host": "127.0.0.1",
        "port": port,
        "tls": False,
        "user": "laporan",
        "password": "rahasia",
        "reply_from": "laporan@netra.test",
    }
    process.terminate()
    process.wait(timeout=10)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def gps_jpeg() -> bytes:
    return image_bytes("JPEG", gps=True)
