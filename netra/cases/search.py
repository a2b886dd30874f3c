"""Searching cases: number, subject name or NIP, and the report text, ranked (issue #12 item 6).

One function for every face that searches (the workspace queue, the agency API):
``search_cases(qs, text)`` keeps the cases of ``qs`` (already in the caller's scope) that match
and annotates ``search_rank`` (higher is better). The words are matched with the database's own
index on the stored triage text (``TriageResult.search_text``: the subject's name and position
and the first report's text, lower case, written by ``triage_flow`` after a case is opened):

- PostgreSQL: a ``simple``-configuration ``tsvector`` (no stemmer: PostgreSQL has none for
  Indonesian) of the text without accents (``unaccent``), kept in the generated column
  ``cases_triageresult.search_vector`` with a GIN index (migration ``cases.0018_case_search``);
  ranked by ``ts_rank_cd`` (which rewards words close together);
- SQLite: the FTS5 table the duplicate search already keeps (``cases_triage_fts``, tokenizer
  ``unicode61``: case and accents folded), ranked by ``bm25``.

Every word must occur (AND); the words as a phrase, in that order, rank first. A case number or a
NIP typed whole ranks above any text match, then a subject's name. Input with a NUL byte, control
characters or more than ``MAX_CHARS`` characters is refused (``SearchError``) rather than cut.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import unicodedata
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from netra.cases.models import RECEIPT_PREFIX, Case, Subject
from netra.orgs.per_request import memo

MAX_CHARS = 200
MAX_WORDS = 12
_WORD = re.compile(r"[0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Rank bonuses above any text rank (ts_rank_cd and -bm25 stay far below 1 for real texts).
NUMBER_RANK = 100.0
SUBJECT_RANK = 10.0
PHRASE_RANK = 1.0
# A search ranks (the queue) or lists (the agency API) at most this many of each kind of match:
# the newest.
MAX_RANKED = 1000
# PostgreSQL: words that the planner's statistics put each in at least this share of the stored
# texts (but together, as independent, below it) are found by walking the scope newest first (at most WALK_ROWS cases, each one probe of its
# triage row) until MAX_RANKED match, instead of collecting every match from the full-text index
# and joining it with the scope (83 000 rows for a common name at 1 M cases).
WALK_SHARE = 0.04
WALK_ROWS = 50_000
WORD_STATS_SECONDS = 600  # the statistics change at ANALYZE; re-read them this often


class SearchError(ValueError):
    """Search text that cannot be searched; ``code`` for the API, ``message`` (Indonesian) for people."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message


def clean(text: str | None) -> str:
    """The search text, stripped; SearchError for a NUL byte, control characters or too long."""
    text = text or ""
    if _CONTROL.search(text):
        raise SearchError("search_invalid", _("Teks pencarian memuat karakter yang tidak diizinkan."))
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise SearchError("search_too_long", _("Teks pencarian paling banyak %(n)d karakter.") % {"n": MAX_CHARS})
    return text


def words(text: str) -> list[str]:
    """The words to look for: lower case, accents removed (as the index stores them), at most
    ``MAX_WORDS``, each once, in the order typed."""
    seen: list[str] = []
    for word in _WORD.findall(_fold(text)):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_WORDS]


def search_cases(qs: QuerySet[Case], text: str | None, *, also: Q | None = None, ranked: bool = True) -> QuerySet[Case]:
    """The cases of ``qs`` that ``text`` finds, annotated ``search_rank``; ``qs`` itself for empty
    text. ``also``: further matches (the API's source reference). SearchError for text that
    cannot be searched (``clean``).

    The matching ids are found first, as a ``UNION`` of one query per kind of match, each in the
    scope of ``qs`` and on its own index: the number (its unique B-tree), the NIP (``subject_nip_idx``),
    part of the subject's name (PostgreSQL: the trigram index of migration 0024) and the words
    (the full-text index; words common enough: a walk of the scope, ``_walk_text``). Each kind
    gives its newest ``MAX_RANKED`` matches, so that a word found in half the reports costs a
    bounded page, not a rank (or a count) of every case it is in. ``ranked``: the queue, which
    pages best first, gets ``search_rank``; ``ranked=False`` (the agency API, which keeps its own
    order) gets the same matches without a rank.
    """
    text = clean(text)
    if not text:
        return qs
    found = words(text)
    number = number_q(text)
    subjects = Subject.objects.filter(case=OuterRef("pk"))
    parts = [
        number,
        Q(pk__in=Subject.objects.filter(nip=text).values("case_id")),
        Q(pk__in=Subject.objects.filter(name__icontains=text).values("case_id")),
    ]
    if also is not None:
        parts.append(also)
    text_rank: Value | RawSQL = Value(0.0)
    if found:
        hits, text_rank = _text_match(text, found)
        walked = _walk_text(qs, text, found)
        parts.append(Q(pk__in=hits) if walked is None else Q(pk__in=walked))
    ids = _matching_ids(qs, parts)
    if not ids:  # no part can match, or none did; a ranked list still orders by search_rank
        return qs.none().annotate(search_rank=Value(0.0)) if ranked else qs.none()
    qs = qs.filter(pk__in=ids)
    if not ranked:
        return qs
    # Per matched case only (an index probe each), never a pass over every subject or text.
    by_nip = Exists(subjects.filter(nip=text))
    by_subject = Exists(subjects.filter(Q(nip=text) | Q(name__icontains=text)))
    rank = (
        SqlCase(When(number | Q(by_nip), then=Value(NUMBER_RANK)), default=Value(0.0))
        + SqlCase(When(by_subject, then=Value(SUBJECT_RANK)), default=Value(0.0))
        + Coalesce(text_rank, Value(0.0), output_field=FloatField())
    )
    return qs.annotate(search_rank=rank)


