"""The audit log: append-only events, sealed into one SHA-256 hash chain.

An event is written unsealed (``seq`` and ``hash`` empty) with an HMAC of its content (``mac``)
inside the caller's transaction and sealed after commit by ``netra.audit.chain.seal``: sealing
checks the MAC, gives it the next sequence number and ``hash = sha256(previous hash + canonical
content)``. The chain order is ``seq``, not ``id``. On PostgreSQL and SQLite a trigger
(``netra.audit.triggers``) refuses every UPDATE and DELETE but sealing an unsealed row.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk edits and deletes: history is appended to, never rewritten."""

    def update(self, **kwargs):
        raise TypeError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise TypeError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    # Who acted. The FK is kept when the actor is an account; the label always names the actor
    # (username, "system", "api-token:…", "pelapor") so the row stays readable on its own.
    # No IP address or user agent is ever stored (design.md §4: reporter privacy).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengguna"),
        null=True,
        blank=True,
        # An account that acted is deactivated, never deleted: deleting it would rewrite history.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("pelaku"), max_length=150)
    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("instansi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (agency, created_at) index below
    )
    action = models.CharField(_("tindakan"), max_length=100, help_text=_("Contoh: case.transitioned"))
    # Plain strings rather than a ContentType FK: they survive the object's deletion and a
    # content type renumbering, and they hash the same on every database.
    object_type = models.CharField(_("jenis objek"), max_length=100, blank=True)
    object_id = models.CharField(_("ID objek"), max_length=64, blank=True)
    payload = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("waktu"))
    seq = models.BigIntegerField(_("nomor urut"), null=True, blank=True, unique=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)
    # HMAC (netra.audit.keys, key outside the database) over the content, set by record(): a row
    # INSERTed any other way has none (or a wrong one), so sealing refuses it and says so.
    mac = models.CharField(_("HMAC"), max_length=64, blank=True, editable=False)
    # Set by sealing when the MAC is missing or wrong: the row stays unsealed, out of the chain
    # and out of the sealer's queue; verify_audit reports it.
    refused = models.BooleanField(_("ditolak penyegelan"), default=False, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("entri log audit")
        verbose_name_plural = _("log audit")
        indexes = [
            models.Index(fields=["object_type", "object_id", "created_at"], name="audit_event_object_idx"),
            models.Index(fields=["agency", "created_at"], name="audit_event_agency_idx"),
            models.Index(fields=["action", "created_at"], name="audit_event_action_idx"),
            # The sealer's work queue: only unsealed rows are in it, so it stays tiny.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True, refused=False), name="audit_event_unsealed_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seq__isnull=True, hash="") | (models.Q(seq__gte=1) & ~models.Q(hash="")),
                name="audit_event_sealed_consistently",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Audit events are append-only: an existing event cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only: they cannot be deleted.")


class ChainHead(models.Model):
    """The single row every sealer locks: the last sealed sequence number and its hash.

    It also lets verification notice rows cut off the end of the chain.
    """

    seq = models.BigIntegerField(_("nomor urut terakhir"), default=0)
    hash = models.CharField(_("hash terakhir"), max_length=64, default="0" * 64)
    sealed_at = models.DateTimeField(_("disegel pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("ujung rantai audit")
        verbose_name_plural = _("ujung rantai audit")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chainhead_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
