"""Benchmark: the statistics of netra.insights on PostgreSQL — staff dashboard, public page, open data.

Creates a separate ``netra_bench_insights`` database on the server of DATABASE_URL (dropped and
recreated; the database named in DATABASE_URL is never touched), migrates it, loads the reference
data (all 552 regions), and generates N cases with INSERT … SELECT generate_series: spread over
the 514 kabupaten/kota and two elections, every state, one in seven sent to the PPK (transition
+ recommendation with a violation group), one in fourteen with a PPK decision.

Then, in-process (Django test client, no socket), p50/p95 of:
- the staff dashboard ``/staf/dasbor/`` for a pemda (Satgas Katingan), a province (Bawaslu
  Kalteng) and BKN pusat — cold (first request after ``ANALYZE``) and warm;
- the dashboard's figures without cache, before (the insights branch's module, loaded from git
  commit BEFORE) and after (fewer grouped passes), and the page with its per-scope cache;
- the aggregate table's full rebuild (``rebuild_insights``);
- the public page ``/statistik/`` from the cache and with the table rebuilt each time (from the
  aggregate table), against the live GROUP BY over cases that the rebuild ran before;
- the open data ``/api/v1/public/statistics`` from the cache;
- the same aggregates as hand-written SQL (the dashboard's per-state count, the public GROUP BY),
  with the ratio page / SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/insights.py --cases 100000

``--cases`` (default 100000; the goal is 1000000), ``--repeat`` (default 20 requests per figure).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "netra_bench_insights"
BEFORE = "62606ba"  # the insights branch's last commit: the dashboard before insights-2


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/insights.py needs DATABASE_URL pointing at a PostgreSQL server")
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))


def _recreate_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def _generate(cursor, n: int, agencies: dict) -> None:
    from netra.cases.models import Case
    from netra.catalog.violations import GROUP_CODES

    states = [s for s in Case.Status.values if s != "merged"]
    katingan, barsel = agencies["pemkab-katingan"].pk, agencies["pemkab-barito-selatan"].pk
    cursor.execute(
        "CREATE TEMP TABLE bench_regions AS SELECT row_number() OVER (ORDER BY code) AS i, code FROM catalog_region WHERE code LIKE '%%.%%'"
    )
    cursor.execute("SELECT count(*) FROM bench_regions")
    regions = cursor.fetchone()[0]
    state_array = "ARRAY[" + ",".join(f"'{s}'" for s in states) + "]"
    group_array = "ARRAY[" + ",".join(f"'{g}'" for g in GROUP_CODES) + "]"
    # Katingan and Barito Selatan get one case in twenty each (their pemda as the owner); the rest
    # is spread over every kabupaten/kota, a third without an agency (the triage queue).
    cursor.execute(
        f"""
        INSERT INTO cases_case (number, source, source_reference, status, agency_id, region_id, election_id,
            incident_date, created_at, updated_at, deadline_key, due_date, waiting_for_bawaslu,
            bawaslu_question, dismissal_reason, forwarded_to_external)
        SELECT 'BENCH-' || g, 'public_report', '', ({state_array})[1 + (g %% {len(states)})],
            CASE WHEN g %% 20 = 0 THEN {katingan} WHEN g %% 20 = 1 THEN {barsel} ELSE NULL END,
            CASE WHEN g %% 20 = 0 THEN '62.06' WHEN g %% 20 = 1 THEN '62.04'
                 ELSE (SELECT code FROM bench_regions WHERE i = 1 + (g::bigint * 7919) %% {regions}) END,
            CASE WHEN g %% 2 = 0 THEN 'pemilu-2024' ELSE 'pilkada-2024' END,
            DATE '2024-11-01' - (g %% 300),
            timestamptz '2024-11-20' - make_interval(days => (g %% 300)),
            timestamptz '2024-11-20' - make_interval(days => (g %% 300)),
            '', DATE '2024-11-20' - (g %% 40), FALSE, '', '', ''
        FROM generate_series(1, %s) AS g
        """,  # noqa: S608 -- our own constants only; N is a parameter
        [n],
    )
    cursor.execute("SELECT min(id) FROM cases_case")
    first = cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO cases_transition (case_id, from_state, to_state, at, public_note)
           SELECT id, 'recommendation', 'awaiting_decision', created_at, '' FROM cases_case WHERE (id - %s) %% 7 = 0""",
        [first],
    )
    cursor.execute(
        f"""INSERT INTO cases_recommendation (case_id, violations, sanction_category_id, override_reason, legal_basis,
               findings, created_at, letter_number)
           SELECT id, jsonb_build_array(({group_array})[1 + (id %% {len(GROUP_CODES)})]),
               (SELECT code FROM catalog_sanctioncategory ORDER BY severity LIMIT 1), '', 'PP 94/2021', '-', created_at, ''
           FROM cases_case WHERE (id - %s) %% 7 = 0""",  # noqa: S608
        [first],
    )
    cursor.execute(
        """INSERT INTO cases_decision (case_id, sanction_type_id, decree_number, decree_date, signed_file, created_at,
               annulment_reason)
           SELECT id, (SELECT code FROM catalog_sanctiontype ORDER BY "order" LIMIT 1), 'SK', DATE '2024-12-01', '',
               created_at, ''
           FROM cases_case WHERE (id - %s) %% 14 = 0""",
        [first],
    )
    # VACUUM too: fresh rows have no visibility map yet, so index-only scans would read the heap
    # (a server's autovacuum does this for live data).
    for table in ("cases_case", "cases_transition", "cases_recommendation", "cases_decision"):
        cursor.execute(f"VACUUM (ANALYZE) {table}")


