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


# --- the staff dashboard's cube (netra.insights.cube) ----------------------------------------------


class DashCell(models.Model):
    """Exact case counts of the staff dashboard per (period, dimension, election, region, agency, value).

    ``period``: "" (all time), "2024" or "2024-02" (the case's creation, local time) — the
    dashboard's period filter reads one level. ``dim``: ``s`` state, ``v`` first violation group,
    ``d`` active cases with a due date (value: the state), ``x`` decisions not annulled (value:
    the sanction type), ``u`` cases with a subject of that unit (OPD), ``w`` the creation bucket
    (period "" only; value: the bucket's ISO date), ``a`` active cases per creation day (period ""
    only; value: the ISO date; the ageing figure). ``election`` "" and ``agency`` 0 for none (no
    NULL in the unique key). Derived data: ``cube.refresh`` keeps it current from ``CaseFact``.
    """

    period = models.CharField(max_length=7)
    dim = models.CharField(max_length=1)
    election = models.CharField(max_length=40)
    region = models.CharField(max_length=20)
    agency = models.IntegerField()
    value = models.CharField(max_length=200)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("sel dasbor")
        verbose_name_plural = _("sel dasbor")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "dim", "election", "region", "agency", "value"], name="insights_dashcell_key"
            )
        ]
        indexes = [
            models.Index(fields=["period", "dim", "agency"], name="insights_dashcell_agency_idx"),
            models.Index(fields=["period", "dim", "value"], name="insights_dashcell_value_idx"),
            # A scope's region and the regions under it (cube.region_q: LIKE 'code.%' on PostgreSQL,
            # whatever the database's collation; operator classes are PostgreSQL's only).
            models.Index(
                fields=["period", "dim", "region"],
                name="insights_dashcell_region_idx",
                opclasses=["varchar_pattern_ops"] * 3,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}/{self.dim}/{self.election}/{self.region}/{self.agency}/{self.value}={self.n}"


class CaseFact(models.Model):
    """What one case adds to ``DashCell`` as last counted (the snapshot a change is subtracted from)."""

    case_id = models.BigIntegerField(primary_key=True)
    election = models.CharField(max_length=40)
    region = models.CharField(max_length=20)
    agency = models.IntegerField()
    status = models.CharField(max_length=20)
    day = models.DateField()  # created, local time
    due = models.DateField(null=True)  # the due date, if any
    violation = models.CharField(max_length=40)
    sanctions = models.TextField(blank=True)  # sanction type codes of decisions not annulled, "\x1f"-joined
    units = models.TextField(blank=True)  # the distinct units of its subjects, "\x1f"-joined

    class Meta:
        verbose_name = _("fakta kasus dasbor")
        verbose_name_plural = _("fakta kasus dasbor")

    def __str__(self) -> str:
        return str(self.case_id)


class DashSubject(models.Model):
    """One NIP named among a case's subjects (one row per case and NIP; merged cases have none):
    the dashboard's repeated subjects. ``repeated``: the NIP is named in two cases or more in all
    (only those rows are read: the partial index). ``name``: the first non-empty name given with
    that NIP in the case. The case's place and creation day are copied for the scope and filters.
    Derived data: ``cube.refresh`` rewrites a dirty case's rows and the flag of their NIPs."""

    case_id = models.BigIntegerField()
    nip = models.CharField(max_length=18)
    name = models.CharField(max_length=200, blank=True)
    repeated = models.BooleanField(default=False)
    election = models.CharField(max_length=40)
    region = models.CharField(max_length=20)
    agency = models.IntegerField()
    day = models.DateField()

    class Meta:
        verbose_name = _("terlapor dasbor")
        verbose_name_plural = _("terlapor dasbor")
        indexes = [
            models.Index(fields=["case_id"], name="insights_dashsubject_case_idx"),
            models.Index(fields=["nip"], name="insights_dashsubject_nip_idx"),
            # Covering: the repeated subjects of any scope are an index-only scan (the rows of one
            # NIP lie far apart in the table).
            models.Index(
                fields=["nip", "agency", "region", "election", "day", "case_id"],
                name="insights_dashsubject_rep_idx",
                condition=models.Q(repeated=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.nip}"


class DashStep(models.Model):
    """One step of a case for the dashboard's step times: a transition into ``state`` (entered on
    ``entered``, local date) and what followed it — ``days`` spent until the next transition,
    its state and local date; all None while the case is still there. One row per transition of
    a case not merged; the case's place and creation day copied. Derived data (``cube.refresh``)."""

    case_id = models.BigIntegerField()
    state = models.CharField(max_length=20)
    entered = models.DateField()
    days = models.FloatField(null=True)
    next_state = models.CharField(max_length=20, blank=True)
    left_on = models.DateField(null=True)
    election = models.CharField(max_length=40)
    region = models.CharField(max_length=20)
    agency = models.IntegerField()
    day = models.DateField()

    class Meta:
        verbose_name = _("langkah dasbor")
        verbose_name_plural = _("langkah dasbor")
        indexes = [
            models.Index(fields=["case_id"], name="insights_dashstep_case_idx"),
            models.Index(fields=["entered", "state"], name="insights_dashstep_entered_idx"),
            models.Index(fields=["agency", "entered"], name="insights_dashstep_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.state}@{self.entered}"


class DirtyCase(models.Model):
    """A case whose dashboard figures may have changed: written by database triggers on the cases
    tables (migration ``insights.0002``), so every write path is seen (ORM, ``update()``, bulk
    inserts, imports, raw SQL); consumed by ``cube.refresh``."""

    case_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("kasus berubah")
        verbose_name_plural = _("kasus berubah")

    def __str__(self) -> str:
        return str(self.case_id)


class DashState(models.Model):
    """One row: the cube's version (moves with every change applied) and when it was last brought up to date."""

    version = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("status dasbor")
        verbose_name_plural = _("status dasbor")

    def __str__(self) -> str:
        return f"v{self.version}"


class Export(models.Model):
    """One export a staff member asked for: the queue as Excel or a period report as PDF.

    Built in the background past ``NETRA_EXPORT_INLINE_ROWS`` (``netra.insights.exports.run_export``), with its
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
