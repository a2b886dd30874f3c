"""Prevention (#11): the employees roster of an agency, pact campaigns, signatures and their codes.

Below ``cases``; uses ``orgs`` (agencies, units, users) and ``catalog`` (elections, the NIP check).
Circulars, events and coverage (pacts-outreach) live beside these models in their own modules.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from netra.catalog.models import Election
from netra.catalog.nip import validate_nip
from netra.orgs.models import Agency, Unit
from netra.pacts.codes import new_verification_code


class EmployeeStatus(models.TextChoices):
    PNS = "pns", _("PNS")
    PPPK = "pppk", _("PPPK")
    NON_ASN = "non_asn", _("Non-ASN")


class Employee(models.Model):
    """One person on an agency's roster: an ASN (by NIP) or a non-ASN employee (by employee number)."""

    Status = EmployeeStatus

    agency = models.ForeignKey(Agency, verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="employees")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit kerja (OPD)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    name = models.CharField(_("nama"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, null=True, blank=True, validators=[validate_nip])
    employee_number = models.CharField(_("nomor pegawai"), max_length=40, null=True, blank=True)
    status = models.CharField(_("status kepegawaian"), max_length=10, choices=Status.choices)
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    email = models.EmailField(_("surel"), blank=True)
    active = models.BooleanField(_("aktif"), default=True)
    left_at = models.DateTimeField(_("keluar"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "nip"], condition=Q(nip__isnull=False), name="employee_unique_nip_per_agency"
            ),
            models.UniqueConstraint(
                fields=["agency", "employee_number"],
                condition=Q(employee_number__isnull=False),
                name="employee_unique_number_per_agency",
            ),
            models.CheckConstraint(
                condition=Q(nip__isnull=False) | Q(employee_number__isnull=False), name="employee_has_identifier"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "unit", "active"], name="employee_agency_unit_active"),
            # An OPD's page of who has not signed, by name, keyset-paged.
            models.Index(fields=["unit", "name", "id"], name="employee_unit_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return self.nip or self.employee_number or ""


class PactCampaign(models.Model):
    """A round of pact signing in one agency (usually for one election), with its text and target."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Dibuka")
        CLOSED = "closed", _("Ditutup")

    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="pact_campaigns"
    )
    election = models.ForeignKey(
        Election, verbose_name=_("pemilihan"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("judul"), max_length=200)
    text = models.TextField(_("teks pakta"))
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("berakhir"))
    # Empty = every unit / every status of the agency.
    target_units = models.ManyToManyField(Unit, verbose_name=_("OPD sasaran"), blank=True, related_name="+")
    target_statuses = models.JSONField(_("status sasaran"), default=list, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("kampanye pakta integritas")
        verbose_name_plural = _("kampanye pakta integritas")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_order")
        ]

    def __str__(self) -> str:
        return self.title


class SignedSheet(models.Model):
    """A scanned sheet signed by a group (metadata stripped before it is stored)."""

    campaign = models.ForeignKey(
        PactCampaign, verbose_name=_("kampanye"), on_delete=models.CASCADE, related_name="sheets"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit kerja (OPD)"), null=True, blank=True, on_delete=models.SET_NULL)
    file = models.FileField(_("berkas"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("lembar pakta bertanda tangan")
        verbose_name_plural = _("lembar pakta bertanda tangan")

    def __str__(self) -> str:
        return f"{self.campaign} — {self.file.name}"


class Ceremony(models.Model):
    """A signing ceremony and its Berita Acara Netralitas."""

    campaign = models.ForeignKey(
        PactCampaign, verbose_name=_("kampanye"), on_delete=models.CASCADE, related_name="ceremonies"
    )
    held_on = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=200)
    minutes_number = models.CharField(_("nomor berita acara"), max_length=100, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("upacara penandatanganan")
        verbose_name_plural = _("upacara penandatanganan")

    def __str__(self) -> str:
        return f"{self.campaign} — {self.held_on}"


class CeremonySignatory(models.Model):
    """Who signed the Berita Acara (Bupati, Sekda, BKPSDM, Bawaslu…), symbolically."""

    ceremony = models.ForeignKey(Ceremony, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("nama"), max_length=200)
    position = models.CharField(_("jabatan"), max_length=200)
    institution = models.CharField(_("instansi"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["ceremony", "order", "pk"]
        verbose_name = _("penanda tangan berita acara")
        verbose_name_plural = _("penanda tangan berita acara")

    def __str__(self) -> str:
        return f"{self.name} ({self.position}, {self.institution})"


class PactSignature(models.Model):
    """One employee's signature of one campaign's pact: who, when, how, and its public code."""

    class Method(models.TextChoices):
        SELF = "self", _("Mandiri (portal)")
        SHEET = "sheet", _("Lembar bertanda tangan")
        CEREMONY = "ceremony", _("Upacara penandatanganan")

    campaign = models.ForeignKey(
        PactCampaign, verbose_name=_("kampanye"), on_delete=models.CASCADE, related_name="signatures"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("pegawai"), on_delete=models.CASCADE, related_name="signatures"
    )
    method = models.CharField(_("cara"), max_length=10, choices=Method.choices)
    signed_at = models.DateTimeField(_("ditandatangani"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dicatat oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sheet = models.ForeignKey(SignedSheet, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures")
    ceremony = models.ForeignKey(Ceremony, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures")
    # The name and position as signed (the roster may change later; the pact does not).
    signed_name = models.CharField(_("nama"), max_length=200)
    signed_position = models.CharField(_("jabatan"), max_length=200, blank=True)
    verification_code = models.CharField(
        _("kode verifikasi"), max_length=16, unique=True, default=new_verification_code, editable=False
    )
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_reason = models.TextField(_("alasan pencabutan"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("tanda tangan pakta")
        verbose_name_plural = _("tanda tangan pakta")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "employee"],
                condition=Q(revoked_at__isnull=True),
                name="signature_unique_live_per_employee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signed_name} — {self.campaign}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class SigningCode(models.Model):
    """A personal one-time code for self-service signing. Only its SHA-256 is kept."""

    campaign = models.ForeignKey(PactCampaign, on_delete=models.CASCADE, related_name="signing_codes")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="signing_codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    used_at = models.DateTimeField(_("dipakai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kode tanda tangan")
        verbose_name_plural = _("kode tanda tangan")
        indexes = [models.Index(fields=["campaign", "employee"], name="signingcode_campaign_employee")]

    def __str__(self) -> str:
        return f"{self.employee} — {self.campaign}"


class RosterImport(models.Model):
    """One roster upload: its file, its options, its progress and its report (row errors)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Diproses")
        INVALID = "invalid", _("Ada kesalahan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    import_valid_rows = models.BooleanField(default=False)
    mark_absent_left = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("impor daftar pegawai")
        verbose_name_plural = _("impor daftar pegawai")

    def __str__(self) -> str:
        return f"{self.agency} — {self.filename}"


from .outreach_models import *  # noqa
