"""Agency API: prevention coverage and socialisation events (issue #11 item 8).

``GET /api/v1/pacts/coverage`` (one row per OPD) and ``GET /api/v1/events`` (events with their
attendance counts), for a provincial dashboard or BKN. Same token auth, error shape and paging
as the rest of the agency API (``netra.sharing.api``). A token reaches what a member of its agency
in its role reaches (``orgs.selectors.scope_for_agency_role``); a token acting as agency admin
reaches its own agency. An ``agency`` filter outside that reach answers 404, like an unknown one.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema

from netra.api_schemas import ErrorOut
from netra.catalog.models import Election
from netra.orgs.models import Agency
from netra.orgs.roles import ADMIN_ROLES
from netra.pacts import coverage
from netra.pacts.events import with_attendance
from netra.pacts.outreach_access import OutreachReach
from netra.pacts.outreach_models import SocialisationEvent
from netra.sharing import present
from netra.sharing.auth import TokenAuth
from netra.sharing.schemas import Page, page_of

router = Router(tags=["agency"], auth=TokenAuth())

MAX_PAGE_SIZE = 200
_COMMON = {401: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class CoverageItem(Schema):
    agency: str = Field(..., description="Kode instansi, mis. pemkab-katingan.")
    unit: str = Field(..., description="Nama OPD.")
    employees: int = Field(..., description="Pegawai aktif dalam sasaran kampanye berjalan.")
    signed: int
    circulars_acknowledged: int
    reached_by_events: int
    circulars: int = Field(..., description="Tambahan: surat edaran yang dikirim ke OPD ini.")


class CoveragePage(Page):
    items: list[CoverageItem]


class SpeakerOut(Schema):
    name: str
    institution: str


class SocialisationEventOut(Schema):
    id: int
    agency: str
    kind: str
    title: str
    held_on: datetime.date
    place: str
    online: bool
    election: str | None
    speakers: list[SpeakerOut]
    audience_units: list[str]
    audience_roles: str
    summary: str
    attendance: int
    cancelled_at: datetime.datetime | None = Field(
        None, description="Tambahan: waktu pembatalan; kegiatan yang dibatalkan tidak dihitung dalam cakupan."
    )


class SocialisationEventPage(Page):
    items: list[SocialisationEventOut]


def _reach(token) -> OutreachReach:
    scope = present.token_scope(token)
    if scope.everything:
        return OutreachReach(everything=True)
    ids = set(scope.agencies(Agency.objects.filter(active=True)).values_list("pk", flat=True))
    if token.role in ADMIN_ROLES and token.agency.active:
        ids.add(token.agency_id)
    return OutreachReach(agency_ids=frozenset(ids))


def _filters(reach: OutreachReach, agency: str | None, election: str | None):
    chosen_agency = chosen_election = None
    if agency := (agency or "").replace("\x00", "").strip():
        chosen_agency = Agency.objects.filter(code=agency).first()
        if chosen_agency is None or not reach.covers_agency(chosen_agency.pk):
            raise Http404
    if election := (election or "").replace("\x00", "").strip():
        chosen_election = Election.objects.filter(code=election).first()
        if chosen_election is None:
            raise Http404
    return chosen_agency, chosen_election


@router.get(
    "/pacts/coverage",
    response={200: CoveragePage, 404: ErrorOut, **_COMMON},
    summary="Cakupan pencegahan per OPD (pakta, surat edaran, sosialisasi)",
    url_name="agency_pacts_coverage",
)
def coverage_list(
    request,
    agency: str | None = Query(None, description="Kode instansi."),
    election: str | None = Query(None, description="Kode pemilihan: kampanye dan kegiatan pemilihan itu."),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    reach = _reach(request.auth)
    chosen_agency, chosen_election = _filters(reach, agency, election)
    rows = coverage.coverage_units(reach, agency=chosen_agency, election=chosen_election) if not reach.is_empty else []
    return {
        "items": [
            {
                "agency": row.agency_code,
                "unit": row.unit_name,
                "employees": row.employees,
                "signed": row.signed,
                "circulars_acknowledged": row.circulars_acknowledged,
                "reached_by_events": row.reached_by_events,
                "circulars": row.circulars,
            }
            for row in page_of(rows, page, page_size)
        ],
        "count": len(rows),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }


@router.get(
    "/events",
    response={200: SocialisationEventPage, 404: ErrorOut, **_COMMON},
    summary="Kegiatan sosialisasi dengan jumlah kehadiran",
    url_name="agency_events",
)
def event_list(
    request,
    agency: str | None = Query(None, description="Kode instansi penyelenggara atau instansi yang OPD-nya diundang."),
    election: str | None = Query(None, description="Kode pemilihan."),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
):
    reach = _reach(request.auth)
    chosen_agency, chosen_election = _filters(reach, agency, election)
    if reach.is_empty:
        qs = SocialisationEvent.objects.none()
    elif reach.everything:
        qs = SocialisationEvent.objects.all()
    else:
        ids = sorted(reach.agency_ids)
        qs = SocialisationEvent.objects.filter(
            pk__in=SocialisationEvent.objects.filter(Q(agency__in=ids) | Q(audience_units__agency__in=ids)).values("pk")
        )
    if chosen_agency is not None:
        qs = qs.filter(
            pk__in=SocialisationEvent.objects.filter(
                Q(agency=chosen_agency) | Q(audience_units__agency=chosen_agency)
            ).values("pk")
        )
    if chosen_election is not None:
        qs = qs.filter(election=chosen_election)
    qs = (
        with_attendance(qs.select_related("agency", "election"))
        .prefetch_related("audience_units")
        .order_by("-held_on", "-pk")
    )
    return {
        "items": [
            {
                "id": e.pk,
                "agency": e.agency.code,
                "kind": e.kind,
                "title": e.title,
                "held_on": e.held_on,
                "place": e.place,
                "online": e.online,
                "election": e.election.code if e.election else None,
                "speakers": e.speakers,
                "audience_units": [u.name for u in e.audience_units.all()],
                "audience_roles": e.audience_roles,
                "summary": e.summary,
                "attendance": e.attendance_count,
                "cancelled_at": e.cancelled_at,
            }
            for e in page_of(qs, page, page_size)
        ],
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "next_cursor": None,
    }
