"""Changing a case from the workspace: workflow moves, messages, notes, assignment, merge."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases.intake import report_status
from netra.cases.models import Case, InternalNote, Message

pytestmark = pytest.mark.django_db
S = Case.Status


def move_url(case, action) -> str:
    return reverse("workspace:move", args=[case.pk, action])


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_move_form_opens_as_an_htmx_partial(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    response = staff_client(satgas_katingan).get(move_url(katingan_case, "dismissed"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert 'name="reason"' in response.text and "Bukti tidak cukup" in response.text


def test_the_move_form_is_a_page_of_its_own_without_javascript(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(move_url(katingan_case, "checking"))
    assert response.status_code == 200 and "<html" in response.text and "Mulai pengecekan" in response.text


def test_posting_a_move_moves_the_case_and_audits_it(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "checking"), follow=True)
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.CHECKING
    assert katingan_case.transitions.last().actor == satgas_katingan
    assert AuditEvent.objects.filter(action="case.transitioned", object_id=str(katingan_case.pk)).count() == 1
    assert any("Pengecekan" in m for m in page_messages(response))


def test_missing_data_is_shown_next_to_the_field(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "dismissed"), {"explanation": "x"})
    assert response.status_code == 422
    assert response.context["form"].errors["reason"] == ["Wajib diisi."]
    assert 'class="field has-error"' in response.text
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.CHECKING


def test_a_dismissal_with_its_data_ends_the_case(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    staff_client(satgas_katingan).post(
        move_url(katingan_case, "dismissed"), {"reason": "not_asn", "explanation": "Terlapor kepala desa."}
    )
    katingan_case.refresh_from_db()
    assert (katingan_case.status, katingan_case.dismissal_reason) == (S.DISMISSED, "not_asn")


def test_a_move_the_role_may_not_make_is_refused_with_a_message(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.RECOMMENDATION)
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "awaiting_decision"), follow=True)
    assert response.status_code == 200
    assert "Peran Anda tidak berwenang melakukan langkah ini." in page_messages(response)
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.RECOMMENDATION


def test_a_move_from_the_wrong_state_is_refused_with_a_message(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "examination"), follow=True)
    assert response.status_code == 200
    assert any("status kasus sekarang Diterima" in m for m in page_messages(response))


def test_an_unknown_action_is_refused_not_a_500(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "launch-rockets"), follow=True)
    assert response.status_code == 200 and page_messages(response)


def test_a_refused_move_in_htmx_answers_with_the_reason(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(move_url(katingan_case, "examination"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "status kasus sekarang" in response.text


def test_an_observer_cannot_move_a_case(staff_client, observer, katingan_case):
    staff_client(observer).post(move_url(katingan_case, "checking"))
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.RECEIVED


def test_an_officer_of_another_agency_gets_404_for_a_move(staff_client, satgas_barsel, katingan_case):
    assert staff_client(satgas_barsel).post(move_url(katingan_case, "checking")).status_code == 404
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.RECEIVED


@pytest.mark.parametrize("name", ["message", "note", "assign", "merge"])
def test_an_officer_of_another_agency_gets_404_for_every_action(staff_client, satgas_barsel, katingan_case, name):
    url = reverse(f"workspace:{name}", args=[katingan_case.pk])
    assert staff_client(satgas_barsel).post(url, {"body": "x", "other": katingan_case.pk}).status_code == 404


def test_a_message_to_the_reporter_appears_on_their_status_page(staff_client, satgas_katingan, katingan_case):
    staff_client(satgas_katingan).post(
        reverse("workspace:message", args=[katingan_case.pk]), {"body": "Mohon kirim tautan aslinya."}
    )
    status = report_status(katingan_case.reports.get())
    assert [(m["from"], m["body"]) for m in status["messages"]] == [("satgas", "Mohon kirim tautan aslinya.")]


def test_an_internal_note_is_kept_for_staff_only(staff_client, satgas_katingan, katingan_case):
    staff_client(satgas_katingan).post(
        reverse("workspace:note", args=[katingan_case.pk]), {"body": "Terlapor kerabat."}
    )
    assert InternalNote.objects.get(case=katingan_case).author == satgas_katingan
    assert not Message.objects.filter(case=katingan_case).exists()
    assert "Terlapor kerabat." not in repr(report_status(katingan_case.reports.get()))


def test_an_observer_cannot_add_a_note(staff_client, observer, katingan_case):
    response = staff_client(observer).post(
        reverse("workspace:note", args=[katingan_case.pk]), {"body": "Catatan"}, follow=True
    )
    assert not InternalNote.objects.exists()
    assert "Peran Anda tidak berwenang melakukan langkah ini." in page_messages(response)


def test_a_lead_assigns_an_officer(staff_client, lead_katingan, satgas_katingan, katingan_case):
    staff_client(lead_katingan).post(
        reverse("workspace:assign", args=[katingan_case.pk]), {"assignee": satgas_katingan.pk}
    )
    katingan_case.refresh_from_db()
    assert katingan_case.assigned_to == satgas_katingan


def test_an_officer_may_not_assign_a_colleague(staff_client, satgas_katingan, lead_katingan, katingan_case):
    response = staff_client(satgas_katingan).post(
        reverse("workspace:assign", args=[katingan_case.pk]), {"assignee": lead_katingan.pk}, follow=True
    )
    katingan_case.refresh_from_db()
    assert katingan_case.assigned_to is None
    assert "Hanya Ketua Satgas yang dapat menugaskan petugas lain." in page_messages(response)


def test_merging_a_candidate_into_the_case_on_screen(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    staff_client(satgas_katingan).post(reverse("workspace:merge", args=[katingan_case.pk]), {"other": twin.pk})
    twin.refresh_from_db()
    assert (twin.status, twin.merged_into) == (S.MERGED, katingan_case)


def test_merging_this_case_into_a_candidate_further_along(staff_client, satgas_katingan, submit, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.VERIFICATION)
    twin = submit()
    client = staff_client(satgas_katingan)
    page = client.get(reverse("workspace:case", args=[twin.pk])).text
    assert f"Gabungkan kasus ini ke {katingan_case.number}" in page
    assert f"Gabungkan {katingan_case.number} ke sini" not in page  # verification cannot be merged away
    client.post(move_url(twin, "merged"), {"into_case": katingan_case.pk})
    twin.refresh_from_db()
    assert (twin.status, twin.merged_into) == (S.MERGED, katingan_case)


def test_the_merge_form_offers_the_duplicate_candidates_by_number(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    response = staff_client(satgas_katingan).get(move_url(twin, "merged"))
    assert "Kemungkinan duplikat" in response.text
    assert (
        f'<option value="{katingan_case.pk}">{katingan_case.number} · Diterima · Budi Santoso</option>' in response.text
    )


def test_a_follow_up_is_recorded_on_a_decided_case(staff_client, ppk_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.DECIDED)
    client = staff_client(ppk_katingan)
    assert "Catat tindak lanjut" in client.get(reverse("workspace:case", args=[katingan_case.pk])).text
    client.post(
        reverse("workspace:followup", args=[katingan_case.pk]),
        {"kind": "carried_out", "date": "2024-12-02", "text": "Teguran tertulis diserahkan."},
    )
    assert [(f.kind, f.text) for f in katingan_case.follow_ups.all()] == [
        ("carried_out", "Teguran tertulis diserahkan.")
    ]


def test_a_follow_up_before_the_decision_is_refused_with_a_message(staff_client, ppk_katingan, katingan_case):
    response = staff_client(ppk_katingan).post(
        reverse("workspace:followup", args=[katingan_case.pk]),
        {"kind": "carried_out", "date": "2024-12-02", "text": "x"},
        follow=True,
    )
    assert not katingan_case.follow_ups.exists()
    assert "Tindak lanjut dicatat setelah PPK memutuskan." in page_messages(response)


def test_the_recommendation_form_renders_with_checkboxes_for_violations(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    response = staff_client(satgas_katingan).get(move_url(katingan_case, "recommendation"))
    assert response.status_code == 200
    assert response.text.count('type="checkbox" name="violations"') >= 10
    assert 'name="sanction_category"' in response.text and 'name="findings"' in response.text


def test_the_decision_form_accepts_a_file(staff_client, ppk_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.AWAITING_DECISION)
    response = staff_client(ppk_katingan).get(move_url(katingan_case, "decided"))
    assert 'enctype="multipart/form-data"' in response.text and 'type="date"' in response.text


def test_a_recommendation_posted_from_the_form_moves_the_case(staff_client, satgas_katingan, katingan_case):
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    client = staff_client(satgas_katingan)
    response = client.post(
        move_url(katingan_case, "recommendation"),
        {
            "violations": ["campaign_attendance"],
            "sanction_category": "moral_closed",
            "legal_basis": "PP 94/2021 Pasal 5 huruf n",
            "findings": "Terlapor hadir dan berorasi di deklarasi.",
            "override_reason": "Terlapor baru pertama kali dan mengakui perbuatannya.",
        },
    )
    katingan_case.refresh_from_db()
    assert response.status_code == 302, response.context["form"].errors
    assert katingan_case.status == S.RECOMMENDATION
    assert katingan_case.recommendation.violations == ["campaign_attendance"]
