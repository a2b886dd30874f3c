"""Benchmark: the top-5 duplicate lookup (``netra.cases.triage_flow.duplicate_candidates``) against a
plain indexed lookup by NIP, same database, same run.

For each database the script builds a throwaway one (SQLite: a temporary file; PostgreSQL:
``netra_bench_triage`` on the server of DATABASE_URL, dropped and recreated, never the database
DATABASE_URL names), migrates it, loads the reference data and bulk-loads N existing reports
(PostgreSQL: COPY, 1 000 000 by default; SQLite: executemany, 100 000): cases spread over 500
agencies and two years (20 % still open), their triage rows (search text), subjects (half with a
NIP), and among them viral incidents: groups of 5 reports of one event written differently.
The text index is built after the load (pg_trgm GIN / FTS5), then ANALYZE.

Then, for QUERIES open cases of viral groups (the hard case: the text must be found), it times
``duplicate_candidates(case)`` (retrieval from the indexes + scoring with ``triage.similarity``),
the first version of it frozen in ``bench/triage_v1.py`` (``v1``, about 15 round trips), the
lookup of commit ``BENCH_PREVIOUS`` (``netra/cases/triage_flow.py`` read from git: by default main
before the stored text parts, which read every candidate's words again; ``40585d9`` is the one
before the word index, whose text search above 3 000 cases was the trigram ``%`` over the table)
— the script counts the lookups whose result differs from each — and, for the same cases,
``Subject.objects.filter(nip=...)[:5]`` (one B-tree lookup) as the baseline; prints p50/p95/max,
the p95 ratio, the recall of the viral group's open siblings in the top 5, and the CPU ms of this
process per lookup (Python and the driver: the figure load moves least). Goal (issue #13): p95 <
50 ms on PostgreSQL with 1 000 000 reports.

    .venv/bin/python bench/triage.py                                            # SQLite only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/triage.py
    # keep the 1 000 000-report PostgreSQL dataset (netra_bench_triage) and reuse it on the next run
    # (migrations are applied to it, so a new index is built on the kept data):
    BENCH_DATABASES=postgresql DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/triage.py --reuse

Knobs: BENCH_PG_ROWS (1000000), BENCH_SQLITE_ROWS (100000), BENCH_QUERIES (200),
BENCH_DATABASES (sqlite,postgresql), BENCH_PG_DB (netra_bench_triage), BENCH_PREVIOUS (9d62164).
"""

