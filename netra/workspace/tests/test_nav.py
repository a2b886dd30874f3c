"""The workspace header links to the pages a role uses beyond the queue, and to none it cannot use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "people", "tokens"),
    [
        ("admin_katingan", True, True),
        ("lead_katingan", False, True),
        ("satgas_katingan", False, False),
        ("ppk_katingan", False, False),
        ("bawaslu_katingan", False, False),
        ("observer", False, False),
    ],
)
def test_the_header_links_what_the_role_uses(request, staff_client, persona, people, tokens):
    client = staff_client(request.getfixturevalue(persona))
    html = client.get(reverse("workspace:home"), follow=True).content.decode()
    assert (f'href="{reverse("workspace:people")}"' in html) is people
    assert (f'href="{reverse("sharing:tokens")}"' in html) is tokens


def test_each_linked_page_opens_for_the_role_it_is_shown_to(staff_client, admin_katingan, lead_katingan):
    assert staff_client(admin_katingan).get(reverse("workspace:people")).status_code == 200
    assert staff_client(admin_katingan).get(reverse("sharing:tokens")).status_code == 200
    assert staff_client(lead_katingan).get(reverse("sharing:tokens")).status_code == 200
