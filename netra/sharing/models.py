"""Inter-agency sharing (design.md 5): API tokens, webhook subscriptions and the webhook outbox.

A token acts for one agency in one role, with the case scope a member of that agency in that
role would have (``netra.orgs.selectors.scope_for_agency_role``). Only a SHA-256 hash of the
token is kept; the short prefix identifies it in lists and in the audit log.

Webhooks use a transactional outbox: the event and one delivery row per interested subscription
are written in the same transaction as the change (``netra.sharing.outbox``), and a worker
delivers them later (``netra.sharing.delivery``), so no event is lost while a receiver is down.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from netra.orgs.models import Membership
from netra.secrets_at_rest import EncryptedTextField


class ApiToken(models.Model):
    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    role = models.CharField(_("peran"), max_length=30, choices=Membership.Role.choices)
    name = models.CharField(_("nama"), max_length=100, help_text=_("Misalnya: SIPP Bawaslu Katingan."))
    # Shown in lists and in the audit log ("api-token:<prefix>"); not a secret on its own.
    prefix = models.CharField(_("awalan"), max_length=12, unique=True)
    # SHA-256 hex of the whole token. The token carries ≥256 random bits, so a fast hash is
    # enough: there is nothing to brute-force (a slow password hash would only slow every call).
    token_hash = models.CharField(_("hash token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A token with case power is requested (by the agency admin) and works only once a holder of
    # that power in the same agency approved it (netra.orgs.roles: vouched_by). Empty = pending.
    approved_at = models.DateTimeField(_("disetujui"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disetujui oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dicabut oleh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Updated at most once a minute (netra.sharing.tokens.touch): not a write per request.
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.approved_at is not None

    @property
    def is_pending(self) -> bool:
        return self.revoked_at is None and self.approved_at is None

    @property
    def audit_label(self) -> str:
        # How netra.audit.services.record() names this actor.
        return f"api-token:{self.prefix}"


class WebhookSubscription(models.Model):
    class Event(models.TextChoices):
        CASE_CREATED = "case.created", _("Kasus dibuat")
        CASE_TRANSITIONED = "case.transitioned", _("Status kasus berubah")
        CASE_DEADLINE_MISSED = "case.deadline_missed", _("Tenggat kasus terlewati")
        CASE_CONTROL_ACTION = "case.control_action", _("Tindakan pengendalian BKN dicatat")

    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    # The subscription sees the events of the cases its creating token could read.
    role = models.CharField(_("peran"), max_length=30, choices=Membership.Role.choices)
    token = models.ForeignKey(
        ApiToken,
        verbose_name=_("dibuat dengan token"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL tujuan"), max_length=500)
    events = models.JSONField(_("peristiwa"), default=list)
    # Kept readable: every delivery is signed with it (HMAC-SHA256). Shown once, at creation.
    # Encrypted at rest with a key from the environment (netra.secrets_at_rest).
    secret = EncryptedTextField(_("rahasia penandatanganan"))
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("dihapus"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("langganan webhook")
        verbose_name_plural = _("langganan webhook")
        indexes = [models.Index(fields=["agency", "active"], name="webhook_sub_agency_idx")]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One event in the outbox. ``event_id`` is what a receiver de-duplicates on."""

    event_id = models.UUIDField(_("ID peristiwa"), default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("jenis"), max_length=40, choices=WebhookSubscription.Event.choices)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("kasus"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The whole body sent (as canonical JSON), fixed at the time of the change.
    payload = models.JSONField(_("isi"))
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("peristiwa webhook")
        verbose_name_plural = _("peristiwa webhook")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        DELIVERED = "delivered", _("Terkirim")
        FAILED = "failed", _("Gagal (menyerah)")
        CANCELLED = "cancelled", _("Dibatalkan")

    event = models.ForeignKey(WebhookEvent, verbose_name=_("peristiwa"), on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("langganan"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # Copied from the event: deliveries of one case to one subscription go out in id order.
    case_id = models.BigIntegerField(_("ID kasus"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"))
    # A worker owns the row until then (claimed by a conditional UPDATE); a crashed worker's
    # claim simply runs out.
    claimed_until = models.DateTimeField(_("diklaim hingga"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("kode HTTP terakhir"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pengiriman webhook")
        verbose_name_plural = _("pengiriman webhook")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once"),
        ]
        indexes = [
            # The worker's queue: only pending rows, so it stays small.
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_delivery_due_idx"
            ),
            # "Is an earlier delivery of this case to this subscription still pending?"
            models.Index(
                fields=["subscription", "case_id", "id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_order_idx",
            ),
            # The delivery log of a subscription.
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}/{self.event_id} {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP attempt: the delivery log an agency sees."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("pengiriman"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("percobaan ke"))
    at = models.DateTimeField(_("waktu"))
    status_code = models.PositiveSmallIntegerField(_("kode HTTP"), null=True, blank=True)
    error = models.CharField(_("galat"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("durasi (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("percobaan pengiriman")
        verbose_name_plural = _("percobaan pengiriman")

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"
