"""Issue #17, item 1: a reload, a retry or "resubmit" files a report (or a follow-up) once.

The form answers with 303 to a one-time receipt page (Post/Redirect/Get); the form, the status
page's follow-ups and the public API carry a single-use key stored with what they made.
"""

import os
import pickle
import re
import threading

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from netra.cases import intake
from netra.cases.models import Evidence, Message, Report, ReporterSubmission
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401
from netra.portal.tests.test_public_pages import REPORT_URL, STATUS_URL, form_data, receipt_from

pytestmark = pytest.mark.django_db

TOKEN = "t0k3n-for-one-submission-abc"


def test_the_form_redirects_and_the_receipt_shows_code_and_key_once(client, agencies):
    posted = client.post(REPORT_URL, form_data(submission=TOKEN))
    assert posted.status_code == 303
    view_url = posted["Location"]
    first = client.get(view_url)
    code, key = receipt_from(first)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert key not in view_url and code not in view_url

    reload = client.get(view_url)  # a reload of the receipt: the code again, never the key
    html = reload.content.decode()
    assert reload.status_code == 200
    assert f'Laporan ini sudah terkirim dengan kode <strong class="code">{code}</strong>' in html
    assert key not in html
    assert Report.objects.count() == 1


def test_resubmitting_the_same_form_makes_no_second_report(client, agencies):
    first = client.post(REPORT_URL, form_data(submission=TOKEN))
    code, key = receipt_from(first, client)
    again = client.post(REPORT_URL, form_data(submission=TOKEN))  # "resubmit" after Back
    html = again.content.decode()
    assert again.status_code == 200
    assert code in html and "sudah terkirim" in html and key not in html
    assert Report.objects.count() == 1


def test_a_changed_resubmit_of_the_same_form_is_still_one_report(client, agencies):
    receipt_from(client.post(REPORT_URL, form_data(submission=TOKEN)), client)
    again = client.post(REPORT_URL, form_data(submission=TOKEN, location="Balai desa"))
    assert again.status_code == 200 and "sudah terkirim" in again.content.decode()
    assert Report.objects.count() == 1


def test_a_lost_first_answer_still_shows_the_key_once(client, agencies):
    """The POST reached the server but its answer never reached the phone; the reload re-posts."""
    client.post(REPORT_URL, form_data(submission=TOKEN))  # answer lost: the receipt never viewed
    retry = client.post(REPORT_URL, form_data(submission=TOKEN))
    assert retry.status_code == 303
    code, key = receipt_from(client.get(retry["Location"]))
    report = Report.objects.get()
    assert report.receipt_code == code and intake.hash_access_key(key) == report.access_key_hash
    third = client.post(REPORT_URL, form_data(submission=TOKEN))
    assert third.status_code == 200 and key not in third.content.decode()


def test_the_cache_holds_neither_the_receipt_id_nor_the_key_in_clear(client, agencies):
    posted = client.post(REPORT_URL, form_data(submission=TOKEN))
    view_id = posted["Location"].rstrip("/").rsplit("/", 1)[1]
    report = Report.objects.get()
    stored = b"".join(
        key.encode() + pickle.dumps(value)
        for key, value in cache._cache.items()  # LocMemCache: what a cache dump would show
    )
    assert view_id.encode() not in stored and TOKEN.encode() not in stored
    key = receipt_from(client.get(posted["Location"]))[1]
    assert key.encode() not in stored and report.receipt_code.encode() not in stored


def test_an_unknown_receipt_id_answers_404(client, db):
    assert client.get("/lapor/terkirim/not-a-receipt-id-at-all-xx/").status_code == 404


def test_a_form_without_a_token_still_works_and_gets_one(client, agencies):
    response = client.post(REPORT_URL, form_data(description="pendek"))
    assert re.search(r'name="submission" value="[A-Za-z0-9_-]{22,}"', response.content.decode())


def _status(client, code, key, **extra):
    return client.post(STATUS_URL, {"receipt_code": code, "access_key": key, **extra})


