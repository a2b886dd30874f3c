"""Archived links (issue #15, item 4): every link of a report, fetched once in headless Chromium.

A post the reporter points to is often deleted the next day. After a case opens, the worker
(a django-task, never the intake request) loads each link once and keeps, like evidence (random
names, private storage): an MHTML snapshot (CDP ``Page.captureSnapshot``), a full-page PNG
screenshot, the fetch time, the final URL, the HTTP status and the SHA-256 of each file.

The guard (``netra.outbound``, the same check as webhooks):

* the link's host is resolved **once** by :func:`netra.outbound.resolve`; every address must be
  allowed (public, or ``NETRA_OUTBOUND_ALLOWED_NETWORKS``), else nothing is fetched
  (``address_refused``, final: not retried);
* Chromium gets ``--host-resolver-rules=MAP <host> <checked address>, MAP * ~NOTFOUND``: it never
  does a lookup of its own, it connects to the checked address for the link's host, and every
  other host name fails to resolve inside the browser;
* every request the page makes passes a route handler that aborts any whose host is not the
  link's host (IP literals included, which the resolver rules would not catch), and any scheme
  other than http(s)/data/blob; service workers are blocked (they would bypass the route).

Not guarded / not kept: a redirect to another host fails (recorded as the failure, not followed);
resources of other hosts (CDN images, embedded videos) are not loaded, so the snapshot is the page
as its own host serves it. WebSockets to the link's own host go to the checked address.

Limits: ``NETRA_LINK_ARCHIVE_TIMEOUT`` seconds for the load, ``NETRA_LINK_ARCHIVE_MAX_BYTES`` for
each file; failures are retried with exponential backoff up to ``NETRA_LINK_ARCHIVE_ATTEMPTS``.
Off unless ``NETRA_LINK_ARCHIVE_ENABLED`` (a server without internet has nothing to fetch).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from netra import outbound
from netra.audit.services import record
from netra.cases.models import LinkArchive, Report

STORAGE_PREFIX = "evidence/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=DnsOverHttps",
]
VIEWPORT: Any = {"width": 1280, "height": 900}  # playwright ViewportSize
MAX_SCREENSHOT_HEIGHT = 16000  # pixels; a taller page is cut (the MHTML keeps all of it)
# Categories (besides netra.outbound's) stored in LinkArchive.failure.
TOO_LARGE = "too_large"
LOAD_FAILED = "load_failed"
REDIRECT_REFUSED = "redirect_refused"
FINAL = frozenset({outbound.ADDRESS_REFUSED, outbound.INVALID_URL, TOO_LARGE, REDIRECT_REFUSED})
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Capture:
    final_url: str
    http_status: int | None
    snapshot: bytes
    screenshot: bytes


def enabled() -> bool:
    return bool(settings.NETRA_LINK_ARCHIVE_ENABLED)


# --- queueing (after a case opens) ------------------------------------------------------------


def on_case_opened(case_id: int) -> None:
    """Queue an archive of each link of the case's reports (registered with ``on_commit``)."""
    if not enabled():
        return
    rows = [
        LinkArchive(case_id=case_id, report_id=report_id, url=url)
        for report_id, links in Report.objects.filter(case_id=case_id).values_list("pk", "links")
        for url in dict.fromkeys(links or [])
        if isinstance(url, str) and url
    ]
    if not rows:
        return
    LinkArchive.objects.bulk_create(rows, ignore_conflicts=True)
    for pk in LinkArchive.objects.filter(case_id=case_id, status=LinkArchive.Status.PENDING).values_list(
        "pk", flat=True
    ):
        enqueue(pk)


@task()
def archive_link(archive_id: int) -> str:
    """Fetch one link of a report (the worker's job); a failure schedules its own retry."""
    return run(archive_id)


def enqueue(archive_id: int, run_after=None) -> None:
    job = archive_link.using(run_after=run_after) if run_after is not None else archive_link
    job.enqueue(archive_id)


def backoff(attempts: int) -> timedelta:
    """1 min, 4 min, 16 min, … capped at 6 hours."""
    return timedelta(seconds=min(60 * 4 ** max(attempts - 1, 0), 6 * 3600))


# --- one fetch --------------------------------------------------------------------------------


def run(archive_id: int, resolver: outbound.Resolver | None = None) -> str:
    """Fetch one pending archive (the worker's task); return its status afterwards."""
    archive = LinkArchive.objects.filter(pk=archive_id).select_related("case").first()
    if archive is None or archive.status != LinkArchive.Status.PENDING:
        return archive.status if archive else "missing"
    if not enabled():
        return archive.status
    try:
        captured = capture(archive.url, resolver=resolver)
    except outbound.Failure as failure:
        return _failed(archive, failure.category)
    fetched_at = timezone.now()
    snapshot = _store(captured.snapshot, "mhtml")
    screenshot = _store(captured.screenshot, "png")
    with transaction.atomic():
        archive.status = LinkArchive.Status.ARCHIVED
        archive.attempts += 1
        archive.failure = ""
        archive.next_attempt_at = None
        archive.fetched_at = fetched_at
        archive.final_url = captured.final_url[:2000]
        archive.http_status = captured.http_status
        archive.snapshot, archive.snapshot_sha256, archive.snapshot_size = snapshot
        archive.screenshot, archive.screenshot_sha256, archive.screenshot_size = screenshot
        archive.save()
        # The URL is what the reporter wrote: kept in the row, not in the audit log.
        record(
            SYSTEM_ACTOR,
            "case.link_archived",
            archive.case,
            archive_id=archive.pk,
            http_status=archive.http_status,
            snapshot_sha256=archive.snapshot_sha256,
            screenshot_sha256=archive.screenshot_sha256,
        )
    return archive.status