def _walk_text(qs: QuerySet[Case], text: str, found: list[str]) -> list[int] | None:
    """PostgreSQL, words common enough (``WALK_SHARE``): the newest ``MAX_RANKED`` cases of ``qs``
    whose stored text holds every word, found by walking ``qs`` newest first, each case one probe
    of its triage row, the LIMIT stopping the walk; None: collect the matches from the full-text
    index instead (rarer words, SQLite, or a walk of ``WALK_ROWS`` cases that found fewer than
    ``MAX_RANKED``, which the index then finds whatever their age).

    Only where the planner cannot choose this itself: several words, each common, that it
    estimates together as if independent (the product of their shares: two words of one name
    0.7 % instead of 8 %), and so it joins every match with the scope. A single common word (or
    words whose product is common) it estimates right and walks the scope itself. Kept for the
    request (the page and its tab counts ask the same).
    """
    if connection.vendor != "postgresql":
        return None
    shares = _word_shares(found)
    if min(shares) < WALK_SHARE or math.prod(shares) >= WALK_SHARE:
        return None  # rare words: few matches; or common by the planner's own estimate, which it plans well
    scope_sql, scope_params = qs.order_by("-pk").values_list("pk", flat=True)[:WALK_ROWS].query.sql_with_params()
    sql = (
        f"SELECT w.pk FROM ({scope_sql}) w WHERE (SELECT t.search_vector @@ plainto_tsquery('simple', %s)"  # noqa: S608 -- Django's own compiled SQL
        " FROM cases_triageresult t WHERE t.case_id = w.pk) ORDER BY w.pk DESC LIMIT %s"
    )
    params = (*scope_params, _fold(text), MAX_RANKED)

    def walk() -> list[int] | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        return ids if len(ids) == MAX_RANKED else None

    key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return memo(_walk_text, "search.walk:" + key, walk)


_word_stats_cache: dict[str, Any] = {}


def word_stats() -> tuple[float, dict[str, float], float]:
    """PostgreSQL: (estimated rows of ``cases_triageresult``, lexeme → share of rows for the
    commonest lexemes of ``search_vector`` by the planner's statistics (``pg_stats.most_common_elems``),
    the share assumed for any other: the least common listed), kept ``WORD_STATS_SECONDS`` in the
    process. The walk here and the duplicate lookup's rarest words (``triage_flow``) read it."""
    now = time.monotonic()
    if _word_stats_cache.get("until", 0.0) > now:
        return _word_stats_cache["value"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs"
            " FROM pg_class c LEFT JOIN pg_stats s ON s.tablename = c.relname AND s.attname = 'search_vector'"
            " AND s.schemaname = current_schema()"
            " WHERE c.oid = 'cases_triageresult'::regclass"
        )
        reltuples, elems, freqs = cursor.fetchone() or (0.0, None, None)
    elems = list(elems or [])
    # most_common_elem_freqs: one share per lexeme (sorted by lexeme), then their minimum and maximum
    shares = list(freqs or [])[: len(elems)]
    common = dict(zip(elems, shares, strict=True))
    value = (max(float(reltuples or 0.0), 0.0), common, (min(shares) if shares else 0.0))
    _word_stats_cache.update(value=value, until=now + WORD_STATS_SECONDS)
    return value


def _word_shares(found: list[str]) -> list[float]:
    """Each word's share of the stored texts by the planner's statistics (``word_stats``)."""
    _rows, common, rare = word_stats()
    return [common.get(word, rare) for word in found]


