"""Hostile text through every way text gets in: refused with a clear 4xx / form error, or stored
inert — never a 500, never markup or template code that runs when staff open the case.

Ways in: the public report form (web), the public API, the reporter's messages (API), the Satgas'
messages and internal notes (workspace). Fixed payloads (very long, control characters, NUL,
U+202E, zero-width, <script>, "><img onerror>, template syntax) and Hypothesis-generated text.
Each accepted payload is looked for on the staff case page, where it must appear escaped.
"""

import datetime
import json
import time
from collections import Counter

import pytest
from django.core import signing
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netra.cases.intake import IntakeError, report_submit
from netra.cases.models import InternalNote, Message, Report
from netra.cases.tests.fixtures import report_data
from netra.portal import forms as portal_forms

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7|add:7 }} {% now 'Y' %}"
PAYLOADS = {
    "script": f"Laporan {SCRIPT} selesai",
    "img onerror": f"Camat {IMG} hadir",
    "template syntax": f"Uraian {TEMPLATE} di sini",
    "RTL override": "Camat hadir \u202egnapmak\u202c di lapangan",
    "zero-width": "Ca\u200bmat\u200d hadir\ufeff di kampanye",
    "control characters": "Camat\x01\x07\x1b[31m hadir\x7f di kampanye",
    "NUL": "Camat hadir\x00 di kampanye paslon",
    "very long": "Camat hadir di kampanye. " * 4000,  # 100 000 characters
    "only whitespace": " \t\n ",
    "surrogate-free emoji": "Camat hadir 🙂🗳️ di kampanye",
}
# What must never appear raw on the staff page when the payload was accepted.
RAW_MARKUP = ["<script>alert", "<img src=x", "onerror=alert(1)>"]
COUNTS: Counter = Counter()


def _inert(page: str, payload: str) -> list[str]:
    """Problems: raw markup from the payload on the page, or template code that ran."""
    problems = [raw for raw in RAW_MARKUP if raw in payload and raw in page]
    if "{{ 7|add:7 }}" in payload and "{{ 7|add:7 }}" not in page:
        problems.append("template syntax was evaluated (or dropped)")
    return problems


def _started() -> str:
    # A form opened a minute ago (the form refuses submissions faster than a person).
    return signing.dumps(time.time() - 60, salt=portal_forms._SIGNER_SALT)


def _case_page(staff_client, user, case) -> str:
    response = staff_client(user).get(reverse("workspace:case", args=[case.pk]))
    assert response.status_code == 200
    csp = response.get("Content-Security-Policy", "")
    assert "script-src" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    return response.content.decode()


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_the_report_form(client, staff_client, satgas_katingan, name):
    payload = PAYLOADS[name]
    cache.clear()
    data = {
        "description": payload,
        "incident_date": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
        "province": "62",
        "region_code": "62.06",
        "subject_name": payload[:200],
        "location": payload[:300],
        "links": "",
        "contact": payload[:200],
        "started": _started(),
    }
    response = client.post(reverse("portal:report_new"), data)
    COUNTS["report form"] += 1
    # Accepted: 303 to the one-time receipt (Post/Redirect/Get); refused: the form again, 422.
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 422:
        assert response.context["form"].errors  # a clear form error, in words
        assert not Report.objects.exists()
        return
    report = Report.objects.get()
    page = _case_page(staff_client, satgas_katingan, report.case)
    assert not _inert(page, payload)


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_the_public_api(client, staff_client, satgas_katingan, regions, agencies, name):
    payload = PAYLOADS[name]
    cache.clear()
    body = report_data(description=payload, subject_name=payload[:200], location=payload[:300], contact=payload[:200])
    response = client.post("/api/v1/public/reports", data=json.dumps(body), content_type="application/json")
    COUNTS["public API"] += 1
    assert response.status_code in (201, 422), response.status_code
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "validation_error"
        assert response.json()["error"]["fields"]
        return
    report = Report.objects.get(receipt_code=response.json()["receipt_code"])
    page = _case_page(staff_client, satgas_katingan, report.case)
    assert not _inert(page, payload)


@pytest.fixture
def receipt(client, regions, agencies):
    cache.clear()
    response = client.post("/api/v1/public/reports", data=json.dumps(report_data()), content_type="application/json")
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_a_reporter_message(client, staff_client, satgas_katingan, receipt, name):
    payload = PAYLOADS[name]
    cache.clear()
    response = client.post(
        f"/api/v1/public/reports/{receipt['receipt_code']}/messages",
        data=json.dumps({"body": payload}),
        content_type="application/json",
        headers={"X-Access-Key": receipt["access_key"]},
    )
    COUNTS["reporter message"] += 1
    assert response.status_code in (201, 422), response.status_code
    if response.status_code == 422:
        assert response.json()["error"]["fields"]
        assert not Message.objects.exists()
        return
    case = Report.objects.get(receipt_code=receipt["receipt_code"]).case
    assert not _inert(_case_page(staff_client, satgas_katingan, case), payload)


@pytest.mark.parametrize("kind", ["note", "message"])
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_staff_notes_and_messages(staff_client, satgas_katingan, receipt, kind, name):
    payload = PAYLOADS[name]
    case = Report.objects.get(receipt_code=receipt["receipt_code"]).case
    model = InternalNote if kind == "note" else Message
    before = model.objects.count()
    response = staff_client(satgas_katingan).post(
        reverse(f"workspace:{kind}", args=[case.pk]), {f"{kind}-body": payload}, follow=True
    )
    COUNTS[f"staff {kind}"] += 1
    messages = [str(m) for m in response.context["messages"]]
    stored = model.objects.count() > before
    assert messages, "the officer is told what happened"
    if not stored:
        # Refused: the case page again (422), the typed text kept, the reason beside the box.
        assert response.status_code == 422, response.status_code
        errors = response.context[f"{kind}_form"].errors.get("body", [])
        assert errors and all(len(e) > 5 for e in errors), (messages, errors)  # the reason, in words
        assert not _inert(response.content.decode(), payload)  # the text kept in its box, escaped
        return
    assert response.status_code == 200
    assert not _inert(_case_page(staff_client, satgas_katingan, case), payload)


HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(text=st.text(min_size=0, max_size=300))
def test_any_text_is_refused_in_words_or_stored_as_written(agencies, text):
    """The intake service: an IntakeError naming the field, or the text kept (only NUL and outer
    whitespace removed) — nothing else lost, nothing else changed."""
    COUNTS["hypothesis intake"] += 1
    try:
        receipt = report_submit(data=report_data(description=text, location=text[:300]))
    except IntakeError as error:
        assert error.fields and all(error.fields.values())
        return
    report = Report.objects.get(pk=receipt.report.pk)
    assert report.description == text.replace("\x00", "").strip()


@HYPOTHESIS
@given(text=st.text(min_size=1, max_size=200))
def test_any_text_through_the_public_api_is_never_a_500(client, agencies, text):
    cache.clear()
    COUNTS["hypothesis public API"] += 1
    body = report_data(description=text, subject_name=text, location=text)
    response = client.post("/api/v1/public/reports", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 422), (response.status_code, text)


@pytest.fixture(scope="module", autouse=True)
def _say_how_much_was_tried(request):
    yield
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nhostile text tried: {dict(COUNTS)}, {sum(COUNTS.values())} in all")
