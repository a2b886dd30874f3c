"""Benchmark: the statistics of netra.insights — staff dashboard, public page, open data.

PostgreSQL (default): a separate ``netra_bench_insights`` database on the server of DATABASE_URL
(the database named there is never touched). Without ``--reuse`` it is dropped and recreated,
migrated, loaded with the reference data (552 regions) and N cases generated with INSERT …
SELECT generate_series (``_generate``: over the 514 kabupaten/kota and two elections, every
state, one in seven sent to the PPK with a violation group, one in fourteen with a decision).
``--reuse`` keeps it when it holds N cases (migrates it, so new tables appear) and skips the
generation — and the cube's full rebuild when the cube is current.

``--sqlite`` does the same on a SQLite file (``var/bench-insights.sqlite3``, kept for --reuse).

Measured in one run (in-process Django test client, no socket), p50/p95:
- the dashboard cube's full rebuild and an incremental refresh of 1 000 changed cases;
- ``/staf/dasbor/`` for a pemda (Satgas Katingan), a province (Bawaslu Kalteng) and BKN pusat:
  cold (the per-scope cache cleared before every request: figures computed from the cube) and
  warm (cached);
- the same figures with ``today`` on the data's last day (the live parts — not yet due, open
  cases of the last 90 days, step times of the last 365 days — then have rows to count);
- the whole page cold and warm with the dashboard module of git ``BASELINE`` (default ``main``:
  live repeated subjects, step times and not-yet-due) swapped in, same run (``--baseline-repeat``
  requests, the cache cleared before each), and the ratio to this tree's;
- the figures of the dashboard before the cube (``BEFORE``, loaded from git), same run
  (``--no-precube`` leaves it out);
- hand-written SQL in the same run: the per-state count over ``cases_case`` and over the cube;
- the public page from the cache and rebuilt, the open data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/insights.py --cases 1000000 --reuse
    .venv/bin/python bench/insights.py --sqlite --cases 100000 --reuse
    BENCH_PG_DB=netra_b_copy DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/insights.py --dashboard-only --no-precube

``BENCH_PG_DB`` names the PostgreSQL database (default netra_bench_insights): when set and it
holds cases, it is used as it is whatever their number (a copy of the shared 1 M database made
with CREATE DATABASE … TEMPLATE …; migrated, never recreated). ``BENCH_BASELINE``: the git
revision of the same-run baseline (default main).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = os.environ.get("BENCH_PG_DB") or "netra_bench_insights"
OWN_DB = bool(os.environ.get("BENCH_PG_DB"))
BASELINE = os.environ.get("BENCH_BASELINE") or "main"  # the same-run baseline's dashboard module
BEFORE = "2663c0f"  # main before the cube: the dashboard as a GROUP BY over the scoped cases


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if "--sqlite" in sys.argv:
        return f"sqlite:///{ROOT / 'var' / 'bench-insights.sqlite3'}"
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
            bawaslu_question, dismissal_reason, forwarded_to_external, import_reference)
        SELECT 'BENCH-' || g, 'public_report', '', ({state_array})[1 + (g %% {len(states)})],
            CASE WHEN g %% 20 = 0 THEN {katingan} WHEN g %% 20 = 1 THEN {barsel} ELSE NULL END,
            CASE WHEN g %% 20 = 0 THEN '62.06' WHEN g %% 20 = 1 THEN '62.04'
                 ELSE (SELECT code FROM bench_regions WHERE i = 1 + (g::bigint * 7919) %% {regions}) END,
            CASE WHEN g %% 2 = 0 THEN 'pemilu-2024' ELSE 'pilkada-2024' END,
            DATE '2024-11-01' - (g %% 300),
            timestamptz '2024-11-20' - make_interval(days => (g %% 300)),
            timestamptz '2024-11-20' - make_interval(days => (g %% 300)),
            '', DATE '2024-11-20' - (g %% 40), FALSE, '', '', '', ''
        FROM generate_series(1, %s) AS g
        """,  # noqa: S608 -- our own constants only; N is a parameter
        [n],
    )
    cursor.execute("SELECT min(id) FROM cases_case")
    first = cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO cases_transition (case_id, from_state, to_state, at, public_note, imported)
           SELECT id, 'recommendation', 'awaiting_decision', created_at, '', FALSE FROM cases_case WHERE (id - %s) %% 7 = 0""",
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


def _generate_sqlite(cursor, n: int, agencies: dict) -> None:
    """``_generate`` for SQLite (no generate_series): the same rows, computed in Python."""
    import datetime
    import json

    from netra.cases.models import Case
    from netra.catalog.violations import GROUP_CODES

    states = [s for s in Case.Status.values if s != "merged"]
    katingan, barsel = agencies["pemkab-katingan"].pk, agencies["pemkab-barito-selatan"].pk
    cursor.execute("SELECT code FROM catalog_region WHERE code LIKE '%.%' ORDER BY code")
    regions = [row[0] for row in cursor.fetchall()]
    end = datetime.datetime(2024, 11, 20, tzinfo=datetime.UTC)
    rows = []
    for g in range(1, n + 1):
        created = (end - datetime.timedelta(days=g % 300)).isoformat(sep=" ")
        rows.append(
            (
                f"BENCH-{g}",
                states[g % len(states)],
                katingan if g % 20 == 0 else barsel if g % 20 == 1 else None,
                "62.06" if g % 20 == 0 else "62.04" if g % 20 == 1 else regions[(g * 7919) % len(regions)],
                "pemilu-2024" if g % 2 == 0 else "pilkada-2024",
                (datetime.date(2024, 11, 1) - datetime.timedelta(days=g % 300)).isoformat(),
                created,
                (datetime.date(2024, 11, 20) - datetime.timedelta(days=g % 40)).isoformat(),
            )
        )
    cursor.executemany(
        """INSERT INTO cases_case (number, source, source_reference, status, agency_id, region_id, election_id,
            incident_date, created_at, updated_at, deadline_key, due_date, waiting_for_bawaslu,
            bawaslu_question, dismissal_reason, forwarded_to_external, import_reference)
           VALUES (%s, 'public_report', '', %s, %s, %s, %s, %s, %s, %s, '', %s, 0, '', '', '', '')""",
        [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[6], r[7]) for r in rows],
    )
    cursor.execute("SELECT min(id) FROM cases_case")
    first = cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO cases_transition (case_id, from_state, to_state, at, public_note, imported)
           SELECT id, 'recommendation', 'awaiting_decision', created_at, '', FALSE FROM cases_case WHERE (id - %s) %% 7 = 0""",
        [first],
    )
    cursor.execute("SELECT id, created_at FROM cases_case WHERE (id - %s) %% 7 = 0", [first])
    sent = cursor.fetchall()
    cursor.execute("SELECT code FROM catalog_sanctioncategory ORDER BY severity LIMIT 1")
    category = cursor.fetchone()[0]
    cursor.executemany(
        """INSERT INTO cases_recommendation (case_id, violations, sanction_category_id, override_reason, legal_basis,
               findings, created_at, letter_number) VALUES (%s, %s, %s, '', 'PP 94/2021', '-', %s, '')""",
        [(pk, json.dumps([GROUP_CODES[pk % len(GROUP_CODES)]]), category, at) for pk, at in sent],
    )
    cursor.execute(
        """INSERT INTO cases_decision (case_id, sanction_type_id, decree_number, decree_date, signed_file, created_at,
               annulment_reason)
           SELECT id, (SELECT code FROM catalog_sanctiontype ORDER BY "order" LIMIT 1), 'SK', '2024-12-01', '',
               created_at, ''
           FROM cases_case WHERE (id - %s) %% 14 = 0""",
        [first],
    )
    cursor.execute("ANALYZE")


