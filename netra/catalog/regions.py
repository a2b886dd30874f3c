"""Regions: the 38 provinces and 514 kabupaten/kota by Kemendagri code.

The data file ``data/regions.csv`` is produced by ``scripts/convert_wilayah.py`` from the public
Kepmendagri list (see ``data/README.md`` for source, licence and version).
"""

import csv
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from netra.catalog.models import Region

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.csv"


@transaction.atomic
def load_regions(*, path: Path = DATA_FILE) -> int:
    """Insert or update every region of the CSV (idempotent); returns the number of rows in it.

    Regions absent from the file are left alone: cases and agencies may point at them.
    """
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    provinces = [r for r in rows if r["kind"] == Region.Kind.PROVINCE]
    others = [r for r in rows if r["kind"] != Region.Kind.PROVINCE]
    # Provinces first: each kabupaten/kota points at its province, whose code is its prefix.
    for batch in (provinces, others):
        Region.objects.bulk_create(
            [
                Region(
                    code=r["code"],
                    name=r["name"],
                    kind=r["kind"],
                    parent_id=None if r["kind"] == Region.Kind.PROVINCE else r["code"][:2],
                    timezone=r["timezone"],
                )
                for r in batch
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "kind", "parent", "timezone"],
        )
    return len(rows)


def provinces() -> QuerySet[Region]:
    return Region.objects.filter(kind=Region.Kind.PROVINCE)


def regencies_of(province_code: str) -> QuerySet[Region]:
    """The kabupaten and kota of a province, by code."""
    return Region.objects.filter(parent_id=province_code)