import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_PG_DB", "netra_bench_triage")
PG_ROWS = int(os.environ.get("BENCH_PG_ROWS", "1000000"))
SQLITE_ROWS = int(os.environ.get("BENCH_SQLITE_ROWS", "100000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
REUSE = os.environ.get("BENCH_REUSE") == "1"  # set by --reuse: keep netra_bench_triage between runs
AGENCIES = 500
OPEN_SHARE = 0.2
VIRAL_SIZE = 5
VIRAL_SHARE = 0.05  # of the rows belong to viral groups
GOAL_P95_MS = 50.0
# The lookup as it was before the word-index change (the trigram % over the table above 3 000 cases
# in the window), timed on the same cases in the same run.
PREVIOUS = os.environ.get("BENCH_PREVIOUS", "9d62164")
CHUNK = 20_000

POSITIONS = ["camat", "lurah", "kades", "kepala dinas", "guru", "kepala sekolah", "bidan", "sekdes", "staf bkd"]
ACTS = [
    "ikut deklarasi paslon nomor {n} di lapangan {place}",
    "pose {n} jari bersama calon bupati di {place}, fotonya viral di fb",
    "pakai mobil dinas untuk kampanye paslon {n} ke desa {place}",
    "membagikan sembako dan amplop atas nama paslon {n} di {place}",
    "mengajak warga {place} memilih paslon {n} saat rapat desa",
    "unggah status dukung no {n} di medsos, ada screenshot dari {place}",
    "jadi tim sukses caleg partai {party} di dapil {place}",
    "memasang baliho paslon {n} di depan kantor {place}",
]
VARIANTS = [
    "{pos} {name} {act}",
    "saya lihat {pos} {act}, kejadian {day}",
    "ada {pos} {act}. mohon ditindak",
    "lapor: {pos} {name} kemarin {act}",
    "{act} -- pelakunya {pos} {name}",
]
PARTIES = ["merah", "biru", "kuning", "hijau", "bintang", "pohon", "banteng", "garuda"]
DAYS = ["sabtu", "minggu", "senin", "kemarin sore", "tadi pagi", "jumat 12/10"]
SYLLABLES = ["ka", "si", "to", "ba", "ri", "tu", "ma", "ngan", "sa", "lo", "pe", "dan", "ra", "wi", "ja", "mu", "ho"]


def word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def valid_nip(rng: random.Random) -> str:
    birth = datetime.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = min(birth.year + rng.randint(22, 35), 2023)
    return f"{birth:%Y%m%d}{tmt_year}{rng.randint(1, 12):02d}{rng.choice('12')}{rng.randint(1, 999):03d}"


def incident(rng: random.Random):
    """A viral event: one act, one place, one employee; its witnesses vary the words."""
    return {
        "pos": rng.choice(POSITIONS),
        "name": f"{word(rng, 2)} {word(rng, 3)}",
        "place": word(rng, 3),
        "n": rng.randint(1, 5),
        "party": rng.choice(PARTIES),
        "act": rng.choice(ACTS),
    }


def text_of(rng: random.Random, event: dict) -> str:
    act = event["act"].format(n=event["n"], place=event["place"], party=event["party"])
    name = event["name"] if rng.random() < 0.6 else ""
    return rng.choice(VARIANTS).format(pos=event["pos"], name=name, act=act, day=rng.choice(DAYS)).strip()


# --- child: one database -----------------------------------------------------------------------


def run_child(rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from netra.cases.models import Case, Subject, TriageResult
    from netra.catalog.models import Region
    from netra.orgs.models import Agency

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    reused = REUSE and Case.objects.filter(number__startswith="NTR-B-").exists()
    if not reused:
        call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    migrate_s = time.perf_counter() - began
    rng = random.Random(13)
    if reused:  # the dataset of an earlier run: rebuild the viral groups from its (deterministic) layout
        groups = _load_groups(connection, rows, rng)
        run_queries(connection, rows, groups, rng, migrate_s, 0.0, 0.0, reused=True)
        return
    regions = list(Region.objects.filter(parent__isnull=False).values_list("code", flat=True))
    Agency.objects.bulk_create(
        [
            Agency(
                code=f"bench-{i}",
                name=f"Pemda bench {i}",
                kind=Agency.Kind.choices[0][0],
                region_id=regions[i % len(regions)],
            )
            for i in range(AGENCIES)
        ]
    )
    agencies = list(Agency.objects.filter(code__startswith="bench-").values_list("pk", "region_id"))
    pg = connection.vendor == "postgresql"
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS triage_search_trgm_idx")

    load_began = time.perf_counter()
    today = datetime.datetime.now(datetime.UTC).date()
    now = datetime.datetime.now(datetime.UTC)
    viral_rows = int(rows * VIRAL_SHARE)
    groups: list[list[int]] = []
    case_id = 0
    # Column lists from the models: what another branch adds (with a default) is filled too.
    case_cols, case_const = _columns(
        Case, ["id", "status", "agency_id", "region_id", "incident_date", "created_at", "updated_at", "number"]
    )
    tr_cols, tr_const = _columns(
        TriageResult,
        ["id", "case_id", "search_text", "top_code", "top_confidence", "computed_at", "suggestions", "facts"],
    )
    subj_cols, subj_const = _columns(Subject, ["id", "case_id", "name", "nip", "position"])
    active = [s for s in Case.Status.values if s not in Case.TERMINAL_STATES][:2]
    done = ["closed", "dismissed"]
    subject_id = 0
    while case_id < rows:
        cases, results, subjects = [], [], []
        for _ in range(min(CHUNK, rows - case_id)):
            case_id += 1
            agency, region = agencies[rng.randrange(AGENCIES)]
            in_viral = case_id <= viral_rows
            if in_viral and (case_id - 1) % VIRAL_SIZE == 0:
                event, event_day, event_agency = (
                    incident(rng),
                    today - datetime.timedelta(days=rng.randint(0, 700)),
                    (agency, region),
                )
                groups.append([])
            if in_viral:
                agency, region = event_agency
                groups[-1].append(case_id)
                text = text_of(rng, event)
                day = event_day + datetime.timedelta(days=rng.randint(0, 3))
                status = rng.choice(active)
            else:
                text = text_of(rng, incident(rng))
                day = today - datetime.timedelta(days=rng.randint(0, 700))
                status = rng.choice(active) if rng.random() < OPEN_SHARE else rng.choice(done)
            created = now - datetime.timedelta(days=(today - day).days, seconds=rng.randint(0, 86400))
            cases.append([case_id, status, agency, region, day, created, created, f"NTR-B-{case_id:08d}"])
            results.append([case_id, case_id, text.lower(), "campaign_attendance", 0.5, now, "[]", "{}"])
            if rng.random() < 0.5:
                subject_id += 1
                subjects.append([subject_id, case_id, "", valid_nip(rng), ""])
        _insert(connection, Case, case_cols, case_const, cases)
        _insert(connection, TriageResult, tr_cols, tr_const, results)
        _insert(connection, Subject, subj_cols, subj_const, subjects)
    load_s = time.perf_counter() - load_began
    index_began = time.perf_counter()
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(
                "CREATE INDEX triage_search_trgm_idx ON cases_triageresult USING gin (search_text gin_trgm_ops)"
            )
            for table in ("cases_case", "cases_triageresult", "cases_subject"):
                # Table names are the constants above, not input.
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        else:
            cursor.execute(
                "INSERT INTO cases_triage_fts(rowid, search_text) SELECT case_id, search_text FROM cases_triageresult"
            )
            cursor.execute("ANALYZE")
    index_s = time.perf_counter() - index_began
    if pg:
        with connection.cursor() as cursor:  # what --reuse reads back: the viral groups
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_viral_groups (grp int, case_id int)")
            cursor.execute("DELETE FROM bench_viral_groups")
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY bench_viral_groups (grp, case_id) FROM STDIN") as copy,
        ):
            copy.write("".join(f"{g}\t{c}\n" for g, group in enumerate(groups) for c in group))
    run_queries(connection, rows, groups, rng, migrate_s, load_s, index_s, reused=False)


def _load_groups(connection, rows: int, rng: random.Random) -> list[list[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT grp, case_id FROM bench_viral_groups ORDER BY grp, case_id")
        found: dict[int, list[int]] = {}
        for grp, case_id in cursor.fetchall():
            found.setdefault(grp, []).append(case_id)
    return [found[g] for g in sorted(found)]


def run_queries(connection, rows, groups, rng, migrate_s, load_s, index_s, *, reused: bool) -> None:
    from netra.cases import triage_flow
    from netra.cases.models import Case, Subject

    sys.path.insert(0, str(ROOT / "bench"))
    from triage_v1 import duplicate_candidates as first_version  # the "before", frozen

    previous = _previous_module()  # the lookup of PREVIOUS (git), same run
    # What triage stores with each result since migration 0025 (the lookup's fast path): filled
    # for the bulk-loaded rows as an upgraded database would be (manage.py triage_text_parts).
    began = time.perf_counter()
    filled = triage_flow.fill_text_parts() if hasattr(triage_flow, "fill_text_parts") else 0
    parts_s = time.perf_counter() - began

    def wide(module):
        """The lookup as if the window held more cases than it scores whole (an agency-less reach
        of most of the table): the text index is searched (and, since the scan bound, the cases
        nearest in date scored), not the window scored. The bound is ``SCAN_ALL`` now,
        ``REACH_SCAN_MAX`` in commits before it."""
        name = "SCAN_ALL" if hasattr(module, "SCAN_ALL") else "REACH_SCAN_MAX"

        def lookup(case):
            kept = getattr(module, name)
            setattr(module, name, 0)
            try:
                return module.duplicate_candidates(case)
            finally:
                setattr(module, name, kept)

        return lookup

    lookups = {  # the first is the reference the others' results are compared with
        "after": triage_flow.duplicate_candidates,
        "v1": first_version,
        PREVIOUS: previous.duplicate_candidates,
        "after, index": wide(triage_flow),
        f"{PREVIOUS}, index": wide(previous),
    }
    rng = random.Random(1313)  # the same queries whether the data was just built or reused
    picks = rng.sample(groups, min(QUERIES, len(groups)))
    queries = [(group[rng.randrange(len(group))], group) for group in picks]
    nips = list(Subject.objects.filter(nip__isnull=False).values_list("nip", flat=True)[: len(queries)])
    for case_pk, _group in queries[:10]:  # warm the caches the same way for each
        for lookup in lookups.values():
            lookup(Case.objects.get(pk=case_pk))
    if os.environ.get("BENCH_PROFILE"):  # where one lookup spends its time, on stderr
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(triage_flow.duplicate_candidates, Case.objects.get(pk=queries[0][0]))
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    timings: dict[str, list[float]] = {name: [] for name in lookups}
    cpu: dict[str, list[float]] = {name: [] for name in lookups}  # this process's CPU: load barely moves it
    found = dict.fromkeys(lookups, 0)
    differ = dict.fromkeys(lookups, 0)
    baseline, wanted = [], 0
    for (case_pk, group), nip in zip(queries, nips, strict=False):
        case = Case.objects.get(pk=case_pk)
        siblings = set(group) - {case_pk}
        wanted += len(siblings)
        reference = None
        for name, lookup in lookups.items():
            t0, c0 = time.perf_counter(), time.process_time()
            top = lookup(case)
            timings[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
            shown = [(c.case.pk, c.similarity, c.reasons) for c in top]
            reference = shown if reference is None else reference
            differ[name] += shown != reference
            found[name] += len(siblings & {c.case.pk for c in top})
        t0 = time.perf_counter()
        list(Subject.objects.filter(nip=nip).values_list("case_id", flat=True)[:5])
        baseline.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "rows": rows,
                "reused": reused,
                "viral_groups": len(groups),
                "migrate_s": round(migrate_s, 1),
                "load_s": round(load_s, 1),
                "index_s": round(index_s, 1),
                "text_parts": {"filled": filled, "s": round(parts_s, 1)},
                "lookups": {
                    name: {
                        **_stats(timings[name]),
                        "cpu_p50": round(statistics.median(cpu[name]), 2),
                        "recall": round(found[name] / wanted, 3) if wanted else None,
                        "differ": differ[name],
                    }
                    for name in lookups
                },
                "nip": _stats(baseline),
                "load": [round(x, 1) for x in os.getloadavg()],
            }
        )
    )


def _previous_module():
    """``netra/cases/triage_flow.py`` of commit PREVIOUS, loaded from git as a module of its own."""
    import importlib.util

    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{PREVIOUS}:netra/cases/triage_flow.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "triage_flow_previous.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("netra.cases.triage_flow_previous", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _columns(model, given: list[str]) -> tuple[list[str], dict[str, object]]:
    """The columns a row gives (in its order), and a constant (the field's default) for every other."""
    from django.db import connection

    const = {}
    for field in model._meta.concrete_fields:
        if field.column not in given:
            value = field.get_db_prep_save(field.get_default(), connection)
            const[field.column] = value.dumps(value.adapted) if hasattr(value, "dumps") else value
    return list(given), const


def _insert(connection, model, cols: list[str], const: dict, rows: list[list]) -> None:
    if not rows:
        return
    table = model._meta.db_table
    order = cols + list(const)
    tail = [const[c] for c in const]
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_value(v) for v in (*row, *tail)))
            buffer.write("\n")
        sql = f"COPY {table} ({', '.join(order)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
    else:
        marks = ", ".join(["%s"] * len(order))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(order)}) VALUES ({marks})",  # noqa: S608 -- model metadata
                [(*row, *tail) for row in rows],
            )


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
    }


