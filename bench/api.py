"""Benchmark: the agency case list (GET /api/v1/cases) at 10 k and 1 M cases on PostgreSQL.

Creates a separate ``netra_bench_api`` database on the server of DATABASE_URL (dropped and
recreated; the database named in DATABASE_URL is never touched), migrates it, bulk-generates
cases with one INSERT … SELECT generate_series per size, and times the endpoint in-process
(Django test client: routing, token check, audit entry, scope, query, serialisation — no socket).

Per size it prints p50/p95 for: page 1, a deep page by OFFSET (page 1000 of 50, or the last page
when there are fewer), the same depth through ``cursor``, and a regency-scoped token's page 1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/api.py

BENCH_SIZES (default "10000,1000000") and BENCH_REPEAT (default 40 requests per figure).
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "netra_bench_api"
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
PAGE_SIZE = 50
DEEP_PAGE = 1000


def _bench_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/api.py needs DATABASE_URL pointing at a PostgreSQL server")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def _insert_sql() -> str:
    """One INSERT … SELECT for a range of cases, spread over the demo regions and a year of changes."""
    from django.db import models

    from netra.cases.models import Case

    statuses = "ARRAY[" + ",".join(f"'{s}'" for s in Case.Status.values if s != "merged") + "]"
    special = {
        "number": "'BENCH-' || g",
        "source": "'public_report'",
        "status": f"({statuses})[1 + (g %% {len(Case.Status.values) - 1})]",
        # 62.06 Katingan (pemkab-katingan) one case in ten, 62.04 Barito Selatan two, the rest elsewhere.
        "region_id": "(ARRAY['62.06','62.04','62.04','62.71','63.71','63.72','74.05','62.06','62.71','63.71'])[1 + (g %% 10)]",
        "agency_id": "(CASE WHEN g %% 10 IN (0, 7) THEN {katingan} WHEN g %% 10 IN (1, 2) THEN {barsel} ELSE NULL END)",
        "incident_date": "DATE '2024-11-01' - (g %% 300)",
        "created_at": "now() - make_interval(secs => (g::bigint * 7919) %% 31536000)",
        "updated_at": "now() - make_interval(secs => (g::bigint * 7919) %% 31536000)",
    }
    columns, values = [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.column in special or field.name in special:
            values.append(special.get(field.column) or special[field.name])
        elif field.null:
            values.append("NULL")
        elif isinstance(field, models.BooleanField):
            values.append("TRUE" if field.get_default() else "FALSE")
        elif field.has_default() or field.blank:
            values.append("''")
        else:
            raise SystemExit(f"bench/api.py: no value for Case.{field.name}; add it to _insert_sql")
    # Built from our own model's field names and constants only; the range comes as parameters.
    return (
        f"INSERT INTO cases_case ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM generate_series(%s, %s) AS g"
    )


def _timed(client, url: str, headers: dict) -> list[float]:
    client.get(url, headers=headers)  # warm
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        answer = client.get(url, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.content[:300]
    return times


def _fmt(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return f"p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms"


def main() -> None:
    url = _bench_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("NETRA_RATE_LIMITS", "off")
    os.environ.setdefault("NETRA_ENV", "test")
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from netra.orgs.demo import create_demo_agencies, ensure_demo_regions
    from netra.sharing import present
    from netra.sharing.tokens import find_token, issue_token

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    ensure_demo_regions()
    agencies = create_demo_agencies()
    national = issue_token(agency=agencies["bkn-pusat"], role="bkn_supervisor", name="bench").plaintext
    regency = issue_token(agency=agencies["bawaslu-kab-katingan"], role="bawaslu_officer", name="bench").plaintext
    print(f"database {BENCH_DB} migrated in {time.perf_counter() - started:.0f} s; {REPEAT} requests per figure")

    client = Client()
    generated = 0
    sql = _insert_sql()
    sql = sql.replace("{katingan}", str(agencies["pemkab-katingan"].pk)).replace(
        "{barsel}", str(agencies["pemkab-barito-selatan"].pk)
    )
    for size in SIZES:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [generated + 1, size])
            cursor.execute("ANALYZE cases_case")
        generated = size
        print(f"\n{size:,} cases (generated in {time.perf_counter() - began:.0f} s)")
        auth = {"Authorization": f"Bearer {national}"}
        base = f"/api/v1/cases?page_size={PAGE_SIZE}"
        deep = min(DEEP_PAGE, max(1, size // PAGE_SIZE))
        print(f"  national token, page 1            {_fmt(_timed(client, base, auth))}")
        print(f"  national token, page {deep:<5} OFFSET {_fmt(_timed(client, f'{base}&page={deep}', auth))}")
        # The cursor of the row just before that page: the same depth, reached by keyset.
        before = client.get(f"/api/v1/cases?page_size={PAGE_SIZE}&page={deep - 1}", headers=auth).json()
        cursor = before["next_cursor"] if deep > 1 else None
        if cursor:
            print(f"  national token, same depth, cursor {_fmt(_timed(client, f'{base}&cursor={cursor}', auth))}")
        print(f"  national token, status filter     {_fmt(_timed(client, f'{base}&status=awaiting_decision', auth))}")
        regency_auth = {"Authorization": f"Bearer {regency}"}
        print(f"  Bawaslu Katingan token, page 1    {_fmt(_timed(client, base, regency_auth))}")
        print(f"  count of the national list: {before['count']:,}")
        # The list caches counts ≥ 10 k for a minute (netra.sharing.present.count); the uncached cost:
        for label, token in (("national", national), ("Bawaslu Katingan", regency)):
            qs = present.cases_in_scope(find_token(token))
            times = []
            for _ in range(5):
                began = time.perf_counter()
                qs.count()
                times.append((time.perf_counter() - began) * 1000)
            print(f"  uncached count(*), {label:<17} median {statistics.median(times):6.1f} ms")


if __name__ == "__main__":
    main()
