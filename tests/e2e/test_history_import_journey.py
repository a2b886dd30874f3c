"""Past registers in the browser (issue #12 item 4): Katingan's Satgas lead downloads the template,
uploads a register with a wrong row and reads the row error, uploads it again with "impor baris
yang valid", opens an imported case (marked, dated by the register) and sees it on the dashboard."""

import io

import pytest
from openpyxl import load_workbook

from netra.cases.models import Case
from netra.cases.tests.history_support import CLOSED, DISMISSED, OPEN, register_world, xlsx  # noqa: F401

from .test_satgas_journey import shot, signed_in_context  # noqa: F401 -- shot is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lead_imports_a_past_register(live_server, browser, shot, register_world, staff_client, tmp_path):  # noqa: F811
    context = signed_in_context(browser, live_server, staff_client(register_world["lead"]))
    page = context.new_page()
    page.goto(f"{live_server.url}/staf/")
    page.get_by_role("link", name="Impor kasus lama").click()
    page.get_by_role("heading", name="Impor register kasus lama").wait_for()
    with page.expect_download() as download_info:
        page.locator("#history-template").click()
    with open(download_info.value.path(), "rb") as handle:
        assert next(load_workbook(io.BytesIO(handle.read()))["Kasus"].iter_rows(values_only=True))[0] == "nomor_kasus"
    register = tmp_path / "register-2024.xlsx"
    register.write_bytes(xlsx([CLOSED, {**DISMISSED, "wilayah": "Kabupaten Atlantis"}, OPEN]))
    page.get_by_label("Berkas register kasus (.xlsx atau .csv)").set_input_files(str(register))
    page.locator("#history-upload").click()
    page.locator("#history-state[data-state='invalid']").wait_for()
    errors = page.locator("table.import-errors tbody tr")
    assert errors.count() == 1 and "Atlantis" in errors.first.inner_text() and errors.first.inner_text().startswith("3")
    shot(page, "history-import-row-error", full_page=True)
    assert not Case.objects.exists()
    page.get_by_role("link", name="Kembali ke impor").click()
    page.get_by_label("Berkas register kasus (.xlsx atau .csv)").set_input_files(str(register))
    page.get_by_label("Impor baris yang valid (lewati baris yang salah)").check()
    page.locator("#history-upload").click()
    page.locator("#history-state[data-state='done']").wait_for()
    assert "Kasus diimpor 2" in page.locator("#history-result").inner_text()
    shot(page, "history-import-done", full_page=True)
    case = Case.objects.get(import_reference=CLOSED["nomor_kasus"])
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/")
    assert "Dari register lama instansi (nomor REG/2024/001)" in page.locator(".imported-case").inner_text()
    timeline = page.locator(".ws-timeline").inner_text()
    assert "22 Jan 2024" in timeline and "1 Mar 2024" in timeline and "Diimpor dari register lama" in timeline
    shot(page, "history-import-case", full_page=True)
    page.goto(f"{live_server.url}/staf/dasbor/?pemilihan=pemilu-2024")
    assert page.locator("[data-figure='total']").inner_text().strip() == "1"  # CLOSED is the one Pemilu case
    page.goto(f"{live_server.url}/staf/dasbor/?pemilihan=pilkada-2024")
    assert page.locator("[data-figure='total']").inner_text().strip() == "1"  # OPEN (the dismissed row was wrong)
    context.close()