def _p(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return f"p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms"


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, round(0.95 * len(times)) - 1)]


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = _bench_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("NETRA_RATE_LIMITS", "off")
    os.environ.setdefault("NETRA_ENV", "test")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from conftest import _persona, verified_login
    from netra.insights import dashboard, stats
    from netra.orgs.demo import create_demo_agencies

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    agencies = create_demo_agencies()
    print(f"database {BENCH_DB} migrated in {time.perf_counter() - started:.0f} s; {args.repeat} requests per figure")
    began = time.perf_counter()
    with connection.cursor() as cursor:
        _generate(cursor, args.cases, agencies)
    print(f"{args.cases:,} cases generated in {time.perf_counter() - began:.0f} s")

    users = {
        "pemda (Satgas Katingan)": _persona(agencies, "satgas.katingan"),
        "province (Bawaslu Kalteng)": _persona(agencies, "bawaslu.kalteng"),
        "BKN pusat": _persona(agencies, "bkn.pusat"),
    }
    # "Before" in the same run: the dashboard module as the insights branch left it (one GROUP BY
    # per figure, no cache), loaded from git next to the current one.
    import importlib.util
    import subprocess
    import tempfile

    old_source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE}:netra/insights/dashboard.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    old_path = Path(tempfile.mkdtemp()) / "dashboard_before.py"
    old_path.write_text(old_source)
    spec = importlib.util.spec_from_file_location("dashboard_before", old_path)
    before = importlib.util.module_from_spec(spec)
    sys.modules["dashboard_before"] = before  # dataclasses look their module up
    spec.loader.exec_module(before)

    print("\nstaff dashboard /staf/dasbor/ (whole page; figures cached per scope for 60 s)")
    for label, user in users.items():
        client = verified_login(Client(), user)
        cache.clear()
        cold = _time(lambda c=client: c.get("/staf/dasbor/"), 1)[0]
        warm = _time(lambda c=client: c.get("/staf/dasbor/"), args.repeat)
        response = client.get("/staf/dasbor/")
        assert response.status_code == 200, response.status_code
        print(
            f"  {label:<28} uncached {cold:8.1f} ms   cached {_p(warm)}   ({dashboard.cases(user, dashboard.Filters()).count():,} cases)"
        )
    print("\ndashboard figures + step times, no cache: before (insights branch) / after (fewer passes)")
    reps = max(3, args.repeat // 4)
    for label, user in users.items():
        f = dashboard.Filters()
        old = _time(lambda u=user: (before.figures(u, before.Filters()), before.step_times(u, before.Filters())), reps)
        new = _time(lambda u=user, f=f: (dashboard.figures(u, f), dashboard.step_times(u, f)), reps)
        print(f"  {label:<28} before {_p(old)}   after {_p(new)}   ratio p95 {_p95(new) / _p95(old):.2f}")

    print("\nhand-written SQL: the per-state count of each scope")
    katingan = agencies["pemkab-katingan"].pk
    sql = {
        "pemda (Satgas Katingan)": (
            "SELECT status, count(*) FROM cases_case WHERE agency_id = %s AND status <> 'merged' GROUP BY status",
            [katingan],
        ),
        "province (Bawaslu Kalteng)": (
            "SELECT status, count(*) FROM cases_case WHERE (region_id = '62' OR region_id LIKE '62.%%') "
            "AND status <> 'merged' GROUP BY status",
            [],
        ),
        "BKN pusat": ("SELECT status, count(*) FROM cases_case WHERE status <> 'merged' GROUP BY status", []),
    }
    for label, (query, params) in sql.items():

        def run(q=query, p=params):
            with connection.cursor() as cursor:
                cursor.execute(q, p)
                cursor.fetchall()

        print(f"  {label:<28} {_p(_time(run, args.repeat))}")

    from netra.insights import aggregates

    print("\npublic statistics")
    began = time.perf_counter()
    rows = aggregates.rebuild()
    print(
        f"  aggregate table rebuilt (full, rebuild_insights): {(time.perf_counter() - began) * 1000:,.0f} ms, {rows:,} rows"
    )
    client = Client()
    cache.clear()
    rebuilt = []
    for _ in range(max(3, args.repeat // 4)):
        cache.clear()
        began = time.perf_counter()
        assert client.get("/statistik/").status_code == 200
        rebuilt.append((time.perf_counter() - began) * 1000)
    print(f"  /statistik/ table rebuilt from the aggregates {_p(rebuilt)}")
    cached = _time(lambda: client.get("/statistik/"), args.repeat)
    print(f"  /statistik/ from the cache       {_p(cached)}")
    province = _time(lambda: client.get("/statistik/?provinsi=62"), args.repeat)
    print(f"  /statistik/?provinsi=62 (cache)  {_p(province)}")
    api = _time(lambda: client.get("/api/v1/public/statistics"), args.repeat)
    print(f"  open data JSON (cache)           {_p(api)}")
    build = _time(lambda: stats.build_table(), max(3, args.repeat // 4))
    print(f"  build_table() alone              {_p(build)}")

    def public_sql():
        # What the insights branch's build_table ran each rebuild: the live GROUP BY over cases.
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT c.region_id, r.violations->>0, count(*),
                          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cases_transition t
                              WHERE t.case_id = c.id AND t.to_state = 'awaiting_decision')),
                          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM cases_decision d
                              WHERE d.case_id = c.id AND d.annulled_at IS NULL))
                   FROM cases_case c LEFT JOIN cases_recommendation r ON r.case_id = c.id
                   WHERE c.status <> 'merged' GROUP BY 1, 2"""
            )
            cursor.fetchall()

    hand = _time(public_sql, max(3, args.repeat // 4))
    print(f"  before: the live GROUP BY over cases, hand SQL {_p(hand)}")
    print(
        f"\nratios (p95): rebuilt page / live GROUP BY {_p95(rebuilt) / _p95(hand):.2f}; "
        f"cached page / rebuilt page {_p95(cached) / _p95(rebuilt):.3f}"
    )


if __name__ == "__main__":
    main()
