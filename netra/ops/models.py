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
