"""Security finding 3: the reporter's contact and receipt code reach only the owning agency's Satgas.

A contact marker and the receipt codes are planted in real reports; then every staff page a role
can open (case pages, the queue and its search, every move form offered, both letters as PDF text
read back with pypdf, the admin), every agency API answer for a token of every role, the webhook
outbox, the audit log and the notifications are searched. The marker may appear only where
``netra.cases.reporter_data`` allows it — and must appear there (the test can fail both ways).
"""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from netra.audit.models import AuditEvent
from netra.cases import reporter_data
from netra.cases.intake import report_submit, reporter_message_add
from netra.cases.models import Case, Report
from netra.cases.services import case_transition, satgas_message_add
from netra.cases.tests.fixtures import report_data
from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the violation catalogue
from netra.cases.workflow import available_moves
from netra.notify.models import Notification
from netra.sharing import outbox
from netra.sharing.models import WebhookEvent, WebhookSubscription
from netra.sharing.tokens import issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]

CONTACT = "wa 0812-5550-7731 KONTAKRAHASIA"
MARKER = "KONTAKRAHASIA"
PERSONAS = [
    "satgas_katingan",
    "lead_katingan",
    "ppk_katingan",
    "admin_katingan",
    "satgas_barsel",
    "bawaslu_katingan",
    "bawaslu_kalteng",
    "bkn_kanreg",
    "bkn_supervisor",
    "observer",
    "admin_user",  # a superuser: sees every case, still not the reporter
]
# Who the map lets see the contact and the receipt code of a Katingan case.
OWNING_SATGAS = {"satgas_katingan", "lead_katingan"}


@pytest.fixture
def world(agencies, request):
    outbox.forget_listeners()
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    hook_token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="SIPP").token
    WebhookSubscription.objects.create(
        agency=hook_token.agency,
        role=hook_token.role,
        token=hook_token,
        url="https://example.org/hook",
        events=list(WebhookSubscription.Event.values),
        secret="s",
    )
    decided = report_submit(data=report_data(contact=CONTACT)).case
    reporter_message_add(report=decided.reports.get(), body="Saya bisa memberi keterangan tambahan.")
    satgas_message_add(case=decided, actor=people["satgas_katingan"], body="Terima kasih, kami hubungi.")
    decided = take_to(
        decided,
        "decided",
        officer=people["satgas_katingan"],
        lead=people["lead_katingan"],
        ppk=people["ppk_katingan"],
    )
    checking = report_submit(data=report_data(contact=CONTACT, subject_name="Siti Aminah", subject_nip="")).case
    case_transition(case=checking, action="checking", actor=people["satgas_katingan"])
    # A second report merged in: two reporters on one case, two threads.
    duplicate = report_submit(data=report_data(contact=CONTACT)).case
    case_transition(case=duplicate, action="merged", actor=people["satgas_katingan"], data={"into_case": checking.pk})
    cases = [Case.objects.get(pk=decided.pk), Case.objects.get(pk=checking.pk)]
    codes = list(Report.objects.values_list("receipt_code", flat=True))
    return {"people": people, "cases": cases, "codes": codes}


def _text(response) -> str:
    if response.get("Content-Type") == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def _staff_pages(user, cases) -> list[tuple[str, str]]:
    """(name, url) of every staff page about these cases the user may be shown."""
    pages = [("queue", reverse("workspace:home"))]
    for case in cases:
        pages.append((f"case {case.pk}", reverse("workspace:case", args=[case.pk])))
        for move in available_moves(case, user):
            pages.append((f"move {move.action} {case.pk}", reverse("workspace:move", args=[case.pk, move.action])))
        pages.append((f"letter {case.pk}", reverse("workspace:recommendation_letter", args=[case.pk])))
        pages.append((f"summary {case.pk}", reverse("workspace:decision_summary", args=[case.pk])))
    return pages


