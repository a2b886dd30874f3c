"""Triage where the Satgas works: the engine's reading stored on the case, corrections, duplicates.

The engine (``netra.triage``: ``suggest``, ``extract``, ``features``, ``similarity``) is pure; this
module gives it the database:

- **When.** Opening a case (``netra.cases.opening.open_cases``, every source: public form and API,
  agency findings, staff intake) inserts an empty ``TriageResult`` in its transaction — one bulk
  INSERT, nothing on the accepting INSERT of a public report. After that commit (and after the
  request's answer, ``netra.turns.after_response``; the scheduler every second for what is left)
  ``triage_pending`` reads the first report, runs the engine outside any transaction and writes
  the suggestion, the key facts, the duplicate keys and the cluster in one short writer turn.
- **Duplicates.** ``duplicate_candidates`` is the one place that decides what a duplicate is:
  candidates from indexes only (similar text: PostgreSQL ``similarity()`` over a window of up to
  ``SCAN_ALL`` open cases, above it over the ``SCAN_SIDE`` nearest in incident date on each side and
  the reports holding the text's rarest words — the GIN index of the stored text's tsvector; SQLite
  the rarest words in an FTS5 table; the same NIP, link or evidence hash; the same region within
  the window), in the same agency's reach and the user's scope, scored by ``triage.similarity``;
  the best five with their reasons in words.
- **Clusters.** A newly triaged case whose best candidate scores at least ``CLUSTER_MIN`` joins
  that case's cluster (the cluster id is its first case); the queue shows a cluster's size.
- **Corrections.** ``triage_confirm`` stores the officer's choice (``TriageCorrection``), audited;
  ``triage_apply_fact`` copies one extracted fact into an *empty* subject field (or refines the
  region to a kabupaten/kota inside the one entered) — never over what someone entered.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.cases.models import Case, Evidence, Report, Subject, TriageCorrection, TriageKey, TriageResult
from netra.cases.search import word_stats
from netra.catalog.violations import TRIAGE_CODES
from netra.triage import api as triage
from netra.turns import after_response, my_turn, writer_turn

S = Case.Status
ACTIVE_STATES = tuple(s for s in S.values if s not in Case.TERMINAL_STATES)
TERMINAL_SORTED = tuple(sorted(str(s) for s in Case.TERMINAL_STATES))
GROUPS = TRIAGE_CODES  # the catalogue's groups plus not_violation
TRIAGE_BATCH = 20
TRIAGE_TURN_KEY = "netra:cases:triage"
SEARCH_CHARS = 2000
TOP = 5
POOL = 25  # candidates per retrieval signal, before scoring
WINDOW_DAYS = 14  # a viral post brings its reports within days
# Similar text is looked for among the open cases whose incident date is this close: witnesses of
# one incident write within days or weeks; the same NIP, link or file is found at any distance.
TEXT_WINDOW_DAYS = 31
# A candidate is shown from this score; a new case joins the cluster of its best one from CLUSTER_MIN.
SHOW_MIN = 0.25
CLUSTER_MIN = triage.DEFAULT_THRESHOLD
BRIDGE_MIN = 0.8  # a case merges a second cluster into its first only when it resembles it this much
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]{4,}")


# --- computing (after the case is opened) -------------------------------------------------------


def on_opened(cases: list[Case]) -> None:
    """In the opening transaction: one empty result row per case, filled after the commit.

    In turns, like opening: the first committer of each ``NETRA_CASE_OPEN_INTERVAL`` triages for
    everyone (after its answer went out); the scheduler's tick takes what is left.
    """
    TriageResult.objects.bulk_create([TriageResult(case=case) for case in cases])
    transaction.on_commit(_after_commit, robust=True)


def _after_commit() -> None:
    if not settings.NETRA_TRIAGE_AFTER_RESPONSE:
        return  # the scheduler's tick triages (production: off the web workers' CPU and threads)
    if my_turn(TRIAGE_TURN_KEY, settings.NETRA_CASE_OPEN_INTERVAL):
        after_response(lambda: triage_pending(max_batches=4))


# The scheduler's tick: up to this many batches. While reports arrive faster than one batch a
# second (a burst), triage (~14 ms of CPU a case, plus its lookups' work in PostgreSQL, which no
# `nice` lowers) would take the cores the intake answers with: then the scheduler triages one batch
# and rests, so that triage takes at most BURST_SHARE of its time — after a batch that took t
# seconds the next waits t * (1 / BURST_SHARE - 1). Below that rate a batch a tick keeps up anyway;
# the backlog of a burst goes after it at the full rate (bench/load.py, session 10: one batch every
# tick still took a third of a core at 80 reports a second, PostgreSQL's part included).
TICK_BATCHES = 10
BURST_SHARE = 0.1
# In a burst a batch is this small: its lookups then hold a core of PostgreSQL for a tenth of a second
# or so, not the seconds of a full batch (TRIAGE_BATCH lookups), during which intake's answers queued
# behind it (bench/load.py, session 10: p95 crossed the SLO in the steps where a burst batch ran).
BURST_BATCH = 2


def in_burst(arrivals_per_second: float) -> bool:
    """Reports arrive faster than one triage batch a second."""
    return arrivals_per_second > TRIAGE_BATCH


def burst_pause(seconds: float) -> float:
    """In a burst, how long triage rests after a batch that took ``seconds``."""
    return seconds * (1 / BURST_SHARE - 1)


def newest_report_id() -> int:
    """The newest report's id (the primary key's index: one probe), for the arrival rate."""
    return Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def triage_pending(*, batch_size: int = TRIAGE_BATCH, max_batches: int | None = None) -> int:
    """Fill every result not computed yet, a batch per short writer turn; return how many."""
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        rows = list(
            TriageResult.objects.filter(computed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "case_id")[:batch_size]
        )
        if not rows:
            break
        inputs = _inputs([case_id for _pk, case_id in rows])
        # The engine runs outside any transaction: no lock is held while it reads.
        computed = {case_id: _compute(inputs[case_id]) for _pk, case_id in rows if case_id in inputs}
        with writer_turn(), transaction.atomic():
            _storing_turn()
            stored = []
            for pk, case_id in rows:
                if case_id in computed:
                    if _store(pk, case_id, computed[case_id]):
                        stored.append(case_id)
                else:  # no report (a hand-made case): nothing to read, never looked at again
                    TriageResult.objects.filter(pk=pk).update(computed_at=timezone.now())
            # Clusters after the whole batch is stored: a look-alike of the same batch is then read
            # from its stored text and facts, not analysed again from its report for every case
            # (a burst of one viral post arrives in one batch).
            for case in Case.objects.filter(pk__in=stored).order_by("pk"):
                _join_cluster(case, search_duplicates(case))  # kept for the case page, then the cluster
        total, batches = total + len(rows), batches + 1
    return total


def _inputs(case_ids: list[int]) -> dict[int, dict]:
    """What the engine reads for each case: its first report, first subject, region, date, files."""
    cases = Case.objects.in_bulk(case_ids)
    first: dict[int, Report] = {}
    for report in Report.objects.filter(case_id__in=case_ids).order_by("submitted_at", "pk"):
        first.setdefault(int(report.case_id or 0), report)
    subjects: dict[int, Subject] = {}
    for row in Subject.objects.filter(case_id__in=case_ids).order_by("pk"):
        subjects.setdefault(row.case_id, row)
    hashes: dict[int, list[str]] = {}
    for evidence_case, sha in Evidence.objects.filter(case_id__in=case_ids).values_list("case_id", "sha256_received"):
        hashes.setdefault(int(evidence_case), []).append(sha)
    out = {}
    for case_id, report in first.items():
        case = cases[case_id]
        subject = subjects.get(case_id)
        out[case_id] = {
            "text": report.description,
            "today": timezone.localdate(report.submitted_at),
            "subject_name": subject.name if subject else "",
            "subject_nip": (subject.nip or "") if subject else "",
            "subject_position": subject.position if subject else "",
            "region_code": case.region_id,
            "incident_date": case.incident_date,
            "links": list(report.links or []),
            "evidence_hashes": hashes.get(case_id, []),
            "agency_id": case.agency_id,
            "pk": case_id,
        }
    return out


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _compute(data: dict) -> dict:
    suggestions = [
        {"code": s.code, "confidence": round(float(s.confidence), 4), "words": list(s.words)[:6]}
        for s in triage.suggest(data["text"])
    ]
    facts = _jsonable(triage.extract(data["text"], today=data["today"]))
    search = " ".join(part for part in (data["subject_name"], data["subject_position"], data["text"]) if part)
    search_text = search.lower()[:SEARCH_CHARS]
    keys = {(TriageKey.Kind.LINK, link[:300]) for link in list(data["links"]) + list(facts.get("links") or [])}
    keys |= {(TriageKey.Kind.NIP, nip) for nip in facts.get("nips") or [] if nip}
    return {
        "suggestions": suggestions,
        "facts": facts,
        "search_text": search_text,
        "text_parts": _text_parts(search_text, data["subject_name"], data["subject_position"]),
        "keys": sorted(keys),
        "data": data,
    }


# Storing results re-points the cluster of every look-alike (``_join_cluster``): two processes
# storing at once would lock each other's rows in opposite orders (a deadlock seen by
# ``make scale-check``). On PostgreSQL the store phase takes one transaction-scoped advisory lock;
# it is short (UPDATEs only, the engine ran before). SQLite already has one writer at a time.
TRIAGE_STORE_LOCK = 0x4E54_5452  # "NTTR"


def _storing_turn() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TRIAGE_STORE_LOCK])


def _store(pk: int, case_id: int, computed: dict) -> bool:
    """Write one computed result (its keys and, on SQLite, its text index row); False when another
    process stored it first. The cluster is joined by the caller once the batch is stored."""
    top = computed["suggestions"][0] if computed["suggestions"] else {"code": "", "confidence": 0.0}
    updated = TriageResult.objects.filter(pk=pk, computed_at__isnull=True).update(
        suggestions=computed["suggestions"],
        facts=computed["facts"],
        top_code=top["code"],
        top_confidence=top["confidence"],
        search_text=computed["search_text"],
        text_parts=computed["text_parts"],
        computed_at=timezone.now(),
    )
    if not updated:  # another process computed it meanwhile
        return False
    TriageKey.objects.bulk_create(
        [TriageKey(case_id=case_id, kind=kind, value=value) for kind, value in computed["keys"]]
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO cases_triage_fts(rowid, search_text) VALUES (%s, %s)",
                [case_id, computed["search_text"]],
            )
    return True


def _join_cluster(case: Case, found: list[dict]) -> None:
    """Put the case in the cluster of its best look-alike (``found``: ``search_duplicates``).

    Another cluster among its look-alikes is merged in only when the case resembles it at least
    ``BRIDGE_MIN``: one report that half-resembles two incidents does not chain them into one.
    """
    matches = [(int(e["case"]), float(e["similarity"])) for e in found if e["similarity"] >= CLUSTER_MIN]
    if not matches:
        return
    clusters = dict(
        TriageResult.objects.filter(case_id__in=[pk for pk, _s in matches], cluster__isnull=False).values_list(
            "case_id", "cluster"
        )
    )
    best, _best_similarity = matches[0]
    joined = {clusters.get(best, best)}
    ids = {case.pk, best}
    for pk, similarity in matches[1:]:
        theirs = clusters.get(pk)
        if theirs is None or theirs in joined:
            ids.add(pk)  # alone, or already in the cluster joined
        elif similarity >= BRIDGE_MIN:
            joined.add(theirs)
            ids.add(pk)
    roots = {int(r) for r in joined if r is not None}
    root = min(roots | ids)
    # only the rows not in it yet: a case joining a viral cluster of hundreds rewrote every row of it
    # (0.2 to 0.5 s a case, bench/load.py's burst, where all of a run's reports are one cluster)
    merged = Q(cluster__in=roots - {root})
    TriageResult.objects.filter(Q(case_id__in=ids) | merged).exclude(cluster=root).update(cluster=root)


# --- duplicates ---------------------------------------------------------------------------------


@dataclasses.dataclass
class DuplicateCandidate:
    case: Case
    reasons: list[str] = dataclasses.field(default_factory=list)
    similarity: float = 0.0
    subjects: list[Subject] = dataclasses.field(default_factory=list)  # the case's reported people


def _reach(case: Case, user) -> QuerySet[Case]:
    """Open cases that could be the same matter: the same owning agency, and the user's scope."""
    return _reach_of(case.pk, case.agency_id, _reach_scope(user))