def _enrich(cursor, sqlite: bool) -> str:
    """What the generated data lacks for the repeated subjects and the step times (``--enrich``):
    one case in fifty gets a subject whose NIP it shares with about three other cases (5 000
    NIPs), and half the cases sent to the PPK a decision 1 to 30 days (and some hours) after it.
    Idempotent: rows already there are not added again."""
    nip = (
        "'19900101' || printf('%%010d', (c.id / 50) %% 5000)"
        if sqlite
        else "'19900101' || lpad(((c.id / 50) %% 5000)::text, 10, '0')"
    )
    cursor.execute(
        f"""INSERT INTO cases_subject (case_id, name, nip, position, agency_name, unit, employment_status)
            SELECT c.id, 'Pegawai Berulang ' || ((c.id / 50) %% 5000), {nip}, '', '', '', 'pns'
            FROM cases_case c WHERE c.id %% 50 = 0
              AND NOT EXISTS (SELECT 1 FROM cases_subject s WHERE s.case_id = c.id AND s.nip = {nip})""",  # noqa: S608
        [],
    )
    subjects = cursor.rowcount
    later = (
        "datetime(t.at, '+' || (1 + t.case_id %% 30) || ' days', '+' || (t.case_id %% 24) || ' hours')"
        if sqlite
        else "t.at + make_interval(days => 1 + (t.case_id %% 30)::int, hours => (t.case_id %% 24)::int)"
    )
    cursor.execute(
        f"""INSERT INTO cases_transition (case_id, from_state, to_state, at, public_note, imported)
            SELECT t.case_id, 'awaiting_decision', 'decided', {later}, '', FALSE
            FROM cases_transition t WHERE t.to_state = 'awaiting_decision' AND t.case_id %% 2 = 0
              AND NOT EXISTS (SELECT 1 FROM cases_transition d WHERE d.case_id = t.case_id AND d.to_state = 'decided')""",  # noqa: S608
        [],
    )
    return f"{subjects:,} repeated-NIP subjects and {cursor.rowcount:,} decisions after the PPK step added"


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


