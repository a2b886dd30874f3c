"""On a 360px phone a staff table scrolls in its own box; it never widens the whole page.

A bare ``<table>`` wider than the phone (the roster, the pact list, the people list: 380-990px)
made the browser lay the page out wider than the screen, header and text included.
"""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WRAPPED = re.compile(r'<div class="table-scroll">\s*<table\b')


def tables_wrapped(html: str) -> tuple[int, int]:
    return len(re.findall(r"<table\b", html)), len(WRAPPED.findall(html))


@pytest.mark.parametrize(
    ("persona", "page"),
    [
        ("admin_katingan", "workspace:people"),
        ("admin_katingan", "sharing:tokens"),
        ("satgas_katingan", "workspace:pacts_campaigns"),
        ("satgas_katingan", "workspace:pacts_roster"),
        ("satgas_katingan", "workspace:events"),
        ("satgas_katingan", "workspace:circulars"),
    ],
)
def test_every_table_on_the_page_scrolls_in_its_own_box(request, staff_client, persona, page):
    response = staff_client(request.getfixturevalue(persona)).get(reverse(page))
    assert response.status_code == 200
    tables, wrapped = tables_wrapped(response.content.decode())
    assert tables >= 1
    assert wrapped == tables
