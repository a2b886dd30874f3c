"""Archived links on the case page and their files: in the case's scope only (404 outside)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from netra.audit.services import record
from netra.cases.models import LinkArchive
from netra.cases.tests.fixtures import image_bytes

pytestmark = pytest.mark.django_db

MHTML = b"From: <Saved by Blink>\r\nSubject: Pos\r\n\r\n<html>arsip</html>"


def archived(case, url="https://www.facebook.com/contoh/posts/1") -> LinkArchive:
    """What netra.cases.archive leaves after a fetch (its own test drives the real browser)."""
    screenshot = default_storage.save("evidence/a.png", ContentFile(image_bytes("PNG")))
    snapshot = default_storage.save("evidence/a.mhtml", ContentFile(MHTML))
    item = LinkArchive.objects.create(
        case=case,
        report=case.reports.get(),
        url=url,
        status=LinkArchive.Status.ARCHIVED,
        attempts=1,
        fetched_at=timezone.now(),
        final_url=url + "?akhir=1",
        http_status=200,
        snapshot=snapshot,
        snapshot_sha256="a" * 64,
        screenshot=screenshot,
        screenshot_sha256="b" * 64,
    )
    record("system", "case.link_archived", case, archive_id=item.pk, http_status=200)
    return item


def file_url(case, item, kind) -> str:
    return reverse("workspace:link_archive", args=[case.pk, item.pk, kind])


def test_the_case_page_shows_the_archive_and_its_event(staff_client, satgas_katingan, katingan_case):
    item = archived(katingan_case)
    page = staff_client(satgas_katingan).get(reverse("workspace:case", args=[katingan_case.pk])).content.decode()
    assert "Arsip tautan" in page
    assert "HTTP 200" in page and "akhir=1" in page
    assert "a" * 64 in page and "b" * 64 in page
    assert file_url(katingan_case, item, "png") in page and file_url(katingan_case, item, "mhtml") in page
    assert "Tautan diarsipkan" in page  # the timeline


def test_no_section_without_archives(staff_client, satgas_katingan, katingan_case):
    page = staff_client(satgas_katingan).get(reverse("workspace:case", args=[katingan_case.pk])).content.decode()
    assert "Arsip tautan" not in page


def test_the_screenshot_is_shown_and_the_snapshot_only_downloaded(staff_client, satgas_katingan, katingan_case):
    item = archived(katingan_case)
    client = staff_client(satgas_katingan)
    png = client.get(file_url(katingan_case, item, "png"))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert b"".join(png.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert png["Content-Disposition"].startswith("inline;")
    mhtml = client.get(file_url(katingan_case, item, "mhtml"))
    assert mhtml.status_code == 200 and b"".join(mhtml.streaming_content) == MHTML
    assert mhtml["Content-Disposition"] == f'attachment; filename="arsip-tautan-{katingan_case.number}-{item.pk}.mhtml"'
    for response in (png, mhtml):
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]


def test_outside_the_scope_404(staff_client, satgas_barsel, admin_katingan, katingan_case):
    item = archived(katingan_case)
    for user in (satgas_barsel, admin_katingan):
        assert staff_client(user).get(file_url(katingan_case, item, "png")).status_code == 404


def test_an_archive_of_another_case_is_404_through_this_case(staff_client, satgas_katingan, submit, katingan_case):
    item = archived(katingan_case)
    other = submit(subject_name="Lain")
    client = staff_client(satgas_katingan)
    assert client.get(file_url(other, item, "png")).status_code == 404
    assert client.get(file_url(katingan_case, item, "exe")).status_code == 404


def test_a_pending_archive_has_no_file(staff_client, satgas_katingan, katingan_case):
    item = LinkArchive.objects.create(
        case=katingan_case,
        report=katingan_case.reports.get(),
        url="https://example.org/x",
        failure="timeout",
        attempts=2,
    )
    client = staff_client(satgas_katingan)
    assert client.get(file_url(katingan_case, item, "png")).status_code == 404
    page = client.get(reverse("workspace:case", args=[katingan_case.pk])).content.decode()
    assert "Menunggu" in page and "timeout" in page


def test_the_fetch_time_is_to_the_day_for_whom_the_submission_minute_is_hidden(
    staff_client, ppk_katingan, satgas_katingan, katingan_case
):
    item = archived(katingan_case)
    minute = timezone.localtime(item.fetched_at).strftime("%H:%M")
    assert (
        minute in staff_client(satgas_katingan).get(reverse("workspace:case", args=[katingan_case.pk])).content.decode()
    )
    ppk_page = staff_client(ppk_katingan).get(reverse("workspace:case", args=[katingan_case.pk]))
    assert ppk_page.status_code == 200
    assert "Arsip tautan" in ppk_page.content.decode()
    assert minute not in ppk_page.content.decode().split('id="h-link-archives"')[1].split("</section>")[0]
    assert timezone.localtime(item.fetched_at).strftime("%-d") in ppk_page.content.decode()
