"""Bulk actions on a queue selection: each case through the services, one audit event per case."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases.models import Case

pytestmark = pytest.mark.django_db
BULK = reverse("workspace:bulk")
S = Case.Status


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def audited(action: str, cases) -> set[str]:
    ids = [str(c.pk) for c in cases]
    return set(AuditEvent.objects.filter(action=action, object_id__in=ids).values_list("object_id", flat=True))


@pytest.fixture
def three(submit):
    return [submit(), submit(), submit()]


def test_bulk_assign_assigns_every_selected_case(staff_client, lead_katingan, satgas_katingan, three):
    response = staff_client(lead_katingan).post(
        BULK, {"action": "assign", "assignee": satgas_katingan.pk, "cases": [c.pk for c in three]}, follow=True
    )
    assert set(Case.objects.values_list("assigned_to", flat=True)) == {satgas_katingan.pk}
    assert audited("case.assigned", three) == {str(c.pk) for c in three}
    assert any(m.startswith("3 kasus ditugaskan") for m in page_messages(response))


def test_bulk_merge_merges_into_the_oldest_selected(staff_client, satgas_katingan, three):
    oldest, *others = three
    staff_client(satgas_katingan).post(BULK, {"action": "merge", "cases": [c.pk for c in three]})
    for case in others:
        case.refresh_from_db()
        assert (case.status, case.merged_into_id) == (S.MERGED, oldest.pk)
    oldest.refresh_from_db()
    assert oldest.status == S.RECEIVED
    assert audited("case.transitioned", others) == {str(c.pk) for c in others}


def test_bulk_merge_into_a_case_number_typed_in(staff_client, satgas_katingan, submit, three):
    target = submit()
    staff_client(satgas_katingan).post(BULK, {"action": "merge", "into": target.number, "cases": [c.pk for c in three]})
    assert set(Case.objects.filter(pk__in=[c.pk for c in three]).values_list("merged_into", flat=True)) == {target.pk}


def test_bulk_dismiss_dismisses_each_as_duplicate(staff_client, satgas_katingan, three):
    staff_client(satgas_katingan).post(
        BULK, {"action": "dismiss", "explanation": "Sama dengan NTR-1.", "cases": [c.pk for c in three]}
    )
    assert set(Case.objects.values_list("status", "dismissal_reason")) == {(S.DISMISSED, "duplicate")}
    assert audited("case.transitioned", three) == {str(c.pk) for c in three}
    assert {t.public_note for c in three for t in c.transitions.filter(to_state=S.DISMISSED)} == {"Sama dengan NTR-1."}


def test_one_refused_case_does_not_block_the_others(staff_client, satgas_katingan, three):
    stuck = three[0]
    Case.objects.filter(pk=stuck.pk).update(status=S.EXAMINATION)
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "dismiss", "cases": [c.pk for c in three]}, follow=True
    )
    assert Case.objects.filter(status=S.DISMISSED).count() == 2
    assert any(m.startswith(f"{stuck.number}:") for m in page_messages(response))
    assert any(m.startswith("2 kasus dihentikan") for m in page_messages(response))


def test_cases_outside_scope_in_a_selection_are_left_alone(staff_client, satgas_katingan, katingan_case, barsel_case):
    staff_client(satgas_katingan).post(BULK, {"action": "dismiss", "cases": [katingan_case.pk, barsel_case.pk]})
    barsel_case.refresh_from_db()
    assert barsel_case.status == S.RECEIVED


def test_an_observer_cannot_bulk_dismiss(staff_client, observer, three):
    response = staff_client(observer).post(BULK, {"action": "dismiss", "cases": [c.pk for c in three]}, follow=True)
    assert Case.objects.filter(status=S.DISMISSED).count() == 0
    assert len([m for m in page_messages(response) if "tidak berwenang" in m]) == 3


def test_an_empty_selection_is_explained(staff_client, satgas_katingan, three):
    response = staff_client(satgas_katingan).post(BULK, {"action": "dismiss"}, follow=True)
    assert "Pilih minimal satu kasus." in page_messages(response)


def test_bulk_returns_to_the_same_queue_view(staff_client, satgas_katingan, three):
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "dismiss", "cases": [three[0].pk], "next": "/staf/?status=received"}
    )
    assert response["Location"] == "/staf/?status=received"


def test_bulk_never_redirects_off_site(staff_client, satgas_katingan, three):
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "dismiss", "cases": [three[0].pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("workspace:home")


def test_bulk_messages_count_cases_in_english(staff_client, lead_katingan, satgas_katingan, three):
    from django.utils import translation

    with translation.override("en"):
        bulk = reverse("workspace:bulk")
    client = staff_client(lead_katingan)
    assign = {"action": "assign", "assignee": satgas_katingan.pk}

    one = client.post(bulk, {**assign, "cases": [three[0].pk]}, follow=True)
    every = client.post(bulk, {**assign, "cases": [c.pk for c in three]}, follow=True)

    assert any(m.startswith("1 case assigned to") for m in page_messages(one))
    assert any(m.startswith("3 cases assigned to") for m in page_messages(every))


# --- review item 4: the target as people type it; a refusal keeps the ticks --------------------


def ticked(response) -> set[int]:
    return set(response.context["selected"])


@pytest.mark.parametrize("form", ["serial", "zero_padded", "lower"])
def test_bulk_merge_into_a_number_typed_short_or_in_lower_case(staff_client, satgas_katingan, submit, three, form):
    target = submit()
    serial = target.number.rsplit("-", 1)[1]
    typed = {"serial": str(int(serial)), "zero_padded": serial, "lower": target.number.lower()}[form]
    staff_client(satgas_katingan).post(BULK, {"action": "merge", "into": typed, "cases": [c.pk for c in three]})
    assert set(Case.objects.filter(pk__in=[c.pk for c in three]).values_list("merged_into", flat=True)) == {target.pk}


def test_bulk_merge_into_one_of_the_ticked_cases(staff_client, satgas_katingan, three):
    newest = three[-1]
    staff_client(satgas_katingan).post(BULK, {"action": "merge", "into": newest.number, "cases": [c.pk for c in three]})
    assert set(Case.objects.exclude(pk=newest.pk).values_list("merged_into", flat=True)) == {newest.pk}
    newest.refresh_from_db()
    assert newest.status == S.RECEIVED


def test_the_merge_target_outside_scope_is_not_found(staff_client, satgas_katingan, three, barsel_case):
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "merge", "into": barsel_case.number, "cases": [c.pk for c in three]}, follow=True
    )
    assert Case.objects.filter(status=S.MERGED).count() == 0
    assert any("tidak ditemukan" in m for m in page_messages(response))


def test_a_refused_merge_keeps_every_box_ticked(staff_client, satgas_katingan, three):
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "merge", "into": "NTR-1999-999999", "cases": [c.pk for c in three]}, follow=True
    )
    assert Case.objects.filter(status=S.MERGED).count() == 0
    assert ticked(response) == {c.pk for c in three}
    for case in three:
        assert f'value="{case.pk}" data-number="{case.number}" checked' in response.text
    # The merge target select offers the ticked cases.
    assert all(f'<option value="{c.number}">' in response.text for c in three)
    # Only once: the next visit starts clean.
    assert ticked(staff_client(satgas_katingan).get(reverse("workspace:home"))) == set()


def test_refused_cases_stay_ticked_after_the_others_succeeded(staff_client, satgas_katingan, three):
    stuck = three[0]
    Case.objects.filter(pk=stuck.pk).update(status=S.EXAMINATION)
    response = staff_client(satgas_katingan).post(
        BULK, {"action": "dismiss", "cases": [c.pk for c in three], "next": "/staf/?status=all"}, follow=True
    )
    assert ticked(response) == {stuck.pk}


def test_bawaslu_cannot_bulk_merge_even_by_posting(staff_client, bawaslu_katingan, three):
    response = staff_client(bawaslu_katingan).post(
        BULK, {"action": "merge", "cases": [c.pk for c in three]}, follow=True
    )
    assert Case.objects.filter(status=S.MERGED).count() == 0
    assert len([m for m in page_messages(response) if "tidak berwenang" in m]) == 2
