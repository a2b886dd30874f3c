"""The public statistics map and the staff dashboard in a real browser, on a phone and a desktop.

Screenshots kept for the user guide: ``docs/img/insights-public-desktop.png``,
``insights-public-phone.png``, ``insights-province-desktop.png``, ``insights-dashboard-desktop.png``,
``insights-dashboard-phone.png``.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from conftest import verified_login
from tests.pages import load_demo_world

IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def world(transactional_db, settings):
    load_demo_world(cases=60)
    settings.DEMO_MODE = False  # the production look; demo accounts would skip the second factor
    call_command("load_reference", verbosity=0)  # every province and kabupaten/kota on the map
    cache.clear()


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    widest = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
        ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
    )
    assert width <= page.viewport_size["width"] + 1, f"page is {width}px wide: {widest}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_public_map_shows_every_province_and_drills_into_one(browser, live_server, world, viewport, name):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live_server.url + "/statistik/")
    assert page.locator("figure.map svg path[data-region]").count() == 38
    assert page.get_by_role("heading", name="Angka utama").is_visible()
    _no_sideways_scroll(page)
    IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMG / f"insights-public-{name}.png"), full_page=name == "phone")
    # Kalimantan Tengah on the map opens its kabupaten/kota.
    page.locator('figure.map a:has(path[data-region="62"])').click()
    page.wait_for_url("**provinsi=62**")
    assert page.locator("figure.map svg path[data-region]").count() == 14
    assert page.get_by_role("heading", name="Menurut kabupaten/kota").is_visible()
    if name == "desktop":
        page.screenshot(path=str(IMG / "insights-province-desktop.png"))
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_dashboard_links_each_figure_to_the_queue(browser, live_server, world, viewport, name):
    lead = get_user_model().objects.get(username="ketua.katingan")
    client = verified_login(Client(), lead)
    context = browser.new_context(viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/staf/dasbor/")
    total = page.locator('[data-figure="total"]')
    assert int(total.inner_text().replace(".", "")) > 0
    _no_sideways_scroll(page)
    page.screenshot(path=str(IMG / f"insights-dashboard-{name}.png"), full_page=name == "phone")
    page.locator('[data-figure="overdue"]').click()
    page.wait_for_url("**due=overdue**")
    context.close()
