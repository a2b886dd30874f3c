"""The case page: what staff see, in scope only; notes apart from the reporter's messages."""

import pytest
from django.urls import reverse

from netra.cases.intake import report_status, reporter_message_add
from netra.cases.models import Case, InternalNote, Message

pytestmark = pytest.mark.django_db


def case_url(case) -> str:
    return reverse("workspace:case", args=[case.pk])


def test_an_officer_of_the_agency_opens_the_case(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(case_url(katingan_case))
    assert response.status_code == 200
    assert katingan_case.number in response.text and "Budi Santoso" in response.text


def test_an_officer_of_another_agency_gets_404(staff_client, satgas_barsel, katingan_case):
    assert staff_client(satgas_barsel).get(case_url(katingan_case)).status_code == 404


def test_an_agency_admin_gets_404(staff_client, admin_katingan, katingan_case):
    assert staff_client(admin_katingan).get(case_url(katingan_case)).status_code == 404


def test_a_missing_case_is_404(staff_client, satgas_katingan, katingan_case):
    assert staff_client(satgas_katingan).get(reverse("workspace:case", args=[999999])).status_code == 404


def test_the_page_shows_the_report_and_its_links_as_inert_text(staff_client, satgas_katingan, katingan_case):
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert "berorasi di deklarasi" in text
    assert (
        '<a href="https://www.facebook.com/contoh/posts/1" rel="noopener noreferrer nofollow" target="_blank"' in text
    )


def test_internal_notes_are_shown_to_staff_with_their_label(
    staff_client, satgas_katingan, lead_katingan, katingan_case
):
    InternalNote.objects.create(case=katingan_case, author=lead_katingan, body="Cek akun Facebook terlapor.")
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert "Cek akun Facebook terlapor." in text
    assert "Catatan internal — tidak terlihat oleh pelapor" in text


def test_internal_notes_never_reach_the_reporter(satgas_katingan, katingan_case):
    InternalNote.objects.create(case=katingan_case, author=satgas_katingan, body="Rahasia internal")
    assert "Rahasia internal" not in repr(report_status(katingan_case.reports.get()))


def test_the_message_thread_shows_both_sides(staff_client, satgas_katingan, katingan_case):
    report = katingan_case.reports.get()
    Message.objects.create(case=katingan_case, report=report, sender="satgas", author=satgas_katingan, body="Ada foto?")
    reporter_message_add(report=report, body="Ada, sudah saya unggah.")
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert text.index("Ada foto?") < text.index("Ada, sudah saya unggah.")
    assert "Pesan dengan pelapor" in text


def test_an_officer_sees_the_moves_of_the_workflow_table(staff_client, satgas_katingan, katingan_case):
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert reverse("workspace:move", args=[katingan_case.pk, "checking"]) in text
    assert "Mulai pengecekan" in text


def test_an_observer_sees_the_case_but_no_action(staff_client, observer, katingan_case):
    response = staff_client(observer).get(case_url(katingan_case))
    assert response.status_code == 200 and katingan_case.number in response.text
    assert response.context["moves"] == []
    assert "/langkah/" not in response.text
    assert 'action="' + reverse("workspace:note", args=[katingan_case.pk]) not in response.text
    assert 'action="' + reverse("workspace:message", args=[katingan_case.pk]) not in response.text


def test_earlier_cases_of_the_same_person_are_listed(staff_client, satgas_katingan, submit, katingan_case):
    later = submit(description="Camat yang sama memasang baliho calon bupati di depan kantor kecamatan.")
    response = staff_client(satgas_katingan).get(case_url(later))
    [entry] = response.context["subjects"]
    assert [s.case for s in entry["history"]] == [katingan_case]


def test_duplicate_candidates_are_shown_while_checking(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    response = staff_client(satgas_katingan).get(case_url(twin))
    assert [c.case for c in response.context["duplicates"]] == [katingan_case]
    assert f"Gabungkan {katingan_case.number} ke sini" in response.text


def test_no_duplicate_candidates_after_checking(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    Case.objects.filter(pk=twin.pk).update(status=Case.Status.EXAMINATION)
    assert staff_client(satgas_katingan).get(case_url(twin)).context["duplicates"] == []


def test_the_timeline_starts_with_the_received_state(staff_client, satgas_katingan, katingan_case):
    timeline = staff_client(satgas_katingan).get(case_url(katingan_case)).context["timeline"]
    assert timeline[0].kind == "transition" and timeline[0].title == "Diterima"
