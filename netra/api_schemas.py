"""Schemas that more than one API router uses (below the faces, like ``netra.api_errors``): the
error shape of every JSON answer and the report fields the public and the agency API both take.

Input fields are deliberately loose (all optional text): the rules live in ``netra.cases.intake``
so the form and both APIs share them and a client gets every problem at once, in Indonesian. The
OpenAPI document still shows the contract (required fields, formats, lengths).
"""

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


class ErrorBody(Schema):
    code: str = Field(..., examples=["validation_error"])
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody
