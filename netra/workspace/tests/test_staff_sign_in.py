"""Staff sign-in: password, then TOTP (enrolment only by link), lockout, demo skip, admin guard."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.orgs.tests.factories import PASSWORD

LOGIN = "/staf/masuk/"
TWO_FACTOR = "/staf/verifikasi/"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_password(client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD})


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_a_password_alone_shows_no_secret_and_opens_no_workspace(client, satgas_katingan):
    # Issue #10, finding 9: whoever typed the initial password first used to be shown the secret.
    response = sign_in_with_password(client, satgas_katingan)
    assert response.status_code == 403
    page = response.content.decode()
    assert "belum mengaktifkan verifikasi dua langkah" in page
    assert "data:image/svg+xml" not in page and "totp-secret" not in page
    assert not TOTPDevice.objects.filter(user=satgas_katingan).exists()
    assert "_auth_user_id" not in client.session
    assert client.get(TWO_FACTOR)["Location"] == LOGIN
    assert client.get(reverse("workspace:home")).status_code == 302


def test_a_password_alone_does_not_open_the_workspace(client, satgas_katingan):
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in_with_password(client, satgas_katingan)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302 and response["Location"] == TWO_FACTOR


def test_a_wrong_code_is_refused_with_a_clear_message(client, satgas_katingan):
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in_with_password(client, satgas_katingan)
    response = client.post(TWO_FACTOR, {"token": "000000"})
    assert response.status_code == 422
    assert "Kode salah atau sudah kedaluwarsa" in response.content.decode()
    assert client.get(reverse("workspace:home")).status_code == 302


def test_a_confirmed_device_is_asked_for_its_code_without_a_new_qr(client, satgas_katingan):
    device = TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in_with_password(client, satgas_katingan)
    page = client.get(TWO_FACTOR)
    assert b"data:image/svg+xml" not in page.content
    assert client.post(TWO_FACTOR, {"token": current_code(device)}).status_code == 302
    assert client.get(reverse("workspace:home")).status_code == 200


def test_a_wrong_password_is_refused(client, satgas_katingan):
    response = client.post(LOGIN, {"username": satgas_katingan.username, "password": "wrong-password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nama pengguna atau sandi salah." in page
    assert "nama pengguna nama pengguna" not in page.lower()  # Django's Indonesian message named the field twice
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_explained_in_english_too(client, satgas_katingan):
    with translation.override("en"):
        login_en = reverse("workspace:login")
    response = client.post(login_en, {"username": satgas_katingan.username, "password": "wrong-password"})
    assert "Wrong username or password." in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, satgas_katingan):
    for _ in range(5):
        client.post(LOGIN, {"username": satgas_katingan.username, "password": "wrong-password"})
    response = client.post(LOGIN, {"username": satgas_katingan.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(DEMO_MODE=True)
def test_a_demo_account_skips_the_second_factor_in_demo_mode(client, satgas_katingan):
    satgas_katingan.is_demo_account = True
    satgas_katingan.save()
    response = sign_in_with_password(client, satgas_katingan)
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    page = client.get(reverse("workspace:home"))
    assert page.status_code == 200
    assert "Mode demo" in page.content.decode()  # the visible banner


@override_settings(DEMO_MODE=False)
def test_a_demo_account_needs_the_second_factor_when_demo_mode_is_off(client, satgas_katingan):
    satgas_katingan.is_demo_account = True
    satgas_katingan.save()
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in_with_password(client, satgas_katingan)
    assert client.get(reverse("workspace:home"))["Location"] == TWO_FACTOR


def test_an_account_without_membership_is_told_so(client, outsider):
    device = TOTPDevice.objects.create(user=outsider, name="Netra", confirmed=True)
    sign_in_with_password(client, outsider)
    client.post(TWO_FACTOR, {"token": current_code(device)})
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403


def test_the_admin_asks_for_the_second_factor_too(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    device = TOTPDevice.objects.create(user=admin, name="Netra", confirmed=True)
    sign_in_with_password(client, admin)
    response = client.get("/admin/", follow=True)
    assert [url for url, _ in response.redirect_chain][-2:] == ["/staf/masuk/?next=/admin/", TWO_FACTOR]
    done = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_next_is_kept_through_both_steps_and_never_leaves_the_site(client, satgas_katingan):
    device = TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    client.post(LOGIN, {"username": satgas_katingan.username, "password": PASSWORD, "next": "https://evil.example/"})
    response = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert response["Location"] == reverse("workspace:home")


def test_a_signed_in_officer_without_admin_rights_gets_403_from_the_admin_not_a_redirect_loop(client, satgas_katingan):
    device = TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in_with_password(client, satgas_katingan)
    client.post(TWO_FACTOR, {"token": current_code(device)})
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 1
