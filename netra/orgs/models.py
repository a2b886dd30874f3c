"""Agencies (instansi), their units (OPD), users and memberships (a role in an agency)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from netra.catalog.models import Region
from netra.orgs.codes import AgencyKind, RoleCode
from netra.orgs.roles import UNIT_ROLES, role_kind_error


class User(AbstractUser):
    """Staff account. Public reporters have no account (receipt code + access key)."""

    timezone = models.CharField(
        _("zona waktu"),
        max_length=20,
        choices=Region.Zone.choices,
        blank=True,
        help_text=_("Kosongkan untuk memakai zona waktu wilayah instansi."),
    )
    is_demo_account = models.BooleanField(
        _("akun demo"),
        default=False,
        help_text=_("Akun demo boleh masuk tanpa 2FA, hanya selama mode demo aktif."),
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")


class Agency(models.Model):
    """Instansi: a pemda, a kementerian/lembaga, a Bawaslu office, BKN or an oversight body."""

    Kind = AgencyKind

    code = models.SlugField(_("kode"), max_length=60, unique=True, help_text=_("Contoh: pemkab-katingan"))
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("wilayah"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Kosong untuk instansi tingkat nasional."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("instansi induk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    covered_regions = models.ManyToManyField(
        Region,
        verbose_name=_("wilayah kerja"),
        blank=True,
        related_name="+",
        help_text=_("Untuk Kanreg BKN: provinsi yang menjadi wilayah kerjanya."),
    )
    letterhead = models.TextField(_("kop surat"), blank=True)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """OPD: a dinas, badan, kecamatan… of a pemda (or a unit of a kementerian)."""

    agency = models.ForeignKey(Agency, verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("unit kerja (OPD)")
        verbose_name_plural = _("unit kerja (OPD)")
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name_per_agency")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one agency. Roles and what they may do: ``netra.orgs.roles``."""

    Role = RoleCode

    user = models.ForeignKey(User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit kerja (OPD)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("Wajib untuk Kepala OPD; kosong untuk peran lain."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["agency", "role"]
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.agency}"

    def save(self, *args, **kwargs):
        # "No BKN or Bawaslu role in a pemda, ever": every path that saves a membership (admin,
        # service, demo, shell, factories) goes through here. Bulk writes bypass save(); the
        # codebase has none for memberships.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # An inline on a new agency validates before the agency is saved: its kind is known.
        agency = self.agency if (self.agency_id is not None or "agency" in self._state.fields_cache) else None
        if agency is None or not self.role:
            return
        # The one table says which kinds hold which role.
        if problem := role_kind_error(self.role, agency.kind):
            raise ValidationError({"role": [problem]}, code="role_not_allowed_for_kind")
        # A Kepala OPD heads one unit of their own agency; no other role is tied to a unit.
        if self.role in UNIT_ROLES:
            if self.unit is None:
                raise ValidationError(
                    {"unit": [_("Kepala OPD harus dikaitkan dengan satu unit kerja (OPD).")]}, code="unit_required"
                )
            if self.unit.agency_id != agency.pk:
                raise ValidationError(
                    {"unit": [_("Unit kerja harus milik instansi yang sama.")]}, code="unit_other_agency"
                )
        elif self.unit_id is not None:
            raise ValidationError(
                {"unit": [_("Hanya Kepala OPD yang dikaitkan dengan unit kerja.")]}, code="unit_not_allowed"
            )


class EnrolmentLink(models.Model):
    """A one-time link that lets a person enrol their authenticator app (TOTP) for their account.

    Only the SHA-256 of the link's token is kept. A link expires (``NETRA_ENROLMENT_LINK_HOURS``),
    is used at most once, and a newer link for the same person ends the older ones
    (``netra.orgs.enrolment``). Without one, a password never shows a TOTP secret.
    """

    user = models.ForeignKey(User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        User, verbose_name=_("dikirim oleh"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    used_at = models.DateTimeField(_("dipakai"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tautan aktivasi 2FA")
        verbose_name_plural = _("tautan aktivasi 2FA")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"
