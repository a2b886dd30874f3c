"""The workspace header links to the pages a role uses beyond the queue, and to none it cannot use."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "people", "tokens", "dashboard"),
    [
        ("admin_katingan", True, True, False),
        ("lead_katingan", False, True, True),
        ("satgas_katingan", False, False, True),
        ("ppk_katingan", False, False, True),
        ("bawaslu_katingan", False, False, True),
        ("observer", False, False, True),
    ],
)
def test_the_header_links_what_the_role_uses(request, staff_client, persona, people, tokens, dashboard):
    client = staff_client(request.getfixturevalue(persona))
    html = client.get(reverse("workspace:home"), follow=True).content.decode()
    assert (f'href="{reverse("workspace:people")}"' in html) is people
    assert (f'href="{reverse("sharing:tokens")}"' in html) is tokens
    assert (f'href="{reverse("insights_staff:dashboard")}"' in html) is dashboard
    # A linked dashboard opens; the one an agency admin was shown answered 404 (it reads no cases).
    assert client.get(reverse("insights_staff:dashboard")).status_code == (200 if dashboard else 404)


def test_each_linked_page_opens_for_the_role_it_is_shown_to(staff_client, admin_katingan, lead_katingan):
    assert staff_client(admin_katingan).get(reverse("workspace:people")).status_code == 200
    assert staff_client(admin_katingan).get(reverse("sharing:tokens")).status_code == 200
    assert staff_client(lead_katingan).get(reverse("sharing:tokens")).status_code == 200
