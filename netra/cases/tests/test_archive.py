"""Archived links against real local HTTP servers and Debian's real Chromium (issue #15, item 4).

The page is served, archived by the worker's task, then removed from the server: what was kept
(MHTML, PNG, hashes) must still be there and match. Under production's outbound rules a link to
127.0.0.1 is refused before anything is fetched.
"""

import email
import hashlib
import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from netra.audit.models import AuditEvent
from netra.cases import archive
from netra.cases.intake import report_submit
from netra.cases.models import LinkArchive
from netra.cases.tests.fixtures import report_data

pytestmark = pytest.mark.skipif(not Path(archive.CHROMIUM).exists(), reason="chromium not installed")

MARK = "Kampanye-ASN-7f3c"


class Site:
    """A local HTTP server whose pages can be removed; it remembers every path asked for."""

    def __init__(self, host: str = "127.0.0.1"):
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.hits.append(self.path)
                status, kind, body = site.pages.get(self.path, (404, "text/plain", b"hilang"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def world(katingan, pemkab_katingan):
    return katingan


@pytest.fixture
def site():
    server = Site()
    yield server
    server.close()


@pytest.fixture
def other_site():
    server = Site("127.0.0.2")
    yield server
    server.close()


@pytest.fixture
def enabled(settings):
    settings.NETRA_LINK_ARCHIVE_ENABLED = True
    settings.NETRA_LINK_ARCHIVE_TIMEOUT = 15.0
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the demo/test opening: this address only


def png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, "PNG")
    return out.getvalue()


def submit(links, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receipt = report_submit(data=report_data(links=links))
    return receipt.case


def mhtml_parts(data: bytes):
    """The parts of an MHTML file, read back with the standard library's MIME parser."""
    return [part for part in email.message_from_bytes(data).walk() if not part.is_multipart()]


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_page_archived_then_removed_keeps_snapshot_screenshot_and_hashes(
    enabled, site, other_site, django_capture_on_commit_callbacks
):
    page = (
        f"<!doctype html><html><head><title>Pos</title></head><body><h1>{MARK}</h1>"
        f'<img src="/foto.png" alt="">'
        # Another host (an IP literal, and a name): neither may be asked for by the browser.
        f'<img src="{other_site.url("/bocor.png")}" alt=""><img src="http://bocor.test/x.png" alt="">'
        "</body></html>"
    ).encode()
    site.pages["/pos/1"] = (200, "text/html; charset=utf-8", page)
    site.pages["/foto.png"] = (200, "image/png", png())
    url = site.url("/pos/1")

    case = submit([url], django_capture_on_commit_callbacks)

    row = LinkArchive.objects.get(case=case)
    assert (row.status, row.url, row.attempts) == (LinkArchive.Status.PENDING, url, 0)
    # Queued for the worker, not fetched in the intake request.
    assert site.hits == []
    queued = DBTaskResult.objects.get(task_path="netra.cases.archive.archive_link")
    assert queued.args_kwargs["args"] == [row.pk]

    before = timezone.now()
    assert archive.run(row.pk) == LinkArchive.Status.ARCHIVED
    row.refresh_from_db()

    # The post is deleted.
    del site.pages["/pos/1"], site.pages["/foto.png"]
    site.close()

    assert row.http_status == 200
    assert row.final_url == url
    assert before <= row.fetched_at <= timezone.now()
    assert row.snapshot.name.startswith("evidence/") and row.snapshot.name.endswith(".mhtml")
    assert row.screenshot.name.startswith("evidence/") and row.screenshot.name.endswith(".png")
    assert "pos" not in row.snapshot.name and "pos" not in row.screenshot.name

    snapshot = read(row.snapshot.name)
    screenshot = read(row.screenshot.name)
    assert hashlib.sha256(snapshot).hexdigest() == row.snapshot_sha256
    assert hashlib.sha256(screenshot).hexdigest() == row.screenshot_sha256
    assert (len(snapshot), len(screenshot)) == (row.snapshot_size, row.screenshot_size)
    assert snapshot.startswith(b"From: <Saved by Blink>")
    parts = {part.get_content_type(): part.get_payload(decode=True) for part in mhtml_parts(snapshot)}
    assert MARK.encode() in parts["text/html"]
    assert parts["image/png"] == png()  # the page's own image, byte for byte
    image = Image.open(io.BytesIO(screenshot))
    assert image.format == "PNG" and image.width == archive.VIEWPORT["width"]
    # Red pixels of the page's own image are in the screenshot.
    assert (200, 30, 30) in {color for _, color in image.convert("RGB").getcolors(maxcolors=1 << 22)}

    # The guard: the other hosts were never asked for.
    assert other_site.hits == []
    assert sorted(site.hits) == ["/foto.png", "/pos/1"]

    event = AuditEvent.objects.get(action="case.link_archived")
    assert event.payload["archive_id"] == row.pk
    assert event.payload["snapshot_sha256"] == row.snapshot_sha256
    assert url not in str(event.payload)

    # A second run of the same task (a retry the worker had queued) fetches nothing again.
    assert archive.run(row.pk) == LinkArchive.Status.ARCHIVED
    assert AuditEvent.objects.filter(action="case.link_archived").count() == 1


@pytest.mark.django_db
def test_loopback_refused_under_production_rules(enabled, settings, site, django_capture_on_commit_callbacks):
    settings.NETRA_OUTBOUND_ALLOWED_NETWORKS = []  # production's default
    site.pages["/pos"] = (200, "text/html", b"<p>x</p>")
    case = submit([site.url("/pos")], django_capture_on_commit_callbacks)
    row = LinkArchive.objects.get(case=case)

    assert archive.run(row.pk) == LinkArchive.Status.FAILED
    row.refresh_from_db()
    assert (row.failure, row.attempts, row.next_attempt_at) == ("address_refused", 1, None)
    assert not row.snapshot and not row.screenshot
    assert site.hits == []  # nothing was sent
    assert AuditEvent.objects.get(action="case.link_archive_failed").payload["failure"] == "address_refused"


@pytest.mark.django_db
def test_failure_is_retried_with_backoff_and_never_blocks_intake(
    enabled, site, django_capture_on_commit_callbacks, time_machine
):
    site.pages["/pos"] = (200, "text/html", f"<p>{MARK}</p>".encode())
    url = site.url("/pos")
    site.close()  # the server is down when the worker first tries

    case = submit([url], django_capture_on_commit_callbacks)
    assert case.pk  # the report was accepted and opened
    row = LinkArchive.objects.get(case=case)
    time_machine.move_to(timezone.now(), tick=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert archive.run(row.pk) == LinkArchive.Status.PENDING
    row.refresh_from_db()
    assert row.failure == "connect_failed" and row.attempts == 1
    assert row.next_attempt_at - timezone.now() == pytest.approx(timedelta(minutes=1), abs=timedelta(seconds=10))
    retry = DBTaskResult.objects.filter(task_path="netra.cases.archive.archive_link").order_by("-enqueued_at").first()
    assert retry.run_after == row.next_attempt_at

    # The server is back (on a new port: the kernel may not give the old one back).
    restarted = Site()
    restarted.pages["/pos"] = site.pages["/pos"]
    row.url = restarted.url("/pos")
    row.save(update_fields=["url"])
    try:
        assert archive.run(row.pk) == LinkArchive.Status.ARCHIVED
    finally:
        restarted.close()
    row.refresh_from_db()
    assert (
        row.attempts == 2
        and row.failure == ""
        and any(
            MARK.encode() in (part.get_payload(decode=True) or b"") for part in mhtml_parts(read(row.snapshot.name))
        )
    )

    assert archive.backoff(1) == timedelta(minutes=1)
    assert archive.backoff(3) == timedelta(minutes=16)
    assert archive.backoff(20) == timedelta(hours=6)


@pytest.mark.django_db
def test_off_by_default_nothing_queued(settings, django_capture_on_commit_callbacks):
    assert settings.NETRA_LINK_ARCHIVE_ENABLED is False
    submit(["https://www.facebook.com/contoh/posts/1"], django_capture_on_commit_callbacks)
    assert not LinkArchive.objects.exists()
    assert not DBTaskResult.objects.filter(task_path="netra.cases.archive.archive_link").exists()
