"""Benchmark: the queue export of 100 000 cases to Excel on PostgreSQL — time and peak RSS —
against openpyxl's write-only mode writing the same number of rows of constant data, in the same run.

Each figure comes from a child process of its own, so its peak RSS is its own:

- ``baseline``: ``Workbook(write_only=True)``, one sheet, a header and BENCH_ROWS rows of the
  export's 13 columns filled with constant values (strings, two dates), saved to a file — the
  least any export of that many rows must do;
- ``floor``: Python with Django set up and one query — the memory part of the export's figure
  that any Django process has (printed, so the export's own share shows);
- ``export``: ``netra.insights.exports.process_export`` (what the worker runs) for a Satgas
  officer whose scope holds every case, queue filter "all states": the scoped, ordered queue query
  streamed in chunks of 2 000, subjects and decisions per chunk, formula-safe cells, the header
  sheet, the file stored, the row audited.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/exports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/exports.py --reuse

BENCH_ROWS (default 100000), BENCH_REPEAT (default 1: pairs of baseline and export runs). The data lives in the
database ``netra_bench_insights_exports`` on DATABASE_URL's server (the database named in
DATABASE_URL is never touched); ``--reuse`` keeps it when it already holds BENCH_ROWS cases, so
re-measuring on a quiet machine takes only the two children.
"""

from __future__ import annotations

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
REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
BENCH_DB = "netra_bench_insights_exports"
USERNAME = "bench.exports"


def _django() -> None:
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_setup(_target: str) -> dict:
    """Migrate and fill the database with ROWS cases of one agency (kept for --reuse)."""
    _django()
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from netra.cases.models import Case, Decision, Recommendation, Subject
    from netra.catalog.models import Region, SanctionCategory, SanctionType, ViolationGroup
    from netra.orgs.models import Agency, Membership, User

    if Case.objects.count() == ROWS and User.objects.filter(username=USERNAME).exists():
        return {"reused": True, "cases": ROWS}
    started = time.perf_counter()
    call_command("load_reference", verbosity=0)
    Case.objects.all().delete()
    region = Region.objects.get(code="62.06")
    agency, _ = Agency.objects.get_or_create(
        code="pemkab-bench", defaults={"name": "Pemkab Bench", "kind": Agency.Kind.PEMDA_REGENCY, "region": region}
    )
    user, _ = User.objects.get_or_create(username=USERNAME)
    Membership.objects.get_or_create(user=user, agency=agency, role=Membership.Role.SATGAS_OFFICER)
    groups = list(ViolationGroup.objects.values_list("code", flat=True)) or ["social_media"]
    category = SanctionCategory.objects.order_by("severity").first()
    sanction = SanctionType.objects.first()
    states = [s for s in Case.Status.values if s != Case.Status.MERGED]
    base = timezone.now() - datetime.timedelta(days=400)
    batch = 5000
    for start in range(0, ROWS, batch):
        cases = Case.objects.bulk_create(
            Case(
                number=f"NTR-2025-{i + 1:06d}",
                status=states[i % len(states)],
                agency=agency,
                region=region,
                incident_date=datetime.date(2025, 1, 1),
                created_at=base + datetime.timedelta(minutes=5 * i),
                due_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 500),
            )
            for i in range(start, min(ROWS, start + batch))
        )
        Subject.objects.bulk_create(
            Subject(
                case=c,
                name=f"Terlapor {c.pk}",
                nip=f"19800101200501{c.pk % 2 + 1}{c.pk % 1000:03d}",
                position="Kepala Seksi",
                unit=f"Dinas {c.pk % 40:02d}",
            )
            for c in cases
        )
        if category is not None:
            Recommendation.objects.bulk_create(
                Recommendation(
                    case=c,
                    violations=[groups[c.pk % len(groups)]],
                    sanction_category=category,
                    legal_basis="PP 94/2021",
                    findings="-",
                )
                for c in cases[::3]
            )
        if sanction is not None:
            Decision.objects.bulk_create(
                Decision(
                    case=c, sanction_type=sanction, decree_number=f"SK-{c.pk}", decree_date=datetime.date(2025, 6, 1)
                )
                for c in cases[::9]
            )
    return {"reused": False, "cases": Case.objects.count(), "seconds": time.perf_counter() - started}


