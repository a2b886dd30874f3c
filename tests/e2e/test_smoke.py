import pytest


@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_indonesian_on_a_phone(live_server, phone_context, screenshot):
    page = phone_context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert "netralitas ASN" in page.locator("h1").inner_text()
    screenshot(page, "home-phone")
