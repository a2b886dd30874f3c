"""The queue at /staf/: scope, counts, filters, order, htmx partial."""

import pytest
from django.urls import reverse

from netra.cases.models import Case

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")


def listed(response) -> list[Case]:
    return list(response.context["page"].object_list)


def test_the_queue_lists_only_cases_in_scope(staff_client, satgas_katingan, katingan_case, barsel_case):
    response = staff_client(satgas_katingan).get(QUEUE)
    assert response.status_code == 200
    assert listed(response) == [katingan_case]
    assert katingan_case.number in response.text and barsel_case.number not in response.text


def test_the_queue_counts_cases_per_state_in_scope(staff_client, satgas_katingan, submit, katingan_case, barsel_case):
    submit()
    Case.objects.filter(pk=katingan_case.pk).update(status=Case.Status.DISMISSED)
    counts = staff_client(satgas_katingan).get(QUEUE).context["counts"]
    assert (counts["received"], counts["dismissed"], counts["active"], counts["all"]) == (1, 1, 1, 2)


def test_the_tab_shows_its_count(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(QUEUE)
    tab = next(t for t in response.context["tabs"] if t.code == "received")
    assert (str(tab.label), tab.count) == ("Diterima", 1)


def test_an_agency_admin_sees_an_empty_queue(staff_client, admin_katingan, katingan_case):
    response = staff_client(admin_katingan).get(QUEUE)
    assert listed(response) == [] and response.context["counts"]["all"] == 0


def test_the_status_filter_keeps_one_state(staff_client, satgas_katingan, submit, katingan_case):
    other = submit()
    Case.objects.filter(pk=other.pk).update(status=Case.Status.CHECKING)
    response = staff_client(satgas_katingan).get(QUEUE, {"status": "checking"})
    assert listed(response) == [other]


def test_finished_cases_are_only_under_their_own_tab(staff_client, satgas_katingan, katingan_case):
    Case.objects.filter(pk=katingan_case.pk).update(status=Case.Status.CLOSED)
    client = staff_client(satgas_katingan)
    assert listed(client.get(QUEUE)) == []
    assert listed(client.get(QUEUE, {"status": "closed"})) == [katingan_case]
    assert listed(client.get(QUEUE, {"status": "all"})) == [katingan_case]


def test_the_region_filter_narrows_a_regional_supervisor(staff_client, bkn_kanreg, katingan_case, barsel_case):
    response = staff_client(bkn_kanreg).get(QUEUE, {"region": "62.04"})
    assert listed(response) == [barsel_case]


def test_assigned_to_me_keeps_my_cases(staff_client, satgas_katingan, submit, katingan_case):
    mine = submit()
    Case.objects.filter(pk=mine.pk).update(assigned_to=satgas_katingan)
    response = staff_client(satgas_katingan).get(QUEUE, {"mine": "on"})
    assert listed(response) == [mine]


def test_search_finds_a_subject_by_name(staff_client, satgas_katingan, submit, katingan_case):
    other = submit(subject_name="Rahmat Hidayat", subject_nip="")
    response = staff_client(satgas_katingan).get(QUEUE, {"q": "rahmat"})
    assert listed(response) == [other]


def test_an_unknown_filter_value_is_ignored_not_an_error(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(QUEUE, {"status": "nonsense", "due": "x", "region": "99"})
    assert response.status_code == 200 and listed(response) == [katingan_case]


def test_an_htmx_filter_change_returns_only_the_list(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(QUEUE, {"status": "received"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and katingan_case.number in response.text
    assert response.templates[0].name == "workspace/_queue_list.html"


def test_without_javascript_the_filters_are_a_plain_get_form(staff_client, satgas_katingan, katingan_case):
    text = staff_client(satgas_katingan).get(QUEUE).text
    assert 'id="queue-filters" class="queue-filters" method="get"' in text


def test_the_queue_pages_by_50(staff_client, satgas_katingan, katingan_case):
    from netra.cases.tests.test_selectors import make_case

    for _ in range(55):
        make_case(katingan_case.agency, katingan_case.region)
    client = staff_client(satgas_katingan)
    assert len(listed(client.get(QUEUE))) == 50
    assert len(listed(client.get(QUEUE, {"page": 2}))) == 6


def test_an_observer_has_no_selection_checkboxes(staff_client, observer, katingan_case):
    text = staff_client(observer).get(QUEUE).text
    assert katingan_case.number in text and 'name="cases"' not in text


def test_the_queue_needs_a_signed_in_staff_member(client, katingan_case):
    response = client.get(QUEUE)
    assert response.status_code == 302 and reverse("workspace:login") in response["Location"]


def test_the_number_of_queries_does_not_grow_with_the_rows(staff_client, satgas_katingan, katingan_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netra.cases.tests.test_selectors import make_case

    client = staff_client(satgas_katingan)
    counts = []
    for extra in (3, 40):
        for _ in range(extra):
            make_case(katingan_case.agency, katingan_case.region, subject="Budi", assigned_to=satgas_katingan)
        with CaptureQueriesContext(connection) as queries:
            client.get(QUEUE)
        counts.append(len(queries))
    assert counts[0] == counts[1]
