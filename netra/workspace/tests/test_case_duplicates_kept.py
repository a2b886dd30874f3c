"""The case page's "Kemungkinan duplikat" from what the lookup kept (issue #12 item 6).

The lookup runs when the triage is stored (and by "Cari ulang"), keeps the case's top five in its
agency's reach with their reasons, and adds the case to the lists of the look-alikes it found; the
page re-checks the kept cases against its reader's scope and the lookup's own conditions.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from netra.cases import triage_flow
from netra.cases.intake import report_submit
from netra.cases.models import Case, TriageResult
from netra.cases.tests.fixtures import report_data

pytestmark = pytest.mark.django_db

VIRAL = "Pak camat ikut deklarasi paslon nomor 2 di lapangan desa Kasongan, ada fotonya di FB"
ALIKE = "camat ikut deklarasi paslon no 2 di lapangan desa kasongan, fotonya ada di facebook"


def submit(**overrides) -> Case:
    return report_submit(data=report_data(subject_name="", subject_nip="", links=[], **overrides), files=()).case


def kept(case: Case):
    return TriageResult.objects.get(case=case).duplicates


@pytest.fixture
def pair(agencies):
    first, second = submit(description=VIRAL), submit(description=ALIKE)
    triage_flow.triage_pending()
    return first, second


def test_the_triage_keeps_the_look_alikes_both_ways(pair):
    first, second = pair
    assert [e["case"] for e in kept(second)] == [first.pk]
    assert [e["case"] for e in kept(first)] == [second.pk]  # found later, added to the older case's list
    entry = kept(second)[0]
    assert entry["reasons"]["id"] and entry["reasons"]["en"] and entry["similarity"] >= triage_flow.SHOW_MIN


def test_the_page_shows_the_kept_look_alikes_with_their_reasons(pair, staff_client, satgas_katingan):
    first, second = pair
    page = staff_client(satgas_katingan).get(reverse("workspace:case", args=[second.pk]))
    [candidate] = page.context["duplicates"]
    assert candidate.case == first and candidate.reasons == kept(second)[0]["reasons"]["id"]
    assert str(first) in page.content.decode()
    with translation.override("en"):
        english_url = reverse("workspace:case", args=[second.pk])
    english = staff_client(satgas_katingan).get(english_url)
    assert english.context["duplicates"][0].reasons == kept(second)[0]["reasons"]["en"]


def test_a_kept_case_that_is_finished_moved_away_or_out_of_scope_is_not_shown(
    pair, agencies, staff_client, satgas_katingan, observer
):
    first, second = pair
    url = reverse("workspace:case", args=[second.pk])
    Case.objects.filter(pk=first.pk).update(status=Case.Status.DISMISSED)
    assert staff_client(satgas_katingan).get(url).context["duplicates"] == []
    Case.objects.filter(pk=first.pk).update(status=Case.Status.CHECKING, agency=agencies["pemkab-barito-selatan"])
    assert staff_client(satgas_katingan).get(url).context["duplicates"] == []  # another agency now


def test_a_case_never_searched_says_so_and_cari_ulang_searches(
    agencies, staff_client, satgas_katingan, satgas_barsel, observer
):
    first, second = submit(description=VIRAL), submit(description=ALIKE)
    TriageResult.objects.filter(case__in=[first, second]).update(duplicates=None)
    url = reverse("workspace:case", args=[second.pk])
    client = staff_client(satgas_katingan)
    page = client.get(url)
    assert page.context["duplicates"] == [] and not page.context["duplicates_searched"]
    assert "Duplikat kasus ini belum dicari." in page.content.decode()
    again = reverse("workspace:duplicates", args=[second.pk])
    assert staff_client(satgas_barsel).post(again).status_code == 404  # outside scope
    assert staff_client(observer).post(again).status_code == 404  # reads only
    assert kept(second) is None
    client = staff_client(satgas_katingan)  # the one test client, signed in again as the officer
    assert client.post(again).status_code == 302
    assert [c.case for c in client.get(url).context["duplicates"]] == [first]


def test_the_command_searches_the_checking_cases_never_searched(agencies):
    from django.core.management import call_command

    first, second = submit(description=VIRAL), submit(description=ALIKE)
    triage_flow.triage_pending()
    TriageResult.objects.filter(case__in=[first, second]).update(duplicates=None)
    call_command("search_duplicates", verbosity=0)
    assert [e["case"] for e in kept(second)] == [first.pk] and [e["case"] for e in kept(first)] == [second.pk]
