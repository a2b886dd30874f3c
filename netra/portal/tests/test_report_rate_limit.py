"""Issue #17, item 3: a rate-limited reporter is told the report was NOT sent, keeps every value
and file, and behind a shared address may send after a short wait; only accepted reports count."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from netra.cases.models import Report
from netra.cases.tests.fixtures import image_bytes, private_media  # noqa: F401
from netra.portal.tests.test_public_pages import REPORT_URL, form_data, receipt_from

pytestmark = pytest.mark.django_db


def hidden(response, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', response.content.decode())
    return match.group(1) if match else ""


def test_refused_submissions_do_not_count(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    for _ in range(5):
        assert client.post(REPORT_URL, form_data(description="pendek")).status_code == 422
    assert client.post(REPORT_URL, form_data()).status_code == 303


def test_over_the_limit_the_form_comes_back_with_every_value_and_says_not_sent(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    client.post(REPORT_URL, form_data())
    held = client.post(REPORT_URL, form_data(location="Balai Desa Tumbang", contact="0812 3456"))
    html = held.content.decode()
    assert held.status_code == 429 and int(held["Retry-After"]) > 0
    assert "Laporan BELUM terkirim" in html
    for value in ("Balai Desa Tumbang", "0812 3456", "Budi Santoso", "Camat hadir dan berorasi"):
        assert value in html
    assert hidden(held, "wait_pass")
    assert Report.objects.count() == 1


def test_after_the_wait_the_same_form_is_sent(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    settings.NETRA_REPORT_WAIT_SECONDS = 1
    client.post(REPORT_URL, form_data())
    held = client.post(REPORT_URL, form_data())
    data = form_data(submission=hidden(held, "submission"), wait_pass=hidden(held, "wait_pass"))
    too_early = client.post(REPORT_URL, data)
    assert too_early.status_code == 429 and "Tunggu 1 detik" in too_early.content.decode()
    time.sleep(1.1)
    sent = client.post(REPORT_URL, data)
    assert sent.status_code == 303
    assert Report.objects.count() == 2
    assert receipt_from(sent)[0] == Report.objects.order_by("-pk").first().receipt_code


def test_a_pass_belongs_to_its_own_form(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    settings.NETRA_REPORT_WAIT_SECONDS = 0
    client.post(REPORT_URL, form_data())
    held = client.post(REPORT_URL, form_data())
    other_form = form_data(submission="another-form-token-0000000", wait_pass=hidden(held, "wait_pass"))
    assert client.post(REPORT_URL, other_form).status_code == 429
    assert Report.objects.count() == 1


def test_at_the_ceiling_nothing_passes_and_the_form_is_kept(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h,report_ceiling=2/h"
    settings.NETRA_REPORT_WAIT_SECONDS = 0
    client.post(REPORT_URL, form_data())
    held = client.post(REPORT_URL, form_data())
    data = form_data(submission=hidden(held, "submission"), wait_pass=hidden(held, "wait_pass"))
    assert client.post(REPORT_URL, data).status_code == 303  # waited: the second report
    third = client.post(REPORT_URL, form_data(location="Pasar Kasongan"))
    html = third.content.decode()
    assert third.status_code == 429 and "menit" in html and "Pasar Kasongan" in html
    assert not hidden(third, "wait_pass")
    assert Report.objects.count() == 2


def test_a_held_form_keeps_its_photo(client, agencies, settings, private_media):  # noqa: F811
    settings.NETRA_RATE_LIMITS = "report=1/h"
    client.post(REPORT_URL, form_data())
    photo = SimpleUploadedFile("foto-acara.jpg", image_bytes(), content_type="image/jpeg")
    held = client.post(REPORT_URL, form_data(evidence=photo))
    assert held.status_code == 429
    assert "foto-acara.jpg" in held.content.decode() and hidden(held, "staged")


def test_a_replay_over_the_limit_still_finds_its_report(client, agencies, settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    token = "replayed-form-token-00000000"
    receipt_from(client.post(REPORT_URL, form_data(submission=token)), client)
    again = client.post(REPORT_URL, form_data(submission=token))
    assert again.status_code == 200 and "sudah terkirim" in again.content.decode()


def test_decoded_pixels_count_and_past_the_budget_new_files_are_not_read(client, agencies, settings, private_media):  # noqa: F811
    """Issue #10, finding 8: decoding counts on every submit, accepted or not; past the budget the
    form decodes nothing new, says the report was NOT sent and keeps what was attached."""
    settings.NETRA_RATE_LIMITS = "decode=2/h"  # two units of 10 MP
    big = SimpleUploadedFile("besar.jpg", image_bytes(size=(4000, 3000)), content_type="image/jpeg")  # 12 MP: 2 units
    first = client.post(REPORT_URL, form_data(description="pendek", evidence=big))
    assert first.status_code == 422 and hidden(first, "staged")  # the form's own error; the photo is kept
    small = SimpleUploadedFile("kecil.jpg", image_bytes(), content_type="image/jpeg")
    second = client.post(
        REPORT_URL, form_data(location="Balai Desa Tumbang", staged=hidden(first, "staged"), evidence=small)
    )
    html = second.content.decode()
    assert second.status_code == 422
    assert "tidak diproses" in html and "Laporan BELUM terkirim" in html
    assert "Balai Desa Tumbang" in html and "besar.jpg" in html and "kecil.jpg" not in html
    assert Report.objects.count() == 0
    # Without new files the report goes through, with the photo attached before.
    sent = client.post(REPORT_URL, form_data(staged=hidden(first, "staged")))
    assert sent.status_code == 303
    assert Report.objects.get().case.evidence.count() == 1


def test_every_decoding_submit_counts_at_least_one_unit(client, agencies, settings, private_media):  # noqa: F811
    settings.NETRA_RATE_LIMITS = "decode=1/h"
    photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")  # 3 072 pixels: one started unit
    assert (
        "tidak diproses"
        not in client.post(REPORT_URL, form_data(description="pendek", evidence=photo)).content.decode()
    )
    photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
    assert "tidak diproses" in client.post(REPORT_URL, form_data(description="pendek", evidence=photo)).content.decode()
    # A submit without files decodes nothing and is never held back by this budget.
    assert client.post(REPORT_URL, form_data()).status_code == 303
