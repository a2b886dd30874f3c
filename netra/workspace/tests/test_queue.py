"""The queue at /staf/: scope, counts, filters, order, htmx partial."""

import pytest
from django.urls import reverse

from netra.cases.models import Case
from netra.cases.triage_flow import triage_pending

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
    first = client.get(QUEUE)
    assert len(listed(first)) == 50
    second = client.get(QUEUE, {"setelah": first.context["page"].next_cursor})
    assert len(listed(second)) == 6 and not set(listed(second)) & set(listed(first))


def test_an_observer_has_no_selection_checkboxes(staff_client, observer, katingan_case):
    text = staff_client(observer).get(QUEUE).text
    assert katingan_case.number in text and 'name="cases"' not in text


def test_the_queue_needs_a_signed_in_staff_member(client, katingan_case):
    response = client.get(QUEUE)
    assert response.status_code == 302 and reverse("workspace:login") in response["Location"]


def test_the_number_of_queries_does_not_grow_with_the_rows(staff_client, satgas_katingan, katingan_case):
    # 5 rows, then 50 (a full page), each with a subject, a report text (the preview) and
    # possible duplicates (the chip): the same number of queries.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netra.cases.tests.test_selectors import make_case

    client = staff_client(satgas_katingan)
    client.get(QUEUE)  # fills the per-process reference caches (the election choices) once
    counts = []
    for total in (5, 50):
        while Case.objects.count() < total:
            n = Case.objects.count()
            make_case(
                katingan_case.agency,
                katingan_case.region,
                subject=f"Budi {n % 4}",
                nip=f"19850312201001{n % 3:04d}",
                description=f"Camat berorasi di deklarasi pasangan calon, laporan {n}.",
                assigned_to=satgas_katingan,
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        assert len(listed(response)) == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- what just came in (review item 5) ---------------------------------------------------------


def test_each_row_shows_a_preview_and_a_possible_duplicate_chip(staff_client, satgas_katingan, submit):
    first = submit(description="Camat berorasi di lapangan kecamatan saat deklarasi pasangan calon.")
    second = submit(description="Ada camat ikut kampanye di lapangan.")
    alone = submit(
        subject_name="Rahmat Hidayat",
        subject_nip="",
        links=[],  # the same link is the same post: a duplicate
        description="Lain lagi, kepala dinas membagikan stiker.",
    )
    triage_pending()  # after the commit in production (netra.cases.triage_flow); tests never commit
    response = staff_client(satgas_katingan).get(QUEUE)
    rows = {case.pk: case for case in listed(response)}
    assert rows[first.pk].duplicate_count == 1 and rows[second.pk].duplicate_count == 1
    assert rows[alone.pk].duplicate_count == 0
    assert "mungkin duplikat (1)" in response.text
    assert "Camat berorasi di lapangan kecamatan" in response.text


def test_a_short_case_number_finds_the_case(staff_client, satgas_katingan, submit, katingan_case):
    other = submit(subject_name="Rahmat Hidayat", subject_nip="")
    serial = str(int(other.number.rsplit("-", 1)[1]))
    client = staff_client(satgas_katingan)
    for typed in (serial, other.number.lower(), other.number):
        assert listed(client.get(QUEUE, {"q": typed})) == [other], typed


# --- role home pages (review item 6) -----------------------------------------------------------


@pytest.fixture
def make(agencies, regions):
    from netra.cases.tests.test_selectors import make_case

    def build(status, *, agency="pemkab-katingan", region="62.06", **fields):
        return make_case(agencies[agency], regions[region], status=status, subject="Budi Santoso", **fields)

    return build


def test_bawaslu_lands_on_what_waits_for_its_review(staff_client, bawaslu_katingan, make):
    import datetime

    due = datetime.date(2026, 12, 4)
    waiting = make(Case.Status.VERIFICATION, waiting_for_bawaslu=True, bawaslu_due_date=due)
    make(Case.Status.VERIFICATION)  # not asked
    elsewhere = make(
        Case.Status.VERIFICATION,
        agency="pemkab-barito-selatan",
        region="62.04",
        waiting_for_bawaslu=True,
        bawaslu_due_date=due,
    )
    response = staff_client(bawaslu_katingan).get(QUEUE)
    panel = response.context["panels"][0]
    assert (panel["kind"], panel["cases"]) == ("bawaslu_review", [waiting])
    assert "Menunggu kajian Anda (1)" in response.text and "4 Des 2026" in response.text
    assert elsewhere.number not in response.text
    # No Satgas tools: Bawaslu may not merge, dismiss or assign.
    assert 'id="bulk-into"' not in response.text and 'name="cases"' not in response.text
    assert response.context["bulk"] == {"assign": False, "merge": False, "dismiss": False, "any": False}


def test_the_provincial_bawaslu_sees_the_review_of_its_whole_province(staff_client, bawaslu_kalteng, make):
    barsel = make(Case.Status.VERIFICATION, agency="pemkab-barito-selatan", region="62.04", waiting_for_bawaslu=True)
    panel = staff_client(bawaslu_kalteng).get(QUEUE).context["panels"][0]
    assert panel["cases"] == [barsel]


def test_the_ppk_lands_on_what_waits_for_its_decision(staff_client, ppk_katingan, make):
    import datetime

    waiting = make(Case.Status.AWAITING_DECISION, due_date=datetime.date(2026, 12, 18), deadline_key="decision")
    make(Case.Status.RECOMMENDATION)
    make(Case.Status.AWAITING_DECISION, agency="pemkab-barito-selatan", region="62.04")  # another agency's PPK
    response = staff_client(ppk_katingan).get(QUEUE)
    assert response.context["panels"][0]["cases"] == [waiting]
    assert "Menunggu keputusan Anda (1)" in response.text and "18 Des 2026" in response.text
    assert 'name="cases"' not in response.text


def test_bkn_sees_escalated_cases_and_may_only_dismiss_in_bulk(staff_client, bkn_kanreg, make):
    escalated = make(Case.Status.ESCALATED)
    make(Case.Status.CHECKING)
    response = staff_client(bkn_kanreg).get(QUEUE)
    assert response.context["panels"][0]["cases"] == [escalated]
    assert response.context["bulk"] == {"assign": False, "merge": False, "dismiss": True, "any": True}
    assert 'name="action" value="dismiss"' in response.text and 'value="merge"' not in response.text


def test_an_observer_reads_the_queue_without_tools(staff_client, observer, make):
    case = make(Case.Status.CHECKING)
    response = staff_client(observer).get(QUEUE)
    assert case.number in response.text and response.context["panels"] == []
    assert "Peran Anda hanya membaca" in response.text and "bulk-bar" not in response.text


def test_the_satgas_keeps_the_queue_with_all_its_tools(staff_client, lead_katingan, make):
    make(Case.Status.RECEIVED)
    response = staff_client(lead_katingan).get(QUEUE)
    assert response.context["panels"] == [] and "<h1>Antrean kasus</h1>" in response.text
    assert response.context["bulk"]["any"] and 'value="merge"' in response.text


def test_a_review_request_reaches_bawaslu_in_app_and_by_mail(
    staff_client, satgas_katingan, bawaslu_katingan, make, mailoutbox, django_capture_on_commit_callbacks
):
    from netra.cases.services import case_transition

    bawaslu_katingan.email = "bawaslu@example.org"
    bawaslu_katingan.save()
    case = make(Case.Status.VERIFICATION)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(
            case=case, action="bawaslu_review", actor=satgas_katingan, data={"explanation": "Apakah ini kampanye?"}
        )
    assert any(case.number in m.subject and m.to == ["bawaslu@example.org"] for m in mailoutbox)
    response = staff_client(bawaslu_katingan).get(QUEUE)
    assert "Pemberitahuan belum dibaca (1)" in response.text and "meminta kajian Bawaslu" in response.text


def test_a_recommendation_sent_reaches_the_ppk_in_app_and_by_mail(
    staff_client, lead_katingan, ppk_katingan, make, mailoutbox, django_capture_on_commit_callbacks
):
    from netra.cases.services import case_transition

    ppk_katingan.email = "ppk@example.org"
    ppk_katingan.save()
    case = make(Case.Status.RECOMMENDATION)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, action="awaiting_decision", actor=lead_katingan)
    assert any(m.to == ["ppk@example.org"] for m in mailoutbox)
    response = staff_client(ppk_katingan).get(QUEUE)
    assert "menunggu keputusan PPK" in response.text and response.context["panels"][0]["cases"] == [case]


def test_the_role_home_reads_in_english(staff_client, bawaslu_katingan, make):
    make(Case.Status.VERIFICATION, waiting_for_bawaslu=True)
    text = staff_client(bawaslu_katingan).get("/en/staff/").text
    assert "Waiting for your review (1)" in text and "All cases within your reach" in text


def test_a_search_past_the_ranking_cap_says_so(staff_client, satgas_katingan, submit, monkeypatch):
    from netra.cases import search

    for _ in range(3):
        submit(subject_name="Rahmat Hidayat", subject_nip="")
    client = staff_client(satgas_katingan)
    plain = client.get(reverse("workspace:home"), {"q": "Rahmat"}).text
    assert "data-search-capped" not in plain
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    capped = client.get(reverse("workspace:home"), {"q": "Rahmat"}).text
    assert "data-search-capped" in capped and "hanya 2 kecocokan terbaru" in capped
