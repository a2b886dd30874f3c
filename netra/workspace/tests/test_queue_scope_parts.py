"""The queue read by scope parts (scope.cases_q_parts: one agency, region or receiving agency
each, an index in queue order) finds exactly the rows and the order of the one OR filter."""

import datetime
import functools
import operator
import random

import pytest

from netra.cases import selectors
from netra.cases.models import Case
from netra.cases.scope import cases_q, cases_q_parts
from netra.cases.tests.test_selectors import make_case
from netra.workspace.tests.test_queue_keyset import walk

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture
def scattered(agencies, regions):
    """60 cases over three agencies (and none), Kalteng's and another province's regions, some referred."""
    rng = random.Random(6)
    today = datetime.date.today()
    owners = [agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"], None]
    places = [regions[code] for code in sorted(regions)]
    receivers = [None, None, agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]]
    base = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.UTC)
    for n in range(60):
        case = make_case(
            rng.choice(owners),
            rng.choice(places),
            status=rng.choice([s for s in S.values if s != S.MERGED]),
            subject=f"T {n}",
        )
        due = rng.choice([None, today - datetime.timedelta(days=3), today, today + datetime.timedelta(days=40)])
        Case.objects.filter(pk=case.pk).update(
            due_date=due,
            created_at=base + datetime.timedelta(hours=rng.choice([0, 1, n])),
            referred_to=rng.choice(receivers),
        )


@pytest.mark.parametrize(
    "persona", ["satgas_katingan", "satgas_barsel", "bawaslu_kalteng", "bkn_kanreg", "bkn_supervisor"]
)
def test_the_parts_find_the_same_cases_in_the_same_order(request, scattered, persona):
    user = request.getfixturevalue(persona)
    parts = cases_q_parts(user)
    if parts is not None:  # their union is the scope, no more, no less
        union = functools.reduce(operator.or_, (q for q, _ in parts))
        assert set(Case.objects.filter(union).values_list("pk", flat=True)) == set(
            Case.objects.filter(cases_q(user)).values_list("pk", flat=True)
        )
    for status in (None, "active"):
        expected = [case.pk for case in selectors.cases_for(user, status=status)]
        pages, back = walk(user, 4, status=status)
        assert [c.pk for page in pages for c in page.rows] == expected, status
        assert [[c.pk for c in p.rows] for p in reversed(back)] == [[c.pk for c in p.rows] for p in pages]
