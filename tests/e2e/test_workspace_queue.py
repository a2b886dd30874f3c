"""A Satgas officer at the desk: the queue (htmx filters, selection), the case page and a move.

Screenshots: ``workspace-queue.png``, ``workspace-case.png``, ``workspace-move-form.png``,
``workspace-queue-laptop.png`` (1366x768, the viewport only), ``workspace-queue-tablet.png``.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from netra.cases.intake import report_submit
from netra.cases.models import Case, InternalNote, Message
from netra.cases.selectors import attention_dates
from netra.cases.tests.fixtures import report_data
from netra.cases.triage_flow import triage_pending

from .conftest import ARTIFACTS

S = Case.Status
TODAY = datetime.date.today()

PEOPLE = [
    ("Budi Santoso", "198503122010011003", "Camat", "Kecamatan Katingan Hilir"),
    ("Siti Rahmah", "", "Kepala Dinas", "Dinas Pendidikan"),
    ("Agus Salim", "197911052005011002", "Kepala Sekolah", "SDN 2 Kasongan"),
    ("Dewi Lestari", "", "Lurah", "Kelurahan Kasongan Lama"),
    ("Rudi Hartono", "", "Staf", "Dinas Kesehatan"),
    ("Yanti Marlina", "", "Guru PPPK", "SMPN 1 Tewang Sanggalang Garing"),
]
STORIES = [
    "Camat hadir dan berorasi di deklarasi pasangan calon bupati di lapangan kecamatan.",
    "Kepala dinas membagikan stiker pasangan calon di apel pagi dan meminta pegawai memilihnya.",
    "Kepala sekolah mengunggah foto dengan pose dua jari bersama calon bupati di Facebook.",
    "Lurah memakai mobil dinas untuk mengantar tim kampanye ke desa-desa.",
    "Staf dinas membagikan ulang video kampanye dengan komentar ajakan memilih.",
    "Guru PPPK ikut memasang baliho calon di depan sekolah pada jam kerja.",
]


def _photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 90, 160)).save(out, "JPEG")
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def desk(agencies, satgas_katingan, lead_katingan):
    """A dozen Katingan cases in different states and deadlines, one of them well documented."""
    today, soon = attention_dates()
    plan = [
        (S.VERIFICATION, today - datetime.timedelta(days=3), satgas_katingan),
        (S.CHECKING, soon, satgas_katingan),
        (S.RECEIVED, None, None),
        (S.RECEIVED, None, None),
        (S.EXAMINATION, today + datetime.timedelta(days=12), lead_katingan),
        (S.CHECKING, today + datetime.timedelta(days=6), None),
        (S.AWAITING_DECISION, today + datetime.timedelta(days=9), lead_katingan),
        (S.RECEIVED, None, None),
        (S.DISMISSED, None, None),
    ]
    cases = []
    for index, (status, due, assignee) in enumerate(plan):
        name, nip, position, unit = PEOPLE[index % len(PEOPLE)]
        case = report_submit(
            data=report_data(
                description=STORIES[index % len(STORIES)],
                subject_name=name,
                subject_nip=nip,
                subject_position=position,
                subject_agency=unit,
                incident_date=(TODAY - datetime.timedelta(days=2 + index)).isoformat(),
            )
        ).case
        Case.objects.filter(pk=case.pk).update(status=status, due_date=due, assigned_to=assignee)
        cases.append(case)
    # The case we open: a fresh report about Budi Santoso again, with a photo, a conversation and a note.
    receipt = report_submit(
        data=report_data(description=STORIES[0] + " Videonya beredar di grup WhatsApp warga."),
        files=[_photo()],
    )
    Message.objects.create(
        case=receipt.case,
        report=receipt.report,
        sender="satgas",
        author=satgas_katingan,
        body="Apakah ada video aslinya?",
    )
    Message.objects.create(
        case=receipt.case, report=receipt.report, sender="reporter", body="Ada, saya kirim lewat unggahan bukti."
    )
    InternalNote.objects.create(
        case=receipt.case, author=lead_katingan, body="Kemungkinan sama dengan laporan deklarasi minggu lalu."
    )
    triage_pending()  # what the after-commit turn does in production: triage and the look-alikes kept
    return receipt.case


def _signed_in(browser, live_server, client, viewport=None):
    """A browser context carrying the session of a test client already past password and TOTP."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.django_db(transaction=True)
