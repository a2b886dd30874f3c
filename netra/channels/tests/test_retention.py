"""The retention run (``apply_retention``, netra.ops) also removes the channels' contact data."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from netra.audit.models import AuditEvent
from netra.cases.models import Report
from netra.channels import services
from netra.channels.models import ChannelReport, Conversation, InboundMessage, OutboundMessage
from netra.channels.tests.test_sms import sms
from netra.ops.models import RetentionPolicy
from netra.orgs.models import Agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def file_by_sms(client) -> Report:
    for text in ("Lurah membagikan sembako bergambar calon bupati kepada warga.", "Katingan", "hari ini", "KIRIM"):
        sms(client, text)
    sms(client, "Camat juga ikut kampanye", sender="+628199990000")  # an unfinished conversation
    return Report.objects.get()


def channel_rows() -> list[int]:
    return [m.objects.count() for m in (InboundMessage, ChannelReport, Conversation, OutboundMessage)]


def retention() -> str:
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    return out.getvalue()


def test_the_retention_run_purges_channel_data_after_the_default_contact_period(client, provider):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        report = file_by_sms(client)
    assert channel_rows() == [5, 1, 1, 5]
    with time_machine.travel(start + days(179), tick=False):
        assert retention().endswith("0 channel row(s) removed\n")
    assert channel_rows() == [5, 1, 1, 5]
    with time_machine.travel(start + days(181), tick=False):
        assert retention().endswith("12 channel row(s) removed\n")
    assert channel_rows() == [0, 0, 0, 0]
    assert Report.objects.filter(pk=report.pk).exists()  # the report itself follows the case rules
    summary = AuditEvent.objects.get(action="retention.channel_data_removed")
    assert summary.actor_label == "system:retention" and summary.agency_id is None
    assert summary.payload == {"days": 180, "inbound": 5, "origins": 1, "conversations": 1, "outbound": 5}
    per_case = AuditEvent.objects.get(action="retention.channel_origin_removed")
    assert per_case.payload == {"reports": [report.pk]} and per_case.agency_id == report.case.agency_id
    with time_machine.travel(start + days(182), tick=False):
        assert retention().endswith("0 channel row(s) removed\n")  # idempotent
    assert AuditEvent.objects.filter(action="retention.channel_data_removed").count() == 1


def test_the_strictest_agency_policy_sets_the_period(client, provider):
    RetentionPolicy.objects.create(agency=Agency.objects.order_by("pk").last(), contact_months=1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        file_by_sms(client)
    with time_machine.travel(start + days(29), tick=False):
        retention()
    assert channel_rows() == [5, 1, 1, 5]
    with time_machine.travel(start + days(31), tick=False):
        retention()
    assert channel_rows() == [0, 0, 0, 0]


def test_a_removed_contact_takes_the_sender_hash_with_it(client, provider):
    report = file_by_sms(client)
    Report.objects.filter(pk=report.pk).update(contact="")  # what the contact retention rule does
    assert services.purge(older_than_days=365)["origins"] == 1
    assert not ChannelReport.objects.exists() and InboundMessage.objects.count() == 5
