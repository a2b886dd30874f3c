"""Schemas of the agency API v1 (api.md, "Agencies (token)").

Answers are built as plain dicts by ``netra.sharing.present``; these classes validate them and
document the contract in the OpenAPI document. Inputs stay loose where ``netra.cases.intake`` or
the workflow check them, so a client gets every problem at once, in Indonesian.
"""

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from netra.api_schemas import ReportIn

SOURCES = ["bawaslu_finding", "agency_referral", "public_report"]
EVENTS = ["case.created", "case.transitioned", "case.deadline_missed"]


def page_of(items, page: int, page_size: int):
    """One page (1-based) of a queryset or a list: what every paged list of the agency API answers."""
    offset = (page - 1) * page_size
    return items[offset : offset + page_size]


class Page(Schema):
    count: int = Field(..., description="Jumlah seluruh hasil yang cocok dengan filter.")
    page: int
    page_size: int
    next_cursor: str | None = Field(
        None,
        description="Tambahan di luar kontrak: kirim sebagai ?cursor= untuk halaman berikutnya "
        "(keyset, secepat halaman pertama). Kosong pada halaman terakhir.",
    )


class CaseItem(Schema):
    id: int
    number: str | None
    status: str
    status_label: str
    source: str
    source_reference: str
    agency: str | None = Field(..., description="Kode instansi penanggung jawab; kosong = antrean triase.")
    region_code: str
    election: str | None
    incident_date: datetime.date
    due_date: datetime.date | None
    overdue: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CasePage(Page):
    items: list[CaseItem]


class SubjectOut(Schema):
    id: int
    name: str
    nip: str | None
    position: str
    agency_name: str
    unit: str
    employment_status: str


class EvidenceMeta(Schema):
    id: int
    content_type: str
    size: int
    sha256: str = Field(..., description="SHA-256 berkas yang disimpan Netra (metadata sudah dihapus).")
    sha256_stored: str = Field(..., description="SHA-256 berkas yang disimpan (sama dengan sha256).")
    sha256_received: str | None = Field(
        None,
        description="SHA-256 berkas asli sebagaimana diterima: hanya untuk token Satgas instansi pemilik kasus.",
    )
    metadata_removed: bool
    uploaded_by: str
    uploaded_at: datetime.datetime


class ReportOut(Schema):
    id: int
    description: str
    incident_date: datetime.date
    location: str
    links: list[str]
    submitted_at: datetime.datetime


class TransitionOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_state: str = Field(..., alias="from")
    to_state: str = Field(..., alias="to")
    at: datetime.datetime
    note: str


class DeadlineOut(Schema):
    key: str = Field(..., description="Jenis tenggat (misalnya tahap yang sedang berjalan, atau bawaslu_review).")
    due_date: datetime.date
    overdue: bool


class RecommendationOut(Schema):
    violations: list[str]
    sanction_category: str
    suggested_category: str | None
    legal_basis: str
    findings: str
    created_at: datetime.datetime


class DecisionOut(Schema):
    sanction_type: str
    decree_number: str
    decree_date: datetime.date
    annulled_at: datetime.datetime | None
    created_at: datetime.datetime


class ControlActionOut(Schema):
    """BKN's control action (issue #16): warning, reprimand, SIASN blocking/unblocking, SK annulment."""

    id: int
    kind: str = Field(..., description="warning, reprimand, blocking, unblocking, annulment")
    kind_label: str
    date: datetime.date
    reference: str = Field(..., description="Nomor surat BKN.")
    addressee: str
    ppk_deadline: datetime.date | None
    siasn_reference: str
    blocking_scope: str = Field(..., description="all, promotion, transfer, pension (pemblokiran) atau kosong.")
    annulled_decision: int | None
    legal_basis: str
    text: str


class ReferralOut(Schema):
    agency: str = Field(..., description="Kode instansi tujuan rujukan (BKN pusat atau Satgas provinsi).")
    agency_name: str
    since: datetime.datetime | None


class CaseDetail(CaseItem):
    region_name: str
    agency_name: str | None
    dismissal_reason: str
    forwarded_to_external: str
    merged_into: int | None
    waiting_for_bawaslu: bool
    subjects: list[SubjectOut]
    reports: list[ReportOut]
    evidence: list[EvidenceMeta]
    transitions: list[TransitionOut]
    deadlines: list[DeadlineOut]
    recommendation: RecommendationOut | None
    decision: DecisionOut | None
    allowed_actions: list[str] = Field(..., description="Langkah yang boleh diambil token ini sekarang.")
    control_actions: list[ControlActionOut] = Field(default_factory=list, description="Tindakan pengendalian BKN.")
    referred_to: ReferralOut | None = Field(None, description="Rujukan ke tingkat atas yang sedang berjalan.")


class CaseIn(ReportIn):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"required": ["description", "incident_date", "region_code", "source"]},
    )

    source: str | None = Field(None, json_schema_extra={"enum": [*SOURCES]})
    incident_date_reason: str | None = Field(
        None,
        description=(
            "Wajib bila `incident_date` lebih lama dari batas formulir publik (730 hari): mengapa kasus lama "
            "diajukan sekarang (temuan Bawaslu yang baru diproses, kasus pindahan dari masa SBT). Tanpa alasan: "
            "422 `incident_date_reason_required`."
        ),
        json_schema_extra={"maxLength": 2000},
    )
    source_reference: str | None = Field(
        None, description="Nomor temuan Bawaslu atau nomor surat penerusan.", json_schema_extra={"maxLength": 200}
    )


class CaseCreated(Schema):
    id: int
    number: str | None
    status: str
    source: str
    source_reference: str
    agency: str | None
    region_code: str
    url: str
    receipt_code: str = Field(..., description="Kode tanda terima (rujukan laporan).")
    access_key: str | None = Field(
        None,
        description=(
            "Selalu null untuk kasus dari instansi: kunci akses halaman status hanya untuk pelapor masyarakat, "
            "sehingga instansi tidak dapat berkirim pesan sebagai pelapor."
        ),
    )


class TransitionIn(Schema):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["action"]})

    action: str | None = Field(None, description="Status tujuan (design.md 3), mis. checking, dismissed.")
    note: str | None = Field(None, description="Catatan, disimpan di log audit.", json_schema_extra={"maxLength": 5000})
    data: dict | None = Field(None, description="Data yang dibutuhkan langkah ini (api.md, Transitions).")


class EventOut(Schema):
    id: int
    at: datetime.datetime
    action: str
    actor: str
    data: dict


class EventPage(Page):
    items: list[EventOut]


class ViolationItemOut(Schema):
    code: str
    name: str
    legal_basis: str


class ViolationOut(Schema):
    code: str
    name: str
    name_en: str
    legal_basis: str
    sanction_category: str | None
    items: list[ViolationItemOut]


class ViolationPage(Page):
    items: list[ViolationOut]


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    timezone: str


class RegionPage(Page):
    items: list[RegionOut]


class WebhookIn(Schema):
    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["url", "events"]})

    url: str | None = Field(None, json_schema_extra={"format": "uri", "maxLength": 500})
    events: list[str] | None = Field(None, json_schema_extra={"items": {"type": "string", "enum": [*EVENTS]}})


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime.datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(..., description="Kunci HMAC untuk X-Netra-Signature; hanya ditampilkan sekali.")


class WebhookPage(Page):
    items: list[WebhookOut]