def child_baseline(target: str) -> dict:
    """openpyxl write-only, the same number of rows and columns, constant data."""
    import datetime

    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook(write_only=True)
    info = book.create_sheet("Keterangan")
    info.append(["Ekspor antrean kasus Netra"])
    sheet = book.create_sheet("Data")
    sheet.append([f"Kolom {i}" for i in range(13)])
    day = datetime.date(2025, 1, 1)
    row = [
        "NTR-2025-000001",
        day,
        "Pengecekan",
        day,
        "Pemkab Bench",
        "Dinas 01",
        "Kabupaten Katingan",
        "Media sosial",
        "Terlapor 1",
        "198001012005011001",
        "Kepala Seksi",
        "Sedang",
        "",
    ]
    for _ in range(ROWS):
        sheet.append(row)
    book.save(target)
    return {"seconds": time.perf_counter() - started, "rows": ROWS, "bytes": Path(target).stat().st_size}


def child_export(target: str) -> dict:
    _django()
    import datetime

    from django.utils import timezone

    from netra.insights.exports import process_export
    from netra.insights.models import Export
    from netra.orgs.models import User

    user = User.objects.get(username=USERNAME)
    export = Export.objects.create(
        kind=Export.Kind.QUEUE_XLSX,
        requested_by=user,
        params={"status": "all", "language": "id"},
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    started = time.perf_counter()
    export = process_export(export.pk)
    seconds = time.perf_counter() - started
    size = export.size
    export.file.delete(save=False)
    return {"seconds": seconds, "rows": export.total_rows, "state": export.state, "bytes": size}


def child_floor(_target: str) -> dict:
    """Python + Django set up and one query: the memory any Django process starts from."""
    _django()
    from netra.orgs.models import User

    return {"seconds": 0.0, "users": User.objects.count()}


def run_child(mode: str, target: str, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, mode, target], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _postgres_url(reuse: bool) -> str:
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/exports.py needs DATABASE_URL pointing at a PostgreSQL server")
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def main() -> None:
    reuse = "--reuse" in sys.argv
    load = os.getloadavg()
    print(f"rows {ROWS}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="netra-bench-exports-") as tmp:
        env = {**os.environ, "NETRA_ENV": "test", "NETRA_VAR_DIR": tmp, "DATABASE_URL": _postgres_url(reuse)}
        made = run_child("setup", tmp, env)
        print(
            f"dataset: {made['cases']} cases"
            + (" (reused)" if made["reused"] else f", made in {made['seconds']:.0f} s")
        )
        floor = run_child("floor", tmp, env)
        print(f"floor: Python + Django set up, peak RSS {floor['rss_mb']:.0f} MB (part of the export's figure)")
        for run in range(1, REPEAT + 1):
            base = run_child("baseline", str(Path(tmp) / "baseline.xlsx"), env)
            got = run_child("export", tmp, env)
            print(
                f"run {run}: baseline openpyxl write-only {base['rows']} rows: {base['seconds']:.2f} s, "
                f"peak RSS {base['rss_mb']:.0f} MB, {base['bytes'] / 1e6:.1f} MB file"
            )
            print(
                f"run {run}: export {got['rows']} rows ({got['state']}): {got['seconds']:.2f} s, "
                f"peak RSS {got['rss_mb']:.0f} MB, {got['bytes'] / 1e6:.1f} MB file"
            )
            print(
                f"run {run}: ratio export/baseline — time x{got['seconds'] / base['seconds']:.2f}, "
                f"RSS x{got['rss_mb'] / base['rss_mb']:.2f}; above the Django floor: export "
                f"{got['rss_mb'] - floor['rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("setup", "baseline", "export", "floor"):
        mode, target = sys.argv[1], sys.argv[2]
        children = {"setup": child_setup, "baseline": child_baseline, "export": child_export, "floor": child_floor}
        out = children[mode](target)
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(out, default=str))
    else:
        main()
