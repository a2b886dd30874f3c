"""Per-process caches of the reference data intake reads for every report.

A report names a region (552 rows, loaded once from Kemendagri's codes), optionally an election,
and is routed to the agency owning the region. These rows almost never change, yet reading them
was a third of an intake's queries. Each process loads the whole routing table (every region
with its owning agency: three queries) and keeps it for ``TTL`` seconds; a save or delete of a
region, election or agency in this process clears it at once, so the bound only applies to
changes made by another process (an admin saving an agency on another web worker): a new report
may be routed by the old table for up to a minute. Changes made with ``QuerySet.update()`` send
no signal and are likewise picked up within ``TTL``.

A region code missing from the table is looked up on its own every time, uncached: a region
loaded since is found at once, and unknown codes sent in a loop never reload the table.

Values are kept as plain field values and turned into a fresh model instance per call: a model
instance shared between threads could be changed by one request under another.
"""

import threading
import time

from django.db.models.signals import m2m_changed, post_delete, post_save

from netra.catalog.models import Election, Region
from netra.orgs.models import Agency

TTL = 60.0  # seconds
PEMDA_KINDS = (Agency.Kind.PEMDA_REGENCY, Agency.Kind.PEMDA_CITY, Agency.Kind.PEMDA_PROVINCE)
_MISSING = object()


class _TTLCache:
    """A dict whose entries expire; a lock because gunicorn's gthread workers share it."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._data: dict = {}
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic():
            return _MISSING
        return entry[1]

    def set(self, key, value) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self, *args, **kwargs) -> None:
        with self._lock:
            self._data.clear()


_tables = _TTLCache(TTL)  # "regions" → {code: (Region values, owning Agency values or None)}
_elections = _TTLCache(TTL)  # code → Election field values


def _values(instance) -> tuple[list[str], tuple]:
    names = [field.attname for field in instance._meta.concrete_fields]
    return names, tuple(getattr(instance, name) for name in names)


def _instance(model, cached):
    names, values = cached
    return model.from_db("default", names, values)


def _routing_table() -> dict:
    """Every region with the agency owning its new cases: three queries, once per TTL."""
    table = _tables.get("regions")
    if table is not _MISSING:
        return table
    pemda, regional = {}, {}
    for agency in Agency.objects.filter(kind__in=PEMDA_KINDS, active=True, region__isnull=False).order_by("-pk"):
        pemda[agency.region_id] = agency  # descending pk: the lowest pk wins, as before
    covered = Agency.covered_regions.through.objects.filter(
        agency__kind=Agency.Kind.BKN_REGIONAL, agency__active=True
    ).select_related("agency")
    for row in sorted(covered, key=lambda row: -row.agency_id):
        regional[row.region_id] = row.agency
    table = {}
    for region in Region.objects.all():
        owner = pemda.get(region.code) or regional.get(region.parent_id or region.code)
        table[region.code] = (_values(region), _values(owner) if owner is not None else None)
    _tables.set("regions", table)
    return table


def region_rows() -> list[tuple[str, str, str | None, str]]:
    """Every region as (code, name, parent code, kind), by code: the report form's two pickers.

    From the routing table, so no query within ``TTL``; built once per table (the form used to
    read and instantiate all 552 regions for every page and every POST: half its CPU).
    """
    table = _routing_table()
    cached = _tables.get("region_rows")
    if cached is not _MISSING and cached[0] is table:
        return cached[1]
    rows = []
    for names, values in (entry[0] for entry in table.values()):
        field = dict(zip(names, values, strict=True))
        rows.append((field["code"], field["name"], field["parent_id"], field["kind"]))
    rows.sort()
    _tables.set("region_rows", (table, rows))
    return rows


def region(code: str) -> Region | None:
    """The region with this code, or None when it does not exist."""
    entry = _routing_table().get(code)
    if entry is not None:
        return _instance(Region, entry[0])
    # Not in the table: perhaps loaded since. Looked up alone, and not cached, so unknown codes
    # sent again and again cost one small query each, never a reload of the table.
    return Region.objects.filter(code=code).first()


def election(code: str) -> Election | None:
    """The election with this code, or None when it does not exist."""
    cached = _elections.get(code)
    if cached is _MISSING:
        found = Election.objects.filter(code=code).first()
        if found is None:
            return None
        cached = _values(found)
        _elections.set(code, cached)
    return _instance(Election, cached)


_ALL_ELECTIONS = "\x00all"  # the key of the list in ``_elections`` (no election code has a NUL byte)


def election_choices() -> list[tuple[str, str]]:
    """Every election as (code, name), newest voting day first (the queue's election filter).

    Cached with the single elections and cleared with them: an election saved in this process
    (the elections page) shows at once; one saved by another process within ``TTL``.
    """
    cached = _elections.get(_ALL_ELECTIONS)
    if cached is _MISSING:
        cached = list(Election.objects.order_by("-voting_date", "code").values_list("code", "name"))
        _elections.set(_ALL_ELECTIONS, cached)
    return list(cached)


def owning_agency(region: Region) -> Agency | None:
    """The agency that owns a new case in ``region``: its pemda, else the BKN regional office, else None."""
    entry = _routing_table().get(region.code)
    if entry is None:  # a region newer than the table
        return _owning_agency(region)
    return _instance(Agency, entry[1]) if entry[1] is not None else None


def _owning_agency(region: Region) -> Agency | None:
    pemda = Agency.objects.filter(kind__in=PEMDA_KINDS, region=region, active=True).order_by("pk").first()
    if pemda:
        return pemda
    province_code = region.parent_id or region.code
    return (
        Agency.objects.filter(kind=Agency.Kind.BKN_REGIONAL, covered_regions__code=province_code, active=True)
        .order_by("pk")
        .first()
    )


def clear() -> None:
    """Forget everything (tests call it between tests: their rows come and go with rollbacks)."""
    for cache in (_tables, _elections):
        cache.clear()


# A region's parent, a pemda's region or kind, a regional office's provinces: any of them can
# change the routing table, so any change clears it (they are rare).
for _sender, _signal, _name in (
    (Region, post_save, "region_saved"),
    (Region, post_delete, "region_deleted"),
    (Agency, post_save, "agency_saved"),
    (Agency, post_delete, "agency_deleted"),
    (Agency.covered_regions.through, m2m_changed, "agency_regions_changed"),
):
    _signal.connect(_tables.clear, sender=_sender, dispatch_uid=f"netra.cases.lookups.table_{_name}")
post_save.connect(_elections.clear, sender=Election, dispatch_uid="netra.cases.lookups.election_saved")
post_delete.connect(_elections.clear, sender=Election, dispatch_uid="netra.cases.lookups.election_deleted")
