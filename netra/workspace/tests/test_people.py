"""The agency admin's people page: 2FA status and sending an enrolment link (issue #10, finding 9).

Who may: an agency admin, for the people of their own agency. Who must never: officers, admins of
another agency (404), anyone not signed in with both factors.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.orgs.models import EnrolmentLink

pytestmark = pytest.mark.django_db
PEOPLE = "/staf/anggota/"


def send(client, user):
    return client.post(reverse("workspace:people_send_link", args=[user.pk]))


def test_an_agency_admin_sees_their_people_and_their_2fa_state(
    staff_client, admin_katingan, satgas_katingan, satgas_barsel
):
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    page = staff_client(admin_katingan).get(PEOPLE)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="person-{satgas_katingan.pk}"' in html and f'id="person-{satgas_barsel.pk}"' not in html
    assert "aktif" in html


def test_an_agency_admin_sends_a_link_to_the_persons_own_email(staff_client, admin_katingan, satgas_katingan):
    client = staff_client(admin_katingan)
    answer = send(client, satgas_katingan)
    assert answer.status_code == 302 and answer["Location"] == PEOPLE
    assert [m.to for m in mail.outbox] == [[satgas_katingan.email]]
    assert EnrolmentLink.objects.get().issued_by == admin_katingan
    assert "tautan terkirim" in client.get(PEOPLE).content.decode()


def test_another_agencys_person_answers_404_and_gets_nothing(staff_client, admin_katingan, satgas_barsel):
    assert send(staff_client(admin_katingan), satgas_barsel).status_code == 404
    assert mail.outbox == [] and not EnrolmentLink.objects.exists()


def test_an_admin_cannot_send_themselves_a_link(staff_client, admin_katingan):
    assert send(staff_client(admin_katingan), admin_katingan).status_code == 404


def test_an_officer_gets_404_for_the_page_and_the_action(staff_client, satgas_katingan, lead_katingan):
    client = staff_client(satgas_katingan)
    assert client.get(PEOPLE).status_code == 404
    assert send(client, lead_katingan).status_code == 404
    assert mail.outbox == []


def test_without_both_factors_nobody_reaches_it(client, admin_katingan, satgas_katingan):
    assert client.get(PEOPLE).status_code == 302
    assert send(client, satgas_katingan).status_code == 302
    client.force_login(admin_katingan)  # a password, no second factor
    assert client.get(PEOPLE)["Location"] == "/staf/verifikasi/"
    assert send(client, satgas_katingan).status_code == 302
    assert mail.outbox == []