# --- parent ------------------------------------------------------------------------------------


def child(rows: int, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(rows)], env=env, capture_output=True, text=True, check=False
    )
    sys.stderr.write(out.stderr)
    if out.returncode != 0:
        raise SystemExit(f"bench child failed ({out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    results = []
    base = {**os.environ, "NETRA_ENV": "development", "DEBUG": "false"}
    if "sqlite" in DATABASES:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**base, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "NETRA_VAR_DIR": tmp}
            results.append(child(SQLITE_ROWS, env))
    url = os.environ.get("DATABASE_URL", "")
    if "postgresql" in DATABASES and url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
            if not (REUSE and exists):
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {BENCH_DB}")
        try:
            with tempfile.TemporaryDirectory() as tmp:
                env = {**base, "DATABASE_URL": urlunsplit(parts._replace(path=f"/{BENCH_DB}")), "NETRA_VAR_DIR": tmp}
                results.append(child(PG_ROWS, env))
        finally:
            if not KEEP:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print(
        f"{'database':<11}{'reports':>10}{'load s':>8}{'index s':>8}   {'lookup':<18}{'top-5 p50/p95/max ms':<24}"
        f"{'NIP p50/p95 ms':<17}{'p95 ratio':>9}{'recall':>8}{'differs':>9}{'CPU p50 ms':>12}"
    )
    ok = True
    for r in results:
        n = r["nip"]
        for label, t in r["lookups"].items():
            ratio = t["p95"] / n["p95"] if n["p95"] else float("inf")
            print(
                f"{r['vendor']:<11}{r['rows']:>10}{r['load_s']:>8}{r['index_s']:>8}   {label:<18}"
                f"{t['p50']:>6} / {t['p95']:>6} / {t['max']:>6}   {n['p50']:>5} / {n['p95']:>5}   {ratio:>8.1f}x"
                f"{t['recall']:>8}{t['differ']:>9}{t.get('cpu_p50', 0):>12}"
            )
        a, v1, p = r["lookups"]["after"], r["lookups"]["v1"], r["lookups"][PREVIOUS]
        ai, pi = r["lookups"]["after, index"], r["lookups"][f"{PREVIOUS}, index"]
        print(
            f"  p95 after/v1 {a['p95'] / v1['p95']:.2f}, after/{PREVIOUS} {a['p95'] / p['p95']:.2f},"
            f" text index (window > the scan bound) after/{PREVIOUS} {ai['p95'] / pi['p95']:.2f};"
            f" 'differs': lookups of {a['n']} whose top 5 differs from 'after'; load average {r['load']}"
        )
        parts = r.get("text_parts") or {}
        if parts.get("filled"):
            print(f"  text_parts filled for {parts['filled']} results in {parts['s']} s (triage_text_parts)")
        if r["vendor"] == "postgresql":
            ok = a["p95"] < GOAL_P95_MS and ai["p95"] < GOAL_P95_MS
            print(
                f"goal (PostgreSQL, {r['rows']} reports): top-5 p95 < {GOAL_P95_MS:.0f} ms (window scored and"
                f" text index): {'met' if ok else 'NOT met'}"
            )
    print(json.dumps(results))


KEEP = False

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        run_child(int(sys.argv[2]))
    else:
        if "--reuse" in sys.argv[1:]:
            # keep the PostgreSQL dataset after the run, and use the one kept by an earlier run
            os.environ["BENCH_REUSE"] = "1"
            REUSE = KEEP = True
        if "--keep" in sys.argv[1:]:
            KEEP = True
        main()
