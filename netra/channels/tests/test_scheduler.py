"""The scheduler runs the channels: a tick of ``manage.py scheduler`` delivers a queued reply."""

import io
import logging

import pytest
from django.core.management import call_command

from netra.channels.models import OutboundMessage
from netra.channels.tests.test_sms import NUMBER, sms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue", "regions", "agencies")]


def test_a_scheduler_tick_sends_the_queued_reply(client, provider):
    sms(client, "Lurah membagikan sembako bergambar calon bupati kepada warga.")
    assert OutboundMessage.objects.filter(sent_at__isnull=True).count() == 1
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert [m["to"] for m in provider.sent] == [NUMBER] and "Di mana" in provider.sent[0]["text"]
    assert OutboundMessage.objects.get().sent_at is not None
    assert "replies {'sent': 1" in out.getvalue()


def test_a_failing_tick_is_logged_and_the_next_one_delivers(client, provider, settings, caplog):
    sms(client, "Lurah membagikan sembako bergambar calon bupati kepada warga.")
    settings.NETRA_INTAKE_MAILBOXES = [{"name": "rusak"}]  # no host: the mailbox setting is broken
    with caplog.at_level(logging.ERROR, logger="netra.cases.management.commands.scheduler"):
        call_command("scheduler", "--once", stdout=io.StringIO())
    assert "the channel tick failed" in caplog.text
    assert not provider.sent
    settings.NETRA_INTAKE_MAILBOXES = []
    call_command("scheduler", "--once", stdout=io.StringIO())
    assert len(provider.sent) == 1
