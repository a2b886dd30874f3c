"""Staff pages with wide tables on a 360px phone: the table scrolls in its box, the page does not.

Before, the members list laid the page out 980px wide, the roster 707px, the pacts list 399px
(bare tables, and .sr-only cells escaping the scroll box's clip).
"""

import pytest
from django.urls import reverse


@pytest.mark.django_db(transaction=True)
def test_wide_staff_tables_do_not_widen_the_phone_page(browser, live_server, staff_client, admin_katingan):
    client = staff_client(admin_katingan)
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, is_mobile=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    for name in ("workspace:people", "workspace:pacts_campaigns", "workspace:pacts_roster", "sharing:tokens"):
        page.goto(live_server.url + reverse(name))
        assert page.locator(".table-scroll table").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    context.close()
