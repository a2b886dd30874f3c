"""The public statistics page (no sign-in) and the staff dashboard (scope-aware). Thin: the
figures come from ``stats`` (suppressed, cached) and ``dashboard`` (scoped)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from netra.cases import lookups
from netra.cases.queue_filters import option_tags
from netra.catalog.models import Election, ViolationGroup
from netra.insights import charts, cube, dashboard, geo, stats
from netra.insights.aggregates import generation
from netra.orgs.access import staff_required
from netra.orgs.selectors import case_scope
from netra.turns import after_response, my_turn

MEASURE_LABELS = {
    "reports": lambda: _("Laporan diterima"),
    "proven": lambda: _("Kasus terbukti"),
    "sanctioned": lambda: _("Sanksi dijatuhkan"),
}


def _colour(index: int | None) -> str | None:
    return None if index is None else geo.PALETTE[index]


def _choice(value, allowed, default=None):
    return value if value in allowed else default


CSRF_SLOT = "\x00netra-csrf\x00"  # where the request's own CSRF token goes in a cached page


@require_GET
def public(request):
    """The page's content is cached as rendered HTML per (generation, threshold, language,
    election, measure, province) for the table's TTL. The whole page too, with a slot for the
    request's CSRF token, when the address is the page's own (as its links write it) and no
    message waits; otherwise the frame is rendered around the cached content."""
    election_codes = [code for code, _name in lookups.election_choices()]
    election = _choice(request.GET.get("pemilihan"), election_codes)
    measure = _choice(request.GET.get("ukuran"), stats.MEASURES, "reports")
    province = request.GET.get("provinsi") or ""
    if not (len(province) == 2 and province.isdigit()):
        province = ""
    key = (
        f"netra.insights.page:{generation()}:{stats.threshold()}:{get_language()}:{election or ''}:{measure}:{province}"
    )
    seconds = int(getattr(settings, "NETRA_STATS_CACHE_SECONDS", 600))
    query = urlencode({k: v for k, v in (("pemilihan", election), ("ukuran", measure), ("provinsi", province)) if v})
    own = {f"{request.path}?{query}"} | ({request.path} if query == "ukuran=reports" else set())
    whole = request.get_full_path() in own and not len(messages.get_messages(request))
    if whole and (page := cache.get(key + ":whole")) is not None:
        return HttpResponse(page.replace(CSRF_SLOT, get_token(request)))
    if (content := cache.get(key)) is None:
        content = render_to_string(
            "insights/_public_content.html", _public_context(election, measure, province), request
        )
        cache.set(key, content, seconds)
    context = {"content": mark_safe(content)}  # noqa: S308 -- our own template
    if not whole:
        return render(request, "insights/public.html", context)
    page = render_to_string("insights/public.html", context | {"csrf_token": CSRF_SLOT}, request)
    cache.set(key + ":whole", page, seconds)
    return HttpResponse(page.replace(CSRF_SLOT, get_token(request)))


def _public_context(election, measure, province_code) -> dict:
    table = stats.public_table(election)
    province = _choice(province_code, table.provinces)
    area = province or stats.NATION
    region_keys = table.children[province] if province else table.provinces
    map_regions = geo.regions_for(table, province)
    values = {code: table.get(measure, key) for code, key in map_regions}
    shapes, height = geo.paths(tuple(code for code, _ in map_regions))
    colour_class = geo.classes(values)
    map_rows = [
        {
            "code": code,
            "name": table.names.get(code, code),
            "path": shapes.get(code, ""),
            "value": values[code],
            "colour": _colour(colour_class[code]),
            "href": "?"
            + urlencode({k: v for k, v in (("pemilihan", election), ("ukuran", measure), ("provinsi", code)) if v})
            if not province
            else None,
        }
        for code, _key in map_regions
    ]
    group_names = dict(ViolationGroup.objects.values_list("code", "name_id"))
    group_names[stats.UNCLASSIFIED] = _("Belum diklasifikasi")
    by_group = [
        {
            "code": v,
            "label": group_names.get(v, v),
            **{m: table.get(m, area, v) for m in stats.MEASURES},
            "compliance": table.compliance(area, v),
        }
        for v in table.violations
    ]
    regions = [
        {
            "key": key,
            "name": table.names.get(key, key),
            **{m: table.get(m, key) for m in stats.MEASURES},
            "compliance": table.compliance(key),
            "href": "?"
            + urlencode({k: v for k, v in (("pemilihan", election), ("ukuran", measure), ("provinsi", key)) if v})
            if not province
            else None,
        }
        for key in region_keys
    ]
    api_query = {k: v for k, v in (("election", election), ("region_code", province)) if v}
    open_data = reverse("api-v1:public_statistics") + ("?" + urlencode(api_query) if api_query else "")
    context = {
        "elections": Election.objects.order_by("-voting_date"),
        "election": election,
        "measure": measure,
        "measures": [(m, MEASURE_LABELS[m]()) for m in stats.MEASURES],
        "measure_label": MEASURE_LABELS[measure](),
        "provinces": [(code, table.names[code]) for code in table.provinces],
        "province": province,
        "province_name": table.names.get(province) if province else None,
        "totals": {m: table.get(m, area) for m in stats.MEASURES} | {"compliance": table.compliance(area)},
        "map_rows": map_rows,
        "map_height": height,
        "map_width": geo.WIDTH,
        "legend": geo.legend(values),
        "by_group": by_group,
        "group_chart": mark_safe(charts.bars([(row["label"], row[measure]) for row in by_group])),  # noqa: S308
        "regions": regions,
        "threshold": stats.threshold(),
        "built_at": table.built_at,
        "open_data_json": open_data,
        "open_data_csv": open_data + ("&" if api_query else "?") + "format=csv",
    }
    return context


def _int_or_none(value):
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
@staff_required
def staff_dashboard(request):
    user = request.user
    scope = case_scope(user)
    if scope.is_empty:
        raise Http404
    state = cube.state()
    behind = False
    if state.pending:
        if cube.refresh(limit=cube.REFRESH_LIMIT) >= cube.REFRESH_LIMIT:
            state = cube.state()
            behind = state.pending
            if behind and my_turn("netra.insights.cube", 1.0):
                # A backlog (a bulk import): counted after this answer, and by rebuild_insights.
                after_response(lambda: cube.refresh(limit=cube.BACKGROUND_LIMIT, wait=False))
        else:
            state = cube.state()
    version = state.version
    # The cases per region and agency, unfiltered: the filters' choices, and the figures' own when unfiltered.
    places = dashboard.cached(
        scope, dashboard.Filters(), "places", lambda: cube.place_sums(scope, dashboard.Filters()), version
    )
    region_codes = {region for region, _agency, _n in places}
    agency_ids = {agency for _region, agency, _n in places if agency}
    elections = [{"code": code, "name": name} for code, name in lookups.election_choices()]
    election_codes = {e["code"] for e in elections}
    period = request.GET.get("periode") or None
    try:
        stats.parse_period(period)
    except ValueError:
        period = None
    region = request.GET.get("wilayah") or None
    if region and not (region in region_codes or any(code.startswith(region + ".") for code in region_codes)):
        region = None
    agency = _int_or_none(request.GET.get("instansi"))
    if agency not in agency_ids:
        agency = None
    filters = dashboard.Filters(
        election=_choice(request.GET.get("pemilihan"), election_codes),
        period=period,
        region=region,
        agency=agency,
    )
    unfiltered = filters == dashboard.Filters()
    data = dict(
        dashboard.cached(
            scope,
            filters,
            "figures",
            lambda: dashboard.figures(user, filters, scope=scope, places=places if unfiltered else None),
            version,
        )
    )
    data["timing"] = dashboard.cached(
        scope, filters, "timing", lambda: dashboard.step_times(user, filters, scope=scope), version
    )
    data["refreshed_at"] = state.refreshed_at
    data["behind"] = behind
    # The page's content, rendered once per (scope, filters, day, cube version) like its figures,
    # and per language, time zone (the "diperbarui" time), backlog note and election choices; the
    # frame around it (sign-in, navigation, CSRF token) is rendered per request.
    variant = f"{get_language()}|{timezone.get_current_timezone_name()}|{behind}|{state.refreshed_at}|{elections}"
    content = dashboard.cached(
        scope,
        filters,
        "page:" + hashlib.sha256(variant.encode()).hexdigest()[:16],
        lambda: _dashboard_content(filters, data, elections, region_codes, agency_ids),
        version,
    )
    # ``data``: the figures as counted (without the content's links), for whoever reads the context.
    return render(request, "insights/dashboard.html", {"data": data, "content": mark_safe(content)})  # noqa: S308


def _options(choices, selected) -> str:
    """``<option>`` elements, as the template wrote them: the value, ``selected`` on the chosen one."""
    return option_tags(choices, set() if selected is None else {str(selected)})


def _dashboard_content(filters, data, elections, region_codes, agency_ids) -> str:
    """The dashboard's content as HTML (``insights/_dashboard_content.html``): the filters, the
    figures with their links to the queue, the charts."""
    from netra.orgs.models import Agency

    queue = reverse("workspace:home")

    # The queue under the dashboard's own filters: its election, agency and received period too.
    carried = {"region": filters.region, "election": filters.election, "agency": filters.agency}
    if bounds := stats.parse_period(filters.period):
        carried |= {"received_from": bounds[0].isoformat(), "received_to": (bounds[1] - timedelta(days=1)).isoformat()}

    def queue_link(**params):
        params = {"status": "all"} | {k: v for k, v in carried.items() if v} | params
        return queue + "?" + urlencode({k: v for k, v in params.items() if v})

    for row in data["by_state"]:
        row["href"] = queue_link(status=row["code"])
    for row in data["overdue"]:
        row["href"] = queue_link(status=row["code"], due="overdue")
    for row in data["by_violation"]:
        row["href"] = queue_link(violation=row["code"]) if row["code"] != stats.UNCLASSIFIED else None
        if row["label"] is None:
            row["label"] = _("Belum diklasifikasi")
    for row in data["by_region"]:
        row["href"] = queue_link(region=row["code"])
    for row in data["repeat_subjects"]:
        row["href"] = queue_link(q=row["nip"])
    for row in data["by_agency"]:
        if row["label"] is None:
            row["label"] = _("Antrean triase (belum ada instansi)")
    shown = region_codes | {code[:2] for code in region_codes}  # and their provinces
    context = {
        "filters": filters,
        "data": data,
        "queue_all": queue_link(),
        "queue_active": queue_link(status="active"),
        "queue_overdue": queue_link(status="active", due="overdue"),
        "elections": elections,
        # The filters' choices written here, not by a template loop: 548 regions for BKN pusat.
        "region_options": _options(
            [(code, name) for code, name, _parent, _kind in lookups.region_rows() if code in shown], filters.region
        ),
        "agency_options": _options(
            Agency.objects.filter(pk__in=agency_ids).order_by("name").values_list("pk", "name"), filters.agency
        ),
        "state_chart": mark_safe(charts.bars([(str(r["label"]), r["n"]) for r in data["by_state"]])),  # noqa: S308
        "weekly_chart": mark_safe(  # noqa: S308
            charts.weekly(data["weekly"], data["phases"], data["weekly_start"], data["weekly_end"])
        ),
    }
    return render_to_string("insights/_dashboard_content.html", context)