def test_the_contact_and_receipt_code_reach_only_the_owning_satgas(staff_client, client, world):
    cases, codes = world["cases"], world["codes"]
    leaks, missing, read = [], [], 0
    for name, user in world["people"].items():
        client.logout()
        staff = staff_client(user)
        for page, url in _staff_pages(user, cases):
            response = staff.get(url)
            assert response.status_code in (200, 404), (name, page, response.status_code)
            if response.status_code != 200:
                continue
            read += 1
            text = _text(response)
            shown = {"contact": MARKER in text, "receipt code": any(code in text for code in codes)}
            allowed = name in OWNING_SATGAS and page.startswith("case ")
            for what, found in shown.items():
                if found and not allowed:
                    leaks.append((name, page, what))
                if allowed and not found:
                    missing.append((name, page, what))
        # Searching the queue by contact or receipt code must not find the case (no oracle). Only
        # the search's answer is read (the list htmx swaps in): a role's home above the queue lists
        # what waits for it (a PPK's decisions) whatever was searched.
        for probe in [MARKER, *codes]:
            listed = staff.get(reverse("workspace:home"), {"q": probe}, headers={"HX-Request": "true"}).content.decode()
            if any(case.number in listed for case in cases):
                leaks.append((name, f"queue search {probe}", "case found"))
        if name == "satgas_katingan":  # the search's answer really lists what it finds
            found = staff.get(reverse("workspace:home"), {"q": cases[0].number}, headers={"HX-Request": "true"})
            assert cases[0].number in found.content.decode()
    assert not leaks, leaks
    assert not missing, missing
    assert read > 40  # pages really rendered, PDFs included


def test_the_case_page_says_who_sees_the_contact_nowhere_else(staff_client, world):
    """Two reporters on one case: the others read the threads as #1 and #2, not by receipt code."""
    checking = world["cases"][1]
    page = staff_client(world["people"]["ppk_katingan"]).get(reverse("workspace:case", args=[checking.pk]))
    text = page.content.decode()
    assert "Pelapor #1" in text and "Pelapor #2" in text
    assert "Kontak pelapor" not in text


def test_no_agency_api_answer_carries_reporter_data(client, agencies, world):
    cases, codes = world["cases"], world["codes"]
    tokens = {
        f"{agency} {role}": issue_token(agency=agencies[agency], role=role, name="t").plaintext
        for agency, role in [
            ("pemkab-katingan", "satgas_officer"),
            ("pemkab-katingan", "satgas_lead"),
            ("pemkab-katingan", "ppk"),
            ("pemkab-katingan", "agency_admin"),
            ("bawaslu-kab-katingan", "bawaslu_officer"),
            ("kanreg-bkn-banjarmasin", "bkn_supervisor"),
            ("bkn-pusat", "bkn_supervisor"),
            ("pengamat-kalteng", "observer"),
        ]
    }
    urls = ["/api/v1/cases", "/api/v1/webhooks"]
    for case in cases:
        urls += [f"/api/v1/cases/{case.pk}", f"/api/v1/cases/{case.pk}/events"]
    leaks, answered = [], 0
    for name, token in tokens.items():
        for url in urls:
            response = client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code < 500, (name, url)
            answered += response.status_code == 200
            text = response.content.decode()
            if MARKER in text or any(code in text for code in codes):
                leaks.append((name, url))
    assert not leaks, leaks
    assert answered >= 20


def test_webhooks_audit_and_notifications_carry_no_reporter_data(world):
    codes = world["codes"]
    texts = {
        "webhook": [json.dumps(e.payload) for e in WebhookEvent.objects.all()],
        "audit": [json.dumps(e.payload) for e in AuditEvent.objects.all()],
        "notification": list(Notification.objects.values_list("text", flat=True)),
    }
    assert texts["webhook"] and texts["audit"]
    leaks = [
        (kind, text) for kind, rows in texts.items() for text in rows if MARKER in text or any(c in text for c in codes)
    ]
    assert not leaks, leaks


