"""Public statistics: reports, proven cases and sanctions per region and violation group.

Summed from the aggregate table ``insights.Aggregate`` (rebuilt from the ``cases`` tables by
``netra.insights.aggregates.rebuild``, scheduled), suppressed
(``netra.insights.suppression``) and cached (``NETRA_STATS_CACHE_SECONDS``); the public page, the
map and the open data all read :func:`public_table`, so they publish the same suppressed figures.

Definitions (docs/integration.md, "Statistik publik"):
- ``reports``: cases opened from a report, a Bawaslu finding or a referral, except those merged
  into another case (duplicates of a report already counted).
- ``proven``: cases whose recommendation the Satgas sent to the PPK (a move to
  ``awaiting_decision`` happened), by the first violation group of the recommendation.
- ``sanctioned``: cases with a PPK decision that was not annulled.
- ``violation``: the recommendation's first group; ``unclassified`` while there is none.
- ``ppk_compliance_percent``: sanctioned / proven, one decimal; null when either is suppressed.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from netra.catalog.models import Election, Region, ViolationGroup
from netra.insights.aggregates import UNCLASSIFIED, generation
from netra.insights.models import Aggregate
from netra.insights.suppression import Line, suppress

ALL = "*"
NATION = "ID"
MEASURES = ("reports", "proven", "sanctioned")
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>0[1-9]|1[0-2]))?$")


def threshold() -> int:
    return int(getattr(settings, "NETRA_STATS_MIN_COUNT", 5))


def parse_period(value: str | None) -> tuple[datetime.date, datetime.date] | None:
    """``"2024"`` or ``"2024-02"`` → [first day, day after); None for empty; ValueError if malformed."""
    if not value:
        return None
    match = _PERIOD.match(value)
    if not match:
        raise ValueError(value)
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        start = datetime.date(year, month, 1)
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    else:
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    return start, end


def violation_codes() -> list[str]:
    return [*ViolationGroup.objects.order_by("order", "code").values_list("code", flat=True), UNCLASSIFIED]


def raw_cells(election: str | None = None, period: str | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """Exact counts per (case region code, violation code), before suppression, summed from the
    aggregate table (``netra.insights.aggregates``: as of its last rebuild)."""
    qs = Aggregate.objects.all()
    if election:
        qs = qs.filter(election_id=election)
    if bounds := parse_period(period):
        qs = qs.filter(bucket__gte=bounds[0], bucket__lt=bounds[1])
    rows = (
        qs.order_by()
        .values("region_id", "violation")
        .annotate(n_reports=Sum("reports"), n_proven=Sum("proven"), n_sanctioned=Sum("sanctioned"))
    )
    known = set(violation_codes())
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in rows:
        violation = row["violation"] if row["violation"] in known else UNCLASSIFIED
        cell = cells[(row["region_id"], violation)]
        cell["reports"] += row["n_reports"]
        cell["proven"] += row["n_proven"]
        cell["sanctioned"] += row["n_sanctioned"]
    return dict(cells)


@dataclass
class Table:
    """Every published figure of one (election, period): ``values[measure][(region_key, violation)]``.

    Region keys: ``"ID"`` (the nation), a province code (``"62"``: the province's total), a
    kabupaten/kota code, or ``"62/prov"`` (cases of the province's own agencies).
    ``None`` in ``values`` means suppressed.
    """

    values: dict[str, dict[tuple[str, str], int | None]]
    violations: list[str]
    provinces: list[str]
    children: dict[str, list[str]]  # province code → its region keys with a row (kab/kota, "62/prov")
    names: dict[str, str]
    built_at: str

    def get(self, measure: str, region: str, violation: str = ALL) -> int | None:
        return self.values[measure].get((region, violation), 0)

    def compliance(self, region: str, violation: str = ALL) -> float | None:
        proven, sanctioned = self.get("proven", region, violation), self.get("sanctioned", region, violation)
        if proven is None or sanctioned is None or not proven:
            return None
        return round(100 * sanctioned / proven, 1)


def build_table(election: str | None = None, period: str | None = None) -> Table:
    cells = raw_cells(election, period)
    violations = violation_codes()
    regions = {r.code: r for r in Region.objects.all()}
    provinces = sorted(code for code, region in regions.items() if region.parent_id is None)
    children: dict[str, list[str]] = {code: [] for code in provinces}
    for code in sorted(regions):
        if "." in code:
            children[code[:2]].append(code)
    for code in provinces:
        if any((code, v) in cells for v in violations):
            children[code].append(f"{code}/prov")

    def leaf_key(region_code: str) -> str:
        return region_code if "." in region_code else f"{region_code}/prov"

    counts: dict[str, dict[tuple[str, str], int]] = {m: defaultdict(int) for m in MEASURES}
    for (region_code, violation), cell in cells.items():
        leaf, province = leaf_key(region_code), region_code[:2]
        for measure in MEASURES:
            n = cell[measure]
            for region in (leaf, province, NATION):
                counts[measure][(region, violation)] += n
                counts[measure][(region, ALL)] += n
    lines: list[Line] = []
    every_region = [NATION, *provinces, *(key for keys in children.values() for key in keys)]
    for region in every_region:
        lines.append(Line((region, ALL), tuple((region, v) for v in violations)))
    for violation in (*violations, ALL):
        lines.append(Line((NATION, violation), tuple((p, violation) for p in provinces)))
        for province in provinces:
            lines.append(Line((province, violation), tuple((key, violation) for key in children[province])))
    values: dict[str, dict[tuple[str, str], int | None]] = {}
    limit = threshold()
    for measure in MEASURES:
        table = {(region, v): 0 for region in every_region for v in (*violations, ALL)}
        table.update(counts[measure])
        hidden = suppress(table, lines, limit)
        values[measure] = {key: (None if key in hidden else value) for key, value in table.items()}
    names = {code: region.name for code, region in regions.items()}
    for province in provinces:
        names[f"{province}/prov"] = f"{regions[province].name} (instansi provinsi)"
    names[NATION] = "Indonesia"
    return Table(
        values=values,
        violations=violations,
        provinces=provinces,
        children=children,
        names=names,
        built_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    )


def _cache_key(election: str | None, period: str | None) -> str:
    return f"netra.insights.table:{generation()}:{threshold()}:{election or ''}:{period or ''}"


def public_table(election: str | None = None, period: str | None = None, *, rebuild: bool = False) -> Table:
    """The suppressed table, from the cache when it is there (``NETRA_STATS_CACHE_SECONDS``)."""
    key = _cache_key(election, period)
    if not rebuild and (table := cache.get(key)) is not None:
        return table
    table = build_table(election, period)
    cache.set(key, table, int(getattr(settings, "NETRA_STATS_CACHE_SECONDS", 600)))
    return table


def elections() -> list[Election]:
    return list(Election.objects.order_by("-voting_date"))


def items(table: Table, *, region_code: str | None = None, violation: str | None = None) -> list[dict]:
    """Open-data rows: per province (no region) or per kabupaten/kota of a province, per violation
    group and for all groups (``violation: null``)."""
    if region_code:
        rows = table.children.get(region_code[:2], []) if "." not in region_code else [region_code]
    else:
        rows = table.provinces
    columns = [violation] if violation else [*table.violations, ALL]
    out = []
    for region in rows:
        for column in columns:
            code, level = _region_code(region)
            out.append(
                {
                    "region_code": code,
                    "region_name": table.names.get(region, code),
                    "level": level,
                    "violation": None if column == ALL else column,
                    "reports": table.get("reports", region, column),
                    "proven": table.get("proven", region, column),
                    "sanctioned": table.get("sanctioned", region, column),
                    "ppk_compliance_percent": table.compliance(region, column),
                }
            )
    return out


def _region_code(key: str) -> tuple[str, str]:
    if key.endswith("/prov"):
        return key[:2], "province_agencies"
    return key, ("province" if "." not in key else "kabupaten_kota")
