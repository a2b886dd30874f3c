"""Open data: ``GET /api/v1/public/statistics`` (no token), JSON or ``?format=csv``.

The same suppressed figures as the public page (``stats.public_table``); the schema is a contract
addition documented in docs/integration.md ("Statistik publik").
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from netra.api_errors import error_response
from netra.api_schemas import ErrorOut
from netra.catalog.models import Election, Region
from netra.insights import stats
from netra.ratelimit import enforce_rate

router = Router(tags=["Statistik publik"])

COLUMNS = (
    "region_code",
    "region_name",
    "level",
    "violation",
    "reports",
    "proven",
    "sanctioned",
    "ppk_compliance_percent",
)


class StatisticsItem(Schema):
    region_code: str
    region_name: str
    level: str
    violation: str | None
    reports: int | None
    proven: int | None
    sanctioned: int | None
    ppk_compliance_percent: float | None


class StatisticsOut(Schema):
    election: str | None
    period: str | None
    region_code: str | None
    violation: str | None
    min_count: int
    generated_at: str
    items: list[StatisticsItem]


def _plain(value: str) -> bool:
    """A code worth looking up: short, no NUL (PostgreSQL refuses NUL in text, SQLite would not)."""
    return len(value) <= 64 and "\x00" not in value


@router.get(
    "",
    response={200: StatisticsOut, 422: ErrorOut, 429: ErrorOut},
    url_name="public_statistics",
    summary="Statistik publik (data terbuka)",
    description=(
        "Laporan, kasus terbukti dan sanksi per provinsi (atau per kabupaten/kota dari `region_code` provinsi) "
        "dan per kelompok pelanggaran. Angka di bawah `min_count` disembunyikan (`null`), termasuk selisih yang "
        "dapat mengungkapkannya. `format=csv` untuk CSV."
    ),
)
def statistics(
    request,
    election: str | None = None,
    region_code: str | None = None,
    violation: str | None = None,
    period: str | None = None,
    format: str | None = None,
):
    enforce_rate(request, "statistics")
    fields: dict[str, list[str]] = {}
    if election and not (_plain(election) and Election.objects.filter(code=election).exists()):
        fields["election"] = [_("Pemilihan tidak dikenal.")]
    if region_code and not (_plain(region_code) and Region.objects.filter(code=region_code).exists()):
        fields["region_code"] = [_("Kode wilayah tidak dikenal.")]
    if violation and violation not in stats.violation_codes():
        fields["violation"] = [_("Kelompok pelanggaran tidak dikenal.")]
    try:
        stats.parse_period(period)
    except ValueError:
        fields["period"] = [_("Gunakan TTTT atau TTTT-BB, misalnya 2024 atau 2024-02.")]
    if format not in (None, "", "json", "csv"):
        fields["format"] = [_("Gunakan json atau csv.")]
    if fields:
        return error_response("validation_error", _("Permintaan tidak valid."), fields)
    table = stats.public_table(election or None, period or None)
    items = stats.items(table, region_code=region_code or None, violation=violation or None)
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in items:
            writer.writerow({k: ("" if v is None else v) for k, v in item.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="netra-statistik.csv"'
        return response
    return {
        "election": election or None,
        "period": period or None,
        "region_code": region_code or None,
        "violation": violation or None,
        "min_count": stats.threshold(),
        "generated_at": table.built_at,
        "items": items,
    }