def _reach_scope(user) -> Q | None:
    """The user's scope as ``_reach`` filters by it (None: no reader, the system's lookup)."""
    from netra.cases.scope import actor_scope  # once per request on a page

    return None if user is None else actor_scope(user).q(agency_field="agency", region_field="region")


def _reach_of(case_pk: int, agency_id: int | None, scope: Q | None) -> QuerySet[Case]:
    # "not finished", written as the partial index case_duplicate_open_idx (migration 0016) reads it
    others = Case.objects.exclude(pk=case_pk).exclude(status__in=TERMINAL_SORTED)
    others = others.filter(agency_id=agency_id) if agency_id else others.filter(agency__isnull=True)
    if scope is not None:
        others = others.filter(scope)
    return others


# Up to SCAN_ALL open cases in the text window, similar text is scored over the whole window (found
# by the partial index case_duplicate_open_idx). Above it (a burst: a viral post brings hundreds of
# reports into one reach within days), similarity() would score every one of them for every new
# report — 100 to 200 ms a lookup at 3 000 — so only these are scored: the SCAN_SIDE cases nearest in
# incident date on either side of the report's own (witnesses of one incident give the same day,
# or nearly), and up to SCAN_WORDS of the window's reports holding the text's rarest words (the GIN
# index of the stored text's tsvector: a place's or a person's name finds an older report anywhere
# in the window) — at most SCAN_ALL + SCAN_WORDS similarity() calls a lookup, whatever the burst.
SCAN_SIDE = 150
SCAN_ALL = 2 * SCAN_SIDE
SCAN_WORDS = 100
TEXT_MIN = 0.2
# PostgreSQL, above SCAN_ALL: the words looked up hold at most this many reports together (by the
# planner's statistics), so the word lookup reads at most about that many index entries, whatever
# the table's size. A text whose every word is commoner than that (a template) finds by its words
# nothing more than the nearest dates; its NIP, links, files and region still do.
WORD_ROWS_MAX = 5000
RARE_WORDS = 4


