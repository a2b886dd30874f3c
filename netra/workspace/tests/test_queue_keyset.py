"""The queue pages with a cursor (keyset), never an OFFSET, in its attention order (issue #12 item 6)."""

import datetime
import itertools

import pytest
from django.urls import reverse

from netra.cases import selectors
from netra.cases.models import Case
from netra.cases.tests.test_selectors import make_case

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")
S = Case.Status
NEXT, PREVIOUS = (
    "Berikutnya \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}",
    "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK} Sebelumnya",
)


@pytest.fixture
def mixed(agencies, regions):
    """37 cases of Katingan over every attention group, several sharing a due date and a received time."""
    agency, region = agencies["pemkab-katingan"], regions["62.06"]
    today = datetime.date.today()
    same_time = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)
    states = itertools.cycle([S.RECEIVED, S.CHECKING, S.VERIFICATION, S.EXAMINATION, S.DISMISSED, S.CLOSED])
    dues = itertools.cycle([today - datetime.timedelta(days=5), today, today + datetime.timedelta(days=30), None])
    made = []
    for n in range(37):
        case = make_case(agency, region, status=next(states), subject=f"Terlapor {n}")
        Case.objects.filter(pk=case.pk).update(
            due_date=next(dues), created_at=same_time if n % 3 == 0 else same_time + datetime.timedelta(hours=n)
        )
        made.append(case.pk)
    return made


def walk(user, size, **filters):
    """Every page forward, then back again, with the cursors."""
    pages, page = [], selectors.queue_page(user, size=size, **filters)
    pages.append(page)
    while page.next_cursor:
        page = selectors.queue_page(user, after=page.next_cursor, size=size, **filters)
        pages.append(page)
    back = [page]
    while page.previous_cursor:
        page = selectors.queue_page(user, before=page.previous_cursor, size=size, **filters)
        back.append(page)
    return pages, back


@pytest.mark.parametrize("status", [None, "active"])
def test_pages_follow_the_queue_order_without_gaps_or_repeats(satgas_katingan, mixed, status):
    expected = [case.pk for case in selectors.cases_for(satgas_katingan, status=status)]
    for size in (1, 5, 7, 50):
        pages, back = walk(satgas_katingan, size, status=status)
        assert [pk for page in pages for pk in (c.pk for c in page.rows)] == expected, size
        assert [[c.pk for c in p.rows] for p in reversed(back)] == [[c.pk for c in p.rows] for p in pages], size
        assert not pages[0].has_previous and not pages[-1].has_next


def test_a_searched_queue_pages_by_rank(satgas_katingan, mixed):
    expected = [case.pk for case in selectors.cases_for(satgas_katingan, search="Terlapor")]
    pages, back = walk(satgas_katingan, 4, search="Terlapor")
    assert len(expected) == 37
    assert [c.pk for page in pages for c in page.rows] == expected
    assert [[c.pk for c in p.rows] for p in reversed(back)] == [[c.pk for c in p.rows] for p in pages]


def test_a_broken_cursor_shows_the_first_page(staff_client, satgas_katingan, mixed):
    client = staff_client(satgas_katingan)
    first = [c.pk for c in client.get(QUEUE).context["page"].rows]
    for junk in ("xyz", "eyJhIjoxfQ", "W10", "!" * 300):
        assert [c.pk for c in client.get(QUEUE, {"setelah": junk}).context["page"].rows] == first


def test_the_links_say_berikutnya_and_sebelumnya_and_keep_the_filters(staff_client, satgas_katingan, mixed):
    client = staff_client(satgas_katingan)
    from netra.cases.selectors import PAGE_SIZE

    assert PAGE_SIZE == 50
    one = Case.objects.get(pk=mixed[0])
    for _n in range(20):  # 57 cases: two pages of the "all" tab
        make_case(one.agency, one.region)
    first = client.get(QUEUE, {"status": "all", "mine": ""})
    page = first.context["page"]
    assert NEXT in first.text and PREVIOUS not in first.text
    assert f"status=all&amp;mine=&amp;setelah={page.next_cursor}" in first.text
    second = client.get(QUEUE, {"status": "all", "setelah": page.next_cursor}, HTTP_HX_REQUEST="true")
    assert PREVIOUS in second.text and NEXT not in second.text
    assert len(second.context["page"].rows) == 7
    assert "57 kasus" in second.text


def test_another_agencys_cursor_shows_nothing_of_theirs(satgas_katingan, satgas_barsel, mixed, agencies, regions):
    theirs = [make_case(agencies["pemkab-barito-selatan"], regions["62.04"]).pk for _ in range(3)]
    page = selectors.queue_page(satgas_barsel, size=1, status=None)
    later = selectors.queue_page(satgas_katingan, after=page.next_cursor, size=50, status=None)
    assert not {c.pk for c in later.rows} & set(theirs)
