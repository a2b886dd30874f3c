"""Circulars (Surat Edaran), socialisation events and coverage reminders (issue #11, items 4 to 6).

Imported at the end of ``netra.pacts.models`` so Django finds them in the ``pacts`` app. Files
(circular PDFs, event materials and photos) are stored cleaned (``netra.cases.evidence.clean``
is called by the workspace face before the service sees the bytes) under random names.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Circular",
    "CircularDelivery",
    "CoverageReminder",
    "CoverageTally",
    "EventAttendance",
    "EventFile",
    "SocialisationEvent",
]

# Check-in codes are typed on a phone from a slide or a printed poster: short, no 0/O, 1/I/L.
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECKIN_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_LENGTH))


class Circular(models.Model):
    """A Surat Edaran of an agency, sent to some of its OPDs, each of which acknowledges receipt."""

    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="circulars"
    )
    number = models.CharField(_("nomor"), max_length=120, help_text=_("Contoh: 800/1840/2023"))
    issued_on = models.DateField(_("tanggal"))
    issuer = models.CharField(_("penerbit"), max_length=200, help_text=_("Contoh: Bupati Katingan"))
    subject = models.CharField(_("perihal"), max_length=300)
    document = models.FileField(_("berkas PDF"), max_length=200, blank=True)
    document_sha256 = models.CharField(_("SHA-256 berkas diterima"), max_length=64, blank=True)
    units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("OPD tujuan"), through="CircularDelivery", related_name="circulars"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # Cancelled ("dibatalkan") instead of deleted once an OPD acknowledged it: kept, shown as such,
    # left out of the coverage figures.
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    cancelled_reason = models.TextField(_("alasan pembatalan"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("surat edaran")
        verbose_name_plural = _("surat edaran")
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="circular_unique_number_per_agency")]

    def __str__(self) -> str:
        return f"{self.number} — {self.subject}"


class CircularDelivery(models.Model):
    """One OPD a circular goes to; ``acknowledged_at`` set once its head confirms receipt."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("OPD"), on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diterima oleh"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("penerima surat edaran")
        verbose_name_plural = _("penerima surat edaran")
        constraints = [models.UniqueConstraint(fields=["circular", "unit"], name="circular_delivery_unique")]
        indexes = [models.Index(fields=["unit", "acknowledged_at"], name="circular_delivery_unit")]

    def __str__(self) -> str:
        return f"{self.circular_id} → {self.unit_id}"


class SocialisationEvent(models.Model):
    """A sosialisasi, bimtek, rakor or apel/ikrar, organised by one agency for OPDs of any agency."""

    class Kind(models.TextChoices):
        SOSIALISASI = "sosialisasi", _("Sosialisasi")
        BIMTEK = "bimtek", _("Bimbingan teknis (bimtek)")
        RAKOR = "rakor", _("Rapat koordinasi (rakor)")
        APEL = "apel_ikrar", _("Apel / ikrar netralitas")

    agency = models.ForeignKey(
        "orgs.Agency", verbose_name=_("penyelenggara"), on_delete=models.PROTECT, related_name="socialisation_events"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=300)
    held_on = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=300, blank=True)
    online = models.BooleanField(_("daring"), default=False)
    election = models.ForeignKey(
        "catalog.Election", verbose_name=_("pemilihan"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # [{"name": "...", "institution": "..."}]
    speakers = models.JSONField(_("narasumber"), default=list, blank=True)
    audience_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("OPD peserta"), blank=True, related_name="socialisation_events"
    )
    audience_roles = models.CharField(
        _("peserta (jabatan)"), max_length=300, blank=True, help_text=_("Contoh: kepala OPD, camat, lurah")
    )
    summary = models.TextField(_("ringkasan"), blank=True)
    checkin_code = models.CharField(_("kode hadir"), max_length=12, unique=True, default=new_checkin_code)
    checkin_open = models.BooleanField(_("presensi mandiri dibuka"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # Cancelled instead of deleted once someone attended: kept, shown as such, not counted as reach.
    cancelled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    cancelled_reason = models.TextField(_("alasan pembatalan"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("kegiatan sosialisasi")
        verbose_name_plural = _("kegiatan sosialisasi")

    def __str__(self) -> str:
        return self.title


class EventAttendance(models.Model):
    class Method(models.TextChoices):
        CHECKIN = "checkin", _("Presensi mandiri (QR)")
        IMPORT = "import", _("Impor berkas")
        ROSTER = "roster", _("Dicentang dari daftar pegawai")

    event = models.ForeignKey(SocialisationEvent, on_delete=models.CASCADE, related_name="attendances")
    employee = models.ForeignKey("pacts.Employee", on_delete=models.CASCADE, related_name="attendances")
    method = models.CharField(_("cara"), max_length=10, choices=Method.choices)
    recorded_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dicatat oleh"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        constraints = [models.UniqueConstraint(fields=["event", "employee"], name="event_attendance_unique")]
        indexes = [models.Index(fields=["employee", "event"], name="event_attendance_employee")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.employee_id}"


class EventFile(models.Model):
    class Kind(models.TextChoices):
        MATERIAL = "material", _("Materi")
        PHOTO = "photo", _("Foto dokumentasi")

    event = models.ForeignKey(SocialisationEvent, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("berkas"), max_length=200)
    content_type = models.CharField(max_length=60)
    sha256_received = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("berkas kegiatan")
        verbose_name_plural = _("berkas kegiatan")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.kind}"


class CoverageReminder(models.Model):
    """A reminder sent to the heads of one OPD about its coverage: at most one a week per unit."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="coverage_reminders")
    sent_at = models.DateTimeField(_("dikirim"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recipients = models.PositiveIntegerField(_("penerima"), default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("pengingat cakupan")
        verbose_name_plural = _("pengingat cakupan")
        indexes = [models.Index(fields=["unit", "sent_at"], name="coverage_reminder_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.sent_at:%Y-%m-%d}"


class CoverageTally(models.Model):
    """Derived counts behind the coverage figures (``netra.pacts.tally``), never a source of truth.

    One row per (OPD, employment status, kind, ref): ``employees`` (active employees, ref ""),
    ``signed`` (their live signatures of campaign ``ref``, its id), ``reached`` (of them, those who
    attended at least one event that is not cancelled: ref "" any event, else only the events of
    the election whose code is ``ref``).
    Kept in the same transaction by every write that changes one of them; rebuilt by
    ``manage.py reconcile_coverage``."""

    class Kind(models.TextChoices):
        EMPLOYEES = "employees", "employees"
        SIGNED = "signed", "signed"
        REACHED = "reached", "reached"

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    ref = models.CharField(max_length=40, blank=True, default="")
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("hitungan cakupan")
        verbose_name_plural = _("hitungan cakupan")
        constraints = [
            models.UniqueConstraint(fields=["unit", "status", "kind", "ref"], name="coverage_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.status}/{self.kind}/{self.ref}: {self.n}"
