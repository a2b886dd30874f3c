"""Schemas of the public API v1 (api.md, "Public").

Input fields are deliberately loose (all optional text): the rules live in ``netra.cases.intake``
so the form and the API share them and a client gets every problem at once, in Indonesian. The
OpenAPI document still shows the contract (required fields, formats, lengths).
"""

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict


class ReportIn(Schema):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"required": ["description", "incident_date", "region_code"]},
    )

    description: str | None = Field(
        None,
        description="Apa yang terjadi (20 sampai 10000 karakter).",
        json_schema_extra={"minLength": 20, "maxLength": 10000},
    )
    incident_date: str | None = Field(
        None,
        description="Tanggal kejadian, YYYY-MM-DD; tidak di masa depan.",
        json_schema_extra={"format": "date"},
    )
    region_code: str | None = Field(
        None, description='Kode wilayah Kemendagri: provinsi "62" atau kab/kota "62.06".', examples=["62.06"]
    )
    subject_name: str | None = Field(None, json_schema_extra={"maxLength": 200})
    subject_nip: str | None = Field(
        None,
        description="NIP 18 angka (tanggal lahir, TMT CPNS, jenis kelamin, nomor urut).",
        examples=["198503122010011003"],
    )
    subject_position: str | None = Field(None, json_schema_extra={"maxLength": 200})
    subject_agency: str | None = Field(None, json_schema_extra={"maxLength": 200})
    location: str | None = Field(None, json_schema_extra={"maxLength": 300})
    links: list | None = Field(
        None,
        description="Tautan http(s), paling banyak 10.",
        json_schema_extra={"items": {"type": "string", "format": "uri"}, "maxItems": 10},
    )
    contact: str | None = Field(
        None, description="Opsional; kosongkan agar tetap anonim.", json_schema_extra={"maxLength": 200}
    )
    election: str | None = Field(None, description="Kode pemilihan (opsional).")


class ReportCreated(Schema):
    receipt_code: str = Field(..., examples=["NTR-7K3M-Q9XD"])
    access_key: str = Field(..., description="Rahasia; hanya ditampilkan sekali.")
    status: str
    status_url: str


class EvidenceOut(Schema):
    id: int
    sha256: str = Field(..., description="SHA-256 of the file as received.")
    content_type: str
    size: int
    sha256_stored: str = Field(..., description="SHA-256 of the file as kept (differs when metadata was removed).")


class TimelineStep(Schema):
    status: str
    label: str
    at: datetime.datetime
    note: str = ""


class MessageIn(Schema):
    body: str | None = Field(None, json_schema_extra={"minLength": 1, "maxLength": 5000})


class MessageOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(..., alias="from", description='"reporter" atau "satgas"')
    body: str
    at: datetime.datetime


class ReportStatus(Schema):
    receipt_code: str
    status: str
    status_label: str
    submitted_at: datetime.datetime
    timeline: list[TimelineStep]
    messages: list[MessageOut]
