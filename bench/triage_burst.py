"""Benchmark (issues #13/#14): the duplicate lookup in a burst — one reach holding thousands of open
cases of the same weeks — bounded scan against scoring the whole window, same database, same run.

bench/load.py's reports (bench/intake.py's payloads: every public report of a kabupaten without a
pemda agency lands in the agency-less reach, incident dates over 300 days) are submitted through
the real intake service into PostgreSQL ``BENCH_BURST_DB`` (default ``netra_bench_burst``, dropped
and recreated unless ``--reuse`` finds it filled), opened and triaged as the scheduler does. Then,
for the QUERIES newest cases, the similar-text statement of ``triage_flow._text_search`` is run
under ``EXPLAIN (ANALYZE)`` (the database's own execution time, what the scheduler's lookups cost
PostgreSQL) twice: as shipped (above ``SCAN_ALL`` cases in the window: the nearest in incident
date and the rarest words' holders) and with the bound lifted (the whole window scored, the
lookup before the bound: the baseline). Prints the window size, p50/p95 of each, the ratio, the
rows scored, and how often the lookup's top 5 (``duplicate_candidates``) is the same.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/triage_burst.py [N] [--reuse]

N reports (default 6000: a window of about 1 200 open cases, 20 % of them; bench/load.py's runs
leave 15 000-25 000). QUERIES (default 30).
"""

import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DB = os.environ.get("BENCH_BURST_DB", "netra_bench_burst")
QUERIES = int(os.environ.get("QUERIES", "30"))
INCIDENTS = ("dups_holdout4.jsonl", "dups_holdout5.jsonl")  # eval sets never trained on
GROUPS_FILE = str(ROOT / "var" / "%s-incidents.json")  # the incidents' case ids, for --reuse


