"""django-axes keeps no User-Agent and forgets staff sign-ins after the retention (issue #10, finding 12)."""

import datetime
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.orgs.signin_records import purge
from netra.orgs.tasks import purge_sign_in_records
from netra.orgs.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/staf/masuk/"
PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def _fresh_axes():
    AccessAttempt.objects.all().delete()
    AccessLog.objects.all().delete()


def sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password}, headers={"user-agent": PHONE})


def test_a_failed_and_a_successful_sign_in_keep_no_user_agent(client, satgas_katingan):
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    sign_in(client, satgas_katingan, "wrong-password")
    sign_in(client, satgas_katingan)
    attempt, log = AccessAttempt.objects.get(), AccessLog.objects.get()
    assert (attempt.username, attempt.failures_since_start) == (satgas_katingan.username, 1)
    assert attempt.user_agent == "" and log.user_agent == ""


def test_the_lockout_still_counts_by_account(client, satgas_katingan):
    for _ in range(5):
        sign_in(client, satgas_katingan, "wrong-password")
    assert sign_in(client, satgas_katingan).status_code == 429


def test_records_older_than_the_retention_are_purged_and_newer_ones_kept(client, satgas_katingan, lead_katingan):
    TOTPDevice.objects.create(user=satgas_katingan, name="Netra", confirmed=True)
    TOTPDevice.objects.create(user=lead_katingan, name="Netra", confirmed=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31)):
        sign_in(client, satgas_katingan, "wrong-password")
        sign_in(client, satgas_katingan)
    sign_in(client, lead_katingan, "wrong-password")
    sign_in(client, lead_katingan)
    # axes itself drops attempts past the cool-off at the next sign-in; its access log it keeps.
    assert purge()["access_logs"] == 1
    assert set(AccessLog.objects.values_list("username", flat=True)) == {lead_katingan.username}
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {lead_katingan.username}


def test_the_purge_runs_as_a_task_and_a_command(client, satgas_katingan, settings):
    settings.NETRA_SIGN_IN_RECORD_DAYS = 1
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        sign_in(client, satgas_katingan, "wrong-password")
    assert "'attempts': 1" in purge_sign_in_records.call()
    with time_machine.travel(timezone.now() - datetime.timedelta(days=2)):
        sign_in(client, satgas_katingan, "wrong-password")
    out = StringIO()
    call_command("purge_sign_in_records", stdout=out)
    assert "attempts: 1" in out.getvalue() and not AccessAttempt.objects.exists()


def test_the_scheduler_queues_the_purge(db):
    from django_tasks_db.models import DBTaskResult

    call_command("scheduler", "--once", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path="netra.orgs.tasks.purge_sign_in_records").count() == 1


def test_the_recorded_address_is_not_taken_from_a_forged_forwarded_header(client, satgas_katingan, settings):
    settings.NETRA_TRUSTED_PROXIES = ["10.0.0.2"]
    client.post(
        LOGIN,
        {"username": satgas_katingan.username, "password": "wrong-password"},
        headers={"x-forwarded-for": "203.0.113.9"},
        REMOTE_ADDR="198.51.100.7",  # not our proxy: its header is not believed
    )
    client.post(
        LOGIN,
        {"username": satgas_katingan.username, "password": "wrong-password"},
        headers={"x-forwarded-for": "203.0.113.10"},
        REMOTE_ADDR="10.0.0.2",  # our proxy: the client is the hop it appended
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7", "203.0.113.10"}
