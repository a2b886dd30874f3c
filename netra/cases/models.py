"""Cases and what the public hands in: the report (submission), subjects, evidence, messages.

A *case* is what staff work on; a *report* is one submission by one reporter (a case may gather
several after a merge). Nothing here stores request metadata: no IP address, no user agent, no
header — see ``netra.cases.intake``.
"""

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netra.cases.nip import validate_nip

# Case numbers (NTR-2026-000211) and receipt codes (NTR-XXXX-XXXX) start with it.
RECEIPT_PREFIX = "NTR"


def _choice_display(field: str, choices):
    """A ``get_<field>_display`` answering as Django's own while translating one label: Django's
    hashes every choice's lazy label, so each call translated them all (a case's status: twelve;
    a queue page of 50 rows made 600 translations, BKN's home with its panels 1 800)."""
    labels = dict(choices)

    def display(self) -> Any:
        value = getattr(self, field)
        label = labels.get(str(value)) if value is not None else None
        return str(label) if label is not None else value

    display.__name__ = f"get_{field}_display"
    return display


class Case(models.Model):
    class Source(models.TextChoices):
        PUBLIC_REPORT = "public_report", _("Laporan masyarakat")
        BAWASLU_FINDING = "bawaslu_finding", _("Temuan Bawaslu")
        AGENCY_REFERRAL = "agency_referral", _("Penerusan instansi")
        MONITORING = "monitoring", _("Pemantauan Satgas")

    class Status(models.TextChoices):
        # design.md section 3; the moves between them live in the workflow table (cases/workflow.py).
        RECEIVED = "received", _("Diterima")
        CHECKING = "checking", _("Pengecekan")
        VERIFICATION = "verification", _("Verifikasi & Validasi")
        EXAMINATION = "examination", _("Klarifikasi / Pemeriksaan")
        RECOMMENDATION = "recommendation", _("Rekomendasi")
        AWAITING_DECISION = "awaiting_decision", _("Menunggu Keputusan PPK")
        ESCALATED = "escalated", _("Eskalasi ke BKN")
        DECIDED = "decided", _("Sanksi Dijatuhkan / Diputuskan")
        CLOSED = "closed", _("Selesai")
        DISMISSED = "dismissed", _("Dihentikan")
        MERGED = "merged", _("Digabung")
        FORWARDED = "forwarded", _("Diteruskan")

    TERMINAL_STATES = frozenset({Status.CLOSED, Status.DISMISSED, Status.MERGED, Status.FORWARDED})

    number = models.CharField(
        _("nomor kasus"), max_length=20, unique=True, null=True, blank=True, help_text=_("Contoh: NTR-2024-000123")
    )
    source = models.CharField(_("sumber"), max_length=20, choices=Source.choices, default=Source.PUBLIC_REPORT)
    source_reference = models.CharField(
        _("referensi sumber"), max_length=200, blank=True, help_text=_("Misalnya nomor temuan Bawaslu.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    get_status_display = _choice_display("status", Status.choices)
    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("instansi penanggung jawab"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # led by case_queue_idx
        help_text=_("Kosong: antrean triase nasional."),
    )
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by case_region_queue_idx
    )
    # The province of ``region`` (a Kemendagri code begins with its province's two digits: "62",
    # "62.06"), kept by the database itself, so that a province's scope is one indexed column
    # (scope.cases_q_parts, case_province_order_idx) and never stale.
    province = models.GeneratedField(
        expression=Substr("region", 1, 2),
        output_field=models.CharField(max_length=2),
        db_persist=True,
        verbose_name=_("provinsi"),
    )
    election = models.ForeignKey(
        "catalog.Election",
        verbose_name=_("pemilihan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    incident_date = models.DateField(_("tanggal kejadian"))
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("digabung ke"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    # Not auto_now_add: a case opened from an accepted report is dated by the report's submission
    # (netra.cases.opening), which may be a moment earlier than the case's INSERT.
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)
    # --- workflow (netra.cases.workflow / services / deadlines) ---
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("petugas yang ditugaskan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    # The running deadline of the current step: which SLA (DeadlinePolicy.key) and its last day.
    deadline_key = models.CharField(_("jenis tenggat"), max_length=30, blank=True)
    due_date = models.DateField(_("batas waktu"), null=True, blank=True)
    # Set once by the deadline job (reminder sent / deadline missed) and cleared by the next deadline.
    reminded_at = models.DateTimeField(_("pengingat dikirim"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("terlambat sejak"), null=True, blank=True)
    # design.md 3: in verification the case may wait for Bawaslu's review (kajian), with its own deadline.
    waiting_for_bawaslu = models.BooleanField(_("menunggu kajian Bawaslu"), default=False)
    bawaslu_due_date = models.DateField(_("batas waktu kajian Bawaslu"), null=True, blank=True)
    # Set once by the deadline job for the running kajian request (cleared with a new request).
    bawaslu_reminded_at = models.DateTimeField(_("pengingat kajian Bawaslu dikirim"), null=True, blank=True)
    bawaslu_overdue_at = models.DateTimeField(_("kajian Bawaslu terlambat sejak"), null=True, blank=True)
    # What the Satgas asked Bawaslu (staff and Bawaslu only, never the reporter); kept after the answer.
    bawaslu_question = models.TextField(_("pertanyaan kajian Bawaslu"), blank=True)
    # Why a case was dismissed (api.md reason codes) / the outside body it was forwarded to.
    dismissal_reason = models.CharField(_("alasan penghentian"), max_length=30, blank=True)
    forwarded_to_external = models.CharField(_("diteruskan ke (di luar Netra)"), max_length=200, blank=True)
    # Referral upwards (issue #16 item 4): while set, the case is reviewed by this agency (BKN pusat
    # or the provincial Satgas) as well; it stays one case, owned by ``agency`` (netra.cases.scope).
    referred_to = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("dirujuk ke"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_cases",
    )
    referred_at = models.DateTimeField(_("dirujuk sejak"), null=True, blank=True)
    # A case brought from an agency's earlier register (netra.cases.history_import): when it was
    # imported and the agency's own number there (unique per agency: a re-import skips it).
    # Imported cases never get a live deadline, notification or webhook for their past steps.
    imported_at = models.DateTimeField(_("diimpor"), null=True, blank=True)
    import_reference = models.CharField(_("nomor di register lama"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kasus")
        verbose_name_plural = _("kasus")
        indexes = [
            # The queues: "my agency's cases in state X, most recently touched first".
            models.Index(fields=["agency", "status", "-updated_at"], name="case_queue_idx"),
            # Triage (agency null) and regional oversight.
            models.Index(fields=["region", "status", "-updated_at"], name="case_region_queue_idx"),
            models.Index(fields=["status", "-updated_at"], name="case_status_idx"),
            models.Index(fields=["-updated_at"], name="case_updated_idx"),
            # The deadline job and the "due soon / overdue" queues.
            models.Index(fields=["due_date", "status"], name="case_due_idx"),
            # The queue's keyset pages (selectors.queue_page): a state's cases in attention order.
            models.Index(fields=["status", "due_date", "created_at", "id"], name="case_attention_idx"),
            # ... and the groups that span several states (overdue, due soon, open).
            models.Index(fields=["due_date", "created_at", "id"], name="case_due_order_idx"),
            # ... and one part of a scope (scope.cases_q_parts): an agency's, a region's, a
            # province's, a receiving agency's cases in that order, so a page reads 51 index entries, no sort.
            models.Index(fields=["agency", "due_date", "created_at", "id"], name="case_agency_order_idx"),
            models.Index(fields=["region", "due_date", "created_at", "id"], name="case_region_order_idx"),
            models.Index(fields=["province", "due_date", "created_at", "id"], name="case_province_order_idx"),
            # The Bawaslu officer's panel (selectors.waiting_for): the few cases waiting for a kajian.
            models.Index(
                fields=["bawaslu_due_date", "created_at", "id"],
                name="case_bawaslu_waiting_idx",
                condition=models.Q(waiting_for_bawaslu=True),
            ),
            models.Index(
                fields=["referred_to", "due_date", "created_at", "id"],
                name="case_referred_order_idx",
                condition=models.Q(referred_to__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
                name="case_merged_has_target",
            ),
            models.UniqueConstraint(
                fields=["agency", "import_reference"],
                condition=~models.Q(import_reference=""),
                name="case_import_reference_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def surviving_case(self) -> "Case":
        """The case a merged case now lives on (follows a chain; stops on a loop)."""
        case, seen = self, {self.pk}
        while case.status == self.Status.MERGED and case.merged_into_id and case.merged_into_id not in seen:
            seen.add(case.merged_into_id)
            case = cast("Case", case.merged_into)  # merged_into_id checked by the loop
        return case


class Report(models.Model):
    """One submission. Deliberately no IP address, user agent or any other request metadata.

    Accepted first (this row alone, committed before the receipt is answered), then opened: its
    case is created from what is here (``netra.cases.opening``). Until then ``case`` is empty and
    no staff page shows the report.
    """

    case = models.ForeignKey(
        Case,
        verbose_name=_("kasus"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        help_text=_("Kosong sebentar setelah laporan diterima, sampai kasusnya dibuka."),
    )
    region = models.ForeignKey(
        "catalog.Region", verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    election = models.ForeignKey(
        "catalog.Election",
        verbose_name=_("pemilihan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The person reported, as the reporter wrote it (name, nip, position, agency); staff keep
    # the case's Subject rows, which they may correct.
    subject = models.JSONField(_("terlapor menurut pelapor"), default=dict, blank=True)
    description = models.TextField(_("uraian kejadian"))
    incident_date = models.DateField(_("tanggal kejadian"))
    location = models.CharField(_("tempat kejadian"), max_length=300, blank=True)
    links = models.JSONField(_("tautan"), default=list, blank=True)
    contact = models.CharField(_("kontak pelapor"), max_length=200, blank=True)
    receipt_code = models.CharField(_("kode tanda terima"), max_length=13, unique=True)
    # SHA-256 hex of a ≥128-bit random key: a fast hash is enough for a secret with that entropy.
    access_key_hash = models.CharField(_("hash kunci akses"), max_length=64)
    # Keyed hash (HMAC) of the submission's single-use token (web form) or Idempotency-Key (API):
    # a replay of the same submission finds this row instead of making a second report. Written
    # in the one INSERT that accepts the report; the partial unique index settles a race.
    submission_key = models.CharField(_("kunci pengiriman"), max_length=64, null=True, blank=True, editable=False)
    # Why an agency or staff filing dates the incident further back than the public form's limit
    # (NETRA_MAX_INCIDENT_AGE_DAYS): a Bawaslu finding processed late, a case moved from the SBT era.
    incident_date_reason = models.TextField(_("alasan tanggal kejadian lama"), blank=True)
    submitted_at = models.DateTimeField(_("dikirim"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        indexes = [
            # The opener's work queue: only reports without a case yet are in it, so it stays tiny.
            models.Index(fields=["id"], condition=models.Q(case__isnull=True), name="report_unopened_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=models.Q(submission_key__isnull=False),
                name="report_submission_key_uniq",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_code


class ReporterSubmission(models.Model):
    """A follow-up the reporter sent from the status page or the API (evidence, a message), by the
    keyed hash of its single-use token: a reload or a retry of the same one is answered with what
    the first one did instead of being stored again."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("bukti")
        MESSAGE = "message", _("pesan")

    key = models.CharField(_("kunci pengiriman"), max_length=64, unique=True)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    message = models.ForeignKey("Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    evidence_ids = models.JSONField(_("bukti"), default=list, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pengiriman pelapor")
        verbose_name_plural = _("pengiriman pelapor")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class Subject(models.Model):
    """Terlapor: the person reported."""

    class EmploymentStatus(models.TextChoices):
        PNS = "pns", _("PNS")
        PPPK = "pppk", _("PPPK")
        NON_ASN = "non_asn", _("Non-ASN")
        UNKNOWN = "unknown", _("Belum diketahui")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(_("nama"), max_length=200, blank=True)
    nip = models.CharField(_("NIP"), max_length=18, null=True, blank=True, validators=[validate_nip])
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    agency_name = models.CharField(_("instansi (sesuai laporan)"), max_length=200, blank=True)
    unit = models.CharField(_("unit kerja / OPD"), max_length=200, blank=True)
    employment_status = models.CharField(
        _("status kepegawaian"), max_length=10, choices=EmploymentStatus.choices, default=EmploymentStatus.UNKNOWN
    )
    get_employment_status_display = _choice_display("employment_status", EmploymentStatus.choices)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = _("terlapor")
        verbose_name_plural = _("terlapor")
        indexes = [models.Index(fields=["nip"], name="subject_nip_idx")]

    def __str__(self) -> str:
        return self.name or self.nip or str(_("(nama belum diketahui)"))


class Evidence(models.Model):
    """A file handed in. Stored under a random name; the original file name is never kept."""

    class UploadedBy(models.TextChoices):
        REPORTER = "reporter", _("Pelapor")
        STAFF = "staff", _("Petugas")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.PROTECT, related_name="evidence")
    report = models.ForeignKey(
        Report, verbose_name=_("laporan"), null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("berkas"), max_length=200)
    content_type = models.CharField(_("jenis berkas"), max_length=50)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"))
    # Chain of custody: the bytes as received, and the bytes kept (differ when metadata was removed).
    sha256_received = models.CharField(_("SHA-256 diterima"), max_length=64)
    sha256_stored = models.CharField(_("SHA-256 disimpan"), max_length=64)
    metadata_removed = models.BooleanField(
        _("metadata dihapus"),
        default=False,
        help_text=_("Tidak untuk PDF terenkripsi dan berkas yang strukturnya tidak dapat dibaca."),
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    uploaded_by = models.CharField(_("diunggah oleh"), max_length=10, choices=UploadedBy.choices)
    get_uploaded_by_display = _choice_display("uploaded_by", UploadedBy.choices)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("bukti")
        verbose_name_plural = _("bukti")
        indexes = [models.Index(fields=["sha256_received"], name="evidence_sha256_idx")]

    def __str__(self) -> str:
        return f"{self.content_type} {self.sha256_stored[:12]}"


class Message(models.Model):
    """A message between one reporter and the Satgas. Internal notes are a separate model."""

    class Sender(models.TextChoices):
        REPORTER = "reporter", _("Pelapor")
        SATGAS = "satgas", _("Satgas")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.PROTECT, related_name="messages")
    # A conversation is with one reporter: after a merge a case has several.
    report = models.ForeignKey(Report, verbose_name=_("laporan"), on_delete=models.PROTECT, related_name="messages")
    sender = models.CharField(_("pengirim"), max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("petugas"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tidak pernah ditampilkan kepada pelapor."),
    )
    body = models.TextField(_("isi"))
    created_at = models.DateTimeField(_("dikirim"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pesan")
        verbose_name_plural = _("pesan")
        indexes = [models.Index(fields=["report", "created_at"], name="message_report_idx")]

    def __str__(self) -> str:
        return f"{self.get_sender_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Transition(models.Model):
    """One state change of a case; the reporter's public timeline reads these."""

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("dari"), max_length=20, choices=Case.Status.choices, blank=True)
    to_state = models.CharField(_("ke"), max_length=20, choices=Case.Status.choices)
    at = models.DateTimeField(_("waktu"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_note = models.TextField(_("catatan untuk pelapor"), blank=True)
    # Written by the historical import at the date of the register, not made live in Netra.
    imported = models.BooleanField(_("diimpor"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("perubahan status")
        verbose_name_plural = _("perubahan status")
        indexes = [models.Index(fields=["case", "at"], name="transition_case_idx")]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"


# --- workflow records (netra.cases.services writes them; netra.cases.workflow says when) -------


class Recommendation(models.Model):
    """The Satgas' recommendation of a sanction (state ``recommendation``); one per case, latest kept."""

    case = models.OneToOneField(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="recommendation")
    # Catalogue group codes (netra.catalog.violations.GROUP_CODES; api.md `violations`).
    violations = models.JSONField(_("jenis pelanggaran"), default=list)
    sanction_category = models.ForeignKey(
        "catalog.SanctionCategory", verbose_name=_("kategori sanksi"), on_delete=models.PROTECT, related_name="+"
    )
    suggested_category = models.ForeignKey(
        "catalog.SanctionCategory",
        verbose_name=_("kategori sanksi yang disarankan sistem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(_("alasan berbeda dari saran"), blank=True)
    legal_basis = models.TextField(_("dasar hukum"))
    findings = models.TextField(_("fakta dan temuan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dibuat oleh"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # The letter to the PPK (netra.cases.letters): numbered from the agency's yearly sequence the
    # first time it is printed after the lead sent it, so drafts never use up a number.
    letter_number = models.CharField(_("nomor surat rekomendasi"), max_length=100, blank=True)
    letter_date = models.DateField(_("tanggal surat rekomendasi"), null=True, blank=True)

    class Meta:
        verbose_name = _("rekomendasi")
        verbose_name_plural = _("rekomendasi")

    def __str__(self) -> str:
        return f"{self.case}: {self.sanction_category_id}"


class Decision(models.Model):
    """The PPK's decree (SK). BKN may annul it (Perpres 116/2022), which keeps the row for history."""

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="decisions")
    sanction_type = models.ForeignKey(
        "catalog.SanctionType", verbose_name=_("jenis sanksi"), on_delete=models.PROTECT, related_name="+"
    )
    decree_number = models.CharField(_("nomor SK"), max_length=100)
    decree_date = models.DateField(_("tanggal SK"))
    signed_file = models.FileField(_("SK bertanda tangan"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dicatat oleh"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)
    annulled_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    annulment_reason = models.TextField(_("alasan pembatalan"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("keputusan PPK")
        verbose_name_plural = _("keputusan PPK")

    def __str__(self) -> str:
        return self.decree_number


class FollowUp(models.Model):
    """What happened after the decision: sanction carried out, objection or appeal and its result."""

    class Kind(models.TextChoices):
        CARRIED_OUT = "carried_out", _("Sanksi dilaksanakan")
        OBJECTION_FILED = "objection_filed", _("Keberatan diajukan")
        OBJECTION_RESULT = "objection_result", _("Hasil keberatan")
        APPEAL_FILED = "appeal_filed", _("Banding administratif diajukan")
        APPEAL_RESULT = "appeal_result", _("Hasil banding administratif")
        CLOSING = "closing", _("Catatan penutupan")
        OTHER = "other", _("Lainnya")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("uraian"))
    date = models.DateField(_("tanggal"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dicatat oleh"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ControlAction(models.Model):
    """BKN's control actions on an escalated case (SKB 2022; blocking: Peraturan BKN 1/2023)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Peringatan")
        REPRIMAND = "reprimand", _("Teguran")
        BLOCKING = "blocking", _("Pemblokiran data/layanan kepegawaian (SIASN)")
        UNBLOCKING = "unblocking", _("Pembukaan blokir")
        # Recorded by the workflow move ``annulled`` (netra.cases.services), never on its own.
        ANNULMENT = "annulment", _("Pembatalan SK")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="control_actions")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("nomor surat"), max_length=100, blank=True)
    text = models.TextField(_("uraian"), blank=True)
    date = models.DateField(_("tanggal"))
    # Issue #16 item 3: what each kind needs (netra.cases.control.KIND_FIELDS says which).
    addressee = models.CharField(_("ditujukan kepada"), max_length=200, blank=True)
    ppk_deadline = models.DateField(_("batas waktu bagi PPK"), null=True, blank=True)
    siasn_reference = models.CharField(_("nomor/referensi pemblokiran SIASN"), max_length=100, blank=True)
    blocking_scope = models.CharField(_("cakupan pemblokiran"), max_length=30, blank=True)
    decision = models.ForeignKey(
        "Decision",
        verbose_name=_("SK yang dibatalkan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    legal_basis = models.TextField(_("dasar hukum"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dicatat oleh"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("tindakan pengendalian BKN")
        verbose_name_plural = _("tindakan pengendalian BKN")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class InternalNote(models.Model):
    """A note among staff. Never shown to a reporter (not in report_status, not in the public API)."""

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("penulis"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("isi"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("catatan internal")
        verbose_name_plural = _("catatan internal")

    def __str__(self) -> str:
        return f"{self.case} {self.created_at:%Y-%m-%d %H:%M}"


class DeadlinePolicy(models.Model):
    """An SLA: how long a step may take. ``agency`` empty = the default for every agency.

    Keys and regulatory defaults: ``netra.cases.deadlines.DEFAULT_SLAS``. An agency row overrides
    the default row; ``days`` empty switches the deadline off for that agency.
    """

    class Unit(models.TextChoices):
        WORKING = "working", _("hari kerja")
        CALENDAR = "calendar", _("hari kalender")

    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("instansi"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Kosong: berlaku untuk semua instansi yang tidak punya aturan sendiri."),
    )
    key = models.CharField(_("tahap"), max_length=30)
    days = models.PositiveSmallIntegerField(_("jumlah hari"), null=True, blank=True)
    unit = models.CharField(_("satuan"), max_length=10, choices=Unit.choices, default=Unit.WORKING)
    source = models.CharField(_("sumber aturan"), max_length=300, blank=True)

    class Meta:
        ordering = ["key", "agency"]
        verbose_name = _("aturan tenggat")
        verbose_name_plural = _("aturan tenggat")
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="deadline_policy_unique_agency"),
            # NULLs are distinct in a unique index: the default row needs its own constraint.
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(agency__isnull=True), name="deadline_policy_unique_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.days} {self.get_unit_display()}"


class LetterCounter(models.Model):
    """The last letter number an agency used in a year (agenda book). Incremented under a row lock."""

    agency = models.ForeignKey("orgs.Agency", verbose_name=_("instansi"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    last = models.PositiveIntegerField(_("nomor terakhir"), default=0)

    class Meta:
        verbose_name = _("penomoran surat")
        verbose_name_plural = _("penomoran surat")
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="letter_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


# --- triage (netra.cases.triage_flow; the engine is netra.triage) ------------------------------


class TriageResult(models.Model):
    """What triage read in a case's first report: ranked violation groups and key facts.

    Written once: the row is inserted empty when the case is opened (``computed_at`` empty) and
    filled after that commit, off the intake's path (``triage_flow.triage_pending``). The
    duplicate lookup searches ``search_text`` (PostgreSQL: ``similarity()`` over a small window, else
    the GIN index of its tsvector ``search_vector``, migration 0018; SQLite: the FTS5 table
    ``cases_triage_fts``, migration 0011).
    """

    case = models.OneToOneField(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="triage")
    # [{"code": group code or "not_violation", "confidence": 0..1, "words": [...]}], best first.
    suggestions = models.JSONField(_("saran kelompok pelanggaran"), default=list, blank=True)
    # netra.triage Facts as JSON (dates as ISO strings).
    facts = models.JSONField(_("fakta kunci"), default=dict, blank=True)
    top_code = models.CharField(_("saran teratas"), max_length=30, blank=True)
    top_confidence = models.FloatField(_("keyakinan saran teratas"), default=0.0)
    # The report's text and subject as the duplicate index reads them (lower-cased, bounded).
    search_text = models.TextField(_("teks pencarian duplikat"), blank=True)
    # The first case (id) of the cluster of reports of one incident; empty: no look-alike yet.
    cluster = models.BigIntegerField(_("klaster"), null=True, blank=True)
    computed_at = models.DateTimeField(_("dihitung"), null=True, blank=True)
    # The case's look-alikes found by the duplicate lookup in its agency's reach (no reader's
    # scope), strongest first: [{"case": id, "similarity": 0..1, "reasons": {"id": [...], "en": [...]}}].
    # Written when the triage is stored, when a later look-alike arrives, and by "Cari ulang";
    # the case page re-checks them against its reader's scope (``triage_flow.stored_duplicates``).
    # Empty (null): never searched.
    duplicates = models.JSONField(_("kemungkinan duplikat"), null=True, blank=True)
    duplicates_at = models.DateTimeField(_("duplikat dicari"), null=True, blank=True)
    # What the duplicate lookup reads from the words of ``search_text`` (the costly part of a
    # candidate's features), computed when the result is stored: {"v": the engine's
    # ``TEXT_PARTS_VERSION``, "skip": characters of ``search_text`` before the report's own text,
    # "words": its content words, "acts": what it says happened}. Used only while both still hold
    # (else the text is read again); ``manage.py triage_text_parts`` fills old or stale rows.
    text_parts = models.JSONField(_("bagian teks"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hasil triase")
        verbose_name_plural = _("hasil triase")
        indexes = [
            models.Index(fields=["cluster"], name="triage_cluster_idx"),
            # The triage job's work queue: only rows not computed yet, so it stays tiny.
            models.Index(fields=["id"], condition=models.Q(computed_at__isnull=True), name="triage_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.top_code}"


class TriageKey(models.Model):
    """A value two reports of one incident share exactly (a link, a NIP named in the text)."""

    class Kind(models.TextChoices):
        LINK = "link", _("tautan")
        NIP = "nip", _("NIP")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="triage_keys")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("kunci duplikat")
        verbose_name_plural = _("kunci duplikat")
        indexes = [models.Index(fields=["value", "kind"], name="triage_key_value_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class TriageCorrection(models.Model):
    """An officer's answer to the suggestion: confirmed (chosen = suggested) or corrected."""

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.CASCADE, related_name="triage_corrections")
    suggested = models.CharField(_("disarankan"), max_length=30, blank=True)
    chosen = models.CharField(_("dipilih"), max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("oleh"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("koreksi triase")
        verbose_name_plural = _("koreksi triase")
        indexes = [models.Index(fields=["case", "at"], name="triage_correction_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.suggested} → {self.chosen}"


class LinkArchive(models.Model):
    """One link of a report, fetched once by the worker (``netra.cases.archive``): the chain of
    custody of a post that may be deleted tomorrow. Files are stored like evidence (random names,
    private storage); the hashes are of the bytes stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        ARCHIVED = "archived", _("Diarsipkan")
        FAILED = "failed", _("Gagal")

    case = models.ForeignKey(Case, verbose_name=_("kasus"), on_delete=models.PROTECT, related_name="link_archives")
    report = models.ForeignKey(
        Report, verbose_name=_("laporan"), on_delete=models.PROTECT, related_name="link_archives", db_index=False
    )
    url = models.URLField(_("tautan"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    failure = models.CharField(_("alasan gagal"), max_length=40, blank=True)
    fetched_at = models.DateTimeField(_("diambil"), null=True, blank=True)
    final_url = models.URLField(_("tautan akhir"), max_length=2000, blank=True)
    http_status = models.PositiveSmallIntegerField(_("status HTTP"), null=True, blank=True)
    snapshot = models.FileField(_("salinan halaman (MHTML)"), max_length=200, blank=True)
    snapshot_sha256 = models.CharField(_("SHA-256 salinan"), max_length=64, blank=True)
    snapshot_size = models.PositiveBigIntegerField(_("ukuran salinan (byte)"), null=True, blank=True)
    screenshot = models.FileField(_("tangkapan layar (PNG)"), max_length=200, blank=True)
    screenshot_sha256 = models.CharField(_("SHA-256 tangkapan layar"), max_length=64, blank=True)
    screenshot_size = models.PositiveBigIntegerField(_("ukuran tangkapan layar (byte)"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("arsip tautan")
        verbose_name_plural = _("arsip tautan")
        constraints = [models.UniqueConstraint(fields=["report", "url"], name="link_archive_report_url_uniq")]

    def __str__(self) -> str:
        return f"{self.status} {self.url[:60]}"


class HistoryImport(models.Model):
    """One upload of an agency's earlier case register (``netra.cases.history_import``): its file,
    options, progress and report (row errors, what was imported)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        RUNNING = "running", _("Diproses")
        INVALID = "invalid", _("Ada kesalahan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    agency = models.ForeignKey("orgs.Agency", on_delete=models.CASCADE, related_name="history_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    import_valid_rows = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("impor register kasus lama")
        verbose_name_plural = _("impor register kasus lama")

    def __str__(self) -> str:
        return f"{self.agency} — {self.filename}"
