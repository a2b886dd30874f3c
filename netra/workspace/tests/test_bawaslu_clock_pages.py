"""Bawaslu's overdue kajian in the workspace (issue #16 item 1): flagged in the Satgas queue and
in Bawaslu's own list, the "tanpa kajian Bawaslu" move on the case page, its record in the
timeline that Bawaslu reads too."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from netra.cases.models import Case
from netra.cases.services import case_transition

pytestmark = pytest.mark.django_db
S = Case.Status


def at(day: int):
    return time_machine.travel(datetime.datetime(2024, 11, day, 3, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def asked(katingan_case, satgas_katingan):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.VERIFICATION)
    case = Case.objects.get(pk=katingan_case.pk)
    with at(1):  # due Wednesday 6 Nov
        return case_transition(case=case, action="bawaslu_review", actor=satgas_katingan, data={"question": "Unsur?"})


def test_queue_flags_the_overdue_kajian_for_satgas_and_bawaslu(asked, staff_client, satgas_katingan, bawaslu_katingan):
    with at(5):
        page = staff_client(satgas_katingan).get(reverse("workspace:home")).text
        assert "Menunggu kajian Bawaslu s.d. 6 Nov 2024" in page and "Kajian Bawaslu lewat" not in page
    with at(7):
        page = staff_client(satgas_katingan).get(reverse("workspace:home")).text
        assert "Kajian Bawaslu lewat (6 Nov 2024)" in page
        bawaslu = staff_client(bawaslu_katingan).get(reverse("workspace:home")).text
        assert "Menunggu kajian Anda" in bawaslu and "Lewat · 6 Nov 2024" in bawaslu


def test_satgas_goes_on_without_the_kajian_from_the_case_page(asked, staff_client, satgas_katingan, bawaslu_katingan):
    client = staff_client(satgas_katingan)
    url = reverse("workspace:move", args=[asked.pk, "bawaslu_skip"])
    with at(6):
        assert "Lanjut tanpa kajian Bawaslu" not in client.get(reverse("workspace:case", args=[asked.pk])).text
        assert client.post(url, {"move-reason": "Tidak dijawab."}).status_code == 302
        asked.refresh_from_db()
        assert asked.waiting_for_bawaslu  # refused before the due date
    with at(7):
        page = client.get(reverse("workspace:case", args=[asked.pk])).text
        assert "Lanjut tanpa kajian Bawaslu" in page and "Batas waktu kajian Bawaslu sudah lewat" in page
        assert client.post(url, {"move-reason": ""}).status_code == 422
        client.post(url, {"move-reason": "Bawaslu tidak menjawab; lanjut klarifikasi."})
    asked.refresh_from_db()
    assert not asked.waiting_for_bawaslu
    timeline = staff_client(bawaslu_katingan).get(reverse("workspace:case", args=[asked.pk])).text
    assert "Dilanjutkan tanpa kajian Bawaslu" in timeline and "Bawaslu tidak menjawab; lanjut klarifikasi." in timeline