def test_an_officer_works_the_queue_and_opens_a_case(
    browser, live_server, screenshot, staff_client, satgas_katingan, desk
):
    context = _signed_in(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    assert page.locator("h1").inner_text() == "Antrean kasus"
    rows = page.locator(".queue-table tbody tr")
    assert rows.count() == 9  # every active case; the dismissed one is under its own tab
    # What just came in comes first (review item 5), with its text and the duplicate chip.
    assert "attention-new" in rows.first.get_attribute("class")
    assert rows.first.locator(".preview").inner_text()
    assert page.locator(".chip.dup").count() >= 1
    screenshot(page, "workspace-queue")

    # htmx: a tab swaps the list without leaving the page.
    page.evaluate("window.notReloaded = true")
    page.locator(".tab", has_text="Diterima").click()
    page.wait_for_url("**status=received**")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(".queue-table tbody tr").count() == 4

    # Selecting cases updates the bulk bar.
    page.locator('input[name="cases"]').nth(0).check()
    page.locator('input[name="cases"]').nth(1).check()
    assert page.locator(".selected-count").inner_text() == "2 kasus dipilih"

    page.goto(live_server.url + f"/staf/kasus/{desk.pk}/")
    assert page.locator(".case-title h1").inner_text() == desk.number
    assert page.locator(".duplicates li").count() >= 1
    screenshot(page, "workspace-case")

    page.get_by_role("link", name="Hentikan").click()
    page.locator("#move-panel form").wait_for()
    screenshot(page, "workspace-move-form")
    page.locator("#move-panel").get_by_label("Alasan").select_option("duplicate")
    page.locator("#move-panel").get_by_label("Penjelasan (dapat dibaca pelapor)").fill("Sama dengan laporan lain.")
    page.locator("#move-panel").get_by_role("button", name="Hentikan").click()
    page.wait_for_load_state()
    assert page.locator(".case-title .state").inner_text() == "Dihentikan"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_queue_is_usable_on_a_phone(browser, live_server, screenshot, staff_client, satgas_katingan, desk):
    context = _signed_in(browser, live_server, staff_client(satgas_katingan), viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    assert page.locator(".queue-table tbody tr").count() == 9
    # No sideways scrolling of the whole page: only the tab strip and the table scroll.
    screenshot(page, "workspace-queue-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "workspace-queue-phone")
    context.close()


def _many_cases(n: int, **overrides) -> list[Case]:
    cases = []
    for index in range(n):
        name, nip, position, unit = PEOPLE[index % len(PEOPLE)]
        data = {
            "description": STORIES[index % len(STORIES)],
            "subject_name": name,
            "subject_nip": nip,
            "subject_position": position,
            "subject_agency": unit,
            "incident_date": (TODAY - datetime.timedelta(days=2 + index % 9)).isoformat(),
        } | overrides
        cases.append(report_submit(data=report_data(**data)).case)
    return cases


@pytest.mark.django_db(transaction=True)
def test_ticks_made_after_a_search_all_count(browser, live_server, staff_client, satgas_katingan, agencies):
    """Review item 4: type a search, tick 6 cases, merge: 5 merged (the first tick used to be undone
    by the list's re-fetch when the search field lost focus)."""
    _many_cases(8, subject_name="Budi Santoso", subject_nip="")
    _many_cases(3, subject_name="Rahmat Hidayat", subject_nip="")
    context = _signed_in(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    with page.expect_response(lambda r: "q=budi" in r.url.lower()):
        page.locator("#id_q").press_sequentially("budi", delay=30)
    expect(page.locator(".queue-table tbody tr")).to_have_count(8)
    boxes = page.locator('input[name="cases"]')
    for index in range(6):
        boxes.nth(index).check()
    page.wait_for_timeout(900)  # longer than the search's delay: a stray re-fetch would have landed
    assert page.locator('input[name="cases"]:checked').count() == 6
    assert page.locator(".selected-count").inner_text() == "6 kasus dipilih"

    # The selection survives a swap of the list (another filter, then back).
    page.locator("#id_due").select_option("overdue")
    expect(page.locator('input[name="cases"]')).to_have_count(0)
    page.locator("#id_due").select_option("")
    expect(page.locator('input[name="cases"]')).to_have_count(8)
    expect(page.locator('input[name="cases"]:checked')).to_have_count(6)

    # The target is one of the ticked cases, chosen from a list.
    options = page.locator("#bulk-into option")
    assert options.count() == 7  # "the oldest" + the six ticked
    target = options.nth(3).get_attribute("value")
    page.locator("#bulk-into").select_option(target)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gabungkan").click()
    page.wait_for_load_state()
    assert Case.objects.filter(status=S.MERGED, merged_into__number=target).count() == 5
    assert "5 kasus digabung" in page.locator(".messages").inner_text()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_refused_merge_keeps_the_ticks_in_the_browser(browser, live_server, staff_client, satgas_katingan, agencies):
    cases = _many_cases(3)
    Case.objects.filter(pk=cases[0].pk).update(status=S.EXAMINATION)  # cannot be merged any more
    context = _signed_in(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    for case in cases:
        page.locator(f'input[name="cases"][value="{case.pk}"]').check()
    page.locator("#bulk-into").select_option(cases[1].number)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Gabungkan").click()
    page.wait_for_load_state()
    assert cases[0].number in page.locator(".messages").inner_text()
    assert page.locator(f'input[name="cases"][value="{cases[0].pk}"]').is_checked()
    assert page.locator(".selected-count").inner_text() == "1 kasus dipilih"
    context.close()


def _above_the_fold(page, height: int) -> int:
    return page.evaluate(
        """(h) => [...document.querySelectorAll('.queue-table tbody tr')]
                 .filter(r => r.getBoundingClientRect().bottom <= h).length""",
        height,
    )


@pytest.mark.django_db(transaction=True)
def test_the_queue_on_a_laptop_shows_ten_rows_and_every_tab(
    browser, live_server, staff_client, satgas_katingan, agencies, settings
):
    """Review item 9: at 1366x768 at least ten rows above the fold, every state tab visible."""
    settings.DEMO_MODE = False
    _many_cases(30)
    context = _signed_in(browser, live_server, staff_client(satgas_katingan), viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workspace-queue-laptop.png"))
    assert _above_the_fold(page, 768) >= 10
    tabs = page.locator(".tabs")
    assert tabs.is_visible()
    assert page.evaluate(
        "(() => { const t = document.querySelector('.tabs'); return t.scrollWidth <= t.clientWidth; })()"
    )
    for box in [page.locator(".tab").nth(i).bounding_box() for i in range(page.locator(".tab").count())]:
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 1366)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, wide
    # The column heads stay in view when the list scrolls.
    page.mouse.wheel(0, 900)
    page.wait_for_timeout(200)
    head = page.locator(".queue-table thead th").first.bounding_box()
    assert head is not None and 0 <= head["y"] < 120
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_queue_on_a_tablet_offers_the_states_as_a_select(
    browser, live_server, staff_client, satgas_katingan, agencies, settings
):
    settings.DEMO_MODE = False
    _many_cases(12)
    context = _signed_in(browser, live_server, staff_client(satgas_katingan), viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workspace-queue-tablet.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    assert not page.locator(".tabs").is_visible()
    select = page.locator("#queue-tab-select")
    assert select.is_visible()
    select.select_option(label=f"Diterima ({12})")
    page.wait_for_url("**status=received**")
    assert page.locator(".queue-table tbody tr").count() == 12
    context.close()