def _store(data: bytes, extension: str) -> tuple[str, str, int]:
    name = default_storage.save(f"{STORAGE_PREFIX}{secrets.token_hex(16)}.{extension}", ContentFile(data))
    return name, hashlib.sha256(data).hexdigest(), len(data)


def _failed(archive: LinkArchive, category: str) -> str:
    with transaction.atomic():
        archive.attempts += 1
        archive.failure = category
        final = category in FINAL or archive.attempts >= settings.NETRA_LINK_ARCHIVE_ATTEMPTS
        if final:
            archive.status = LinkArchive.Status.FAILED
            archive.next_attempt_at = None
        else:
            archive.next_attempt_at = timezone.now() + backoff(archive.attempts)
        archive.save()
        if final:
            record(SYSTEM_ACTOR, "case.link_archive_failed", archive.case, archive_id=archive.pk, failure=category)
        else:
            run_after = archive.next_attempt_at
            transaction.on_commit(lambda: enqueue(archive.pk, run_after), robust=True)
    return archive.status


def capture(url: str, *, resolver: outbound.Resolver | None = None) -> Capture:
    """Load ``url`` once through the guard; :class:`netra.outbound.Failure` when refused or failed."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    target = outbound.parse(url)
    address = outbound.resolve(target, resolver)[0].split("%", 1)[0]
    mapped = f"[{address}]" if ":" in address else address
    host = target.hostname
    rules = f"--host-resolver-rules=MAP {host} {mapped}, MAP * ~NOTFOUND"
    timeout_ms = int(settings.NETRA_LINK_ARCHIVE_TIMEOUT * 1000)
    limit = settings.NETRA_LINK_ARCHIVE_MAX_BYTES

    def guard(route) -> None:
        parts = urlsplit(route.request.url)
        own = parts.scheme in ("http", "https") and _same_host(parts.hostname, host)
        if own or parts.scheme in ("data", "blob"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules], headless=True)
        try:
            context = browser.new_context(
                viewport=VIEWPORT, service_workers="block", accept_downloads=False, ignore_https_errors=False
            )
            context.set_default_timeout(timeout_ms)
            context.route("**/*", guard)
            page = context.new_page()
            try:
                response = page.goto(url, wait_until="load", timeout=timeout_ms)
            except PlaywrightTimeout:
                raise outbound.Failure(outbound.TIMEOUT) from None
            except PlaywrightError as error:
                raise outbound.Failure(_category(str(error))) from None
            final_url = page.url
            if not _same_host(urlsplit(final_url).hostname, host):
                raise outbound.Failure(REDIRECT_REFUSED)
            cdp = context.new_cdp_session(page)
            snapshot = cdp.send("Page.captureSnapshot", {"format": "mhtml"})["data"].encode("utf-8")
            if len(snapshot) > limit:
                raise outbound.Failure(TOO_LARGE)
            height = min(int(page.evaluate("document.documentElement.scrollHeight") or 0), MAX_SCREENSHOT_HEIGHT)
            screenshot = page.screenshot(
                clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": max(height, VIEWPORT["height"])},
                full_page=True,
                type="png",
            )
            if len(screenshot) > limit:
                raise outbound.Failure(TOO_LARGE)
            return Capture(
                final_url=final_url,
                http_status=response.status if response is not None else None,
                snapshot=snapshot,
                screenshot=screenshot,
            )
        except PlaywrightTimeout:
            raise outbound.Failure(outbound.TIMEOUT) from None
        except PlaywrightError:
            raise outbound.Failure(LOAD_FAILED) from None
        finally:
            browser.close()


def _same_host(hostname: str | None, host: str) -> bool:
    if not hostname:
        return False
    try:
        literal = f"[{hostname}]" if ":" in hostname else hostname
        return outbound.parse(f"http://{literal}/").hostname == host
    except outbound.Failure:
        return False


def _category(message: str) -> str:
    """A short category for a navigation error (never the message: it names addresses)."""
    if "ERR_NAME_NOT_RESOLVED" in message or "ERR_BLOCKED_BY_CLIENT" in message:
        return REDIRECT_REFUSED  # only the link's host resolves: another host was asked for
    if "ERR_CONNECTION" in message or "ERR_ADDRESS" in message:
        return outbound.CONNECT_FAILED
    if "ERR_TIMED_OUT" in message:
        return outbound.TIMEOUT
    if "ERR_CERT" in message or "ERR_SSL" in message:
        return outbound.TLS_FAILED
    return LOAD_FAILED
