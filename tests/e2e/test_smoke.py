import pytest


@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_indonesian_on_a_phone(live_server, phone_context, screenshot):
    page = phone_context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert "netralitas ASN" in page.locator("h1").inner_text()
    screenshot(page, "home-phone")


@pytest.mark.django_db(transaction=True)
def test_pages_break_no_content_security_policy_rule(live_server, browser, agencies, staff_client, lead_katingan):
    """The CSP allows no inline script or style: any page that needs one shows up here."""
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    for path in ["/", "/lapor/", "/status/", "/staf/masuk/", "/api/v1/docs", "/en/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    client = staff_client(lead_katingan)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page.goto(live_server.url + "/staf/")
    page.wait_for_load_state("networkidle")
    assert "Antrean kasus" in page.content()
    assert problems == []
    context.close()