def _window_size(others: QuerySet[Case]) -> QuerySet:
    """PostgreSQL: the open cases of the text window, up to ``SCAN_ALL + 1`` (counted)."""
    return others.order_by().values("pk")[: SCAN_ALL + 1]


Part = tuple[str, list]  # a candidate retrieval as SQL of one column of case ids, and its parameters


def _sql(qs: QuerySet) -> Part:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _scanned(window: QuerySet[Case], day: datetime.date, words: str | None) -> Part:
    """PostgreSQL, a window above ``SCAN_ALL``: the ids of the cases whose text is scored — the
    ``SCAN_SIDE`` of ``window`` nearest in incident date on or after ``day`` and as many before it
    (the newest first among a day's: two walks of the partial index, however large the window),
    and up to ``SCAN_WORDS`` (the newest) of its reports holding ``words`` (a ``tsquery``; the
    GIN index)."""
    parts, params = [], []
    if SCAN_SIDE:
        after = window.filter(incident_date__gte=day).order_by("incident_date", "-id")
        before = window.filter(incident_date__lt=day).order_by("-incident_date", "-id")
        for name, side in (("a", after), ("b", before)):
            sql, side_params = _sql(side.values("id")[:SCAN_SIDE])
            parts.append(f"SELECT {name}.id FROM ({sql}) {name}")  # noqa: S608  (Django's own compiled SQL)
            params.extend(side_params)
    if words is not None and SCAN_WORDS:
        window_sql, window_params = _sql(window.order_by().values("pk"))
        # OFFSET 0: the matches are found first (the GIN index), then the newest kept
        parts.append(
            "SELECT m.case_id FROM (SELECT w.case_id FROM cases_triageresult w"  # noqa: S608  (Django's own compiled SQL)
            f" WHERE w.search_vector @@ to_tsquery('simple'::regconfig, %s) AND w.case_id IN ({window_sql})"
            " OFFSET 0) m ORDER BY m.case_id DESC LIMIT %s"
        )
        params.extend([words, *window_params, SCAN_WORDS])
    return " UNION ".join(f"({part})" for part in parts) or "SELECT NULL", params