def test_the_admin_shows_the_receipt_code_but_never_the_contact(admin_client, world):
    report = Report.objects.filter(case=world["cases"][0]).get()
    page = admin_client.get(reverse("admin:cases_report_change", args=[report.pk])).content.decode()
    assert report.receipt_code in page
    assert MARKER not in page and report.access_key_hash not in page


def test_the_map_answers_per_field(world):
    people, case = world["people"], world["cases"][0]
    F = reporter_data.ReporterField
    assert reporter_data.may_see(people["lead_katingan"], case, F.CONTACT)
    assert not reporter_data.may_see(people["ppk_katingan"], case, "contact")
    assert not reporter_data.may_see(people["satgas_barsel"], case, F.RECEIPT_CODE)
    assert not reporter_data.may_see(people["lead_katingan"], case, F.ACCESS_KEY_HASH)
    assert not reporter_data.may_see(people["lead_katingan"], case, F.CHANNEL_SENDER)
    token = issue_token(agency=case.agency, role="satgas_lead", name="t").token
    assert reporter_data.visible_fields(token, case) == frozenset()
    rows = [{"id": 1, "contact": "x", "receipt_code": "y", "description": "z"}]
    assert reporter_data.redact(rows, token, case) == [{"id": 1, "description": "z"}]


def test_the_report_form_promises_what_the_map_does(client, regions):
    text = client.get(reverse("portal:report_new")).content.decode()
    assert "Hanya Satgas instansi yang menangani laporan yang dapat melihat kontak ini" in text


def test_templates_read_reporter_data_only_through_the_map():
    """A template that reads ``report.contact`` or ``.receipt_code`` directly would bypass the map."""
    import re
    from pathlib import Path

    direct = re.compile(r"(?<!\.shown)\.(contact|receipt_code|access_key_hash)\b")
    root = Path(__file__).resolve().parents[1] / "netra"
    offenders = [
        str(path.relative_to(root))
        for app in ("workspace", "sharing", "cases")
        for path in (root / app / "templates").rglob("*.html")
        if direct.search(path.read_text())
    ]
    assert not offenders, f"read reporter data through netra.cases.reporter_data instead: {offenders}"


def test_the_minute_of_what_the_reporter_did_reaches_only_the_owning_satgas(staff_client, world):
    """SUBMITTED_TIME: when the report came in, when the reporter wrote — on the "Masuk" date, the
    report, the thread and the timeline — to the minute for the owning Satgas, the day for others."""
    import datetime

    import time_machine
    from django.utils import dateformat, timezone

    now = timezone.localtime()
    submitted = (now - datetime.timedelta(days=1)).replace(
        hour=(now.hour + 12) % 24, minute=17 if now.minute != 17 else 18, second=0, microsecond=0
    )
    written = submitted + datetime.timedelta(hours=1, minutes=24)
    with time_machine.travel(submitted, tick=False):
        case = report_submit(data=report_data(contact=CONTACT)).case
    with time_machine.travel(written, tick=False):
        reporter_message_add(report=case.reports.get(), body="Ada saksi lain di lokasi.")
    case_transition(case=case, action="checking", actor=world["people"]["satgas_katingan"])
    minutes = {
        what: dateformat.format(timezone.localtime(at), "H:i") for what, at in [("sent", submitted), ("wrote", written)]
    }
    leaks, missing, read = [], [], 0
    for name, user in world["people"].items():
        staff = staff_client(user)
        for page, url in _staff_pages(user, [Case.objects.get(pk=case.pk)]):
            response = staff.get(url)
            if response.status_code != 200:
                continue
            read += 1
            text = _text(response)
            allowed = name in OWNING_SATGAS and page.startswith("case ")
            for what, minute in minutes.items():
                if minute in text and not allowed:
                    leaks.append((name, page, what))
                if allowed and text.count(minute) < 2:  # "Masuk" and the report; the message and the timeline
                    missing.append((name, page, what, text.count(minute)))
    assert not leaks, leaks
    assert not missing, missing
    assert read > 10
