"""Benchmark: importing a 10 000-row historical case register (.xlsx) — time and peak memory (RSS)
— against openpyxl's own read-only load of the same file, measured in the same run (the ratio).

Each figure comes from a child process of its own, so its peak RSS is its own:

- ``baseline``: ``load_workbook(read_only=True)`` and every row read (``values_only``) — the least
  any import of this file must do;
- ``import``: ``netra.cases.history_import.start_history_import`` run to the end (parse, resolve
  regions/elections/codes, check each row's path against the workflow table, one transaction of
  bulk inserts: reports, cases, subjects, ~6 transitions a case, recommendations, decisions,
  follow-ups, one audit event per case; then the statistics rebuild) — then the same file again
  (the re-import: every row already there, nothing written).

The register is the demo's generator (``netra.cases.demo_history.register_rows``): Pemilu and
Pilkada 2024 over the kabupaten/kota of Kalimantan Tengah, every state, ~6 % repeat subjects.

    .venv/bin/python bench/history_import.py                    # SQLite
    BENCH_DATABASES=sqlite,postgresql DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/history_import.py --reuse

``--reuse`` keeps the generated file and the migrated empty databases (with the reference data)
under ``BENCH_DIR`` (default ``var/bench-history``) and PostgreSQL's template database
``netra_bench_insights_import_base``: a later run copies them instead of generating and
migrating again (each run imports into a fresh copy: SQLite file copy, PostgreSQL
``CREATE DATABASE … TEMPLATE``). BENCH_ROWS (default 10000).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("BENCH_ROWS", "10000"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite").split(",")
BENCH_DIR = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench-history"))
PG_BASE = "netra_bench_insights_import_base"
PG_RUN = "netra_bench_insights_import"


def _django(env_url: str | None = None) -> None:
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    if env_url:
        os.environ["DATABASE_URL"] = env_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def write_file(path: Path) -> None:
    """The register (needs only the pure generator; the region list is Kalimantan Tengah's 14)."""
    import random

    from openpyxl import Workbook

    from netra.cases import history_import
    from netra.cases.demo_history import register_rows

    kab_kota = [f"62.{n:02d}" for n in range(1, 14)] + ["62.71"]
    rows = register_rows("bench", "62", kab_kota, ROWS, random.Random(7))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(history_import.SHEET)
    sheet.append(list(history_import.COLUMNS))
    for row in rows:
        sheet.append([row.get(column, "") for column in history_import.COLUMNS])
    book.save(path)


def child_baseline(path: str) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True)
    rows = sum(1 for _row in book["Kasus"].iter_rows(values_only=True))
    book.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_prepare() -> dict:
    """Migrate the (empty) database and load the reference data: the base every run copies."""
    _django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    return {"seconds": time.perf_counter() - started}


def child_import(path: str) -> dict:
    _django()
    from django.conf import settings

    settings.NETRA_HISTORY_INLINE_BYTES = 1 << 40  # run inline: the figure is the import itself
    settings.NETRA_HISTORY_MAX_BYTES = 64 * 1024 * 1024
    from netra.cases.history_import import start_history_import
    from netra.cases.models import Case, Transition
    from netra.orgs.models import Agency, Membership, User

    agency = Agency.objects.create(
        code="pemprov-bench", name="Pemprov Bench", kind=Agency.Kind.PEMDA_PROVINCE, region_id="62"
    )
    user = User.objects.create_user("bench-lead", "lead@example.org", "x")
    Membership.objects.create(user=user, agency=agency, role=Membership.Role.SATGAS_LEAD)
    data = Path(path).read_bytes()
    figures: dict = {"bytes": len(data)}
    for label in ("import", "reimport"):
        started = time.perf_counter()
        job = start_history_import(user=user, agency=agency, data=data, filename="register.xlsx")
        figures[f"{label}_seconds"] = time.perf_counter() - started
        figures[f"{label}_state"] = job.state
        figures[f"{label}_result"] = {k: v for k, v in job.result.items() if k in ("created", "existing")}
        if job.errors:
            figures[f"{label}_errors"] = job.errors[:3]
    figures["cases"] = Case.objects.count()
    figures["transitions"] = Transition.objects.count()
    return figures


def run_child(mode: str, path: Path | None, env: dict) -> dict:
    args = [sys.executable, __file__, mode, str(path or "-")]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pg(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _pg_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("PostgreSQL needs DATABASE_URL pointing at a PostgreSQL server")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def main() -> None:
    reuse = "--reuse" in sys.argv
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"register-{ROWS}.xlsx"
    env = {**os.environ, "NETRA_ENV": "test", "NETRA_VAR_DIR": str(BENCH_DIR)}
    if not (reuse and path.exists()):
        _django()
        started = time.perf_counter()
        write_file(path)
        print(
            f"register file: {ROWS} rows, {path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - started:.1f} s)"
        )
    else:
        print(f"register file: {ROWS} rows, {path.stat().st_size / 1e6:.1f} MB (reused {path})")
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    base = run_child("baseline", path, env)
    print(f"openpyxl read-only load: {base['seconds']:.2f} s, peak RSS {base['rss_mb']:.0f} MB ({base['rows']} rows)")
    for database in DATABASES:
        if database == "sqlite":
            base_db = BENCH_DIR / "base.sqlite3"
            if not (reuse and base_db.exists()):
                base_db.unlink(missing_ok=True)
                prepared = run_child("prepare", None, {**env, "DATABASE_URL": f"sqlite:///{base_db}"})
                print(f"sqlite: migrated + reference data in {prepared['seconds']:.1f} s (kept as {base_db})")
            run_db = BENCH_DIR / "run.sqlite3"
            shutil.copyfile(base_db, run_db)
            url = f"sqlite:///{run_db}"
        else:
            base_url = _pg_url(PG_BASE)
            import psycopg

            try:
                exists = reuse and bool(psycopg.connect(base_url).close() or True)
            except psycopg.OperationalError:
                exists = False
            if not exists:
                _pg(base_url, f'DROP DATABASE IF EXISTS "{PG_BASE}"', f'CREATE DATABASE "{PG_BASE}"')
                prepared = run_child("prepare", None, {**env, "DATABASE_URL": base_url})
                print(f"postgresql: migrated + reference data in {prepared['seconds']:.1f} s (kept as {PG_BASE})")
            _pg(base_url, f'DROP DATABASE IF EXISTS "{PG_RUN}"', f'CREATE DATABASE "{PG_RUN}" TEMPLATE "{PG_BASE}"')
            url = _pg_url(PG_RUN)
        got = run_child("import", path, {**env, "DATABASE_URL": url})
        print(
            f"{database}: import {got['import_seconds']:.2f} s ({got['import_state']}, {got['import_result']}), "
            f"re-import {got['reimport_seconds']:.2f} s ({got['reimport_result']}), peak RSS {got['rss_mb']:.0f} MB; "
            f"{got['cases']} cases, {got['transitions']} transitions"
            + (f"; errors {got['import_errors']}" if got.get("import_errors") else "")
        )
        print(
            f"{database}: ratio to openpyxl's load — time x{got['import_seconds'] / base['seconds']:.1f}, "
            f"RSS x{got['rss_mb'] / base['rss_mb']:.1f}"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("baseline", "prepare", "import"):
        mode, target = sys.argv[1], sys.argv[2]
        out = {"baseline": child_baseline, "import": child_import}.get(mode, lambda _t: child_prepare())(target)
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(out, default=str))
    else:
        main()