def test_reloading_a_sent_message_stores_it_once(client, agencies):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    page = _status(client, code, key).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    for _ in range(3):
        answer = _status(client, code, key, action="message", body="Ada video tambahan.", submission=token)
    assert Message.objects.count() == 1
    assert "sudah terkirim sebelumnya" in answer.content.decode()
    fresh = re.search(r'name="submission" value="([^"]+)"', answer.content.decode()).group(1)
    assert fresh != token  # the next message gets its own token
    _status(client, code, key, action="message", body="Pesan kedua.", submission=fresh)
    assert Message.objects.count() == 2


def test_reloading_an_evidence_upload_stores_the_file_once(client, agencies, private_media):  # noqa: F811
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    token = re.search(r'name="submission" value="([^"]+)"', _status(client, code, key).content.decode()).group(1)
    for _ in range(3):
        photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
        answer = _status(client, code, key, action="evidence", evidence=photo, submission=token)
    assert Evidence.objects.count() == 1
    assert ReporterSubmission.objects.count() == 1
    assert "sudah diterima sebelumnya" in answer.content.decode()
    stored = [p for p in private_media.rglob("*") if p.is_file() and "staging" not in p.parts]
    assert len(stored) == 1  # the replays' copies were removed again


def test_an_empty_message_says_so_to_htmx_too(client, agencies):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    answer = client.post(
        STATUS_URL,
        {"receipt_code": code, "access_key": key, "action": "message", "body": "  "},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200  # htmx swaps 2xx only
    assert "Wajib diisi" in answer.content.decode()


def test_an_upload_without_a_file_says_so(client, agencies):
    code, key = receipt_from(client.post(REPORT_URL, form_data()), client)
    answer = _status(client, code, key, action="evidence")
    assert answer.status_code == 422 and "Pilih dulu berkas" in answer.content.decode()


# --- concurrency (PostgreSQL) ------------------------------------------------------------------


def _postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("NETRA_TEST_POSTGRES"):
            pytest.fail("the PostgreSQL run must run the concurrency tests")
        pytest.skip("PostgreSQL only: SQLite runs one write at a time")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("open_interval", [0, 0.2], ids=["opened-at-once", "accept-then-open"])
def test_two_identical_submissions_at_once_make_one_report(agencies, settings, open_interval):
    _postgres_only()
    settings.NETRA_CASE_OPEN_INTERVAL = open_interval
    key = intake.submission_key("api", "same-key-from-two-threads-0001")
    start, results, errors = threading.Barrier(4), [], []

    def submit():
        try:
            start.wait()
            results.append(intake.report_submit(data=report_data(), key=key))
        except BaseException as error:  # pragma: no cover - shown by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Report.objects.filter(submission_key=key).count() == 1
    assert Report.objects.count() == 1
    assert {r.receipt_code for r in results} == {Report.objects.get().receipt_code}
    assert sum(not r.replayed for r in results) == 1


@pytest.mark.django_db(transaction=True)
def test_the_key_rides_in_the_one_insert_of_the_fast_path(agencies, settings):
    """Accept, then open (netra.cases.opening): a keyed report still costs one statement."""
    from django.test.utils import CaptureQueriesContext

    from netra.cases import opening
    from netra.turns import my_turn, pass_turn

    settings.NETRA_CASE_OPEN_INTERVAL = 3600
    pass_turn(opening.OPEN_TURN_KEY, 3600)
    intake.report_submit(data=report_data())  # opens (its turn) and warms the per-process tables
    my_turn(opening.OPEN_TURN_KEY, 3600)  # the next ones only accept
    try:
        with CaptureQueriesContext(connection) as captured:
            intake.report_submit(data=report_data(), key=intake.submission_key("form", TOKEN))
        statements = [q["sql"] for q in captured.captured_queries]
        assert len(statements) == 1 and statements[0].startswith('INSERT INTO "cases_report"')
        assert '"submission_key"' in statements[0]
    finally:
        pass_turn(opening.OPEN_TURN_KEY, 3600)


def test_the_deploy_check_warns_about_a_cache_local_to_one_process():
    from django.core.checks import run_checks

    from netra.portal.checks import shared_cache

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert [w.id for w in shared_cache(caches=local)] == ["netra.portal.W001"]
    assert shared_cache(caches=shared) == []
    assert "netra.portal.W001" in [m.id for m in run_checks(include_deployment_checks=True)]  # registered
