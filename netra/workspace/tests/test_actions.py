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
    assert 'name="move-reason"' in response.text and "Bukti tidak cukup" in response.text


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
    response = staff_client(satgas_katingan).post(move_url(katingan_case, "dismissed"), {"move-explanation": "x"})
    assert response.status_code == 422
    assert response.context["form"].errors["reason"] == ["Wajib diisi."]
    assert 'class="field has-error"' in response.text
    katingan_case.refresh_from_db()
    assert katingan_case.status == S.CHECKING


def test_a_dismissal_with_its_data_ends_the_case(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    staff_client(satgas_katingan).post(
        move_url(katingan_case, "dismissed"), {"move-reason": "not_asn", "move-explanation": "Terlapor kepala desa."}
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
        reverse("workspace:message", args=[katingan_case.pk]), {"message-body": "Mohon kirim tautan aslinya."}
    )
    status = report_status(katingan_case.reports.get())
    assert [(m["from"], m["body"]) for m in status["messages"]] == [("satgas", "Mohon kirim tautan aslinya.")]


def test_an_internal_note_is_kept_for_staff_only(staff_client, satgas_katingan, katingan_case):
    staff_client(satgas_katingan).post(
        reverse("workspace:note", args=[katingan_case.pk]), {"note-body": "Terlapor kerabat."}
    )
    assert InternalNote.objects.get(case=katingan_case).author == satgas_katingan
    assert not Message.objects.filter(case=katingan_case).exists()
    assert "Terlapor kerabat." not in repr(report_status(katingan_case.reports.get()))


def test_an_observer_cannot_add_a_note(staff_client, observer, katingan_case):
    response = staff_client(observer).post(
        reverse("workspace:note", args=[katingan_case.pk]), {"note-body": "Catatan"}, follow=True
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
    client.post(move_url(twin, "merged"), {"move-into_case": katingan_case.pk})
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
        {
            "followup-kind": "carried_out",
            "followup-date": "2024-12-02",
            "followup-text": "Teguran tertulis diserahkan.",
        },
    )
    assert [(f.kind, f.text) for f in katingan_case.follow_ups.all()] == [
        ("carried_out", "Teguran tertulis diserahkan.")
    ]


def test_a_follow_up_before_the_decision_is_refused_with_a_message(staff_client, ppk_katingan, katingan_case):
    response = staff_client(ppk_katingan).post(
        reverse("workspace:followup", args=[katingan_case.pk]),
        {"followup-kind": "carried_out", "followup-date": "2024-12-02", "followup-text": "x"},
        follow=True,
    )
    assert not katingan_case.follow_ups.exists()
    assert "Tindak lanjut dicatat setelah PPK memutuskan." in page_messages(response)


def test_the_recommendation_form_renders_with_checkboxes_for_violations(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    response = staff_client(satgas_katingan).get(move_url(katingan_case, "recommendation"))
    assert response.status_code == 200
    assert response.text.count('type="checkbox" name="move-violations"') >= 10
    assert 'name="move-sanction_category"' in response.text and 'name="move-findings"' in response.text


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
            "move-violations": ["campaign_attendance"],
            "move-sanction_category": "moral_closed",
            "move-legal_basis": "PP 94/2021 Pasal 5 huruf n",
            "move-findings": "Terlapor hadir dan berorasi di deklarasi.",
            "move-override_reason": "Terlapor baru pertama kali dan mengakui perbuatannya.",
        },
    )
    katingan_case.refresh_from_db()
    assert response.status_code == 302, response.context["form"].errors
    assert katingan_case.status == S.RECOMMENDATION
    assert katingan_case.recommendation.violations == ["campaign_attendance"]


# --- issue #17 item 8: the suggested category, shown and preselected; labelled checkboxes --------

from netra.cases.tests.workflow_support import catalogue  # noqa: E402, F401 -- the violation catalogue
from netra.workspace.tests.test_case_page import assert_ids_sound  # noqa: E402


def suggested(case, codes):
    from netra.cases.workflow_forms import suggested_category_for

    return suggested_category_for(case, codes)


@pytest.mark.usefixtures("catalogue")
def test_every_violation_checkbox_has_its_own_label(staff_client, satgas_katingan, katingan_case):
    from netra.catalog.models import ViolationGroup

    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    page = staff_client(satgas_katingan).get(move_url(katingan_case, "recommendation")).text
    ids = assert_ids_sound(page)
    for group in ViolationGroup.objects.order_by("order", "code"):
        assert any(group.name_id in text for text in ids.labels.values()), group.code
    boxes = [i for i in ids.ids if i.startswith("id_move-violations_")]
    assert len(boxes) >= 10 and all(box in ids.labels for box in boxes)


