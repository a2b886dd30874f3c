"""The period report for a rakor (PDF, WeasyPrint): key figures, the dashboard's charts, a table by region.

Figures are the staff dashboard's (``netra.insights.dashboard``, the user's case scope under the
chosen election, period and region) and the region table one GROUP BY over the same cases with the
public statistics' definitions (proven: a move to ``awaiting_decision``; sanctioned: a decision not
annulled). A rakor's audience may include the public (the BKN rakor had ~800 participants), so
the default audience is ``public``: every table and chart is suppressed as the public statistics
are (``netra.insights.suppression``, counts 1 … ``NETRA_STATS_MIN_COUNT`` - 1 and the cells that
would give them away); ``internal`` keeps exact figures and says so on every page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from netra.cases.models import Case, Decision, Transition
from netra.cases.selectors import ACTIVE_STATES
from netra.catalog.models import Election, ElectionPhase, Region
from netra.insights import charts, dashboard, stats
from netra.insights.models import Export
from netra.insights.suppression import Line, suppress
from netra.orgs.models import Membership

AUDIENCES = ("public", "internal")
MEASURES = ("reports", "active", "overdue", "proven", "sanctioned")
# The charts' colours: the document's stylesheet does not reach inside an SVG for WeasyPrint.
SVG_STYLE = (
    "<style>.bar{fill:#3182bd}.bar-label{font-size:11px;fill:#222;font-family:'DejaVu Sans',sans-serif}"
    ".band{fill:#fdd0a2;opacity:.6}.band-voting{fill:#e6550d;opacity:.8}</style>"
)


def report_filters(params: dict) -> dashboard.Filters:
    return dashboard.Filters(
        election=params.get("election") or None,
        period=params.get("period") or None,
        region=params.get("region") or None,
    )


def _svg(markup: str) -> str:
    return markup.replace(">", ">" + SVG_STYLE, 1)


def region_rows(queryset, *, today, level: int) -> dict[str, dict[str, int]]:
    """Counts per region code cut to ``level`` characters (2: province, 5: kabupaten/kota)."""
    rows = (
        queryset.order_by()
        .alias(
            _proven=Exists(Transition.objects.filter(case=OuterRef("pk"), to_state=Case.Status.AWAITING_DECISION)),
            _sanctioned=Exists(Decision.objects.filter(case=OuterRef("pk"), annulled_at__isnull=True)),
        )
        .values("region_id")
        .annotate(
            reports=Count("pk"),
            active=Count("pk", filter=Q(status__in=ACTIVE_STATES)),
            overdue=Count("pk", filter=Q(status__in=ACTIVE_STATES, due_date__lt=today)),
            proven=Count("pk", filter=Q(_proven=True)),
            sanctioned=Count("pk", filter=Q(_sanctioned=True)),
        )
    )
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for row in rows:
        cell = out[row["region_id"][:level]]
        for measure in MEASURES:
            cell[measure] += row[measure]
    return dict(out)


def _suppressed(values: dict, lines: list[Line], on: bool) -> set:
    return suppress(values, lines, stats.threshold()) if on else set()


def build_context(export: Export, progress: Callable[..., None]) -> tuple[dict, int]:
    user = export.requested_by
    params = export.params
    filters = report_filters(params)
    public = params.get("audience", "public") != "internal"
    today = timezone.localdate()
    queryset = dashboard.cases(user, filters)
    total = queryset.count()
    progress(0, total)
    data = dashboard.figures(user, filters, today=today)
    progress(total // 3)

    # Regions: kabupaten/kota inside one province, else provinces.
    codes = set(queryset.values_list("region_id", flat=True).distinct())
    level = 5 if filters.region or len({code[:2] for code in codes}) <= 1 else 2
    cells = region_rows(queryset, today=today, level=level)
    progress(2 * total // 3)
    names = dict(Region.objects.filter(code__in=list(cells)).values_list("code", "name"))
    totals = {m: sum(cell[m] for cell in cells.values()) for m in MEASURES}
    values = {(code, m): cell[m] for code, cell in cells.items() for m in MEASURES}
    values |= {("*", m): totals[m] for m in MEASURES}
    lines = [Line(total=("*", m), members=tuple((code, m) for code in cells)) for m in MEASURES]
    hidden = _suppressed(values, lines, public)

    def shown(key):
        return None if key in hidden else values[key]

    regions = [
        {
            "code": code,
            "name": names.get(code, code),
            **{m: shown((code, m)) for m in MEASURES},
            "share": None
            if (code, "reports") in hidden or not totals["reports"]
            else round(100 * cells[code]["reports"] / totals["reports"], 1),
            "compliance": _compliance(shown((code, "sanctioned")), shown((code, "proven"))),
        }
        for code in sorted(cells, key=lambda c: (-cells[c]["reports"], c))
    ]
    total_row = {m: shown(("*", m)) for m in MEASURES} | {
        "compliance": _compliance(shown(("*", "sanctioned")), shown(("*", "proven")))
    }

    # The dashboard's figures by state and violation group, suppressed line by line as well.
    by_state = [row for row in data["by_state"] if row["n"] or not public]
    state_values = {("s", r["code"]): r["n"] for r in data["by_state"]} | {("s", "*"): data["total"]}
    state_hidden = _suppressed(state_values, [Line(("s", "*"), tuple(state_values)[:-1])], public)
    for row in by_state:
        row["shown"] = None if ("s", row["code"]) in state_hidden else row["n"]
    violation_values = {("v", r["code"]): r["n"] for r in data["by_violation"]} | {("v", "*"): data["total"]}
    violation_hidden = _suppressed(violation_values, [Line(("v", "*"), tuple(violation_values)[:-1])], public)
    by_violation = []
    for row in data["by_violation"]:
        label = row["label"] if row["label"] is not None else _("Belum diklasifikasi")
        by_violation.append({"label": label, "n": None if ("v", row["code"]) in violation_hidden else row["n"]})
    weekly, start, end, phases = data["weekly"], data["weekly_start"], data["weekly_end"], data["phases"]
    if (bounds := stats.parse_period(filters.period)) and not filters.election:
        weekly, start, end = _weeks(queryset, *bounds)
        phases = list(
            ElectionPhase.objects.filter(start__lt=end, end__gte=start, kind__in=["campaign", "quiet", "voting"])
        )
    if public:  # a week of 1 … threshold - 1 cases is drawn empty (its table says "disembunyikan")
        weekly = [{"week": w["week"], "n": 0 if 0 < w["n"] < stats.threshold() else w["n"]} for w in weekly]

    def key(value):
        return None if value is None or (public and 0 < value < stats.threshold()) else value

    election = Election.objects.filter(code=filters.election).first() if filters.election else None
    region = Region.objects.filter(code=filters.region).first() if filters.region else None
    name = user.get_full_name().strip() or user.get_username()
    context = {
        "public": public,
        "threshold": stats.threshold(),
        "election": election,
        "period": filters.period,
        "region": region,
        "created_at": timezone.localtime(),
        "requested_by": name,
        "scope": scope_in_words(user),
        "key": {
            "total": key(data["total"]),
            "active": key(data["active"]),
            "overdue": key(data["overdue_total"]),
            "proven": total_row["proven"],
            "sanctioned": total_row["sanctioned"],
            "compliance": total_row["compliance"],
        },
        "by_state": by_state,
        "by_violation": by_violation,
        "regions": regions,
        "total_row": total_row,
        "level": level,
        "state_chart": mark_safe(_svg(charts.bars([(str(r["label"]), r["shown"]) for r in by_state]))),  # noqa: S308
        "violation_chart": mark_safe(_svg(charts.bars([(str(r["label"]), r["n"]) for r in by_violation]))),  # noqa: S308
        "weekly_chart": mark_safe(  # noqa: S308 -- our own SVG, labels escaped by charts.py
            _svg(charts.weekly(weekly, phases, start, end))
        ),
    }
    return context, total


def _weeks(queryset, first: datetime.date, after: datetime.date) -> tuple[list[dict], datetime.date, datetime.date]:
    """Cases per week over a period (the dashboard's chart, its weeks from the period's first Monday)."""
    start = first - datetime.timedelta(days=first.weekday())
    counts = dict(
        queryset.filter(created_at__date__gte=first, created_at__date__lt=after)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    by_monday = {(w.date() if isinstance(w, datetime.datetime) else w): n for w, n in counts.items()}
    weeks = [
        {"week": start + datetime.timedelta(weeks=i), "n": by_monday.get(start + datetime.timedelta(weeks=i), 0)}
        for i in range(((after - start).days + 6) // 7)
    ]
    return weeks, start, after


def _compliance(sanctioned, proven):
    if sanctioned is None or proven is None or not proven:
        return None
    return round(100 * sanctioned / proven, 1)


def write_report_pdf(export: Export, path: Path, progress: Callable[..., None]) -> int:
    """Render the report to ``path``; the number of cases it covers."""
    from weasyprint import HTML  # heavy: loaded by the processes that print only

    context, total = build_context(export, progress)
    html = render_to_string("insights/export_report_pdf.html", context)
    HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(str(path))
    return total


def scope_in_words(user) -> str:
    """The user's reach, as the memberships that give it (role — agency)."""
    if user.is_superuser:
        return _("Seluruh kasus (superuser)")
    memberships = Membership.objects.filter(user=user, active=True, agency__active=True).select_related("agency")
    return "; ".join(f"{m.get_role_display()} — {m.agency.name}" for m in memberships.order_by("agency__name", "role"))
