"""The CSRF cookie is a browser-session cookie, and a stale tab loses nothing (issue #10, finding 12)."""

import re

import pytest
from django.test import Client

from netra.portal.tests.test_public_pages import REPORT_URL, form_data

pytestmark = pytest.mark.django_db


def token_in(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def browser_like():
    return Client(enforce_csrf_checks=True)


def test_the_csrf_cookie_ends_with_the_browser_session(browser_like, agencies):
    cookie = browser_like.get(REPORT_URL).cookies["csrftoken"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


def test_a_stale_report_tab_gets_its_form_back_with_values_and_sends_on_the_second_try(browser_like, agencies):
    stale_token = token_in(browser_like.get(REPORT_URL).content.decode())
    browser_like.cookies.clear()  # the phone's browser was closed; the tab was restored
    data = form_data(description="Kepala dinas membagikan stiker pasangan calon di apel pagi kantor.")

    refused = browser_like.post(REPORT_URL, {**data, "csrfmiddlewaretoken": stale_token})
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "Laporan belum terkirim karena halaman ini sudah lama terbuka" in html
    assert "Kepala dinas membagikan stiker pasangan calon di apel pagi kantor." in html  # nothing lost
    assert 'value="Budi Santoso"' in html
    assert "CSRF" not in html

    again = browser_like.post(REPORT_URL, {**data, "csrfmiddlewaretoken": token_in(html)})
    assert again.status_code == 303  # Post/Redirect/Get to the one-time receipt
    assert 'id="receipt-code"' in browser_like.get(again["Location"]).content.decode()


def test_another_form_gets_an_indonesian_explanation_not_django_s_page(browser_like, satgas_katingan):
    page = browser_like.get("/staf/masuk/")
    browser_like.cookies.clear()
    refused = browser_like.post(
        "/staf/masuk/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token_in(page.content.decode())}
    )
    html = refused.content.decode()
    assert refused.status_code == 403
    assert 'id="csrf-failure"' in html and "Formulir kedaluwarsa" in html
    assert "CSRF verification failed" not in html


def test_a_forged_staff_post_is_not_offered_for_resending(browser_like, satgas_katingan):
    refused = browser_like.post("/staf/keluar/", {"next": "/evil"})
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "/evil" not in html and "<form" not in html.split("<main", 1)[-1]


def test_english_pages_explain_in_english(browser_like, agencies):
    refused = browser_like.post("/en/report/", form_data())
    assert refused.status_code == 403
    assert "has not been sent" in refused.content.decode()
