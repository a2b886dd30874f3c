"""Benchmark: the case page, the workspace queue and the search at scale (issue #12 item 6).

PostgreSQL (DATABASE_URL names the server; the database used is ``netra_bench_insights`` if it
exists and holds the data, else ``netra_bench_insights_scale``, dropped and recreated unless
``--reuse`` finds it filled), or SQLite (``--sqlite``: ``var/bench_insights_scale.sqlite3``).
The cases come from bench/insights.py's generator (every state, 514 kabupaten/kota, Katingan and
Barito Selatan one case in twenty each); this script adds to each case one report with a text
made of Indonesian phrases (an activity, a village, a candidate's name; "mobil dinas" in one
report in fifty), a subject, and the stored triage text that the search reads (PostgreSQL: its
``search_vector`` and GIN index; SQLite: the FTS5 rows), then rebuilds the indexes.

Then, in-process over the Django test client (no socket), p50/p95 and the number of queries of:
- the case page ``/staf/kasus/<id>/`` of a checking case with 20 reports, 30 evidence rows, 40
  messages, 5 subjects, 4 merged cases (Satgas Katingan), and of ordinary cases;
- the queue ``/staf/`` first page, and the page after (``?after=`` cursor) for a pemda (Satgas
  Katingan), a province (Bawaslu Kalteng) and BKN pusat; ``queue_counts`` alone;
- the search ``/staf/?q=…`` for a village (rare), "mobil dinas" (2 %) and a common word;
- the same answers as hand-written SQL in the same run (the page's first 50 rows with a LIMIT, a
  ``@@`` GIN search with ``ts_rank_cd`` / FTS5 ``bm25``), with the ratio page / SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/insights_queue.py --cases 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/insights_queue.py --reuse
    BENCH_PG_DB=netra_bench_queue DATABASE_URL=... .venv/bin/python bench/insights_queue.py  (that database,
        used as it is when it holds the data, else generated into it)
    .venv/bin/python bench/insights_queue.py --sqlite --cases 100000 [--reuse]

``BENCH_PG_DB`` names the PostgreSQL database to fill or reuse (default netra_bench_insights_scale;
when set, bench/insights.py's shared database is not looked at), ``BENCH_SQLITE_PATH`` the SQLite
file; ``--only case`` measures the case page alone; ``--only queue`` the queue's first and next
page per scope with, for one request, its statements' own time against the rest (Python, the
template) and, on PostgreSQL, EXPLAIN (ANALYZE, BUFFERS) of the page statement and the slowest
ones (``--profile``: cProfile of one first page per scope). DEBUG is off unless ``DEBUG=1``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED_DB = "netra_bench_insights"  # bench/insights.py's, reused when it already holds our data
OWN_DB = os.environ.get("BENCH_PG_DB") or "netra_bench_insights_scale"
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH") or ROOT / "var" / "bench_insights_scale.sqlite3")

VILLAGES = [
    "Tumbang Samba",
    "Kereng Pangi",
    "Tewang Rangkang",
    "Petak Bahandang",
    "Hampalit",
    "Telok",
    "Tumbang Liting",
    "Baun Bango",
    "Jahanjang",
    "Samba Danum",
    "Tumbang Kaman",
    "Pendahara",
    "Talingke",
    "Luwuk Kanan",
    "Mirah Kalanaman",
    "Buntut Bali",
    "Tewang Manyangen",
    "Kasongan Lama",
]  # a village name with a number appended makes 1 800 distinct places
CANDIDATES = [
    "Saiful Anwar",
    "Ratna Dewi",
    "Agus Salim",
    "Bambang Prakoso",
    "Yuliani Putri",
    "Hendra Gunawan",
    "Sri Wahyuni",
    "Dedi Kurniawan",
    "Maria Ulfa",
    "Teguh Santoso",
    "Nur Aisyah",
    "Rudi Hartono",
]
ACTIVITIES = [
    "hadir dan berorasi di deklarasi pasangan calon",
    "membagikan kaos dan stiker calon",
    "berfoto sambil mengacungkan jari bersama calon",
    "memasang baliho calon di depan kantor",
    "mengunggah ajakan memilih calon di media sosial",
    "ikut konvoi kampanye dengan seragam dinas",
    "mengumpulkan warga untuk mendengar visi calon",
]
POSITIONS = ["Camat", "Lurah", "Kepala Desa", "Guru", "Kepala Dinas", "Sekretaris Camat", "Staf Kecamatan"]


def _sql_array(items: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + item.replace("'", "''") + "'" for item in items) + "]"


def _p(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def _time(fn, repeat: int) -> list[float]:
    fn()  # warm: the first call fills per-process caches
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pg_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/insights_queue.py needs DATABASE_URL pointing at a PostgreSQL server (or --sqlite)")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _pg_filled(name: str, n: int) -> bool:
    """Whether database ``name`` exists and holds at least ``n`` cases with their search text."""
    import psycopg

    try:
        with psycopg.connect(_pg_url(name), connect_timeout=5) as conn:
            cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
            texts = conn.execute("SELECT count(*) FROM cases_triageresult WHERE search_text <> ''").fetchone()[0]
            column = conn.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_name = 'cases_triageresult'"
                " AND column_name = 'search_vector'"
            ).fetchone()
            return bool(column) and cases >= n and texts >= n * 0.9
    except psycopg.Error:
        return False


def _pg_recreate(name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(_pg_url(name))._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _pg_generate_texts(cursor) -> None:
    """One report, one subject and the stored triage text per case; indexes rebuilt after."""
    villages, candidates = _sql_array(VILLAGES), _sql_array(CANDIDATES)
    activities, positions = _sql_array(ACTIVITIES), _sql_array(POSITIONS)
    cursor.execute("DROP INDEX IF EXISTS triage_search_fts_idx")
    cursor.execute("DROP INDEX IF EXISTS triage_search_trgm_idx")
    cursor.execute(
        f"""
        CREATE TEMP TABLE bench_text AS
        SELECT id AS case_id, region_id, election_id, incident_date, created_at,
            'Pegawai ' || ({candidates})[1 + (id * 7) %% 12] AS subject_name,
            ({positions})[1 + (id %% 7)] AS position,
            ({positions})[1 + (id %% 7)] || ' ' || ({activities})[1 + (id * 3) %% 7]
                || CASE WHEN id %% 50 = 0 THEN ' dengan memakai mobil dinas' ELSE '' END
                || ' di Desa ' || ({villages})[1 + (id * 13) %% 18] || ' ' || (1 + (id * 31) %% 100)
                || ' bersama calon ' || ({candidates})[1 + (id * 5) %% 12]
                || '. Kejadian dilaporkan warga ' || (id %% 997) || ' hari setelahnya.' AS description
        FROM cases_case
        """,  # noqa: S608 -- our own constants
        [],  # with parameters, so "%%" is "%"
    )
    cursor.execute(
        """
        INSERT INTO cases_report (case_id, region_id, election_id, subject, description, incident_date, location,
            links, contact, receipt_code, access_key_hash, submitted_at, incident_date_reason)
        SELECT case_id, region_id, election_id, jsonb_build_object('name', subject_name), description, incident_date,
            '', '[]'::jsonb, '', 'B' || lpad(to_hex(case_id), 12, '0'), repeat('0', 64), created_at, ''
        FROM bench_text
        """
    )
    cursor.execute(
        """
        INSERT INTO cases_subject (case_id, name, nip, position, agency_name, unit, employment_status)
        SELECT case_id, subject_name, '19850312' || lpad((case_id %% 10000000000)::text, 10, '0'), position,
            'Pemkab', '', 'pns'
        FROM bench_text
        """,
        [],
    )
    cursor.execute(
        """
        INSERT INTO cases_triageresult (case_id, suggestions, facts, top_code, top_confidence, search_text, computed_at)
        SELECT case_id, '[]'::jsonb, '{}'::jsonb, '', 0, lower(subject_name || ' ' || position || ' ' || description),
            created_at
        FROM bench_text
        """
    )
    cursor.execute("CREATE INDEX triage_search_fts_idx ON cases_triageresult USING gin (search_vector)")
    cursor.execute("CREATE INDEX triage_search_trgm_idx ON cases_triageresult USING gin (search_text gin_trgm_ops)")
    for table in ("cases_case", "cases_report", "cases_subject", "cases_triageresult"):
        cursor.execute(f"VACUUM (ANALYZE) {table}")


# --- SQLite -----------------------------------------------------------------------------------------


def _sqlite_generate(cursor, n: int, agencies: dict) -> None:
    """The same data as the PostgreSQL generator, written row by row in batches."""
    import datetime
    import random

    from netra.cases.models import Case

    rng = random.Random(12)
    states = [s for s in Case.Status.values if s != "merged"]
    cursor.execute("SELECT code FROM catalog_region WHERE code LIKE '%.%' ORDER BY code")
    regions = [row[0] for row in cursor.fetchall()]
    katingan, barsel = agencies["pemkab-katingan"].pk, agencies["pemkab-barito-selatan"].pk
    base = datetime.datetime(2024, 11, 20, tzinfo=datetime.UTC)
    batch = 5000
    for start in range(1, n + 1, batch):
        cases, reports, subjects, triage, fts = [], [], [], [], []
        for g in range(start, min(n, start + batch - 1) + 1):
            agency = katingan if g % 20 == 0 else barsel if g % 20 == 1 else None
            region = "62.06" if g % 20 == 0 else "62.04" if g % 20 == 1 else regions[(g * 7919) % len(regions)]
            created = (base - datetime.timedelta(days=g % 300)).isoformat()
            incident = (datetime.date(2024, 11, 1) - datetime.timedelta(days=g % 300)).isoformat()
            due = (datetime.date(2024, 11, 20) - datetime.timedelta(days=g % 40)).isoformat()
            cases.append((g, f"BENCH-{g}", states[g % len(states)], agency, region, incident, created, created, due))
            name = "Pegawai " + CANDIDATES[(g * 7) % 12]
            position = POSITIONS[g % 7]
            text = (
                f"{position} {ACTIVITIES[(g * 3) % 7]}{' dengan memakai mobil dinas' if g % 50 == 0 else ''}"
                f" di Desa {VILLAGES[(g * 13) % 18]} {1 + (g * 31) % 100} bersama calon {CANDIDATES[(g * 5) % 12]}."
                f" Kejadian dilaporkan warga {g % 997} hari setelahnya."
            )
            reports.append((g, region, text, incident, f"B{g:012x}", "0" * 64, created))
            subjects.append((g, name, f"19850312{g % 10_000_000_000:010d}", position))
            search_text = f"{name} {position} {text}".lower()
            triage.append((g, search_text, created))
            fts.append((g, search_text))
        rng.shuffle(fts)  # FTS5 does not care; keeps the insert order unlike the ids
        cursor.executemany(
            "INSERT INTO cases_case (id, number, source, source_reference, status, agency_id, region_id, election_id,"
            " incident_date, created_at, updated_at, deadline_key, due_date, waiting_for_bawaslu, bawaslu_question,"
            " dismissal_reason, forwarded_to_external, import_reference)"
            " VALUES (%s, %s, 'public_report', '', %s, %s, %s, NULL, %s, %s, %s, '', %s, 0, '', '', '', '')",
            cases,
        )
        cursor.executemany(
            "INSERT INTO cases_report (case_id, region_id, election_id, subject, description, incident_date, location,"
            " links, contact, receipt_code, access_key_hash, submitted_at, incident_date_reason)"
            " VALUES (%s, %s, NULL, '{}', %s, %s, '', '[]', '', %s, %s, %s, '')",
            reports,
        )
        cursor.executemany(
            "INSERT INTO cases_subject (case_id, name, nip, position, agency_name, unit, employment_status)"
            " VALUES (%s, %s, %s, %s, 'Pemkab', '', 'pns')",
            subjects,
        )
        cursor.executemany(
            "INSERT INTO cases_triageresult (case_id, suggestions, facts, top_code, top_confidence, search_text,"
            " computed_at) VALUES (%s, '[]', '{}', '', 0, %s, %s)",
            triage,
        )
        cursor.executemany("INSERT INTO cases_triage_fts (rowid, search_text) VALUES (%s, %s)", fts)
    cursor.execute("ANALYZE")


# --- the big case -----------------------------------------------------------------------------------


def _big_case(agencies, officer):
    """A checking case of Katingan with 20 reports (4 cases merged into it), 30 evidence rows, 40 messages, 5 subjects."""
    import datetime

    from netra.cases.models import Case, Evidence, Message, Report, Subject, Transition

    agency = agencies["pemkab-katingan"]
    existing = Case.objects.filter(number="BENCH-BIG").first()
    if existing is not None:
        return existing

    def make(status, merged_into=None, number=""):
        case = Case.objects.create(
            agency=agency,
            region_id="62.06",
            status=status,
            incident_date=datetime.date(2024, 11, 1),
            merged_into=merged_into,
        )
        Case.objects.filter(pk=case.pk).update(number=number or f"BENCH-BIG-{case.pk}")
        return case

    big = make(Case.Status.CHECKING, number="BENCH-BIG")
    owners = [big] + [make(Case.Status.MERGED, merged_into=big) for _ in range(4)]
    reports = []
    for n in range(20):
        owner = owners[0] if n < 12 else owners[1 + (n - 12) // 2]
        reports.append(
            Report.objects.create(
                case=owner,
                region_id="62.06",
                description=f"Camat hadir di kampanye di Desa Tumbang Samba {n} bersama calon Saiful Anwar.",
                incident_date=datetime.date(2024, 11, 1),
                receipt_code=f"BIG{n:010d}",
                access_key_hash="0" * 64,
            )
        )
    for n in range(5):
        Subject.objects.create(case=big, name=f"Pegawai Besar {n}", nip=f"1985031220100199{n:02d}", position="Camat")
    for n in range(30):
        Evidence.objects.create(
            case=big,
            report=reports[n % 12],
            file=f"bench/{n}.pdf",
            content_type="application/pdf",
            size=1000,
            sha256_received=f"{n:064d}",
            sha256_stored=f"{n:064d}",
            uploaded_by="reporter",
        )
    for n in range(40):
        Message.objects.create(
            case=big,
            report=reports[n % 12],
            sender="satgas" if n % 2 else "reporter",
            author=officer if n % 2 else None,
            body=f"Pesan {n}",
        )
    for _ in range(12):
        Transition.objects.create(case=big, from_state="received", to_state="checking", actor=officer)
    return big


# --- hand-written baselines ---------------------------------------------------------------------------


def _baseline_page_sql(label: str, agency_id: int) -> str:
    """The queue's first 50 rows as one would write them: scope, active states, order, LIMIT."""
    active = "('received','checking','verification','examination','recommendation','awaiting_decision','escalated','decided')"
    where = f"status IN {active}"
    if "Katingan" in label:
        where += f" AND agency_id = {agency_id}"
    elif "province" in label:
        where += " AND (region_id = '62' OR region_id LIKE '62.%%')"
    order = " ORDER BY CASE WHEN status = 'received' THEN 0 ELSE 1 END, due_date, created_at, id LIMIT 50"
    return "SELECT id, number, status, due_date, created_at FROM cases_case WHERE " + where + order  # noqa: S608


