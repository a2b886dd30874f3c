"""Pacts (#11) in the browser: an employee self-signs on a phone with a one-time code, and the
public verification page answers valid, revoked and unknown."""

import datetime

import pytest

from netra.orgs.models import Unit
from netra.pacts import services
from netra.pacts.links import sign_link_token
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.texts import default_pact_text

NIP = "198503122010011003"


@pytest.fixture
def open_campaign(agencies, admin_katingan):
    katingan = agencies["pemkab-katingan"]
    unit = Unit.objects.get_or_create(agency=katingan, name="Dinas Pendidikan")[0]
    employee = Employee.objects.create(
        agency=katingan, unit=unit, name="Rina Kartika", nip=NIP, status="pns", position="Guru Ahli Muda"
    )
    campaign = services.create_campaign(
        user=admin_katingan,
        agency=katingan,
        title="Pakta Netralitas ASN Pilkada 2024",
        text=default_pact_text(agency_name=katingan.name),
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 11, 27),
    )
    campaign = services.update_campaign(user=admin_katingan, campaign=campaign, state=PactCampaign.State.OPEN)
    return campaign, employee, unit


@pytest.mark.django_db(transaction=True)
def test_an_employee_self_signs_on_a_phone(live_server, phone_context, screenshot, open_campaign, admin_katingan):
    campaign, employee, unit = open_campaign
    [(_e, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=[employee])
    page = phone_context.new_page()
    page.goto(f"{live_server.url}/pakta/tanda-tangan/{sign_link_token(campaign, unit.pk)}/")
    page.get_by_label("NIP atau nomor pegawai").fill("19850312 201001 1 003")
    page.get_by_label("Kode pribadi").fill("ZZZZZZZZ")
    page.locator("#pact-identify").click()
    assert "tidak cocok" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Kode pribadi").input_value() == ""  # a code is never written back
    page.get_by_label("Kode pribadi").fill(code.lower())
    screenshot(page, "pacts-self-sign-identify-phone")
    page.locator("#pact-identify").click()
    assert "Undang-Undang Nomor 20 Tahun 2023" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    screenshot(page, "pacts-self-sign-confirm-phone")
    page.locator("#pact-confirm").click()
    shown = page.locator("#pact-verification-code").inner_text()
    signature = PactSignature.objects.get()
    assert shown.replace("-", "") == signature.verification_code and signature.method == "self"
    screenshot(page, "pacts-self-sign-done-phone")
    page.get_by_role("link", name="Lihat halaman verifikasi").click()
    assert page.locator("#pact-verdict").get_attribute("data-verdict") == "valid"


@pytest.mark.django_db(transaction=True)
def test_verification_page_valid_revoked_unknown(
    live_server, phone_context, screenshot, open_campaign, satgas_katingan, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    campaign, employee, _unit = open_campaign
    services.record_sheet(
        user=satgas_katingan,
        campaign=campaign,
        cleaned=b"%PDF-1.4",
        content_type="application/pdf",
        extension="pdf",
        employee_ids=[employee.pk],
    )
    signature = PactSignature.objects.get()
    page = phone_context.new_page()
    page.goto(f"{live_server.url}/pakta/{signature.verification_code}/")
    assert page.locator("#pact-verdict").get_attribute("data-verdict") == "valid"
    body = page.locator("main").inner_text() if page.locator("main").count() else page.content()
    assert "Rina Kartika" in body and "Guru Ahli Muda" in body and NIP not in page.content()
    screenshot(page, "pacts-verify-valid")
    services.revoke_signature(user=satgas_katingan, signature=signature, reason="Salah catat")
    page.reload()
    assert page.locator("#pact-verdict").get_attribute("data-verdict") == "revoked"
    screenshot(page, "pacts-verify-revoked")
    page.goto(f"{live_server.url}/pakta/ABCDEFGHJKMNP/")
    assert page.locator("#pact-verdict").get_attribute("data-verdict") == "unknown"
    screenshot(page, "pacts-verify-unknown")
