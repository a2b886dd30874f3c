"""Enrolling the second factor through a one-time link (issue #10, finding 9: no trust on first use)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.audit.models import AuditEvent
from netra.orgs import enrolment
from netra.orgs.models import EnrolmentLink
from netra.orgs.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/staf/masuk/"


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def link_for(user, issued_by=None) -> str:
    return enrolment.link_path(enrolment.issue_link(user=user, issued_by=issued_by))


def enrol(client, link: str, password: str = PASSWORD):
    """Password step, then the QR step's code; the final answer."""
    assert client.post(link, {"password": password}).status_code == 302
    page = client.get(link)
    assert page.status_code == 200 and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user=page.context["account"], confirmed=False)
    return client.post(link, {"token": code(device)})


def test_a_link_then_the_password_shows_the_secret_and_a_code_signs_in(client, satgas_katingan):
    link = link_for(satgas_katingan)
    first = client.get(link)
    assert first.status_code == 200
    assert b"totp-secret" not in first.content and b"data:image/svg+xml" not in first.content  # password first
    assert client.post(link, {"password": PASSWORD})["Location"] == link
    page = client.get(link)
    assert b"data:image/svg+xml" in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get(user=satgas_katingan)
    done = client.post(link, {"token": code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("workspace:home")
    assert client.get(reverse("workspace:home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert EnrolmentLink.objects.get().used_at is not None


def test_a_used_link_is_refused_with_a_clear_message(client, satgas_katingan):
    link = link_for(satgas_katingan)
    enrol(client, link)
    other = client.__class__()
    again = other.get(link)
    assert again.status_code == 410
    assert "sudah dipakai" in again.content.decode()
    assert other.post(link, {"password": PASSWORD}).status_code == 410
    assert b"totp-secret" not in other.get(link).content


def test_an_expired_link_is_refused_with_a_clear_message(client, satgas_katingan):
    link = link_for(satgas_katingan)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=72, minutes=1)):
        answer = client.get(link)
        assert answer.status_code == 410
        assert "kedaluwarsa" in answer.content.decode()
        assert client.post(link, {"password": PASSWORD}).status_code == 410


def test_a_link_expiring_between_the_steps_is_not_spent(client, satgas_katingan):
    link = link_for(satgas_katingan)
    client.post(link, {"password": PASSWORD})
    client.get(link)
    device = TOTPDevice.objects.get(user=satgas_katingan)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=73)):
        assert client.post(link, {"token": code(device)}).status_code == 410
    device.refresh_from_db()
    assert not device.confirmed


def test_an_unknown_link_is_refused(client, db):
    assert client.get(reverse("workspace:enrol", kwargs={"token": "x" * 43})).status_code == 410


def test_a_wrong_password_on_the_link_shows_no_secret_and_counts_towards_the_lockout(client, satgas_katingan):
    link = link_for(satgas_katingan)
    wrong = client.post(link, {"password": "wrong-password"})
    assert wrong.status_code == 422 and "Kata sandi salah" in wrong.content.decode()
    assert b"totp-secret" not in client.get(link).content
    for _ in range(4):
        client.post(link, {"password": "wrong-password"})
    assert client.post(link, {"password": PASSWORD}).status_code == 429  # django-axes, as at sign-in
    assert b"totp-secret" not in client.get(link).content


def test_a_wrong_code_keeps_the_link_usable(client, satgas_katingan):
    link = link_for(satgas_katingan)
    client.post(link, {"password": PASSWORD})
    wrong = client.post(link, {"token": "000000"})
    assert wrong.status_code == 422 and "Kode salah" in wrong.content.decode()
    assert enrolment.valid_link(link.rstrip("/").rsplit("/", 1)[1]) is not None


def test_a_newer_link_ends_the_older_one(client, satgas_katingan):
    old, new = link_for(satgas_katingan), link_for(satgas_katingan)
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_enrolling_replaces_a_lost_device_and_the_password_then_asks_the_new_one(client, satgas_katingan):
    lost = TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    enrol(client, link_for(satgas_katingan))
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    client.post("/staf/keluar/")
    assert client.post(LOGIN, {"username": satgas_katingan.username, "password": PASSWORD})["Location"] == (
        "/staf/verifikasi/"
    )


def test_the_token_is_stored_only_as_its_hash(satgas_katingan):
    token = enrolment.issue_link(user=satgas_katingan, issued_by=None)
    stored = EnrolmentLink.objects.get()
    assert stored.token_hash == enrolment.hash_token(token) and token not in stored.token_hash


def test_issuing_and_using_a_link_are_audited(client, satgas_katingan, admin_katingan):
    link = link_for(satgas_katingan, issued_by=admin_katingan)
    enrol(client, link)
    events = list(AuditEvent.objects.filter(action__startswith="auth.enrolment").order_by("id"))
    assert [(e.action, e.actor_label, e.object_id) for e in events] == [
        ("auth.enrolment_link_issued", admin_katingan.username, str(satgas_katingan.pk)),
        ("auth.enrolment_link_used", satgas_katingan.username, str(satgas_katingan.pk)),
    ]


def test_an_agency_admin_may_issue_only_for_people_of_their_agency(
    admin_katingan, satgas_katingan, satgas_barsel, satgas_katingan_peer_superuser
):
    assert enrolment.may_issue(admin_katingan, satgas_katingan)
    for outside in (satgas_barsel, satgas_katingan_peer_superuser, admin_katingan):
        with pytest.raises(enrolment.EnrolmentError) as refused:
            enrolment.issue_link(user=outside, issued_by=admin_katingan)
        assert refused.value.code == "forbidden"
    assert not EnrolmentLink.objects.exists()


def test_an_officer_may_not_issue_links(satgas_katingan, lead_katingan):
    with pytest.raises(enrolment.EnrolmentError):
        enrolment.issue_link(user=lead_katingan, issued_by=satgas_katingan)


@pytest.fixture
def satgas_katingan_peer_superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)


def test_the_link_is_sent_to_the_persons_own_email_and_works(client, satgas_katingan, admin_katingan):
    enrolment.send_link(user=satgas_katingan, issued_by=admin_katingan, base_url="https://netra.example.go.id/")
    (message,) = mail.outbox
    assert message.to == [satgas_katingan.email]
    url = next(line for line in message.body.splitlines() if line.startswith("https://netra.example.go.id/"))
    assert enrol(client, url.removeprefix("https://netra.example.go.id")).status_code == 302


def test_the_admin_action_sends_the_link(client, satgas_katingan, staff_client, satgas_katingan_peer_superuser):
    admin = staff_client(satgas_katingan_peer_superuser)
    answer = admin.post(
        "/admin/orgs/user/",
        {"action": "send_enrolment_link", "_selected_action": [satgas_katingan.pk]},
        follow=True,
    )
    assert answer.status_code == 200
    assert [m.to for m in mail.outbox] == [[satgas_katingan.email]]
    assert EnrolmentLink.objects.get().issued_by == satgas_katingan_peer_superuser


def test_the_command_prints_a_link_for_the_first_superuser(client, satgas_katingan_peer_superuser, capsys):
    call_command("send_enrolment_link", "root", "--print", "--base-url", "http://testserver")
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://testserver/staf/aktivasi/")
    assert enrol(client, url.removeprefix("http://testserver")).status_code == 302
    event = AuditEvent.objects.get(action="auth.enrolment_link_issued")
    assert event.actor_label == "system"


def test_the_command_emails_by_default(satgas_katingan):
    call_command("send_enrolment_link", satgas_katingan.username, "--base-url", "http://testserver")
    assert [m.to for m in mail.outbox] == [[satgas_katingan.email]]
