"""Channel intake's own tables: none holds a report's content or the reporter's address for long.

* ``InboundMessage``: one row per provider message id (a unique key): a redelivered message or a
  re-fetched mail is recognised and never makes a second report.
* ``ChannelReport``: which report came in by which channel, with a keyed hash of the sender (for
  "the same sender quotes the code"); the address itself lives only in ``Report.contact``
  (``netra.cases.reporter_data``).
* ``Conversation``: the short chat flow (what → where → when → send), keyed by the sender's hash.
* ``OutboundMessage``: the reply outbox; the address is kept only until the reply is sent or given
  up, then blanked.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"


class InboundMessage(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=255)  # provider message id / Message-ID (or its hash)
    received_at = models.DateTimeField(auto_now_add=True)
    report = models.ForeignKey("cases.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="channels_inbound_once")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"


class ChannelReport(models.Model):
    report = models.OneToOneField("cases.Report", on_delete=models.CASCADE, related_name="channel_origin")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.channel}:{self.report_id}"


class Conversation(models.Model):
    class Step(models.TextChoices):
        WHAT = "what"
        WHERE = "where"
        WHEN = "when"
        CONFIRM = "confirm"

    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender_hash = models.CharField(max_length=64)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.WHAT)
    answers = models.JSONField(default=dict)  # description, location, region_code, incident_date, media
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "sender_hash"], name="channels_one_conversation")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.step}"


class OutboundMessage(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, blank=True)  # blanked once sent or given up
    reply_from = models.CharField(max_length=254, blank=True)  # e-mail: the mailbox that answers
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up = models.BooleanField(default=False)
    last_error = models.CharField(max_length=40, blank=True)  # a category, never an exception text
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.channel}:{self.pk}"
