"""A viral post's reports: triaged on arrival, shown as one cluster in the queue, merged in one go.

Real server, real browser, real SQLite/PostgreSQL; the triage turn runs after each commit as in
production. Screenshots: ``triage-queue.png``, ``triage-cluster.png``, ``triage-case.png``.
"""

import datetime

import pytest
from playwright.sync_api import expect

from netra.cases.intake import report_submit
from netra.cases.models import Case, TriageCorrection, TriageResult
from netra.cases.tests.fixtures import report_data

WITNESSES = [
    "Pak camat ikut deklarasi paslon nomor 2 di lapangan desa Kasongan, ada fotonya di FB",
    "camat katingan hilir hadir deklarasi paslon no 2 di lapangan kasongan, fotonya viral di facebook",
    "Saya lihat camat ikut naik panggung deklarasi paslon 02 di lapangan Kasongan, foto ada di fb",
    "Ada camat ikut deklarasi pasangan calon nomor 2 di lapangan desa kasongan, foto beredar di FB",
]


def _signed_in(browser, live_server, client):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.django_db(transaction=True)
def test_the_cluster_of_a_viral_post_is_shown_in_the_queue_and_merged(
    browser, live_server, screenshot, staff_client, satgas_katingan, agencies
):
    cases = [
        report_submit(data=report_data(description=text, subject_name="", subject_nip="", links=[])).case
        for text in WITNESSES
    ]
    report_submit(
        data=report_data(
            description="Kepala dinas pendidikan membagikan amplop ke guru honorer di aula dinas",
            subject_name="Siti Rahmah",
            subject_nip="",
            links=[],
            incident_date=(datetime.date.today() - datetime.timedelta(days=200)).isoformat(),
        )
    )
    clusters = set(TriageResult.objects.filter(case__in=cases).values_list("cluster", flat=True))
    assert clusters == {cases[0].pk}  # triaged after each commit: one cluster, the first case its id

    context = _signed_in(browser, live_server, staff_client(satgas_katingan))
    page = context.new_page()
    page.goto(live_server.url + "/staf/")
    chips = page.locator(".chip.cluster")
    expect(chips.first).to_have_text("klaster 4 laporan")
    assert chips.count() == 4  # every row of the cluster, none on the unrelated case
    assert page.locator(".chip.triage").count() == 5
    screenshot(page, "triage-queue")

    chips.first.click()
    expect(page.locator("h1")).to_have_text("Klaster 4 laporan")
    assert page.locator('input[name="cases"]:checked').count() == 4
    screenshot(page, "triage-cluster")
    page.get_by_role("button", name="Gabungkan yang dipilih").click()
    expect(page.locator("h1")).to_have_text("Klaster 1 laporan")
    statuses = list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk").values_list("status", flat=True))
    assert statuses == ["received", "merged", "merged", "merged"]

    # The surviving case: the suggestion at the checking step, confirmed with one click (htmx).
    page.goto(live_server.url + f"/staf/kasus/{cases[0].pk}/")
    block = page.locator("#triage-block")
    expect(block.locator("h2")).to_have_text("Saran triase")
    block.get_by_role("button", name="Benar").click()
    expect(page.locator(".triage-choice")).to_contain_text("Dicatat petugas")
    screenshot(page, "triage-case")
    [correction] = TriageCorrection.objects.filter(case=cases[0])
    assert correction.chosen == correction.suggested == TriageResult.objects.get(case=cases[0]).top_code
    context.close()
