"""Issue #16 item 7: the queue scans well on a 1366x768 laptop and a 768x1024 tablet.

A queue with every kind of row (overdue, new, flagged with a BKN control action, referred up):
no horizontal page scroll, the state tabs wrap within the width (laptop) or become a select
(tablet), the table fits its box on the tablet, rows stay one compact height with their flags.
Screenshots for the guide: ``docs/img/guide-16-queue-laptop.png``, ``guide-17-queue-tablet.png``.
"""

import datetime
from pathlib import Path

import pytest

from netra.cases.intake import report_submit
from netra.cases.models import Case, ControlAction
from netra.cases.tests.fixtures import report_data

from .conftest import ARTIFACTS

S = Case.Status
TODAY = datetime.date.today()
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"

PEOPLE = [
    ("Budi Santoso", "198503122010011003", "Camat", "Kecamatan Katingan Hilir"),
    ("Siti Rahmah", "", "Kepala Dinas Pendidikan dan Kebudayaan", "Dinas Pendidikan"),
    ("Agus Salim", "197911052005011002", "Kepala Sekolah", "SDN 2 Kasongan"),
    ("Dewi Lestari", "", "Lurah", "Kelurahan Kasongan Lama"),
]


@pytest.fixture
def queue(agencies, satgas_katingan):
    bkn = agencies["bkn-pusat"]
    states = [S.VERIFICATION, S.RECEIVED, S.ESCALATED, S.EXAMINATION, S.CHECKING, S.AWAITING_DECISION]
    cases = []
    for index in range(18):
        name, nip, position, unit = PEOPLE[index % len(PEOPLE)]
        case = report_submit(
            data=report_data(
                description="Terlapor hadir dan berorasi pada kampanye pasangan calon bupati di lapangan kecamatan, "
                "videonya beredar di grup WhatsApp warga.",
                subject_name=name,
                subject_nip=nip,
                subject_position=position,
                subject_agency=unit,
                incident_date=(TODAY - datetime.timedelta(days=2 + index % 7)).isoformat(),
            )
        ).case
        state = states[index % len(states)]
        due = TODAY + datetime.timedelta(days=(index % 5) - 2)
        Case.objects.filter(pk=case.pk).update(status=state, due_date=due, assigned_to=satgas_katingan)
        if state == S.ESCALATED:
            ControlAction.objects.create(case=case, kind="warning", date=TODAY, reference="B-12/KR.VIII/2026")
        if state == S.EXAMINATION:
            Case.objects.filter(pk=case.pk).update(referred_to=bkn, referred_at=case.created_at)
        cases.append(case)
    return cases


def _open(browser, live_server, client, viewport):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/staf/?status=active")
    return context, page


def _row_heights(page) -> list[float]:
    return page.evaluate(
        "[...document.querySelectorAll('.queue-table tbody tr')].map(r => r.getBoundingClientRect().height)"
    )


def _overflowing(page, width: int) -> list[str]:
    return page.evaluate(
        "(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5"
        " && e.offsetParent !== null && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className).slice(0, 5)",
        width,
    )


@pytest.mark.django_db(transaction=True)
def test_the_queue_at_1366_by_768(browser, live_server, staff_client, satgas_katingan, queue, settings):
    settings.DEMO_MODE = False
    context, page = _open(browser, live_server, staff_client(satgas_katingan), {"width": 1366, "height": 768})
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "guide-16-queue-laptop.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, _overflowing(page, 1366)
    # The tabs wrap inside the width: every one of them visible, none past the edge.
    assert page.locator(".tabs").is_visible()
    for index in range(page.locator(".tab").count()):
        box = page.locator(".tab").nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366
    # The flags are there, and a flagged row is no taller than a plain one.
    assert page.locator(".queue-table .chip.control").count() == 3
    assert page.locator(".queue-table .chip.referral").count() == 3
    heights = _row_heights(page)
    assert len(heights) == 18 and max(heights) <= 52, heights
    rows_above_fold = page.evaluate(
        "[...document.querySelectorAll('.queue-table tbody tr')].filter(r => r.getBoundingClientRect().bottom <= 768).length"
    )
    assert rows_above_fold >= 9
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_queue_on_a_768_by_1024_tablet(browser, live_server, staff_client, satgas_katingan, queue, settings):
    settings.DEMO_MODE = False
    context, page = _open(browser, live_server, staff_client(satgas_katingan), {"width": 768, "height": 1024})
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "guide-17-queue-tablet.png"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768, _overflowing(page, 768)
    # The states are a select here; the table's columns fit its box (nothing cut off at the edge).
    assert not page.locator(".tabs").is_visible()
    assert page.locator("#queue-tab-select").is_visible()
    fits = page.evaluate(
        "(() => { const w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth]; })()"
    )
    assert fits[0] <= fits[1], fits
    heights = _row_heights(page)
    assert max(heights) <= 60, heights
    context.close()
