"""Public statistics: suppression (also by subtraction), exact counts, the page, the map, the open data;
the staff dashboard's scope."""

import csv
import datetime
import io
import random

import pytest
from django.core.cache import cache

from conftest import verified_login
from netra.cases.models import Case, Decision, Recommendation, Transition
from netra.cases.tests.factories import case_in
from netra.cases.tests.workflow_support import catalogue  # noqa: F401
from netra.catalog.models import SanctionCategory, SanctionType
from netra.insights import aggregates, stats
from netra.insights.models import Aggregate
from netra.insights.suppression import Line, suppress

URL = "/api/v1/public/statistics"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _leaks(values, lines, hidden, k):
    """What an attacker gets by subtracting published figures: a hidden count below k, alone or summed."""
    found = []
    for line in lines:
        members = (line.total, *line.members)
        unknown = [m for m in members if m in hidden]
        if len(unknown) == 1:
            found.append((line, unknown))
        elif unknown and line.total not in hidden:
            rest = sum(values.get(m, 0) for m in unknown)
            if 0 < rest < k:
                found.append((line, unknown, rest))
    return found


def test_suppression_leaves_nothing_to_subtract_on_random_tables():
    rng = random.Random(12)
    for _ in range(1500):
        rows, cols = rng.randint(1, 6), rng.randint(1, 5)
        cells = {(r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 30]) for r in range(rows) for c in range(cols)}
        values = dict(cells)
        for r in range(rows):
            values[(r, "T")] = sum(cells[(r, c)] for c in range(cols))
        for c in range(cols):
            values[("T", c)] = sum(cells[(r, c)] for r in range(rows))
        values[("T", "T")] = sum(cells.values())
        lines = [Line((r, "T"), tuple((r, c) for c in range(cols))) for r in [*range(rows), "T"]]
        lines += [Line(("T", c), tuple((r, c) for r in range(rows))) for c in [*range(cols), "T"]]
        hidden = suppress(values, lines, 5)
        assert all(key in hidden for key, v in values.items() if 0 < v < 5)
        assert not _leaks(values, lines, hidden, 5)


def _proven(case, group="social_media", sanctioned=False):
    Transition.objects.create(case=case, from_state="recommendation", to_state=Case.Status.AWAITING_DECISION)
    Recommendation.objects.create(
        case=case,
        violations=[group],
        sanction_category=SanctionCategory.objects.order_by("severity").first(),
        legal_basis="PP 94/2021",
        findings="-",
    )
    if sanctioned:
        Decision.objects.create(
            case=case, sanction_type=SanctionType.objects.first(), decree_number="SK-1", decree_date="2024-12-01"
        )


@pytest.fixture
def two_regencies(agencies, catalogue):  # noqa: F811
    """Katingan: 7 reports (4 proven social media, 2 of them sanctioned); Barito Selatan: 2 reports."""
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    made = [case_in(Case.Status.CHECKING, agency=katingan) for _ in range(7)]
    for i, case in enumerate(made[:4]):
        _proven(case, sanctioned=i < 2)
    made += [case_in(Case.Status.CHECKING, agency=barsel) for _ in range(2)]
    aggregates.rebuild()
    return made


