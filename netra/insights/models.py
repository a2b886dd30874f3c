"""The public statistics' own table: exact counts per (election, region, violation group, bucket).

Derived data only, never a source of truth: ``netra.insights.aggregates.rebuild`` replaces every
row from the ``cases`` tables in one transaction (scheduled, ``manage.py rebuild_insights``). A
bucket is a week cut at month boundaries (it starts on a Monday or on the 1st), so a week, a
month and a year are all exact sums of buckets.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Aggregate(models.Model):
    election = models.ForeignKey(
        "catalog.Election", on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_constraint=False
    )
    region = models.ForeignKey("catalog.Region", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    violation = models.CharField(_("kelompok pelanggaran"), max_length=40)
    bucket = models.DateField(_("awal pekan"))
    reports = models.PositiveIntegerField(default=0)
    proven = models.PositiveIntegerField(default=0)
    sanctioned = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("agregat statistik")
        verbose_name_plural = _("agregat statistik")
        indexes = [models.Index(fields=["election", "bucket"], name="insights_agg_election_idx")]

    def __str__(self) -> str:
        return f"{self.election_id or '-'} {self.region_id} {self.violation} {self.bucket}"


class Export(models.Model):
    """One export a staff member asked for: the queue as Excel or a period report as PDF.

    Built in the background past ``NETRA_EXPORT_INLINE_ROWS`` (``netra.insights.tasks``), with its
    progress; downloadable by the user who asked only, until ``expires_at``; then the file and the
    row are deleted (``manage.py purge_exports``, run by the scheduler). ``params``: what was asked
    (the queue's GET filters, or the report's election/period/region), never the content.
    """

    class Kind(models.TextChoices):
        QUEUE_XLSX = "queue_xlsx", _("Antrean kasus (Excel)")
        REPORT_PDF = "report_pdf", _("Laporan periode (PDF)")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Diproses")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diminta oleh"), on_delete=models.CASCADE, related_name="+"
    )
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(_("jumlah baris"), default=0)
    processed_rows = models.PositiveIntegerField(_("baris selesai"), default=0)
    file = models.FileField(_("berkas"), max_length=200, blank=True)
    filename = models.CharField(_("nama berkas"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("dihapus pada"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ekspor")
        verbose_name_plural = _("ekspor")
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="insights_export_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
