"""The historical import's staff pages: upload, progress and report, template, the case page mark."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from netra.cases.models import Case, HistoryImport
from netra.cases.tests.history_support import CLOSED, GOOD, register_world, xlsx  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


def _upload(client, agency, data: bytes, name: str = "register.xlsx", **extra):
    return client.post(
        reverse("workspace:history_import"),
        {"agency": agency.pk, "file": SimpleUploadedFile(name, data), **extra},
    )


def test_the_lead_uploads_a_register_and_reads_the_result(register_world, staff_client):  # noqa: F811
    client = staff_client(register_world["lead"])
    page = client.get(reverse("workspace:history_import"))
    assert page.status_code == 200 and "Impor register kasus lama" in page.content.decode()
    assert reverse("workspace:history_import") in client.get(reverse("workspace:home")).content.decode()  # nav
    response = _upload(client, register_world["agency"], xlsx(GOOD))
    job = HistoryImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workspace:history_import_status", args=[job.pk]
    )
    status = client.get(response["Location"]).content.decode()
    assert "Kasus diimpor 4, sudah ada (dilewati) 0" in status
    # htmx polls only the progress block.
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="history-progress"') and "hx-get" not in fragment  # finished: no polling
    # The case page says where the case came from, and the steps are the register's.
    case = Case.objects.get(import_reference=CLOSED["nomor_kasus"])
    body = client.get(reverse("workspace:case", args=[case.pk])).content.decode()
    assert "Dari register lama instansi (nomor REG/2024/001)" in body
    assert body.count("Diimpor dari register lama") >= 8  # every step and the import event
    assert "22 Jan 2024" in body


def test_row_errors_are_listed_with_row_and_column(register_world, staff_client):  # noqa: F811
    client = staff_client(register_world["lead"])
    response = _upload(client, register_world["agency"], xlsx([{**CLOSED, "wilayah": "Atlantis"}]))
    body = client.get(response["Location"]).content.decode()
    assert "Berkas belum bisa diimpor" in body
    assert "<td>2</td><td>wilayah</td>" in body and "Atlantis" in body
    assert Case.objects.count() == 0


def test_a_form_without_a_file_is_a_422(register_world, staff_client):  # noqa: F811
    client = staff_client(register_world["lead"])
    response = client.post(reverse("workspace:history_import"), {"agency": register_world["agency"].pk})
    assert response.status_code == 422


def test_the_template_downloads_and_opens(register_world, staff_client):  # noqa: F811
    client = staff_client(register_world["lead"])
    response = client.get(reverse("workspace:history_import_template"))
    assert response.status_code == 200 and "templat-register-kasus.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    header = next(book["Kasus"].iter_rows(values_only=True))
    assert header[:3] == ("nomor_kasus", "pemilihan", "wilayah")
    help_text = " ".join(str(row[0]) for row in book["Petunjuk"].iter_rows(values_only=True))
    assert "pilkada-2024" in help_text and "social_media" in help_text and "reprimand_written" in help_text


def test_who_must_never_see_the_pages(register_world, staff_client, satgas_katingan, ppk_katingan, observer):  # noqa: F811
    lead = staff_client(register_world["lead"])
    _upload(lead, register_world["agency"], xlsx(GOOD))
    job = HistoryImport.objects.get()
    for user in (satgas_katingan, ppk_katingan, observer):
        client = staff_client(user)
        assert client.get(reverse("workspace:history_import")).status_code == 404
        assert client.get(reverse("workspace:history_import_template")).status_code == 404
        assert client.get(reverse("workspace:history_import_status", args=[job.pk])).status_code == 404
        assert _upload(client, register_world["agency"], xlsx(GOOD)).status_code == 404
    assert HistoryImport.objects.count() == 1