def _baseline_search_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return (
            "SELECT c.id FROM cases_case c JOIN cases_triageresult t ON t.case_id = c.id"
            " WHERE t.search_vector @@ plainto_tsquery('simple', %s)"
            " ORDER BY ts_rank_cd(t.search_vector, plainto_tsquery('simple', %s)) DESC LIMIT 50"
        )
    return (
        "SELECT c.id FROM cases_triage_fts f JOIN cases_case c ON c.id = f.rowid"
        " WHERE cases_triage_fts MATCH %s ORDER BY bm25(cases_triage_fts) LIMIT 50"
    )


# --- the search ---------------------------------------------------------------------------------------

SEARCHES = (
    ("tumbang samba 42", "village (rare)"),
    ("mobil dinas", '"mobil dinas" (2 %)'),
    ("kampanye", "common word (14 %)"),
    ("saiful anwar", "a name (8 % of subjects)"),
    (None, "a NIP"),  # a Katingan case's subject: in every measured scope
)
API_TOKENS = {  # the agency API's q, one token per scope measured in the queue
    "pemda (Satgas Katingan)": ("pemkab-katingan", "satgas_lead"),
    "province (Bawaslu Kalteng)": ("bawaslu-prov-kalteng", "bawaslu_officer"),
    "BKN pusat": ("bkn-pusat", "bkn_supervisor"),
}