def _matching_ids(qs: QuerySet[Case], parts: list[Q]) -> list[int]:
    """The ids ``_union`` finds (at most ``MAX_RANKED`` per part), read once per request: a page
    and its counts (the queue's tabs, the API's ``count``) then read an id list by the primary
    key instead of running every part again."""
    union = _union(qs, parts, MAX_RANKED)
    if union is None:
        return []
    sql, params = union.sql, tuple(union.params)

    def read() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return sorted({row[0] for row in cursor.fetchall()}, reverse=True)

    return memo(_matching_ids, "search.ids:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest(), read)


def _union(qs: QuerySet[Case], parts: list[Q], limit: int | None) -> RawSQL | None:
    """The ids of the cases of ``qs`` that any of ``parts`` matches, as one ``UNION`` of a query
    per part (``limit``: the newest that many of each); None when no part can match."""
    base = qs.order_by()
    statements: list[str] = []
    params: list = []
    for part in parts:
        one = base.filter(part).values_list("pk", flat=True)
        if limit is not None:
            one = one.order_by("-pk")[:limit]
        try:
            sql, part_params = one.query.sql_with_params()
        except EmptyResultSet:  # e.g. text that cannot be a case number
            continue
        statements.append(f"SELECT * FROM ({sql}) s{len(statements)}")  # noqa: S608 -- Django's own compiled SQL
        params.extend(part_params)
    if not statements:
        return None
    return RawSQL(" UNION ".join(statements), params)  # noqa: S611 -- Django's own compiled SQL


def _fold(text: str) -> str:
    """Lower case without accents, as the indexes store the text."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def _text_match(text: str, found: list[str]) -> tuple[RawSQL, RawSQL]:
    """The ids of the cases whose stored text holds every word, and each case's text rank."""
    bonus = PHRASE_RANK if len(found) > 1 else 0.0
    if connection.vendor == "postgresql":
        # PostgreSQL's own parser reads the query as it read the text (hyphens, codes like 62.06).
        plain = _fold(text)
        hits = RawSQL(
            "SELECT case_id FROM cases_triageresult WHERE search_vector @@ plainto_tsquery('simple', %s)", [plain]
        )
        rank = RawSQL(
            "SELECT ts_rank_cd(t.search_vector, plainto_tsquery('simple', %s))"
            " + CASE WHEN t.search_vector @@ phraseto_tsquery('simple', %s) THEN %s ELSE 0 END"
            " FROM cases_triageresult t WHERE t.case_id = cases_case.id",
            [plain, plain, bonus],
            output_field=FloatField(),
        )
        return hits, rank
    every = " ".join(f'"{w}"' for w in found)  # words only ([0-9a-z]+): nothing to escape
    phrase = '"' + " ".join(found) + '"'
    hits = RawSQL("SELECT rowid FROM cases_triage_fts WHERE cases_triage_fts MATCH %s", [every])
    rank = RawSQL(
        "SELECT -bm25(cases_triage_fts) + CASE WHEN EXISTS (SELECT 1 FROM cases_triage_fts p"
        " WHERE p.cases_triage_fts MATCH %s AND p.rowid = cases_case.id) THEN %s ELSE 0 END"
        " FROM cases_triage_fts WHERE cases_triage_fts MATCH %s AND rowid = cases_case.id",
        [phrase, bonus, every],
        output_field=FloatField(),
    )
    return hits, rank


def ranked(qs: QuerySet[Case]) -> QuerySet[Case]:
    """A searched list, best match first (equal ones: newest first), as the queue pages it."""
    return qs.order_by(F("search_rank").desc(), "-pk")


FIRST_YEAR = 2000  # the oldest year a case number may carry (history imports included)
_NUMBER_RE = re.compile(r"^(?:ntr-?(?P<year>\d{4})-?)?0*(?P<serial>\d{1,9})$", re.IGNORECASE)


def number_q(text: str) -> Q:
    """Cases whose number is ``text`` as people type it: ``NTR-2026-000211``, lower case, or just
    the serial ``211`` / ``000211`` (any year). Anything else matches no case by number.

    Whole numbers only (``opening.case_number`` writes them upper case), so that the unique
    index finds them: a bare serial is the same number in each year since ``FIRST_YEAR``."""
    found = _NUMBER_RE.match((text or "").strip())
    if not found:
        return Q(pk__in=[])
    serial = f"{int(found['serial']):06d}"
    if found["year"]:
        return Q(number=f"{RECEIPT_PREFIX}-{found['year']}-{serial}")
    years = range(FIRST_YEAR, timezone.now().year + 2)
    return Q(number__in=[f"{RECEIPT_PREFIX}-{year}-{serial}" for year in years])