def _user(agencies, username):
    from conftest import _persona
    from netra.orgs.models import User

    return User.objects.filter(username=username).first() or _persona(agencies, username)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the database when it holds --cases cases")
    parser.add_argument("--sqlite", action="store_true", help="SQLite file var/bench-insights.sqlite3")
    parser.add_argument("--before-repeat", type=int, default=3, help="requests per figure of the old dashboard")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cube from scratch even when reused")
    parser.add_argument("--public-only", action="store_true", help="only the public page and open data")
    parser.add_argument("--dashboard-only", action="store_true", help="only the staff dashboard")
    parser.add_argument(
        "--enrich",
        action="store_true",
        help="add repeated subjects and finished PPK steps to the data (idempotent; see _enrich)",
    )
    parser.add_argument("--no-precube", action="store_true", help="leave out the dashboard before the cube")
    parser.add_argument("--baseline-repeat", type=int, default=3, help="cold pages of the baseline per scope")
    parser.add_argument(
        "--baseline-breakdown", action="store_true", help="the baseline's live figures in the breakdown too (once)"
    )
    args = parser.parse_args()
    url = _bench_url()
    sqlite_path = ROOT / "var" / "bench-insights.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("NETRA_RATE_LIMITS", "off")
    os.environ.setdefault("NETRA_ENV", "test")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    have = 0
    if args.reuse:
        try:
            if args.sqlite:
                import sqlite3

                have = sqlite3.connect(sqlite_path).execute("SELECT count(*) FROM cases_case").fetchone()[0]
            else:
                import psycopg

                with psycopg.connect(url) as conn:
                    have = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        except Exception:
            have = 0
    reuse = args.reuse and have == args.cases
    if OWN_DB and not args.sqlite:
        if not have:
            import psycopg

            try:
                with psycopg.connect(url) as conn:
                    have = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
            except Exception:
                have = 0
        if have:
            reuse, args.cases = True, have  # a copy of a generated database: used as it is
    if not reuse:
        if args.sqlite:
            sqlite_path.parent.mkdir(exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        else:
            _recreate_database(url)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from netra.insights import aggregates, stats
    from netra.orgs.demo import create_demo_agencies

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not reuse:
        call_command("load_reference", verbosity=0)
    agencies = create_demo_agencies()
    where = "SQLite " + str(sqlite_path) if args.sqlite else f"PostgreSQL {BENCH_DB}"
    print(f"{where}: migrated in {time.perf_counter() - started:.0f} s; {args.repeat} requests per figure")
    if reuse:
        print(f"{have:,} cases reused (--reuse)")
    else:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            (_generate_sqlite if args.sqlite else _generate)(cursor, args.cases, agencies)
        print(f"{args.cases:,} cases generated in {time.perf_counter() - began:.0f} s")
    if args.enrich:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            print(f"enriched: {_enrich(cursor, args.sqlite)} in {time.perf_counter() - began:.0f} s")
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (2 cores)")

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()

    print(f"the machine: one round trip SELECT 1 {_p(_time(select_one, 200))}")

    if not args.public_only:
        _dashboard_part(args, agencies, reuse)
    if args.dashboard_only:
        print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        return

    print("\npublic statistics")
    from netra.insights.models import Aggregate

    if args.rebuild or not reuse or not Aggregate.objects.exists():
        began = time.perf_counter()
        rows = aggregates.rebuild()
        print(
            f"  aggregate table rebuilt (full, rebuild_insights): {(time.perf_counter() - began) * 1000:,.0f} ms, {rows:,} rows"
        )
    client = Client()
    rebuilt = []
    for _ in range(max(3, args.repeat // 4)):
        cache.clear()
        began = time.perf_counter()
        assert client.get("/statistik/").status_code == 200
        rebuilt.append((time.perf_counter() - began) * 1000)
    print(f"  /statistik/ table rebuilt from the aggregates {_p(rebuilt)}")
    cached = _time(lambda: client.get("/statistik/"), args.repeat * 5)
    print(f"  /statistik/ from the cache       {_p(cached)}   (the whole page, CSRF slot filled)")
    # The same content from the cache with the frame rendered around it (what every hit did
    # before the whole page was cached): an address that is not the page's own takes that path.
    framed = _time(lambda: client.get("/statistik/?ukuran=reports&x=1"), args.repeat * 5)
    print(
        f"  … frame rendered around it       {_p(framed)}   ratio p95 whole / framed {_p95(cached) / _p95(framed):.2f}"
    )
    # And as every hit was before: the generation read from the database each time, the frame rendered.
    aggregates.GENERATION_SECONDS = 0
    before = _time(lambda: client.get("/statistik/?ukuran=reports&x=1"), args.repeat * 5)
    aggregates.GENERATION_SECONDS = 1.0
    print(
        f"  … and the generation read each hit (before) {_p(before)}   ratio p95 now / before {_p95(cached) / _p95(before):.2f}"
    )
    province = _time(lambda: client.get("/statistik/?provinsi=62"), args.repeat * 5)
    print(f"  /statistik/?provinsi=62 (cache)  {_p(province)}")
    api = _time(lambda: client.get("/api/v1/public/statistics"), args.repeat)
    print(f"  open data JSON (cache)           {_p(api)}")
    build = _time(lambda: stats.build_table(), max(3, args.repeat // 4))
    print(f"  build_table() alone              {_p(build)}")
    print(
        f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores); now {timezone.now():%H:%M} UTC"
    )


def _dashboard_part(args, agencies, reuse) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from conftest import verified_login
    from netra.insights import cube, dashboard
    from netra.orgs.selectors import case_scope

    # --- the cube ---------------------------------------------------------------------------
    state = cube.state()
    if args.rebuild or not reuse or state.refreshed_at is None or state.pending:
        began = time.perf_counter()
        cells = cube.rebuild()
        print(f"\ndashboard cube: full rebuild {time.perf_counter() - began:,.1f} s, {cells:,} cells")
    else:
        print("\ndashboard cube: current (reused)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM insights_dashcell")
        print(f"  cells: {cursor.fetchone()[0]:,}")
        if not args.sqlite:
            cursor.execute("VACUUM (ANALYZE) insights_dashcell")
            cursor.execute("VACUUM (ANALYZE) insights_casefact")
        else:
            cursor.execute("ANALYZE")
    # An incremental refresh: 1 000 cases change state (through the triggers), then back.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, status FROM cases_case ORDER BY id LIMIT 1000 OFFSET %s", [min(5000, args.cases // 2)]
        )
        picked = cursor.fetchall()
    from netra.cases.models import Case

    Case.objects.filter(pk__in=[pk for pk, _ in picked]).update(status=Case.Status.CLOSED)
    began = time.perf_counter()
    applied = cube.refresh()
    first = time.perf_counter() - began
    for pk, status in picked:
        Case.objects.filter(pk=pk).update(status=status)
    began = time.perf_counter()
    cube.refresh()
    print(
        f"  incremental refresh: {applied:,} changed cases in {first * 1000:,.0f} ms (one bulk update); "
        f"the same {len(picked):,} back one by one in {(time.perf_counter() - began) * 1000:,.0f} ms"
    )
    began = time.perf_counter()
    for _ in range(20):
        cube.state()
    print(f"  the page's check for pending changes: {(time.perf_counter() - began) * 1000 / 20:.2f} ms")

    users = {
        "pemda (Satgas Katingan)": _user(agencies, "satgas.katingan"),
        "province (Bawaslu Kalteng)": _user(agencies, "bawaslu.kalteng"),
        "BKN pusat": _user(agencies, "bkn.pusat"),
    }
    print("\nstaff dashboard /staf/dasbor/ (whole page)")
    summary = {}
    for label, user in users.items():
        client = verified_login(Client(), user)
        assert client.get("/staf/dasbor/").status_code == 200

        cold = []
        for _ in range(args.repeat):
            cache.clear()  # the figures' cache (sessions live in the database)
            began = time.perf_counter()
            response = client.get("/staf/dasbor/")
            cold.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        warm = _time(lambda c=client: c.get("/staf/dasbor/"), args.repeat)
        total = dashboard.figures(user, dashboard.Filters(), scope=case_scope(user))["total"]
        summary[label] = (cold, warm)
        print(f"  {label:<28} cold {_p(cold)}   warm {_p(warm)}   ({total:,} cases)")

    # The same page with the baseline's dashboard module (git BASELINE) in the view, same run.
    from netra.insights import views

    baseline = _load_before(BASELINE, "dashboard_baseline")
    revision = _git("rev-parse", "--short", BASELINE)
    print(f"\nthe same page with the dashboard module of git {BASELINE} ({revision}), same run")
    ours = views.dashboard
    views.dashboard = baseline
    try:
        for label, user in users.items():
            client = verified_login(Client(), user)
            assert client.get("/staf/dasbor/").status_code == 200
            cold = []
            for _ in range(args.baseline_repeat):
                cache.clear()
                began = time.perf_counter()
                assert client.get("/staf/dasbor/").status_code == 200
                cold.append((time.perf_counter() - began) * 1000)
            warm = _time(lambda c=client: c.get("/staf/dasbor/"), args.repeat)
            now_cold, now_warm = summary[label]
            print(
                f"  {label:<28} cold {_p(cold)}   warm {_p(warm)}   ratio p95 this tree / baseline: "
                f"cold {_p95(now_cold) / _p95(cold):.3f}, warm {_p95(now_warm) / _p95(warm):.3f}"
            )
    finally:
        views.dashboard = ours
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")

    _page_baseline(users, args)

    busy = datetime_date(2024, 11, 20)
    print(f"\nfigures + step times without cache, today = {busy} (the data's last day: live parts busy)")
    for label, user in users.items():
        scope = case_scope(user)
        f = dashboard.Filters()
        t = _time(
            lambda u=user, s=scope, f=f: (
                dashboard.figures(u, f, today=busy, scope=s),
                dashboard.step_times(u, f, today=busy, scope=s),
            ),
            args.before_repeat,
        )
        print(f"  {label:<28} {_p(t)}")

    _breakdown(users, args, busy)

    if not args.no_precube:
        _precube(_load_before(BEFORE, "dashboard_before"), users, args)
    _sql_part(agencies, args, summary)


def _precube(before, users, args) -> None:
    from netra.insights import dashboard
    from netra.orgs.selectors import case_scope

    print(f"\nbefore the cube (git {BEFORE}): figures + step times without cache, {args.before_repeat} runs")
    for label, user in users.items():
        scope = case_scope(user)
        old = _time(
            lambda u=user, s=scope: (
                before.figures(u, before.Filters(), scope=s),
                before.step_times(u, before.Filters(), scope=s),
            ),
            args.before_repeat,
        )
        new = _time(
            lambda u=user, s=scope: (
                dashboard.figures(u, dashboard.Filters(), scope=s),
                dashboard.step_times(u, dashboard.Filters(), scope=s),
            ),
            args.before_repeat * 3,
        )
        print(f"  {label:<28} before {_p(old)}   cube {_p(new)}   ratio p95 {_p95(new) / _p95(old):.3f}")


def _sql_part(agencies, args, summary) -> None:
    from django.db import connection

    print("\nhand-written SQL, same run: the per-state count of each scope, over cases_case and over the cube")
    katingan = agencies["pemkab-katingan"].pk
    like = "LIKE '62.%%'"
    sql = {
        "pemda (Satgas Katingan)": (
            f"agency_id = {katingan}",
            f"agency = {katingan}",
        ),
        "province (Bawaslu Kalteng)": (
            f"(region_id = '62' OR region_id {like})",
            f"(region = '62' OR region {like})",
        ),
        "BKN pusat": ("TRUE" if not args.sqlite else "1", "TRUE" if not args.sqlite else "1"),
    }
    for label, (on_cases, on_cube) in sql.items():

        def run(q):
            with connection.cursor() as cursor:
                cursor.execute(q)
                cursor.fetchall()

        live = _time(
            lambda w=on_cases: run(
                f"SELECT status, count(*) FROM cases_case WHERE {w} AND status <> 'merged' GROUP BY status"  # noqa: S608
            ),
            max(3, args.repeat // 2),
        )
        cubed = _time(
            lambda w=on_cube: run(
                "SELECT value, sum(n) FROM insights_dashcell WHERE period = '' AND dim = 's' AND "  # noqa: S608
                f"{w} GROUP BY value"
            ),
            args.repeat,
        )
        cold = summary[label][0]
        print(
            f"  {label:<28} cases_case {_p(live)}   cube {_p(cubed)}   "
            f"cold page / SQL on cases p95 {_p95(cold) / _p95(live):.2f}, / SQL on cube {_p95(cold) / _p95(cubed):.1f}"
        )


def _breakdown(users, args, busy) -> None:
    """The cold dashboard per figure: wall and CPU time (best of --before-repeat) and queries each,
    for today and for the data's last day (the live parts then have rows); with
    ``--baseline-breakdown`` the baseline's live figures too (once each)."""

    from django.db import connection
    from django.db.models import Count, Sum
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from netra.cases.models import Subject
    from netra.cases.selectors import ACTIVE_STATES
    from netra.insights import cube, dashboard
    from netra.orgs.selectors import case_scope

    old = _load_before(BASELINE, "dashboard_baseline")

    def measure(fn, repeat=None):
        best = None
        for _ in range(repeat or max(1, args.before_repeat)):
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                fn()
                wall, cpu = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
            if best is None or wall < best[0]:
                best = (wall, cpu, len(captured.captured_queries))
        return best

    f = dashboard.Filters()
    for today in (None, busy):
        day = today or timezone.localdate()
        print(
            f"\ncold dashboard per figure, today = {day} (best of {max(1, args.before_repeat)}; wall / CPU / queries)"
        )
        for label, user in users.items():
            scope = case_scope(user)
            live = dashboard.cases(user, f, scope)
            parts = {
                "cube value_sums (s v d u x)": lambda s=scope: cube.value_sums(s, f),
                "cube place_sums": lambda s=scope: cube.place_sums(s, f),
                "not yet due (cube e cells)": lambda s=scope, d=day: list(
                    cube.cells(s, f, "e").filter(value__gte=d.isoformat()).values("value").annotate(n=Sum("n"))
                ),
                "repeat subjects (DashSubject)": lambda s=scope: dashboard.repeat_subjects(s, f),
                "figures() whole": lambda u=user, s=scope, t=today: dashboard.figures(u, f, today=t, scope=s),
                "step_times() whole (DashStep)": lambda u=user, s=scope, t=today: dashboard.step_times(
                    u, f, today=t, scope=s
                ),
            }
            baseline = {
                "baseline: not yet due (live)": lambda q=live, d=day: list(
                    q.filter(status__in=ACTIVE_STATES, due_date__gte=d).values_list("status").annotate(n=Count("pk"))
                ),
                "baseline: repeat subjects (live)": lambda q=live: list(
                    Subject.objects.filter(case__in=q.values("pk"))
                    .exclude(nip__isnull=True)
                    .exclude(nip="")
                    .values("nip")
                    .annotate(n=Count("case", distinct=True))
                    .filter(n__gt=1)
                    .order_by("-n", "nip")[:10]
                ),
                "baseline: step_times() (live)": lambda u=user, s=scope, t=today: old.step_times(
                    u, old.Filters(), today=t, scope=s
                ),
            }
            print(f"  {label}")
            for name, fn in parts.items():
                wall, cpu, queries = measure(fn)
                print(f"    {name:<32} {wall:8.1f} ms  cpu {cpu:7.1f} ms  {queries:3d} queries")
            for name, fn in baseline.items() if args.baseline_breakdown else ():
                wall, cpu, queries = measure(fn, 1)
                print(f"    {name:<32} {wall:8.1f} ms  cpu {cpu:7.1f} ms  {queries:3d} queries  (once)")
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


def _load_view(revision: str):
    """git ``revision``'s ``staff_dashboard`` view with its own ``insights/dashboard.html`` (compiled
    once, as the cached loader does), next to this tree's: the same-run baseline of the page."""
    import importlib.util
    import subprocess
    import tempfile

    from django.http import HttpResponse
    from django.template import engines

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:{path}"], capture_output=True, text=True, check=True
        ).stdout

    template = engines["django"].from_string(show("netra/insights/templates/insights/dashboard.html"))
    path = Path(tempfile.mkdtemp()) / "views_baseline.py"
    path.write_text(show("netra/insights/views.py"))
    spec = importlib.util.spec_from_file_location("views_baseline", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["views_baseline"] = module
    spec.loader.exec_module(module)
    own = module.render

    def render(request, name, context=None, *args, **kwargs):
        if name == "insights/dashboard.html":
            return HttpResponse(template.render(context, request))
        return own(request, name, context, *args, **kwargs)

    module.render = render
    return module.staff_dashboard


def _page_baseline(users, args) -> None:
    """The whole page, this tree's view against git BASELINE's view and template (its
    ``dashboard`` module is this tree's), alternating request by request in the same run: CPU
    (process time) and wall per request, cold (cache cleared) and warm."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import resolve

    from conftest import verified_login
    from netra.insights import urls_staff

    resolve("/staf/dasbor/")  # the URLconf loaded

    route = next(p for p in urls_staff.urlpatterns if p.name == "dashboard")
    ours, theirs = route.callback, _load_view(BASELINE)
    revision = _git("rev-parse", "--short", BASELINE)
    print(f"\nthe whole page against git {BASELINE} ({revision})'s view and template, alternating, same run")
    try:
        for label, user in users.items():
            client = verified_login(Client(), user)
            found: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for kind in ("cold", "warm"):
                for _ in range(args.repeat):
                    for name, view in (("baseline", theirs), ("this tree", ours)):
                        route.callback = view
                        if kind == "cold":
                            cache.clear()
                        else:
                            assert client.get("/staf/dasbor/").status_code == 200
                        cpu, wall = time.process_time(), time.perf_counter()
                        assert client.get("/staf/dasbor/").status_code == 200
                        found.setdefault((kind, name), []).append(
                            ((time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000)
                        )
            print(f"  {label}")
            for kind in ("cold", "warm"):
                parts = []
                for name in ("baseline", "this tree"):
                    rows = found[(kind, name)]
                    cpu = statistics.median(r[0] for r in rows)
                    parts.append(f"{name} cpu p50 {cpu:6.1f} ms wall {_p([r[1] for r in rows])}")
                ratio = statistics.median(r[0] for r in found[(kind, "this tree")]) / statistics.median(
                    r[0] for r in found[(kind, "baseline")]
                )
                print(f"    {kind}: {' | '.join(parts)}   cpu ratio {ratio:.2f}")
    finally:
        route.callback = ours
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")


def datetime_date(*args):
    import datetime

    return datetime.date(*args)


def _git(*args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()


def _load_before(revision: str = BEFORE, name: str = "dashboard_before"):
    """The dashboard module of git ``revision``, loaded next to the current one."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:netra/insights/dashboard.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