def _items(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_open_data_suppresses_small_counts_and_their_differences(client, two_regencies):
    national = {(i["region_code"], i["violation"]): i for i in _items(client)}
    kalteng = national[("62", None)]
    assert kalteng["reports"] == 9  # published: 7 + 2
    regency = {(i["region_code"], i["violation"]): i for i in _items(client, region_code="62")}
    assert regency[("62.04", None)]["reports"] is None  # 2 < 5
    # 9 - Katingan would give Barito Selatan's 2: Katingan's total is hidden too.
    assert regency[("62.06", None)]["reports"] is None
    published = [i["reports"] for key, i in regency.items() if key[1] is None and i["reports"] is not None]
    hidden_sum = kalteng["reports"] - sum(published)  # what subtraction gives: both hidden cells together
    assert hidden_sum == 0 or hidden_sum >= 5
    # Proven 4 (< 5) everywhere it appears; sanctioned 2 too; the compliance ratio with them.
    assert kalteng["proven"] is None and kalteng["sanctioned"] is None and kalteng["ppk_compliance_percent"] is None
    for item in [*national.values(), *regency.values()]:
        for measure in ("reports", "proven", "sanctioned"):
            assert item[measure] is None or item[measure] == 0 or item[measure] >= 5


def test_every_line_of_the_published_table_resists_subtraction(client, two_regencies):
    table = stats.public_table()
    for measure in stats.MEASURES:
        values = table.values[measure]
        for region in (stats.NATION, *table.provinces, *(k for keys in table.children.values() for k in keys)):
            row = [values.get((region, v), 0) for v in table.violations]
            total = values.get((region, stats.ALL), 0)
            hidden = [i for i, v in enumerate(row) if v is None]
            if total is not None and hidden:
                assert len(hidden) >= 2
        for violation in (*table.violations, stats.ALL):
            for province in table.provinces:
                members = [values.get((k, violation), 0) for k in table.children[province]]
                total = values.get((province, violation), 0)
                if total is not None and None in members:
                    assert members.count(None) >= 2
                    known = sum(m for m in members if m is not None)
                    assert total - known == 0 or total - known >= 5


def test_counts_equal_straight_count_queries_after_random_transitions(settings, agencies, catalogue):  # noqa: F811
    """Random cases, proofs, sanctions, annulments and dates over rounds; after each rebuild every
    figure (region, group and measure, per period) equals a straight COUNT over ``cases``."""
    settings.NETRA_STATS_MIN_COUNT = 1  # nothing suppressed: compare the raw figures
    rng = random.Random(7)
    owners = [agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]]
    states = [Case.Status.RECEIVED, Case.Status.CHECKING, Case.Status.DISMISSED, Case.Status.DECIDED]
    days = [
        datetime.datetime(2024, m, d, h, tzinfo=datetime.UTC)
        for m, d, h in [(1, 31, 20), (2, 1, 3), (2, 29, 18), (3, 4, 1), (12, 31, 19)]
    ]
    for round_ in range(3):
        for _ in range(12):
            case = case_in(rng.choice(states), agency=rng.choice(owners))
            Case.objects.filter(pk=case.pk).update(created_at=rng.choice(days))
            if rng.random() < 0.5:
                _proven(case, rng.choice(["social_media", "gifts_money"]), sanctioned=rng.random() < 0.5)
        Decision.objects.filter(pk__in=Decision.objects.order_by("?").values("pk")[:1]).update(
            annulled_at=datetime.datetime(2024, 12, 2, tzinfo=datetime.UTC)
        )
        case_in(Case.Status.MERGED, agency=owners[0])
        aggregates.rebuild()
        live = Case.objects.exclude(status=Case.Status.MERGED)
        for period in (None, "2024", "2024-01", "2024-02", "2024-03", "2024-12", "2023"):
            table = stats.public_table(period=period)
            in_period = live
            if bounds := stats.parse_period(period):
                in_period = live.filter(created_at__date__gte=bounds[0], created_at__date__lt=bounds[1])
            assert table.get("reports", stats.NATION) == in_period.count(), (round_, period)
            for region in ("62.06", "62.04"):
                in_region = in_period.filter(region_id=region)
                proven = in_region.filter(transitions__to_state="awaiting_decision").distinct()
                sanctioned = in_region.filter(decisions__isnull=False, decisions__annulled_at__isnull=True).distinct()
                assert table.get("reports", region) == in_region.count()
                assert table.get("proven", region) == proven.count()
                assert table.get("sanctioned", region) == sanctioned.count()
                for group in ("social_media", "gifts_money"):
                    of_group = in_region.filter(recommendation__violations=[group])
                    assert table.get("reports", region, group) == of_group.count()
                    assert (
                        table.get("proven", region, group) == proven.filter(recommendation__violations=[group]).count()
                    )
                    assert (
                        table.get("sanctioned", region, group)
                        == sanctioned.filter(recommendation__violations=[group]).count()
                    )
    # Buckets never straddle a month: 2024-01-31 (Wed) and 2024-02-01 (Thu, WIB) land apart.
    assert aggregates.bucket_of(datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 1)
    assert aggregates.bucket_of(datetime.date(2024, 1, 31)) == datetime.date(2024, 1, 29)
    assert Aggregate.objects.filter(bucket__day=1).exists()