@pytest.mark.usefixtures("catalogue")
def test_hitung_saran_shows_and_preselects_the_suggestion_and_saves_nothing(
    staff_client, satgas_katingan, katingan_case
):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    case = Case.objects.get(pk=katingan_case.pk)
    expected = suggested(case, ["campaign_attendance"])
    assert expected is not None
    events = AuditEvent.objects.count()
    response = staff_client(satgas_katingan).post(
        move_url(case, "recommendation"),
        {"hitung": "1", "move-violations": ["campaign_attendance"], "move-findings": "Hadir di deklarasi."},
    )
    assert response.status_code == 200 and "<h1" in response.text
    assert f"Saran sistem: <strong>{expected.name_id}</strong>" in response.text
    assert f'<option value="{expected.pk}" selected>' in response.text
    assert "Hadir di deklarasi." in response.text  # what was typed stays
    assert 'class="error"' not in response.text  # no validation errors for a calculation
    case.refresh_from_db()
    assert case.status == S.EXAMINATION and AuditEvent.objects.count() == events


@pytest.mark.usefixtures("catalogue")
def test_ticking_a_violation_asks_htmx_for_the_suggestion_fragment(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    client = staff_client(satgas_katingan)
    form = client.get(move_url(katingan_case, "recommendation"), headers={"HX-Request": "true"}).text
    assert 'hx-post="' + move_url(katingan_case, "recommendation") + '"' in form
    assert 'hx-select="#rec-suggestion"' in form and "Saran sistem muncul di sini" in form
    response = client.post(
        move_url(katingan_case, "recommendation"),
        {"hitung": "1", "move-violations": ["campaign_attendance"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="rec-suggestion"' in response.text and "Saran sistem: <strong>" in response.text


@pytest.mark.usefixtures("catalogue")
def test_a_recommendation_with_the_suggested_category_goes_through_in_one_submit(
    staff_client, satgas_katingan, katingan_case
):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    case = Case.objects.get(pk=katingan_case.pk)
    category = suggested(case, ["campaign_attendance"])
    response = staff_client(satgas_katingan).post(
        move_url(case, "recommendation"),
        {
            "move-violations": ["campaign_attendance"],
            "move-sanction_category": category.pk,
            "move-legal_basis": "PP 94/2021 Pasal 5 huruf n",
            "move-findings": "Terlapor hadir di deklarasi.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.recommendation.sanction_category_id == category.pk


@pytest.mark.usefixtures("catalogue")
def test_the_move_page_keeps_the_reports_and_evidence_in_view(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.EXAMINATION)
    page = staff_client(satgas_katingan).get(move_url(katingan_case, "recommendation")).text
    report = katingan_case.reports.get()
    assert "<h1" in page and "Ringkasan kasus" in page
    assert report.description[:40] in page and "Belum ada bukti." in page
    assert_ids_sound(page)


def test_help_texts_are_read_out_their_ids_exist(staff_client, satgas_katingan, katingan_case):
    """Issue #17: aria-describedby pointed at ids that did not exist (the help was never read)."""
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    page = staff_client(satgas_katingan).get(move_url(katingan_case, "dismissed")).text
    assert 'aria-describedby="id_move-explanation_helptext"' in page
    assert 'id="id_move-explanation_helptext"' in page
    errors = staff_client(satgas_katingan).post(move_url(katingan_case, "dismissed"), {"move-explanation": "x"}).text
    assert_ids_sound(errors)
    assert 'id="id_move-reason_error"' in errors


# --- issue #17 item 7 in the workspace ---------------------------------------------------------


def test_an_empty_bawaslu_request_is_refused_on_the_form(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=S.VERIFICATION)
    client = staff_client(satgas_katingan)
    form = client.get(move_url(katingan_case, "bawaslu_review")).text
    assert "Pertanyaan untuk Bawaslu" in form and "dapat dibaca pelapor" not in form
    assert 'name="move-explanation"' not in form
    response = client.post(move_url(katingan_case, "bawaslu_review"), {"move-question": "  "})
    assert response.status_code == 422 and 'id="id_move-question_error"' in response.text
    katingan_case.refresh_from_db()
    assert not katingan_case.waiting_for_bawaslu


def test_the_satgas_records_bawaslus_answer_on_its_behalf_with_a_reason(staff_client, satgas_katingan, katingan_case):
    from netra.cases.services import case_transition

    Case.objects.filter(pk=katingan_case.pk).update(status=S.VERIFICATION)
    case_transition(case=katingan_case, action="bawaslu_review", actor=satgas_katingan, data={"question": "Unsur?"})
    client = staff_client(satgas_katingan)
    url = move_url(katingan_case, "bawaslu_answer_on_behalf")
    form = client.get(url).text
    assert "atas nama Bawaslu" in form and "Unsur?" in form
    assert client.post(url, {"move-answer": "Memenuhi unsur."}).status_code == 422
    client.post(url, {"move-answer": "Memenuhi unsur.", "move-on_behalf_reason": "Surat Bawaslu 12/XI/2024."})
    katingan_case.refresh_from_db()
    assert not katingan_case.waiting_for_bawaslu
    event = AuditEvent.objects.get(action="case.bawaslu_review_answered")
    assert event.payload["on_behalf_reason"] == "Surat Bawaslu 12/XI/2024." and event.actor_id == satgas_katingan.pk
    assert client.get(move_url(katingan_case, "bawaslu_answer")).status_code == 302  # not theirs: refused
