"""The database is down: friendly 503s, never a 500 or a traceback; back to normal once it returns.

The outage is injected at the database driver boundary (Django's ``execute_wrapper``, which every
query passes through) with the errors a stopped PostgreSQL gives; ``make faults`` stops the real
server. Nothing of our own code is replaced.
"""

import contextlib
import logging

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_down(error: Exception | None = None):
    error = error or OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def refuse(execute, sql, params, many, context):
        raise error

    with connection.execute_wrapper(refuse):
        yield


def test_a_public_page_answers_a_friendly_indonesian_503_and_recovers(client, caplog):
    url = reverse("portal:status")
    with database_down(), caplog.at_level(logging.WARNING, logger="netra.unavailable"):
        answer = client.post(url, {"receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28})
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert "no-store" in answer["Cache-Control"]
    html = answer.content.decode()
    assert "Layanan sedang tidak tersedia" in html
    assert "Laporan yang sudah mendapat kode tanda terima tetap tersimpan" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert "Unavailable (OperationalError" in caplog.text
    # The database is back: the very next request is answered normally (an unknown code), no restart.
    assert client.post(url, {"receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28}).status_code == 404


def test_the_page_is_in_english_under_en(client):
    with database_down():
        answer = client.post("/en/status/", {"receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28})
    assert answer.status_code == 503
    assert "Service temporarily unavailable" in answer.content.decode()


def test_the_api_answers_503_unavailable_in_the_error_shape(client):
    url = reverse("api-v1:public_report_status", kwargs={"receipt_code": "NTR-ABCD-EFGH"})
    with database_down(InterfaceError("connection already closed")):
        answer = client.get(url, headers={"X-Access-Key": "K" * 28})
    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    body = answer.json()
    assert body["error"]["code"] == "unavailable"
    assert body["error"]["message"]
    assert client.get(url, headers={"X-Access-Key": "K" * 28}).status_code == 404  # back: an unknown code


def test_readyz_is_503_while_down_and_200_after(client):
    with database_down():
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert client.get("/readyz").status_code == 200


def test_an_outage_met_by_a_middleware_before_the_view_is_a_503_too(lead_katingan, staff_client):
    # A signed-in user's session and timezone are read by middleware, before any view: Django turns
    # that error into a 500 itself, which handler500 recognises as an outage.
    signed_in = staff_client(lead_katingan)
    quiet = Client(raise_request_exception=False)
    quiet.cookies = signed_in.cookies
    assert quiet.get("/staf/").status_code in (200, 302)
    with database_down():
        answer = quiet.get("/staf/")
    assert answer.status_code == 503
    assert "Layanan sedang tidak tersedia" in answer.content.decode()


def test_a_programming_error_is_still_a_500_not_hidden_as_an_outage(client):
    quiet = Client(raise_request_exception=False)
    with database_down(ProgrammingError("relation does not exist")):
        answer = quiet.post(reverse("portal:status"), {"receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28})
    assert answer.status_code == 500
    url = reverse("api-v1:public_report_status", kwargs={"receipt_code": "NTR-ABCD-EFGH"})
    with database_down(ProgrammingError("relation does not exist")):
        answer = quiet.get(url, headers={"X-Access-Key": "K" * 28})
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "server_error"