def test_csv_has_the_same_figures_and_blank_for_suppressed(client, two_regencies):
    response = client.get(URL, {"region_code": "62", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    totals = {r["region_code"]: r for r in rows if r["violation"] == ""}
    assert totals["62.04"]["reports"] == "" and totals["62.06"]["reports"] == ""


def test_bad_filters_answer_machine_readable_codes(client, db):
    response = client.get(URL, {"period": "24", "region_code": "99.99", "format": "xls"})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert set(body["fields"]) == {"period", "region_code", "format"}


def test_a_nul_byte_in_a_filter_is_a_clear_422_not_a_500(client, db):
    # Found by schemathesis on PostgreSQL, which refuses NUL in text parameters.
    response = client.get(URL, {"election": "\x00", "region_code": "62\x00"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"election", "region_code"}


def test_public_page_and_map_publish_only_suppressed_figures(client, two_regencies):
    page = client.get("/statistik/", {"provinsi": "62"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-region="62.06"' in html and '<path d="M' in html
    assert "Kabupaten Katingan: disembunyikan" in html  # the map's tooltip
    national = client.get("/statistik/").content.decode()
    assert 'data-region="62"' in national and ">9<" in national


def test_boundaries_cover_every_catalogue_region():
    import csv as csvmod
    from pathlib import Path

    from netra.insights.geo import DATA, boundaries

    codes = {
        row["code"]
        for row in csvmod.DictReader((Path(stats.__file__).parent.parent / "catalog/data/regions.csv").open())
    }
    assert codes == set(boundaries())
    assert DATA.stat().st_size < 3_000_000


def _dashboard(client, user, **params):
    verified_login(client, user)
    response = client.get("/staf/dasbor/", params)
    assert response.status_code == 200
    return response.context["data"]


def test_dashboard_shows_only_the_users_scope(client, two_regencies, satgas_katingan, satgas_barsel, bkn_supervisor):
    assert _dashboard(client, satgas_katingan)["total"] == 7
    data = _dashboard(client, satgas_barsel)
    assert data["total"] == 2
    assert {row["code"] for row in data["by_region"]} == {"62.04"}
    assert _dashboard(client, bkn_supervisor)["total"] == 9
    # Another agency's id as a filter is ignored, never obeyed.
    katingan_id = two_regencies[0].agency_id
    assert _dashboard(client, satgas_barsel, instansi=katingan_id)["total"] == 2


def test_dashboard_figures_link_to_the_queue(client, two_regencies, satgas_katingan):
    verified_login(client, satgas_katingan)
    html = client.get("/staf/dasbor/").content.decode()
    assert 'href="/staf/?status=checking"' in html
    assert "/staf/?status=all&amp;region=62.06" in html


def test_dashboard_needs_a_sign_in(client, db):
    response = client.get("/staf/dasbor/")
    assert response.status_code == 302


def test_dashboard_counts_equal_straight_count_queries(client, agencies, catalogue, bkn_supervisor, satgas_katingan):  # noqa: F811
    import datetime

    from django.utils import timezone

    rng = random.Random(3)
    owners = [agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]]
    today = timezone.localdate()
    for _ in range(25):
        case = case_in(
            rng.choice([Case.Status.CHECKING, Case.Status.VERIFICATION, Case.Status.CLOSED]), agency=rng.choice(owners)
        )
        if rng.random() < 0.5:
            Case.objects.filter(pk=case.pk).update(due_date=today - datetime.timedelta(days=rng.randint(-3, 3)))
    for user, scope in ((bkn_supervisor, Case.objects.all()), (satgas_katingan, Case.objects.filter(agency=owners[0]))):
        data = _dashboard(client, user)
        assert data["total"] == scope.count()
        for row in data["by_state"]:
            assert row["n"] == scope.filter(status=row["code"]).count()
        for row in data["overdue"]:
            assert row["n"] == scope.filter(status=row["code"], due_date__lt=today).count()
        assert sum(r["n"] for r in data["ageing"]) == scope.exclude(status=Case.Status.CLOSED).count()


def test_step_times_and_ppk_within_14_working_days(client, agencies, catalogue, satgas_katingan):  # noqa: F811
    import datetime

    from netra.catalog.calendar import add_working_days
    from netra.insights import dashboard

    katingan = agencies["pemkab-katingan"]
    from django.utils import timezone

    start = (timezone.now() - datetime.timedelta(days=60)).replace(hour=2)  # 09:00 WIB
    made = []
    for late in (False, False, True):
        case = case_in(Case.Status.DECIDED, agency=katingan)
        sent = start
        deadline = add_working_days(sent.date(), 14)
        decided_on = deadline + datetime.timedelta(days=3 if late else 0)
        Transition.objects.create(case=case, from_state="recommendation", to_state="awaiting_decision", at=sent)
        Transition.objects.create(
            case=case,
            from_state="awaiting_decision",
            to_state="decided",
            at=datetime.datetime.combine(decided_on, datetime.time(3), datetime.UTC),
        )
        made.append(case)
    from netra.insights import cube

    cube.refresh()  # what the page does before reading: the step times are the cube's rows
    timing = dashboard.step_times(satgas_katingan, dashboard.Filters())
    assert timing["ppk"]["decided"] == 3 and timing["ppk"]["in_time"] == 2
    waiting = next(s for s in timing["steps"] if s["code"] == "awaiting_decision")
    assert waiting["n"] == 3 and waiting["sla_days"] == 14
    verified_login(client, satgas_katingan)
    assert "PPK: 2 dari 3" in client.get("/staf/dasbor/").content.decode()


def test_the_scheduler_rebuilds_the_aggregates_and_the_page_follows(client, agencies, catalogue):  # noqa: F811
    import io as _io

    from django.core.management import call_command

    case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    call_command("scheduler", "--once", stdout=_io.StringIO())
    assert Aggregate.objects.filter(region_id="62.06").values_list("reports", flat=True).get() == 1
    before = aggregates.generation()
    for _ in range(5):
        case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    assert stats.public_table().get("reports", stats.NATION) is None  # 1 < 5, still the old rows
    aggregates.rebuild()
    assert aggregates.generation() != before
    assert stats.public_table().get("reports", stats.NATION) == 6  # a new generation: the cache is bypassed


def test_the_cached_dashboard_runs_few_queries_and_keeps_scopes_apart(
    client, two_regencies, satgas_katingan, satgas_barsel
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert _dashboard(client, satgas_katingan)["total"] == 7
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staf/dasbor/")  # the figures from the per-scope cache
    assert response.context["data"]["total"] == 7
    assert len(queries) <= 15, [q["sql"][:120] for q in queries.captured_queries]  # the case scope once
    assert _dashboard(client, satgas_barsel)["total"] == 2  # another scope: its own figures


def _total_on_page(html: str) -> str:
    return html.split('data-figure="total">', 1)[1].split("<", 1)[0]


def test_the_dashboards_content_is_rendered_once_per_scope_and_follows_a_move(
    client, two_regencies, satgas_katingan, satgas_barsel
):
    """The content is cached as HTML per scope (like its figures): a cached hit renders none of it
    (no query for the filters' regions and agencies), another scope gets its own, and a move in
    the scope is on the page at once."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    verified_login(client, satgas_katingan)
    first = client.get("/staf/dasbor/").content.decode()
    assert _total_on_page(first) == "7"
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/staf/dasbor/").content.decode()
    read = {q["sql"].split('"', 2)[1] for q in queries.captured_queries if q["sql"].startswith('SELECT "')}
    assert not read & {"catalog_region", "orgs_agency"}, read
    assert again.split("<main", 1)[1] == first.split("<main", 1)[1]  # the same content, byte for byte

    other = Client()
    verified_login(other, satgas_barsel)
    barsel = other.get("/staf/dasbor/").content.decode()
    assert _total_on_page(barsel) == "2" and "62.06" not in barsel  # never Katingan's content

    case = two_regencies[4]  # Katingan, checking: closed (the triggers mark it, the page counts it)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    Transition.objects.create(case=case, from_state="checking", to_state="closed")
    moved = client.get("/staf/dasbor/").content.decode()
    assert 'data-figure="state-closed">1<' in moved and 'data-figure="state-closed">0<' in first
    assert other.get("/staf/dasbor/").content.decode().split("<main", 1)[1] == barsel.split("<main", 1)[1]


def test_the_map_of_no_region_is_empty_not_an_error():
    # a database without the reference regions (before load_reference): the page draws no map
    from netra.insights.geo import paths

    assert paths(())[0] == {}
    assert paths(("99.99",))[0] == {"99.99": ""}  # a code without a boundary
