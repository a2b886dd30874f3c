"""Finding 12: merging by number must not tell whether a case outside the user's scope exists.

The merge form looked the target up among *all* cases and answered "already finished" for a closed
case of another agency but "not found" for a number nobody uses: an officer could probe which
case ids exist elsewhere, and in which state. Now every way to name a merge target (the move
form, the "merge here" button, the bulk merge by number, the agency API) answers the same for
"no such case" and "a case you may not see".
"""

import json

import pytest
from django.urls import reverse

from netra.cases.models import Case
from netra.cases.tests.factories import case_in
from netra.sharing.tokens import issue_token

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture
def targets(agencies, katingan_case):
    """The officer's own case, a missing id, and two cases of Barito Selatan (one closed, one open)."""
    Case.objects.filter(pk=katingan_case.pk).update(status=S.CHECKING)
    barsel = agencies["pemkab-barito-selatan"]
    closed = case_in(S.DISMISSED, agency=barsel, region_id="62.04")
    open_ = case_in(S.CHECKING, agency=barsel, region_id="62.04")
    missing = max(Case.objects.values_list("pk", flat=True)) + 1000
    return katingan_case, {"missing": missing, "closed elsewhere": closed.pk, "open elsewhere": open_.pk}


def _unchanged(case):
    case.refresh_from_db()
    return case.status == S.CHECKING and case.merged_into_id is None


def test_the_merge_move_form_answers_alike_for_missing_and_out_of_scope(staff_client, satgas_katingan, targets):
    case, ids = targets
    client = staff_client(satgas_katingan)
    answers = {}
    for name, pk in ids.items():
        response = client.post(reverse("workspace:move", args=[case.pk, "merged"]), {"move-into_case": pk})
        answers[name] = (response.status_code, response.context["form"].errors.get("into_case"))
    assert answers == {name: (422, ["Kasus tujuan tidak ditemukan."]) for name in ids}, answers
    assert _unchanged(case)


def test_merge_here_answers_alike_for_missing_and_out_of_scope(staff_client, satgas_katingan, targets):
    case, ids = targets
    client = staff_client(satgas_katingan)
    answers = {}
    for name, pk in ids.items():
        response = client.post(reverse("workspace:merge", args=[case.pk]), {"other": pk}, follow=True)
        answers[name] = [str(m) for m in response.context["messages"]]
    assert answers == {name: ["Kasus yang akan digabung tidak ditemukan."] for name in ids}, answers
    assert _unchanged(case)


def test_the_bulk_merge_by_number_answers_alike(staff_client, satgas_katingan, targets):
    case, ids = targets
    client = staff_client(satgas_katingan)
    numbers = {
        "missing": "NTR-2099-000001",
        "closed elsewhere": Case.objects.get(pk=ids["closed elsewhere"]).number,
        "open elsewhere": Case.objects.get(pk=ids["open elsewhere"]).number,
    }
    answers = {}
    for name, number in numbers.items():
        response = client.post(
            reverse("workspace:bulk"), {"action": "merge", "cases": [case.pk], "into": number}, follow=True
        )
        answers[name] = [str(m) for m in response.context["messages"]]
    assert answers == {name: [f"Kasus tujuan {numbers[name]} tidak ditemukan."] for name in numbers}, answers
    assert _unchanged(case)


def test_the_agency_api_merge_answers_alike(client, agencies, targets):
    case, ids = targets
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="test").plaintext
    answers = {}
    for name, pk in ids.items():
        response = client.post(
            f"/api/v1/cases/{case.pk}/transitions",
            data=json.dumps({"action": "merged", "data": {"into_case": pk}}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        answers[name] = (response.status_code, response.json())
    first = answers["missing"]
    assert first[0] == 422 and first[1]["error"]["fields"] == {"into_case": ["Kasus tujuan tidak ditemukan."]}
    assert all(answer == first for answer in answers.values()), answers
    assert _unchanged(case)


def test_a_closed_case_in_scope_still_gets_its_own_reason(staff_client, satgas_katingan, agencies, targets):
    """The fix hides only what the user may not see: their own closed case is still explained."""
    case, _ids = targets
    own_closed = case_in(S.DISMISSED, agency=agencies["pemkab-katingan"])
    response = staff_client(satgas_katingan).post(
        reverse("workspace:move", args=[case.pk, "merged"]), {"move-into_case": own_closed.pk}
    )
    assert response.context["form"].errors["into_case"] == [
        "Kasus tujuan sudah selesai, dihentikan, digabung atau diteruskan."
    ]