def _text_search(text: str, others: QuerySet[Case], day: datetime.date, size: int | None = None) -> Part | None:
    """The similar-text candidates (at most ``POOL``) as SQL to fold into the candidate
    statement; ``None`` when the text finds nothing. PostgreSQL: the window's size (``size``,
    counted with the case's own keys by ``_own``, or here) decides between scoring the whole window
    and scoring its cases nearest to ``day`` and those holding the text's rarest words (the word
    index); SQLite: the vocabulary count and the FTS5 MATCH."""
    if not text.strip():
        return None
    if connection.vendor == "postgresql":
        if size is None:
            size = _window_size(others).count()
        if not size:
            return None
        if size > SCAN_ALL:
            # Not the trigram ``%``: over long texts it matches a large share of the table through
            # common trigrams and rechecks every one (a reach of 900 000 cases took over 90 s).
            ids_sql, ids_params = _scanned(others, day, _rare_words_query(text))
        else:
            ids_sql, ids_params = _sql(others.order_by().values("pk"))
        # OFFSET 0 keeps the planner from pulling the rows up into a join with the window, which
        # computed similarity() for every case of the window before the bound was applied.
        sql = (
            "SELECT x.case_id AS cid FROM (SELECT s.case_id, similarity(s.search_text, %s) AS sim FROM"  # noqa: S608
            f" (SELECT t.case_id, t.search_text FROM cases_triageresult t WHERE t.case_id IN ({ids_sql})"
            " OFFSET 0) s) x WHERE x.sim >= %s ORDER BY x.sim DESC, x.case_id DESC LIMIT %s"
        )
        return sql, [text, *ids_params, TEXT_MIN, POOL]
    if connection.vendor == "sqlite":
        # The text's rarest words (names of places and people; fts5vocab counts the rows of each):
        # a MATCH on every word would rank half the table.
        words = sorted(set(_WORD.findall(text.lower())))[:40]
        if not words:
            return None
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(words))
            cursor.execute(f"SELECT term, doc FROM cases_triage_fts_vocab WHERE term IN ({marks})", words)  # noqa: S608
            counts = dict(cursor.fetchall())
            # A word only this report holds (its own row) finds nothing: from 2 rows up.
            rare = sorted((w for w in words if counts.get(w, 0) >= 2), key=lambda w: (counts[w], -len(w), w))[:4]
            if not rare:
                return None
            query = " OR ".join(f'"{w}"' for w in rare)
            cursor.execute(
                "SELECT rowid FROM cases_triage_fts WHERE cases_triage_fts MATCH %s ORDER BY rank LIMIT %s",
                [query, POOL * 8],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return _sql(others.filter(pk__in=ids).values(cid=F("pk"))[:POOL]) if ids else None
    return None


def _rare_words_query(text: str) -> str | None:
    """PostgreSQL: a ``tsquery`` OR of the text's rarest words (at most ``RARE_WORDS``, holding at
    most ``WORD_ROWS_MAX`` reports together), or ``None`` when every word is commoner than that.

    How many reports hold a word is read from the planner's statistics of ``search_vector``
    (``pg_stats.most_common_elems``: the commonest lexemes and their share of the rows); a word not
    among them is rarer than the least common listed. Without statistics (a table not analysed
    yet: a new database in its first burst, a restore before ``ANALYZE``) which words are rare is
    not known — the four longest matched 778 000 of a burst's index entries — so none is looked
    up (the cases nearest in date still are). The words are those of the ``simple`` tsvector
    (migration 0018): lower case, without accents."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words = sorted(set(_ASCII_WORD.findall(folded)))
    if not words:
        return None
    rows, common, rare_share = word_stats()
    if not common:
        return None
    estimate = sorted((common.get(w, rare_share) * rows, -len(w), w) for w in words)
    chosen: list[str] = []
    total = 0.0
    for count, _length, w in estimate:
        if len(chosen) == RARE_WORDS or total + count > WORD_ROWS_MAX:
            break
        chosen.append(w)
        total += count
    return " | ".join(chosen) or None


_ASCII_WORD = re.compile(r"[0-9a-z]{4,}")
_OWN_SQL = (
    "SELECT 'text', search_text, CAST(facts AS text) FROM cases_triageresult"
    " WHERE case_id = %s AND computed_at IS NOT NULL"
    " UNION ALL SELECT 'nip', '', nip FROM cases_subject WHERE case_id = %s"
    " UNION ALL SELECT 'key', kind, value FROM cases_triagekey WHERE case_id = %s"
    " UNION ALL SELECT 'hash', '', sha256_received FROM cases_evidence WHERE case_id = %s"
)


def _own(case: Case, window: QuerySet[Case] | None = None) -> dict:
    """The case's own stored text and facts, and its NIPs, keys and evidence hashes: one statement
    (plain SQL: the ORM's compiling of a four-part UNION cost more than running it), and one for
    its report's text when triage has not read it yet. With ``window`` (PostgreSQL) the same
    statement counts it (``_window_size``: ``size``), a round trip fewer."""
    sql, params = _OWN_SQL, [case.pk] * 4
    if window is not None:
        window_sql, window_params = _window_size(window).query.sql_with_params()
        sql += f" UNION ALL SELECT 'size', '', CAST(COUNT(*) AS text) FROM ({window_sql}) w"  # noqa: S608  (Django's own compiled SQL)
        params += list(window_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    text, computed, size = "", False, None
    facts: dict = {}
    nips, keys, hashes = set(), [], []
    for source, kind, value in rows:
        if source == "text":
            text, facts, computed = kind or "", json.loads(value) if value else {}, True
        elif source == "nip":
            if value:
                nips.add(value)
        elif source == "key":
            keys.append((kind, value))
        elif source == "size":
            size = int(value)
        else:
            hashes.append(value)
    if not computed:
        report = Report.objects.filter(case=case).order_by("submitted_at", "pk").values_list("description").first()
        text = (report[0] if report else "").lower()[:SEARCH_CHARS]
    facts = facts or {}
    nips |= set(facts.get("nips") or [])
    return {"text": text, "facts": facts, "nips": nips, "keys": keys, "hashes": hashes, "size": size}


def _stored_features(
    base: Any,
    text: str,
    facts: dict,
    group: str = "",
    suggestions: list | None = None,
    parts: tuple[list[str], frozenset[str]] | None = None,
) -> Any:
    """``triage.features`` of a case from what triage stored when it arrived (its text and the
    facts extracted then), without reading the text again: the extraction is the costly part
    (about 3 ms a report), and a lookup scores dozens of candidates.

    ``base`` is ``triage.features`` of the entered fields with no text; this adds what the text
    gives, as ``netra.triage.similar.features`` does. ``parts``: ``similar.text_parts(text)`` when
    stored with the result (``_parts``); else the text is read here.
    """
    import math

    from netra.triage.similar import _weighted_grams, text_parts, word_idf

    if parts is not None:
        content, acts = parts
    else:
        content, acts = text_parts(text)[0], None
    grams = _weighted_grams(content)
    probs = {str(s["code"]): float(s["confidence"]) for s in suggestions or [] if isinstance(s, dict) and "code" in s}

    def union(name: str, key: str) -> frozenset:
        return frozenset(getattr(base, name)) | frozenset(str(v) for v in facts.get(key) or [])

    dates = base.dates or tuple(
        (datetime.date.fromisoformat(d["start"]), datetime.date.fromisoformat(d["end"]))
        for d in facts.get("dates") or []
        if isinstance(d, dict) and d.get("start") and d.get("end")
    )
    return dataclasses.replace(
        base,
        text=text,
        grams=grams,
        norm=math.sqrt(sum(v * v for v in grams.values())),
        words=(words := frozenset(w for w in content if len(w) > 2)),
        word_idf=word_idf(words),
        nips=union("nips", "nips"),
        positions=union("positions", "positions"),
        agencies=union("agencies", "agencies"),
        candidates=union("candidates", "candidates"),
        region_codes=union("region_codes", "region_codes"),
        dates=dates,
        links=union("links", "links"),
        group=group,  # the stored top suggestion: what ``similar._groups`` reads from the text
        group_probs=probs,
        acts=acts,
    )


@functools.cache
def _blank_features() -> Any:
    return triage.features(text="")


def _entered_features(
    *, subject_name, subject_nip, subject_position, region_code, incident_date, links, evidence_hashes
) -> Any:
    """``triage.features(text="", ...)`` of the entered fields without running the extraction on
    an empty text (a fixed cost of milliseconds per call), as ``netra.triage.similar.features``
    reads them."""
    from netra.catalog.nip import normalize_nip
    from netra.triage.extract import find_positions, normalize_link
    from netra.triage.text import normalize

    positions: set[str] = set()
    if subject_position:
        positions.update(find_positions(normalize(subject_position)) or [normalize(subject_position)])
    honorifics = ("pak", "bu", "h", "hj", "dr", "ir")
    return dataclasses.replace(
        _blank_features(),
        nips=frozenset([normalize_nip(subject_nip)] if subject_nip else []),
        name=" ".join(w for w in normalize(subject_name).split() if w not in honorifics),
        positions=frozenset(positions),
        region_codes=frozenset([region_code] if region_code else []),
        dates=((incident_date, incident_date),) if incident_date else (),
        links=frozenset(normalize_link(u) for u in links if u),
        evidence_hashes=frozenset(h.lower() for h in evidence_hashes if h),
    )


_KEYS = {
    "links_json": "SELECT {agg}(k.value){cast} FROM cases_triagekey k WHERE k.case_id = cases_case.id AND k.kind = 'link'",
    "hashes_json": "SELECT {agg}(e.sha256_received){cast} FROM cases_evidence e WHERE e.case_id = cases_case.id",
}
# A candidate's links and evidence hashes, read in the candidate statement as JSON arrays (text).
_KEYS_JSON = {
    "postgresql": {name: sql.format(agg="json_agg", cast="::text") for name, sql in _KEYS.items()},
    "sqlite": {name: sql.format(agg="json_group_array", cast="") for name, sql in _KEYS.items()},
}


# A candidate's reported people, every column, oldest first, as a JSON array of arrays: the first
# is what scoring reads, all of them what a shown candidate carries (no statement of their own).
# Plain columns only (numbers and text: JSON gives them back as the ORM would; a test checks).
_SUBJECT_FIELDS = tuple(Subject._meta.concrete_fields)
_SUBJECT_COLUMNS = ", ".join(f'"{f.column}"' for f in _SUBJECT_FIELDS)
_SUBJECT_OF_S = ", ".join(f's."{f.column}"' for f in _SUBJECT_FIELDS)
_SUBJECT_INDEX = {f.attname: i for i, f in enumerate(_SUBJECT_FIELDS)}
_SUBJECTS_JSON = {  # column names from the model, not input
    "postgresql": f"SELECT json_agg(json_build_array({_SUBJECT_OF_S}) ORDER BY s.id)::text"  # noqa: S608
    " FROM cases_subject s WHERE s.case_id = cases_case.id",
    "sqlite": f"SELECT json_group_array(json_array({_SUBJECT_COLUMNS})) FROM (SELECT {_SUBJECT_OF_S}"  # noqa: S608
    " FROM cases_subject s WHERE s.case_id = cases_case.id ORDER BY s.id)",
}


def _date(value: Any) -> datetime.date | None:
    """A DATE column as the ORM gives it (SQLite hands plain SQL its ISO text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: str | None) -> Any:
    return json.loads(value) if value is not None else None


def _subjects(rows: list[list]) -> list[Subject]:
    """Model instances of the rows ``_SUBJECTS_JSON`` gives (every column: nothing deferred)."""
    names = [f.attname for f in _SUBJECT_FIELDS]
    return [Subject.from_db(connection.alias, names, row) for row in rows]


def _candidates(case: Case, parts: list[Part]) -> tuple[dict[int, Any], dict[int, list[list]]]:
    """One statement: the case and every candidate the ``parts`` find (each a query of ``cid``),
    with the columns scoring reads (region, date, stored text, its words, facts and group) and, as
    JSON arrays, their subjects, links and evidence hashes (and one more for the report text of a
    case triage never read, if any): each one's features, and its subjects' rows (``_subjects``).
    The number of statements does not grow with the candidates."""
    selects, params = ["SELECT %s"], [case.pk]
    for i, (sql, part_params) in enumerate(parts):
        selects.append(f"SELECT u{i}.cid FROM ({sql}) u{i}")  # noqa: S608  (Django's own compiled SQL)
        params.extend(part_params)
    extra = {**_KEYS_JSON[connection.vendor], "subjects_json": _SUBJECTS_JSON[connection.vendor]}
    # Plain SQL around Django's compiled parts: the ORM's compiling and converting of this one
    # statement cost more than the database's work on it (constants and Django's compiled SQL only).
    sql = (
        "SELECT cases_case.id, cases_case.region_id, cases_case.incident_date, t.computed_at, t.search_text,"  # noqa: S608
        " CAST(t.facts AS text), t.top_code, CAST(t.suggestions AS text), CAST(t.text_parts AS text), "
        + ", ".join(f"({extra[name]})" for name in ("links_json", "hashes_json", "subjects_json"))
        + " FROM cases_case LEFT OUTER JOIN cases_triageresult t ON t.case_id = cases_case.id"
        f" WHERE cases_case.id IN ({' UNION '.join(selects)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            (pk, region, _date(day), computed, text, _json(facts), top, _json(suggestions), _json(parts), *rest)
            for pk, region, day, computed, text, facts, top, suggestions, parts, *rest in cursor.fetchall()
        ]
    texts: dict[int, str] = {}
    missing = [row[0] for row in rows if row[3] is None]
    if missing:
        for case_id, description in (
            Report.objects.filter(case_id__in=missing)
            .order_by("-submitted_at", "-pk")
            .values_list("case_id", "description")
        ):
            texts[int(case_id or 0)] = description.lower()[:SEARCH_CHARS]
    out, subjects = {}, {}
    first_name, first_nip, first_position = (_SUBJECT_INDEX[f] for f in ("name", "nip", "position"))
    for (
        pk,
        region_code,
        incident_date,
        computed_at,
        stored,
        facts,
        group,
        suggestions,
        parts,
        links_json,
        hashes_json,
        subjects_json,
    ) in rows:
        people = json.loads(subjects_json) if subjects_json else []
        subjects[pk] = people
        first = people[0] if people else None
        name = first[first_name] if first else ""
        nip = first[first_nip] if first else ""
        position = first[first_position] if first else ""
        fields: dict[str, Any] = {
            "subject_name": name or "",
            "subject_nip": nip or "",
            "subject_position": position or "",
            "region_code": region_code,
            "incident_date": incident_date,
            "links": tuple(json.loads(links_json) if links_json else ()),
            "evidence_hashes": tuple(json.loads(hashes_json) if hashes_json else ()),
        }
        if computed_at is not None:
            stored = stored or ""
            text = _report_text(stored, name or "", position or "")
            out[pk] = _stored_features(
                _entered_features(**fields), text, facts or {}, group, suggestions, _parts(parts, stored, text)
            )
        else:  # a case triage never read (made before it, or by hand): read its report now
            out[pk] = _text_features(texts.get(pk, ""), tuple(sorted(fields.items())))
    return out, subjects


def _report_text(search_text: str, name: str, position: str) -> str:
    """The report's own text in a stored ``search_text``: ``_compute`` puts the subject's name and
    position in front of it for the search index; scored with them, a case's name counted twice
    and its pair scores drifted up to 0.24 from what the duplicate model was fitted on."""
    prefix = " ".join(part for part in (name, position) if part).lower()
    if prefix and search_text.startswith(prefix + " "):
        return search_text[len(prefix) + 1 :]
    return search_text


def _text_parts(search_text: str, name: str, position: str) -> dict:
    """``TriageResult.text_parts`` of a stored ``search_text`` whose subject is ``name`` /
    ``position``: what the lookup reads from its words, for the text ``_report_text`` gives."""
    from netra.triage.similar import TEXT_PARTS_VERSION, text_parts

    text = _report_text(search_text, name or "", position or "")
    words, acts = text_parts(text)
    return {"v": TEXT_PARTS_VERSION, "skip": len(search_text) - len(text), "words": words, "acts": sorted(acts)}


def _parts(stored: Any, search_text: str, text: str) -> tuple[list[str], frozenset[str]] | None:
    """The stored ``text_parts`` when they are those of ``text`` (``_report_text`` of
    ``search_text`` for the case's subject now) by the engine of now; else None (read the text).

    ``text`` is always a suffix of ``search_text``: the same ``skip`` is the same text, so a subject
    renamed since (another prefix cut off) or another tokenizer never gives stale words."""
    from netra.triage.similar import TEXT_PARTS_VERSION

    if (
        isinstance(stored, dict)
        and stored.get("v") == TEXT_PARTS_VERSION
        and stored.get("skip") == len(search_text) - len(text)
    ):
        return list(stored.get("words") or []), frozenset(stored.get("acts") or [])
    return None


TEXT_PARTS_BATCH = 2000


def fill_text_parts(*, batch_size: int = TEXT_PARTS_BATCH, stdout=None) -> int:
    """Store ``text_parts`` on every computed result without them (older than migration 0025) or
    with another engine's stamp, a batch per statement pair; return how many. Safe to run while
    cases arrive: the lookup reads the text of any row not filled yet, and checks what is."""
    from netra.triage.similar import TEXT_PARTS_VERSION

    todo = TriageResult.objects.filter(computed_at__isnull=False).filter(
        Q(text_parts__isnull=True) | ~Q(text_parts__v=TEXT_PARTS_VERSION)
    )
    first_subject = Subject.objects.filter(case=OuterRef("case_id")).order_by("pk")
    done, after = 0, 0
    while True:
        rows = list(
            todo.filter(pk__gt=after)
            .order_by("pk")
            .annotate(
                s_name=Subquery(first_subject.values("name")[:1]),
                s_position=Subquery(first_subject.values("position")[:1]),
            )
            .only("pk", "search_text")[:batch_size]
        )
        if not rows:
            return done
        for row in rows:
            row.text_parts = _text_parts(row.search_text or "", row.s_name or "", row.s_position or "")
        with writer_turn(), transaction.atomic():  # the engine ran before; the turn only writes
            if connection.vendor == "postgresql":  # one UPDATE … FROM unnest() per batch
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE cases_triageresult t SET text_parts = v.parts::jsonb"
                        " FROM unnest(%s::bigint[], %s::text[]) AS v(id, parts) WHERE t.id = v.id",
                        [[row.pk for row in rows], [json.dumps(row.text_parts) for row in rows]],
                    )
            else:
                TriageResult.objects.bulk_update(rows, ["text_parts"], batch_size=500)
        done, after = done + len(rows), rows[-1].pk
        if stdout is not None:
            stdout.write(f"{done}\n")


@functools.lru_cache(maxsize=4096)
def _text_features(text: str, fields: tuple) -> Any:
    """``triage.features`` of a case triage has not read yet (a pure function of its text and
    entered fields): a burst's cases are each other's candidates, so the same not-yet-triaged
    report would otherwise be analysed again for every case that finds it."""
    return triage.features(text=text, **dict(fields))


def duplicate_candidates(case: Case, *, user=None, limit: int = TOP) -> list[DuplicateCandidate]:
    """Open cases that may be the same matter, strongest first, each with its reasons in words.

    Candidates come from indexes only (similar text, the same NIP / link / evidence hash, the same
    region within ``WINDOW_DAYS``), in the same agency's reach and, with ``user``, their scope;
    ``triage.similarity`` scores them. Cases scoring under ``SHOW_MIN`` are left out.

    A fixed number of statements, whatever the number of candidates: the case's own keys (1; on
    PostgreSQL it counts the text window too), the text search's preparation (SQLite 2: the
    vocabulary and the FTS5 MATCH), one that unions every signal's hits and reads what scoring
    needs (their subjects, links and hashes included), and the shown cases (1): 3 on PostgreSQL,
    5 on SQLite.
    """
    found = _ranked(case, user, limit)
    if found is None:
        return []
    mine, features, top, subjects = found
    # the reasons in words only for the few shown
    scored = [(score, pk, list(triage.similarity(mine, features[pk]).reasons)) for score, pk in top]
    loaded = Case.objects.select_related("agency", "region").in_bulk([pk for _s, pk, _r in scored])
    return [
        DuplicateCandidate(case=loaded[pk], reasons=reasons, similarity=score, subjects=_subjects(subjects[pk]))
        for score, pk, reasons in scored
    ]


def _incidents_near(case: Case, others: QuerySet[Case], days: int = TEXT_WINDOW_DAYS) -> QuerySet[Case]:
    """The cases of ``others`` whose incident is within ``days`` of the case's (by default the
    window in which similar text is looked for)."""
    near = datetime.timedelta(days=days)
    return others.filter(incident_date__gte=case.incident_date - near, incident_date__lte=case.incident_date + near)


def _ranked(case: Case, user, limit: int) -> tuple[Any, dict, list[tuple[float, int]], dict] | None:
    """The lookup itself: the case's features, its candidates', the ``limit`` best (score, id) and
    the candidates' subjects (``_candidates``)."""
    others = _reach(case, user)
    text_window = _incidents_near(case, others)
    own = _own(case, text_window if connection.vendor == "postgresql" else None)
    parts: list[Part] = []
    text = _text_search(own["text"], text_window, case.incident_date, own["size"])
    if text is not None:
        parts.append(text)
    if own["nips"]:
        parts.append(_sql(others.filter(subjects__nip__in=own["nips"]).values(cid=F("pk"))[:POOL]))
    if own["keys"]:
        key_q = Q()
        for kind, value in own["keys"]:
            key_q |= Q(kind=kind, value=value)
        keyed = TriageKey.objects.filter(key_q, case__in=others.values("pk"))
        parts.append(_sql(keyed.values(cid=F("case_id"))[:POOL]))
    if own["hashes"]:
        parts.append(_sql(others.filter(evidence__sha256_received__in=own["hashes"]).values(cid=F("pk"))[:POOL]))
    nearby = _incidents_near(case, others.filter(region=case.region_id), WINDOW_DAYS)
    parts.append(_sql(nearby.order_by("-created_at").values(cid=F("pk"))[:POOL]))
    features, subjects = _candidates(case, parts)
    mine = features.pop(case.pk, None)
    if mine is None or not features:
        return None
    ranked = sorted((-triage.score(mine, theirs), pk) for pk, theirs in features.items())
    return mine, features, [(-s, pk) for s, pk in ranked[:limit] if -s >= SHOW_MIN], subjects


# --- duplicates kept with the triage result (the case page reads them, issue #12 item 6) ---------


def _reasons(mine, theirs) -> dict[str, list[str]]:
    """The reasons in words in every language of the site (the page picks its reader's)."""
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = [str(reason) for reason in triage.similarity(mine, theirs).reasons]
    return out


def _entry(pk: int, similarity: float, reasons: dict) -> dict:
    return {"case": pk, "similarity": round(float(similarity), 4), "reasons": reasons}


def search_duplicates(case: Case) -> list[dict]:
    """The live lookup in the case's agency's reach (no reader's scope), kept on its triage result;
    each look-alike found also keeps this case among its own (when it was searched before)."""
    found = _ranked(case, None, TOP)
    entries = []
    if found is not None:
        mine, features, top, _subjects_of = found
        entries = [_entry(pk, score, _reasons(mine, features[pk])) for score, pk in top]
    now = timezone.now()
    if not TriageResult.objects.filter(case=case).update(duplicates=entries, duplicates_at=now):
        TriageResult.objects.create(case=case, duplicates=entries, duplicates_at=now)
    theirs = TriageResult.objects.filter(case_id__in=[e["case"] for e in entries], duplicates__isnull=False)
    by_case = {e["case"]: e for e in entries}
    changed = []
    for result in theirs:
        mine_there = _entry(case.pk, by_case[result.case_id]["similarity"], by_case[result.case_id]["reasons"])
        kept = [e for e in result.duplicates or [] if e.get("case") != case.pk] + [mine_there]
        result.duplicates = sorted(kept, key=lambda e: (-e["similarity"], e["case"]))[:TOP]
        changed.append(result)
    TriageResult.objects.bulk_update(changed, ["duplicates"])
    return entries


def refresh_duplicates(case: Case) -> list[dict]:
    """ "Cari ulang" on the case page: the live lookup again, kept, in a short writer turn."""
    with writer_turn(), transaction.atomic():
        _storing_turn()
        return search_duplicates(case)


def stored_duplicates(case: Case, result: TriageResult | None, *, user) -> list[DuplicateCandidate] | None:
    """The look-alikes kept on the case's triage result that are still open, in the case's agency
    and in ``user``'s scope (the live lookup's own conditions), strongest first: two statements
    whatever their number (the cases, their subjects); ``None`` when never searched."""
    stored = result.duplicates if result is not None else None
    if stored is None:
        return None
    ids = [int(e["case"]) for e in stored if isinstance(e, dict) and e.get("case")]
    # Always asked, even for none (``-1``): the page takes the same statements whatever it holds.
    # Both compiled once per shape (netra.compiled: the reader's scope, the number of ids).
    from netra.compiled import shaped_instances

    wanted = list(dict.fromkeys(ids)) or [-1]
    scope = _reach_scope(user)
    agency_id = case.agency_id

    def read(case_pk, *rest):
        agency, pks = (rest[0], rest[1:]) if agency_id else (None, rest)
        return _reach_of(case_pk, agency, scope).filter(pk__in=list(pks)).select_related("agency", "region")

    values = (case.pk, *([agency_id] if agency_id else []), *wanted)
    key = ("stored_duplicates", repr(scope), bool(agency_id), len(wanted))
    loaded = {c.pk: c for c in shaped_instances(key, read, values)}
    subjects: dict[int, list[Subject]] = {pk: [] for pk in loaded}
    owners = sorted(loaded) or [-1]
    for subject in shaped_instances(
        ("stored_duplicate_subjects", len(owners)),
        lambda *pks: Subject.objects.filter(case_id__in=list(pks)).order_by("pk"),
        owners,
    ):
        subjects[subject.case_id].append(subject)
    language = (translation.get_language() or "id").split("-")[0]
    out = []
    for entry in stored:
        found = loaded.get(int(entry.get("case") or 0))
        if found is None:
            continue
        reasons = entry.get("reasons") or {}
        out.append(
            DuplicateCandidate(
                case=found,
                reasons=list(reasons.get(language) or reasons.get("id") or []),
                similarity=float(entry.get("similarity") or 0.0),
                subjects=subjects[found.pk],
            )
        )
    return out


def cluster_sizes(cases, *, user) -> dict[int, tuple[int, int]]:
    """For a page of the queue: case id → (cluster id, open cases of the cluster in the user's scope)."""
    from netra.orgs.selectors import case_scope

    ids = [case.pk for case in cases]
    own = dict(TriageResult.objects.filter(case_id__in=ids, cluster__isnull=False).values_list("case_id", "cluster"))
    if not own:
        return {}
    from django.db.models import Count

    scope = case_scope(user).q(agency_field="case__agency", region_field="case__region")
    sizes = dict(
        TriageResult.objects.filter(scope, cluster__in=set(own.values()), case__status__in=ACTIVE_STATES)
        .values("cluster")
        .annotate(n=Count("pk"))
        .values_list("cluster", "n")
    )
    return {
        pk: (int(cluster), sizes[cluster])
        for pk, cluster in own.items()
        if cluster is not None and sizes.get(cluster, 0) > 1
    }


def cluster_cases(user, cluster: int) -> QuerySet[Case]:
    """The open cases of one cluster in the user's scope, oldest first (the first is the merge target)."""
    from netra.cases.selectors import scoped_cases

    return (
        scoped_cases(user)
        .filter(triage__cluster=cluster, status__in=ACTIVE_STATES)
        .select_related("agency", "region", "triage")
        .prefetch_related("subjects")
        .order_by("created_at", "pk")
    )


# --- the officer's answer -----------------------------------------------------------------------


class TriageError(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message


def _check(actor, case: Case) -> None:
    from netra.cases.services import ACTING
    from netra.cases.workflow import actor_roles, in_scope

    if not in_scope(actor, case):
        raise TriageError("not_found")
    if not actor_roles(actor, case) & ACTING:
        raise TriageError("forbidden", _("Anda tidak dapat mengubah kasus ini."))


def triage_confirm(*, case: Case, actor, chosen: str) -> TriageCorrection:
    """Store the officer's choice of violation group (the suggestion confirmed, or corrected)."""
    if chosen not in GROUPS:
        raise TriageError("validation_error", _("Kelompok pelanggaran tidak dikenal."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check(actor, case)
        result = TriageResult.objects.filter(case=case).first()
        suggested = result.top_code if result else ""
        correction = TriageCorrection.objects.create(case=case, suggested=suggested, chosen=chosen, by=actor)
        record(
            actor,
            "case.triage_confirmed" if chosen == suggested else "case.triage_corrected",
            case,
            suggested=suggested,
            chosen=chosen,
            correction_id=correction.pk,
        )
        return correction


def latest_choice(case: Case) -> TriageCorrection | None:
    return TriageCorrection.objects.filter(case=case).order_by("-at", "-pk").first()


FACT_FIELDS = {"nip": "nips", "position": "positions", "agency_name": "agencies", "region": "region_codes"}


def fact_offers(case: Case, result: TriageResult | None, *, subjects: list | None = None) -> list[dict]:
    """The extracted facts that may fill an empty field, each with whether "Gunakan" applies.

    ``subjects``: the case's subjects in primary-key order when the caller has read them already
    (the case page); the regions the facts name are read in one statement.
    """
    from netra.catalog.models import Region

    if result is None or result.computed_at is None:
        return []
    facts = result.facts or {}
    if subjects is None:
        subject = case.subjects.order_by("pk").first()
    else:
        subject = min(subjects, key=lambda s: s.pk) if subjects else None
    codes = [str(v) for v in facts.get(FACT_FIELDS["region"]) or []]
    regions = Region.objects.in_bulk(codes, field_name="code") if codes else {}
    current_region = ""
    if case.region_id and any(code in regions for code in codes):
        current_region = case.region.name
    offers = []
    for field, key in FACT_FIELDS.items():
        for value in facts.get(key) or []:
            value = str(value)
            if field == "region":
                region = regions.get(value)
                if region is None:
                    continue
                usable = region.parent_id == case.region_id and region.code != case.region_id
                current = current_region
                label = region.name
            else:
                current = (getattr(subject, field) or "") if subject else ""
                usable = not current
                label = value
            offers.append({"field": field, "value": value, "label": label, "current": current, "usable": usable})
    return offers


def triage_apply_fact(*, case: Case, actor, field: str, value: str) -> None:
    """Copy one extracted fact into the case, only where nothing was entered.

    Subject NIP / position / agency: only into an empty field (a subject is added if the case has
    none). Region: only to a kabupaten/kota inside the province entered (a refinement). Anything
    else is refused with ``conflict``; the value must be one the engine extracted.
    """
    from netra.cases.nip import validate_nip
    from netra.catalog.models import Region

    if field not in FACT_FIELDS:
        raise TriageError("validation_error", _("Isian tidak dikenal."))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        _check(actor, case)
        result = TriageResult.objects.filter(case=case).first()
        extracted = [str(v) for v in ((result.facts or {}).get(FACT_FIELDS[field]) or [])] if result else []
        if value not in extracted:
            raise TriageError("validation_error", _("Fakta ini tidak ditemukan dalam laporan."))
        if field == "region":
            region = Region.objects.filter(code=value).first()
            if region is None or region.parent_id != case.region_id:
                raise TriageError(
                    "conflict", _("Wilayah sudah diisi; hanya dapat diperinci ke kabupaten/kota di dalamnya.")
                )
            old = case.region_id
            Case.objects.filter(pk=case.pk).update(region=region, updated_at=timezone.now())
            record(actor, "case.triage_fact_used", case, field="region", old=old, new=region.code)
            return
        if field == "nip":
            try:
                validate_nip(value)
            except ValidationError as error:
                raise TriageError("validation_error", _("NIP tidak valid.")) from error
        subject = Subject.objects.select_for_update().filter(case=case).order_by("pk").first()
        if subject is None:
            subject = Subject.objects.create(case=case, **{field: value})
        elif getattr(subject, field):
            raise TriageError("conflict", _("Isian ini sudah diisi; fakta tidak menimpa isian pelapor atau petugas."))
        else:
            setattr(subject, field, value)
            subject.save(update_fields=[field])
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        record(actor, "case.triage_fact_used", case, field=field, subject_id=subject.pk)


# --- field accuracy (triage_eval --from-corrections) ----------------------------------------------


def correction_figures() -> dict:
    """Top-1 / top-3 accuracy of the stored suggestions against the officers' latest choice per case."""
    latest: dict[int, str] = {}
    for case_id, chosen in TriageCorrection.objects.order_by("at", "pk").values_list("case_id", "chosen"):
        latest[case_id] = chosen
    results = dict(TriageResult.objects.filter(case_id__in=list(latest)).values_list("case_id", "suggestions"))
    per_group: dict[str, dict[str, int]] = {}
    top1 = top3 = counted = 0
    for case_id, chosen in latest.items():
        ranked = [s.get("code") for s in results.get(case_id) or []]
        if not ranked:
            continue
        counted += 1
        row = per_group.setdefault(chosen, {"n": 0, "top1": 0, "top3": 0})
        row["n"] += 1
        if ranked[0] == chosen:
            top1 += 1
            row["top1"] += 1
        if chosen in ranked[:3]:
            top3 += 1
            row["top3"] += 1
    return {
        "cases": counted,
        "corrections": TriageCorrection.objects.count(),
        "top1": top1 / counted if counted else None,
        "top3": top3 / counted if counted else None,
        "per_group": {
            code: {"n": r["n"], "top1": r["top1"] / r["n"], "top3": r["top3"] / r["n"]} for code, r in per_group.items()
        },
    }


def duplicate_counts(cases, *, user) -> dict[int, int]:
    """For a page of the queue: how many other open cases in scope share the case's cluster
    (the reports of one incident). Only cases that may still be merged."""
    from netra.cases.workflow import MOVES

    mergeable = frozenset(state for move in MOVES if move.action == "merged" for state in move.from_states)
    page = [case for case in cases if case.status in mergeable]
    return {pk: size - 1 for pk, (_cluster, size) in cluster_sizes(page, user=user).items()}
