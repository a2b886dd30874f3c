"""The public statistics' own table: exact counts per (election, region, violation group, bucket).

Derived data only, never a source of truth: ``netra.insights.aggregates.rebuild`` replaces every
row from the ``cases`` tables in one transaction (scheduled, ``manage.py rebuild_insights``). A
bucket is a week cut at month boundaries (it starts on a Monday or on the 1st), so a week, a
month and a year are all exact sums of buckets.
"""

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
