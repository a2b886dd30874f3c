"""The codes of agency kinds and membership roles, below both the models and the role table
(``netra.orgs.roles``), so that the models can ask the role table without a circle."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PEMDA_PROVINCE = "pemda_provinsi", _("Pemerintah provinsi")
    PEMDA_REGENCY = "pemda_kabupaten", _("Pemerintah kabupaten")
    PEMDA_CITY = "pemda_kota", _("Pemerintah kota")
    MINISTRY = "kementerian_lembaga", _("Kementerian/lembaga")
    BAWASLU_RI = "bawaslu_ri", _("Bawaslu RI")
    BAWASLU_PROVINCE = "bawaslu_provinsi", _("Bawaslu provinsi")
    BAWASLU_REGENCY = "bawaslu_kabkota", _("Bawaslu kabupaten/kota")
    BKN_CENTRAL = "bkn_pusat", _("BKN pusat")
    BKN_REGIONAL = "bkn_kanreg", _("Kantor Regional BKN")
    INSPECTORATE = "inspektorat", _("Inspektorat")
    OBSERVER = "pengamat", _("Pengamat")


class RoleCode(models.TextChoices):
    SATGAS_OFFICER = "satgas_officer", _("Petugas Satgas")
    SATGAS_LEAD = "satgas_lead", _("Ketua Satgas")
    PPK = "ppk", _("PPK")
    BAWASLU_OFFICER = "bawaslu_officer", _("Petugas Bawaslu")
    BKN_SUPERVISOR = "bkn_supervisor", _("Pengawas BKN")
    AGENCY_ADMIN = "agency_admin", _("Admin instansi")
    OBSERVER = "observer", _("Pengamat")
    # Head of one OPD (unit) of a pemda/ministry: sees and reminds their own unit (pacts, #11).
    OPD_HEAD = "opd_head", _("Kepala OPD")
