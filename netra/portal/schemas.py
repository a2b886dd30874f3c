"""Schemas of the public API v1 (api.md, "Public").

The report's input (``ReportIn``) and the error shape live in ``netra.api_schemas``: the agency
API takes the same fields.
"""

import datetime

from ninja import Field, Schema
from pydantic import ConfigDict


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
