"""Reference data: regions, the violation catalogue, sanctions, elections, working-day calendar.

All of it is data loaded by ``manage.py load_reference`` (idempotent) from files under
``netra/catalog/data/``; the admin can edit it, since several facts are marked (verify) in the
domain brief and elections come and go.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A province (``"62"``) or kabupaten/kota (``"62.06"``) by its Kemendagri code."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provinsi")
        REGENCY = "kabupaten", _("Kabupaten")
        CITY = "kota", _("Kota")

    class Zone(models.TextChoices):
        WIB = "Asia/Jakarta", "WIB"
        WITA = "Asia/Makassar", "WITA"
        WIT = "Asia/Jayapura", "WIT"

    code = models.CharField(_("kode wilayah"), max_length=5, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("provinsi"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    timezone = models.CharField(_("zona waktu"), max_length=20, choices=Zone.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="province", parent__isnull=True)
                | (~models.Q(kind="province") & models.Q(parent__isnull=False)),
                name="region_province_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]


class SanctionCategory(models.Model):
    """Recommendation-level category: moral (PP 42/2004) or discipline level (PP 94/2021)."""

    code = models.SlugField(_("kode"), max_length=30, primary_key=True)
    name_id = models.CharField(_("nama (id)"), max_length=120)
    name_en = models.CharField(_("nama (en)"), max_length=120)
    legal_basis = models.TextField(_("dasar hukum"))
    severity = models.PositiveSmallIntegerField(_("urutan berat"), help_text=_("0 = paling ringan"))

    class Meta:
        ordering = ["severity"]
        verbose_name = _("kategori sanksi")
        verbose_name_plural = _("kategori sanksi")

    def __str__(self) -> str:
        return self.name_id


class SanctionType(models.Model):
    """A concrete sanction a PPK can impose (the ``sanction_type`` codes of api.md)."""

    code = models.SlugField(_("kode"), max_length=40, primary_key=True)
    category = models.ForeignKey(
        SanctionCategory, verbose_name=_("kategori"), null=True, blank=True, on_delete=models.PROTECT
    )
    name_id = models.CharField(_("nama (id)"), max_length=160)
    name_en = models.CharField(_("nama (en)"), max_length=160)
    legal_basis = models.TextField(_("dasar hukum"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("jenis sanksi")
        verbose_name_plural = _("jenis sanksi")

    def __str__(self) -> str:
        return self.name_id


class ViolationGroup(models.Model):
    """Top-level violation group; the codes are part of the API contract (domain.md section 3)."""

    code = models.SlugField(_("kode"), max_length=40, primary_key=True)
    name_id = models.CharField(_("nama (id)"), max_length=160)
    name_en = models.CharField(_("nama (en)"), max_length=160)
    description_id = models.TextField(_("uraian (id)"), blank=True)
    description_en = models.TextField(_("uraian (en)"), blank=True)
    examples_id = models.TextField(_("contoh (id)"), blank=True)
    examples_en = models.TextField(_("contoh (en)"), blank=True)
    legal_basis = models.TextField(_("dasar hukum"))
    sanction_category = models.ForeignKey(
        SanctionCategory,
        verbose_name=_("kategori sanksi yang lazim"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("kelompok pelanggaran")
        verbose_name_plural = _("kelompok pelanggaran")

    def __str__(self) -> str:
        return self.name_id


class ViolationItem(models.Model):
    """One kind of conduct listed by the 2022 SKB, under a group.

    The SKB lists the same conduct as a code-of-ethics violation (moral sanction, PP 42/2004
    art. 15) and as a discipline violation (PP 94/2021 art. 5 n); which applies depends on the
    election phase on the incident date. Both are stored; ``suggested_category`` picks one and the
    officer decides.
    """

    code = models.SlugField(_("kode"), max_length=60, primary_key=True)
    group = models.ForeignKey(
        ViolationGroup, verbose_name=_("kelompok"), on_delete=models.PROTECT, related_name="items"
    )
    name_id = models.CharField(_("nama (id)"), max_length=255)
    name_en = models.CharField(_("nama (en)"), max_length=255)
    description_id = models.TextField(_("uraian (id)"), blank=True)
    description_en = models.TextField(_("uraian (en)"), blank=True)
    legal_basis = models.TextField(_("dasar hukum"))
    ethics_category = models.ForeignKey(
        SanctionCategory,
        verbose_name=_("kategori sanksi kode etik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Berlaku sebelum penetapan calon (bakal calon)."),
    )
    discipline_category = models.ForeignKey(
        SanctionCategory,
        verbose_name=_("kategori sanksi disiplin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Berlaku sejak penetapan calon."),
    )
    phase_note_id = models.TextField(_("catatan tahapan (id)"), blank=True)
    phase_note_en = models.TextField(_("catatan tahapan (en)"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["group__order", "order"]
        verbose_name = _("butir pelanggaran")
        verbose_name_plural = _("butir pelanggaran")

    def __str__(self) -> str:
        return self.name_id


class Election(models.Model):
    class Kind(models.TextChoices):
        PEMILU = "pemilu", _("Pemilu")
        PILKADA = "pilkada", _("Pilkada")

    code = models.SlugField(_("kode"), max_length=40, primary_key=True)
    name = models.CharField(_("nama"), max_length=160)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    voting_date = models.DateField(_("hari pemungutan suara"))
    source = models.TextField(_("sumber"), blank=True)

    class Meta:
        ordering = ["-voting_date"]
        verbose_name = _("pemilihan")
        verbose_name_plural = _("pemilihan")

    def __str__(self) -> str:
        return self.name


class ElectionPhase(models.Model):
    class Kind(models.TextChoices):
        PRE_DESIGNATION = "pre_designation", _("Sebelum penetapan calon")
        DESIGNATION = "designation", _("Penetapan calon")
        CAMPAIGN = "campaign", _("Kampanye")
        QUIET = "quiet", _("Masa tenang")
        VOTING = "voting", _("Pemungutan suara")
        COUNTING = "counting", _("Penghitungan dan rekapitulasi")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("tahapan"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("selesai"))

    class Meta:
        ordering = ["election", "start"]
        verbose_name = _("tahapan pemilihan")
        verbose_name_plural = _("tahapan pemilihan")
        constraints = [
            models.UniqueConstraint(fields=["election", "kind"], name="election_phase_unique_kind"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="election_phase_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election}: {self.get_kind_display()}"


class NonWorkingDay(models.Model):
    """Extra day off beyond the national holidays of the ``holidays`` library (cuti bersama)."""

    date = models.DateField(_("tanggal"), unique=True)
    description = models.CharField(_("keterangan"), max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = _("cuti bersama / hari libur tambahan")
        verbose_name_plural = _("cuti bersama / hari libur tambahan")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.description}"