def _database(reuse: bool) -> None:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("bench/triage_burst.py runs on PostgreSQL: DATABASE_URL=postgres://…/postgres")
    parts = urlsplit(server)
    admin = ["psql", "-X", "-q", "-d", server, "-c"]
    exists = subprocess.run(
        ["psql", "-X", "-Atq", "-d", server, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"],  # noqa: S608 (our own name)
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not (reuse and exists):
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {DB}"], check=True)
        subprocess.run([*admin, f"CREATE DATABASE {DB}"], check=True)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{DB}"))
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ["NETRA_TRIAGE_AFTER_RESPONSE"] = "0"  # the scheduler's way: triaged in batches below
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")


def _fill(n: int) -> None:
    import intake as bench
    from django.core.management import call_command

    from netra.cases import triage_flow
    from netra.cases.intake import IntakeError, report_submit
    from netra.cases.models import Case
    from netra.cases.opening import open_pending
    from netra.catalog.models import Region

    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    if have >= n:
        print(f"reusing {DB}: {have} cases")
        return
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    codes = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
    stream = [json.loads(body) for body in bench.payloads(codes, count=n - have, seed=have + 11)]
    groups = _interleave(stream, codes)
    began = time.perf_counter()
    refused = 0
    for i, (group, data) in enumerate(stream):
        try:
            case = report_submit(data=data, files=()).case
        except IntakeError:
            refused += 1
            continue
        if group:
            groups.setdefault(group, []).append(case.pk)
        if i % 500 == 499:
            open_pending()
            triage_flow.triage_pending(batch_size=100)
    open_pending()
    while triage_flow.triage_pending(batch_size=100):
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{len(stream) - refused} reports submitted, opened and triaged in {time.perf_counter() - began:.0f} s")
    Path(GROUPS_FILE % DB).parent.mkdir(exist_ok=True)
    Path(GROUPS_FILE % DB).write_text(json.dumps({g: ids for g, ids in groups.items() if len(ids) > 1}))


def _interleave(stream: list, codes: list[str]) -> dict:
    """Put the witnesses of the incidents of ``INCIDENTS`` (eval files: one ``dup_group`` an
    incident) into the burst: each incident on one day, in one kabupaten (the one a witness named,
    else one of the burst's), its reports within a tenth of the stream after the first. Replaces
    ``stream`` by (group, payload) pairs."""
    rng = random.Random(5)
    incidents: dict[str, list[dict]] = {}
    for name in INCIDENTS:
        for line in (ROOT / "eval" / name).read_text().splitlines():
            row = json.loads(line)
            if row.get("dup_group"):
                incidents.setdefault(f"{name}:{row['dup_group']}", []).append(row)
    today = datetime.datetime.now(datetime.UTC).date()
    placed: list[tuple[int, str, dict]] = []
    for group, rows in sorted(incidents.items()):
        day = today - datetime.timedelta(days=rng.randint(20, 280))
        region = next((r["region_code"] for r in rows if r.get("region_code") in codes), rng.choice(codes))
        start = rng.randint(0, int(len(stream) * 0.7))
        for row in rows:
            data = {"description": row["text"], "incident_date": day.isoformat(), "region_code": region}
            data |= {k: row[k] for k in ("subject_name", "subject_position", "subject_nip", "links") if row.get(k)}
            placed.append((start + rng.randint(0, len(stream) // 10), group, data))
    merged = [("", data) for data in stream]
    for position, group, data in sorted(placed, key=lambda p: -p[0]):
        merged.insert(position, (group, data))
    stream[:] = merged
    return {}


def _explain(sql: str, params: list) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]
    # the rows similarity() was computed for: those the fenced subquery (OFFSET 0) hands up
    scored = _fenced_rows(plan["Plan"])
    return plan["Execution Time"], scored


def _fenced_rows(node: dict) -> int:
    if node.get("Node Type") == "Subquery Scan" and node.get("Alias") == "s":
        return int(node.get("Actual Rows", 0)) + int(node.get("Rows Removed by Filter", 0))
    return max((_fenced_rows(child) for child in node.get("Plans", [])), default=0)


def main() -> None:
    reuse = "--reuse" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 6000
    _database(reuse)
    import django

    django.setup()
    from netra.cases import triage_flow
    from netra.cases.models import Case

    _fill(n)
    cases = list(Case.objects.filter(triage__computed_at__isnull=False).order_by("-pk")[:QUERIES])
    bound = triage_flow.SCAN_ALL
    figures: dict[str, list[tuple[float, int]]] = {"bounded": [], "whole window": []}
    windows, same = [], 0
    for case in cases:
        window = triage_flow._incidents_near(case, triage_flow._reach(case, None))
        text = triage_flow._own(case)["text"]
        windows.append(window.count())
        tops = []
        for label, scan_all in (("bounded", bound), ("whole window", 10**9)):
            triage_flow.SCAN_ALL = scan_all
            try:
                found = triage_flow._text_search(text, window, case.incident_date)
                if found is not None:
                    figures[label].append(_explain(*found))
                tops.append([c.case.pk for c in triage_flow.duplicate_candidates(case)])
            finally:
                triage_flow.SCAN_ALL = bound
        same += tops[0] == tops[1]

    recall = _incident_recall(triage_flow, bound)

    def p(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(
        f"{len(cases)} lookups; open cases in the text window: median {statistics.median(windows):.0f},"
        f" max {max(windows)}; SCAN_ALL {bound} (nearest {2 * triage_flow.SCAN_SIDE} + words {triage_flow.SCAN_WORDS})"
    )
    for label, rows in figures.items():
        ms = [r[0] for r in rows]
        scored = [r[1] for r in rows]
        print(
            f"  {label:<13} PostgreSQL ms p50 {p(ms, 0.5):7.1f}  p95 {p(ms, 0.95):7.1f}"
            f"   rows scored median {statistics.median(scored):.0f}, max {max(scored)}"
        )
    b = [r[0] for r in figures["bounded"]]
    w = [r[0] for r in figures["whole window"]]
    print(f"  ratio bounded / whole window: p50 {p(b, 0.5) / p(w, 0.5):.2f}, p95 {p(b, 0.95) / p(w, 0.95):.2f}")
    print(
        f"  the same top 5 (duplicate_candidates): {same}/{len(cases)} (the burst's texts are a few sentences recombined: many near-ties)"
    )
    if recall:
        print(
            f"  the eval incidents' witnesses in the burst ({recall['groups']} incidents, {recall['siblings']} sibling"
            f" reports): found in the last witness's top 5 — bounded {recall['bounded']}, whole window"
            f" {recall['whole window']}"
        )


def _incident_recall(triage_flow, bound: int) -> dict:
    """For each interleaved incident, its last report's top 5: how many of its other reports."""
    path = Path(GROUPS_FILE % DB)
    if not path.exists():
        return {}
    from netra.cases.models import Case

    groups = json.loads(path.read_text())
    out = {"groups": len(groups), "siblings": sum(len(ids) - 1 for ids in groups.values())}
    for label, scan_all in (("bounded", bound), ("whole window", 10**9)):
        triage_flow.SCAN_ALL = scan_all
        try:
            found = 0
            for ids in groups.values():
                last = Case.objects.get(pk=max(ids))
                top = {c.case.pk for c in triage_flow.duplicate_candidates(last)}
                found += len(top & set(ids))
            out[label] = found
        finally:
            triage_flow.SCAN_ALL = bound
    return out


if __name__ == "__main__":
    main()
