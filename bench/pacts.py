"""Benchmark: importing a 100 000-row roster (.xlsx) — time and peak memory (RSS) — against
openpyxl's own read-only load of the same file, measured in the same run (the ratio).

Each figure comes from a child process of its own, so its peak RSS is its own:

- ``baseline``: ``load_workbook(read_only=True)`` and every row read (``values_only``) — the least
  any import of this file must do;
- ``import``: ``netra.pacts.services.start_roster_import`` run to the end on a fresh, migrated
  database (parse, check every NIP, match units, one transaction of bulk inserts, audit) — then
  the same file again (the re-import: every row matched, nothing changed).

    .venv/bin/python bench/pacts.py                      # SQLite (a temporary file)
    BENCH_DATABASES=sqlite,postgresql DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/pacts.py

BENCH_ROWS (default 100000). PostgreSQL uses a database ``netra_bench_pacts`` on DATABASE_URL's
server (dropped and recreated; the database named in DATABASE_URL is never touched).
Goals (issue #11): < 60 s and < 300 MB RSS.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite").split(",")
BENCH_DB = "netra_bench_pacts"
UNITS = [f"Dinas {i:02d}" for i in range(40)]


def _nip(i: int) -> str:
    # Valid NIPs, all different: birth date and serial vary.
    day = i // 999
    return f"19{70 + day // 336 % 30:02d}{day // 28 % 12 + 1:02d}{day % 28 + 1:02d}2010011{i % 999 + 1:03d}"


def write_file(path: Path) -> None:
    from openpyxl import Workbook

    sys.path.insert(0, str(ROOT))
    from netra.pacts.roster import COLUMNS, SHEET

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(list(COLUMNS))
    for i in range(ROWS):
        if i % 10 == 9:
            sheet.append([f"Pegawai Non-ASN {i}", "", f"NA-{i:06d}", "Non-ASN", "Pengemudi", UNITS[i % 40], ""])
        else:
            status = "PPPK" if i % 10 == 8 else "PNS"
            sheet.append([f"Pegawai {i}", _nip(i), "", status, "Analis Kebijakan Ahli Muda", UNITS[i % 40], ""])
    book.save(path)


def child_baseline(path: str) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True)
    rows = sum(1 for _row in book["Pegawai"].iter_rows(values_only=True))
    book.close()
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_import(path: str) -> dict:
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.NETRA_ROSTER_INLINE_BYTES = 1 << 40  # run inline: the figure is the import itself
    settings.NETRA_ROSTER_MAX_BYTES = 64 * 1024 * 1024
    call_command("migrate", verbosity=0)
    from netra.orgs.models import Agency, Unit, User
    from netra.pacts.models import Employee
    from netra.pacts.services import start_roster_import

    agency = Agency.objects.create(code="pemkab-bench", name="Pemkab Bench", kind=Agency.Kind.PEMDA_REGENCY)
    Unit.objects.bulk_create(Unit(agency=agency, name=name) for name in UNITS)
    user = User.objects.create_superuser("bench", "bench@example.org", "x")
    data = Path(path).read_bytes()
    figures = {"bytes": len(data)}
    for label in ("import", "reimport"):
        started = time.perf_counter()
        job = start_roster_import(user=user, agency=agency, data=data, filename="pegawai.xlsx")
        figures[f"{label}_seconds"] = time.perf_counter() - started
        figures[f"{label}_state"] = job.state
        figures[f"{label}_result"] = job.result
    figures["employees"] = Employee.objects.count()
    return figures


def run_child(mode: str, path: Path, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, mode, str(path)], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres_url() -> str:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("PostgreSQL needs DATABASE_URL pointing at a PostgreSQL server")
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="netra-bench-pacts-") as tmp:
        path = Path(tmp) / "pegawai.xlsx"
        started = time.perf_counter()
        write_file(path)
        print(
            f"roster file: {ROWS} rows, {path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - started:.1f} s)"
        )
        env = {**os.environ, "NETRA_ENV": "test", "NETRA_VAR_DIR": tmp}
        base = run_child("baseline", path, env)
        print(
            f"openpyxl read-only load: {base['seconds']:.2f} s, peak RSS {base['rss_mb']:.0f} MB ({base['rows']} rows)"
        )
        for database in DATABASES:
            url = f"sqlite:///{tmp}/bench.sqlite3" if database == "sqlite" else _postgres_url()
            got = run_child("import", path, {**env, "DATABASE_URL": url})
            print(
                f"{database}: import {got['import_seconds']:.2f} s ({got['import_state']}, {got['import_result']}), "
                f"re-import {got['reimport_seconds']:.2f} s ({got['reimport_result']}), "
                f"peak RSS {got['rss_mb']:.0f} MB, {got['employees']} employees"
            )
            print(
                f"{database}: ratio to openpyxl's load — time x{got['import_seconds'] / base['seconds']:.1f}, "
                f"RSS x{got['rss_mb'] / base['rss_mb']:.1f}; goals < 60 s: "
                f"{'met' if got['import_seconds'] < 60 else 'MISSED'}, < 300 MB: {'met' if got['rss_mb'] < 300 else 'MISSED'}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3:
        mode, target = sys.argv[1], sys.argv[2]
        out = child_baseline(target) if mode == "baseline" else child_import(target)
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(out, default=str))
    else:
        main()
