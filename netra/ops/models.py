"""The per-agency retention policy (UU PDP 27/2022). An agency without a row gets the defaults."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from netra.cases.retention import DEFAULT_CONTACT_MONTHS, DEFAULT_DISMISSED_EVIDENCE_MONTHS


class RetentionPolicy(models.Model):
    agency = models.OneToOneField(
        "orgs.Agency", verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="retention_policy"
    )
    contact_months = models.PositiveSmallIntegerField(
        _("kontak pelapor dihapus setelah (bulan)"),
        default=DEFAULT_CONTACT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Dihitung sejak kasus selesai (ditutup, dihentikan, digabung, diteruskan)."),
    )
    dismissed_evidence_months = models.PositiveSmallIntegerField(
        _("bukti kasus yang dihentikan dihapus setelah (bulan)"),
        default=DEFAULT_DISMISSED_EVIDENCE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("kebijakan retensi")
        verbose_name_plural = _("kebijakan retensi")

    def __str__(self) -> str:
        return str(self.agency)


class WorkerHeartbeat(models.Model):
    """A task worker (``manage.py run_worker``) alive: it rewrites ``seen_at`` every few seconds.

    The reaper (``netra.ops.workers.reap``) takes a task RUNNING on a worker whose heartbeat is
    older than ``NETRA_WORKER_DEAD_SECONDS`` as interrupted (a ``kill -9``, a lost machine).
    """

    worker_id = models.CharField(_("pekerja"), max_length=64, primary_key=True)
    host = models.CharField(_("mesin"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("PID"), default=0)
    started_at = models.DateTimeField(_("mulai"))
    seen_at = models.DateTimeField(_("terakhir terlihat"), db_index=True)

    class Meta:
        verbose_name = _("detak pekerja")
        verbose_name_plural = _("detak pekerja")

    def __str__(self) -> str:
        return self.worker_id


class CanaryRun(models.Model):
    """One completed run of the ``netra.ops.tasks.canary`` task: the side effect counted by
    ``make scale-check`` and ``make faults`` (a key found twice is a task that ran twice)."""

    key = models.CharField(_("kunci"), max_length=64, db_index=True)
    attempt = models.PositiveSmallIntegerField(_("percobaan"), default=1)
    worker_id = models.CharField(_("pekerja"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("selesai"), auto_now_add=True)

    class Meta:
        verbose_name = _("uji pekerja")
        verbose_name_plural = _("uji pekerja")

    def __str__(self) -> str:
        return self.key