def _baseline_search(vendor: str, words: str, nip: bool) -> tuple[str, list]:
    """The search as hand-written SQL: the NIP's B-tree, or the words' index search with its rank
    (no scope, LIMIT 50)."""
    if nip:
        return "SELECT case_id FROM cases_subject WHERE nip = %s", [words]
    if vendor == "postgresql":
        return _baseline_search_sql(vendor), [words, words]
    return _baseline_search_sql(vendor), [" ".join(f'"{w}"' for w in words.split())]


def _search_before(ref: str):
    """``search_cases`` as netra/cases/search.py is in git ``ref`` (a module of its own)."""
    import subprocess
    import types

    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:netra/cases/search.py"], capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(f"search_at_{ref}")
    exec(compile(source, f"{ref}:netra/cases/search.py", "exec"), module.__dict__)  # noqa: S102 -- our own file

    import inspect

    takes_ranked = "ranked" in inspect.signature(module.search_cases).parameters

    def search_cases(qs, text, *, also=None, ranked=True):  # ``ranked`` is newer than some refs
        if takes_ranked:
            return module.search_cases(qs, text, also=also, ranked=ranked)
        return module.search_cases(qs, text, also=also)

    return search_cases


def _search_part(args, vendor, users, agencies, repeat, row, count_queries, raw) -> None:
    """The queue's search (``/staf/?q=``) and the agency API's ``q`` per scope; with ``--before``
    the same requests with ``search_cases`` of that git ref first (PostgreSQL: inside a transaction
    that drops this branch's subject-name trigram index, rolled back after), in the same run."""
    import contextlib

    from django.db import connection, transaction
    from django.test import Client

    from conftest import verified_login
    from netra.cases import search, selectors
    from netra.cases.models import Subject
    from netra.sharing.tokens import issue_token

    katingan = agencies["pemkab-katingan"]
    nip = (
        Subject.objects.filter(case__agency=katingan)
        .exclude(nip=None)
        .order_by("case_id")
        .values_list("nip", flat=True)
    )
    searches = [(text if text is not None else str(nip.first()), note) for text, note in SEARCHES]
    tokens = {}
    for label, (code, role) in API_TOKENS.items():
        tokens[label] = issue_token(agency=agencies[code], role=role, name=f"bench {label}").plaintext
    clients = {label: verified_login(Client(), user) for label, user in users.items()}
    api = Client()

    def queue(c, url):
        return lambda: c.get(url)

    def api_get(token, text):
        return lambda: api.get("/api/v1/cases", {"q": text}, headers={"Authorization": f"Bearer {token}"})

    class Rollback(Exception):
        pass

    @contextlib.contextmanager
    def code_of(ref):
        """``search_cases`` of ``ref`` (None: this branch's) wherever the faces call it (the
        agency API's through ``sharing.present``, which imports it when called). PostgreSQL: a ref
        older than the subject-name trigram index (cases.0024) runs without it."""
        if ref is None:
            yield
            return
        old, saved = _search_before(ref), (selectors.search_cases, search.search_cases)
        selectors.search_cases = search.search_cases = old
        try:
            if vendor != "postgresql":
                yield
                return
            import subprocess

            has_index = not subprocess.run(  # the subject-name trigram index (cases.0024) is in ref
                [
                    "git",
                    "-C",
                    str(ROOT),
                    "cat-file",
                    "-e",
                    f"{ref}:netra/cases/migrations/0024_subject_name_trigram.py",
                ],
                capture_output=True,
            ).returncode
            if has_index:
                yield
                return
            with contextlib.suppress(Rollback), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("DROP INDEX IF EXISTS subject_name_trgm_idx")
                yield
                raise Rollback
        finally:
            selectors.search_cases, search.search_cases = saved

    refs = ([args.before] if args.before else []) + [None]
    print(
        "\nsearch /staf/?q=… (ranked, in scope, 50 a page; SQL: the index search with its rank, no scope, LIMIT 50)"
        + (f"; before: search.py of {args.before}" if args.before else "")
    )
    for text, note in searches:
        sql, params = _baseline_search(vendor, text, note == "a NIP")
        baseline = _time(raw(sql, params), repeat)
        for label in users:
            figures = {}
            for ref in refs:
                with code_of(ref):
                    url = f"/staf/?q={text.replace(' ', '+')}&status=all"
                    if ref is None:
                        assert clients[label].get(url).status_code == 200, url
                    figures[ref] = _time(queue(clients[label], url), repeat if ref is None else args.before_repeat)
                    row(
                        f"{note}, {label}" + (f" [{ref}]" if ref else ""),
                        figures[ref],
                        count_queries(queue(clients[label], url)) if ref is None else None,
                        baseline,
                    )
            if args.before:
                print(f"    p95 {args.before} / this branch: {_p(figures[args.before])[1] / _p(figures[None])[1]:.1f}x")
    for label, c in clients.items():  # what every queue page costs besides the search
        row(f"reference: first page, no q, {label}", _time(queue(c, "/staf/?status=all"), repeat))
    print(f"  load after the queue's search: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    print("\nagency API GET /api/v1/cases?q=… (filter, newest update first, with its count)")
    for text, note in searches:
        for label, token in tokens.items():
            figures = {}
            for ref in refs if args.before_api else [None]:
                with code_of(ref):
                    assert api_get(token, text)().status_code == 200
                    figures[ref] = _time(api_get(token, text), repeat)
                    row(f"{note}, {label}" + (f" [{ref}]" if ref else ""), figures[ref])
            if args.before and args.before_api:
                print(f"    p95 {args.before} / this branch: {_p(figures[args.before])[1] / _p(figures[None])[1]:.1f}x")
    print(f"  load after the API's search: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _queue_part(args, vendor, users, katingan, repeat, row, raw) -> None:
    """The queue's first and next page per scope: wall time against the same-run SQL baseline,
    where a request's time goes (its statements' own time, the rest in Python), and the plan of
    its slowest statement (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS): planning, execution, buffers)."""
    import cProfile
    import io
    import json
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from conftest import verified_login

    print("\nqueue /staf/ (active cases, 50 a page; SQL: the same first 50 rows with a LIMIT)")
    for label, user in users.items():
        c = verified_login(Client(), user)
        first = c.get("/staf/")
        assert first.status_code == 200
        urls = [("first page", "/staf/")]
        if cursor := first.context["page"].next_cursor:
            urls.append(("next page (cursor)", f"/staf/?setelah={cursor}"))
        baseline = _time(raw(_baseline_page_sql(label, katingan), []), repeat)
        for what, url in urls:
            times = _time(lambda c=c, u=url: c.get(u), repeat)
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                c.get(url)
                wall = (time.perf_counter() - began) * 1000
            sql_ms = [float(q["time"]) * 1000 for q in captured.captured_queries]
            row(f"{label}: {what}", times, len(sql_ms), baseline)
            slowest = max(range(len(sql_ms)), key=sql_ms.__getitem__)
            print(
                f"    one request {wall:.0f} ms: its {len(sql_ms)} statements {sum(sql_ms):.0f} ms"
                f" (slowest {sql_ms[slowest]:.0f} ms), the rest {wall - sum(sql_ms):.0f} ms"
            )
            if vendor == "postgresql" and what == "first page":
                queries = captured.captured_queries
                page_statement = max(range(len(queries)), key=lambda i: queries[i]["sql"].count(" UNION "))
                by_time = sorted(range(len(sql_ms)), key=sql_ms.__getitem__, reverse=True)[:3]
                for i in dict.fromkeys([page_statement, *by_time]):
                    sql = queries[i]["sql"]
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                        plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                    top = plan["Plan"]
                    print(
                        f"    statement {i + 1} ({sql_ms[i]:.0f} ms, {sql.count(' UNION ')} UNIONs, {sql[:60]!r}…):"
                        f" planning {plan['Planning Time']:.1f} ms, execution {plan['Execution Time']:.1f} ms,"
                        f" buffers hit {top.get('Shared Hit Blocks', 0):,} read {top.get('Shared Read Blocks', 0):,}"
                    )
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(c.get, "/staf/")
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue())
    print(f"  load after the queue: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None, help="1 000 000 on PostgreSQL, 100 000 on SQLite")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the data")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--generate-only", action="store_true", help="make the data, measure nothing")
    parser.add_argument(
        "--only",
        choices=["case", "queue", "search"],
        help="measure only this part (case: the case page; queue: the queue's pages, their SQL and plans; search)",
    )
    parser.add_argument("--profile", action="store_true", help="queue: cProfile one first page per scope")
    parser.add_argument(
        "--before",
        metavar="REF",
        help="search: also time netra/cases/search.py as it is in git REF (e.g. main), in the same run",
    )
    parser.add_argument("--before-repeat", type=int, default=3, help="requests per --before figure (it is slow)")
    parser.add_argument("--before-api", action="store_true", help="--before for the agency API's q too")
    args = parser.parse_args()
    n = args.cases or (100_000 if args.sqlite else 1_000_000)

    if args.sqlite:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        fresh = not (args.reuse and SQLITE_PATH.exists())
        if fresh and SQLITE_PATH.exists():
            SQLITE_PATH.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        name = str(SQLITE_PATH)
    elif os.environ.get("BENCH_PG_DB"):  # a copy of one made before (CREATE DATABASE ... TEMPLATE ...)
        name = os.environ["BENCH_PG_DB"]
        fresh = not _pg_filled(name, n)
        if fresh:
            _pg_recreate(name)
        os.environ["DATABASE_URL"] = _pg_url(name)
    else:
        if args.reuse and not os.environ.get("BENCH_PG_DB") and _pg_filled(SHARED_DB, n):
            name, fresh = SHARED_DB, False
        elif args.reuse and _pg_filled(OWN_DB, n):
            name, fresh = OWN_DB, False
        else:
            name, fresh = OWN_DB, True
            _pg_recreate(OWN_DB)
        os.environ["DATABASE_URL"] = _pg_url(name)
    os.environ.setdefault("NETRA_RATE_LIMITS", "off")
    os.environ.setdefault("NETRA_ENV", "test")
    # As production: DEBUG off (DEBUG=1 to compare with runs before session 10; it records every
    # statement and keeps the templates' debug information).
    os.environ.setdefault("DEBUG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then hands back each page's context (the cursor)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from conftest import _persona, verified_login
    from netra.cases import selectors
    from netra.cases.models import Case
    from netra.orgs.demo import create_demo_agencies
    from netra.orgs.models import Agency, User

    vendor = connection.vendor
    began = time.perf_counter()
    call_command("migrate", verbosity=0)  # a reused database gets later migrations (indexes) too
    if fresh:
        call_command("load_reference", verbosity=0)
        agencies = create_demo_agencies()
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                sys.path.insert(0, str(ROOT / "bench"))
                from insights import _generate  # bench/insights.py's cases, transitions, recommendations

                _generate(cursor, n, agencies)
                _pg_generate_texts(cursor)
            else:
                _sqlite_generate(cursor, n, agencies)
        print(f"{n:,} cases generated into {name} in {time.perf_counter() - began:.0f} s")
    else:
        agencies = {a.code: a for a in Agency.objects.all()}
        print(f"reusing {name} ({Case.objects.count():,} cases)")

    if args.generate_only:
        return

    def persona(username):
        return User.objects.filter(username=username).first() or _persona(agencies, username)

    users = {
        "pemda (Satgas Katingan)": persona("satgas.katingan"),
        "province (Bawaslu Kalteng)": persona("bawaslu.kalteng"),
        "BKN pusat": persona("bkn.pusat"),
    }
    officer = users["pemda (Satgas Katingan)"]
    big = _big_case(agencies, officer)
    katingan = agencies["pemkab-katingan"].pk
    ordinary = list(
        Case.objects.filter(agency_id=katingan, status__in=["verification", "examination", "received"])
        .order_by("-pk")
        .values_list("pk", flat=True)[:3]
    )
    repeat = args.repeat
    print(f"{vendor}, {Case.objects.count():,} cases; {repeat} requests per figure; load {os.getloadavg()[0]:.1f}")

    def row(label, times, queries=None, baseline=None):
        p50, p95 = _p(times)
        extra = f"  {queries:3d} queries" if queries is not None else ""
        ratio = ""
        if baseline is not None:
            b50, b95 = _p(baseline)
            ratio = f"   SQL p50 {b50:7.1f} p95 {b95:7.1f} ms   ratio p95 {p95 / max(b95, 0.01):5.1f}x"
        print(f"  {label:46s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{extra}{ratio}")

    def count_queries(fn) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured)

    def raw(sql, params=()):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return run

    if args.only == "search":
        _search_part(args, vendor, users, agencies, repeat, row, count_queries, raw)
        return
    if args.only == "queue":
        _queue_part(args, vendor, users, katingan, repeat, row, raw)
        return
    # The case page.
    client = verified_login(Client(), officer)
    print(
        "\ncase page /staf/kasus/<id>/ (Satgas Katingan; SQL: case, reports, messages, evidence, subjects, transitions)"
    )

    def case_baseline_for(pk):
        statements = [
            "SELECT * FROM cases_case WHERE id = %s",
            "SELECT r.* FROM cases_report r JOIN cases_case c ON c.id = r.case_id WHERE c.id = %s OR c.merged_into_id = %s",
            "SELECT m.*, u.username FROM cases_message m LEFT JOIN orgs_user u ON u.id = m.author_id WHERE m.case_id = %s",
            "SELECT * FROM cases_evidence WHERE case_id = %s",
            "SELECT * FROM cases_subject WHERE case_id = %s",
            "SELECT * FROM cases_transition WHERE case_id = %s ORDER BY at, id",
        ]

        def run():
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, [pk] * sql.count("%s"))
                    cursor.fetchall()

        return run

    from netra.cases import triage_flow

    measured = [("big checking case (20 reports, 30 evidence)", big.pk)] + [
        (f"ordinary case {pk}", pk) for pk in ordinary[:2]
    ]
    if hasattr(triage_flow, "search_duplicates"):  # the page reads the look-alikes kept by the lookup
        for label, pk in measured:
            case = Case.objects.get(pk=pk)
            row(f"lookup kept ('Cari ulang'): {label}", _time(lambda c=case: triage_flow.search_duplicates(c), 5))
    for label, pk in measured:
        url = f"/staf/kasus/{pk}/"
        assert client.get(url).status_code == 200, url
        row(
            label,
            _time(lambda u=url: client.get(u), repeat),
            count_queries(lambda u=url: client.get(u)),
            _time(case_baseline_for(pk), repeat),
        )

    print(f"  load after the case page: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.only == "case":
        return

    # The queue.
    print("\nqueue /staf/ (active cases, 50 a page; SQL: the same first 50 rows with a LIMIT)")
    for label, user in users.items():
        c = verified_login(Client(), user)
        first = c.get("/staf/")
        assert first.status_code == 200
        row(
            f"{label}: first page",
            _time(lambda c=c: c.get("/staf/"), repeat),
            count_queries(lambda c=c: c.get("/staf/")),
            _time(raw(_baseline_page_sql(label, katingan), []), repeat),
        )
        cursor = first.context["page"].next_cursor
        if cursor:
            nxt = f"/staf/?setelah={cursor}"
            row(
                f"{label}: next page (cursor)",
                _time(lambda c=c, u=nxt: c.get(u), repeat),
                count_queries(lambda c=c, u=nxt: c.get(u)),
            )
            deep = cursor
            for _ in range(20):  # 20 pages further: a cursor costs the same at any depth
                deep = selectors.queue_page(user, after=deep, status="active").next_cursor or deep
            row(f"{label}: page 22 (cursor)", _time(lambda c=c, u=f"/staf/?setelah={deep}": c.get(u), repeat))

        def uncached(u=user):
            cache.clear()
            selectors.queue_counts(u, status="active")

        row(f"{label}: queue_counts, not cached", _time(uncached, repeat))
        cached = _time(lambda u=user: selectors.queue_counts(u, status="active"), repeat)
        row(f"{label}: queue_counts, cached if >= 10 000", cached)

    # The search.
    _search_part(args, vendor, users, agencies, repeat, row, count_queries, raw)
    reset_queries()


if __name__ == "__main__":
    main()
