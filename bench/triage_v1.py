"""The first version of the duplicate lookup (``netra.cases.triage_flow.duplicate_candidates`` up to
issue #13's round-trip work), kept frozen here as the "before" that ``bench/triage.py`` times in the
same run as the current one, and checks the current one returns the same candidates.

About 15 SQL round trips per lookup: the reach, the text search, one query per retrieval signal,
then one per table scoring reads. Not used by the application.
"""

import datetime

from django.db import connection
from django.db.models import Q, QuerySet

from netra.cases.models import Case, Evidence, Report, Subject, TriageKey, TriageResult
from netra.cases.triage_flow import (
    _WORD,
    POOL,
    SEARCH_CHARS,
    SHOW_MIN,
    TEXT_MIN,
    TOP,
    WINDOW_DAYS,
    DuplicateCandidate,
    _entered_features,
    _reach,
    _stored_features,
    triage,
)

REACH_SCAN_MAX = 3000  # the first version's bound (frozen here: triage_flow bounds the scan otherwise now)


def _text_candidates(text: str, others: QuerySet[Case]) -> list[int]:
    if not text.strip():
        return []
    reach = list(others.order_by().values_list("pk", flat=True)[: REACH_SCAN_MAX + 1])
    if not reach:
        return []
    small = len(reach) <= REACH_SCAN_MAX
    if connection.vendor == "postgresql":
        rows = (
            TriageResult.objects.filter(case_id__in=reach)
            if small
            else TriageResult.objects.filter(case__in=others.values("pk")).extra(
                where=["cases_triageresult.search_text %% %s"], params=[text]
            )
        )
        return list(
            rows.extra(select={"sim": "similarity(cases_triageresult.search_text, %s)"}, select_params=[text])
            .extra(where=["similarity(cases_triageresult.search_text, %s) >= %s"], params=[text, TEXT_MIN])
            .order_by("-sim")
            .values_list("case_id", flat=True)[:POOL]
        )
    if connection.vendor == "sqlite":
        # The text's rarest words (names of places and people; fts5vocab counts the rows of each):
        # a MATCH on every word would rank half the table.
        words = sorted(set(_WORD.findall(text.lower())))[:40]
        if not words:
            return []
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(words))
            cursor.execute(f"SELECT term, doc FROM cases_triage_fts_vocab WHERE term IN ({marks})", words)  # noqa: S608
            counts = dict(cursor.fetchall())
            # A word only this report holds (its own row) finds nothing: from 2 rows up.
            rare = sorted((w for w in words if counts.get(w, 0) >= 2), key=lambda w: (counts[w], -len(w), w))[:4]
            if not rare:
                return []
            query = " OR ".join(f'"{w}"' for w in rare)
            cursor.execute(
                "SELECT rowid FROM cases_triage_fts WHERE cases_triage_fts MATCH %s ORDER BY rank LIMIT %s",
                [query, POOL * 8],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return list(others.filter(pk__in=ids).values_list("pk", flat=True)[:POOL])
    return []


def _own(case: Case) -> dict:
    result = TriageResult.objects.filter(case=case, computed_at__isnull=False).first()
    if result is not None:
        text = result.search_text
        facts = result.facts
    else:
        report = Report.objects.filter(case=case).order_by("submitted_at", "pk").first()
        text = (report.description if report else "").lower()[:SEARCH_CHARS]
        facts = {}
    return {"text": text, "facts": facts}


def _features_for(case_ids) -> dict:
    """The engine's features of each case, from its stored triage (or its report, when it has none)."""
    ids = list(case_ids)
    cases = {
        pk: (region, day)
        for pk, region, day in Case.objects.filter(pk__in=ids).values_list("pk", "region_id", "incident_date")
    }
    stored = {
        case_id: (text, facts, top_code)
        for case_id, text, facts, top_code in TriageResult.objects.filter(
            case_id__in=ids, computed_at__isnull=False
        ).values_list("case_id", "search_text", "facts", "top_code")
    }
    texts: dict[int, str] = {}
    missing = [pk for pk in ids if pk not in stored]
    if missing:
        for report in Report.objects.filter(case_id__in=missing).order_by("-submitted_at", "-pk"):
            texts[int(report.case_id or 0)] = report.description.lower()[:SEARCH_CHARS]
    subjects: dict[int, Subject] = {}
    for row in Subject.objects.filter(case_id__in=ids).order_by("pk"):
        subjects.setdefault(row.case_id, row)
    links: dict[int, list[str]] = {}
    for case_id, value in TriageKey.objects.filter(case_id__in=ids, kind=TriageKey.Kind.LINK).values_list(
        "case_id", "value"
    ):
        links.setdefault(case_id, []).append(value)
    hashes: dict[int, list[str]] = {}
    for case_id, sha in Evidence.objects.filter(case_id__in=ids).values_list("case_id", "sha256_received"):
        hashes.setdefault(case_id, []).append(sha)
    out = {}
    for pk in ids:
        if pk not in cases:
            continue
        region_code, incident_date = cases[pk]
        subject = subjects.get(pk)
        fields: dict = {
            "subject_name": subject.name if subject else "",
            "subject_nip": (subject.nip or "") if subject else "",
            "subject_position": subject.position if subject else "",
            "region_code": region_code,
            "incident_date": incident_date,
            "links": tuple(links.get(pk, ())),
            "evidence_hashes": tuple(hashes.get(pk, ())),
        }
        if pk in stored:
            text, facts, group = stored[pk]
            out[pk] = _stored_features(_entered_features(**fields), text, facts or {}, group)
        else:  # a case triage never read (made before it, or by hand): read its report now
            out[pk] = triage.features(text=texts.get(pk, ""), **fields)
    return out


def duplicate_candidates(case: Case, *, user=None, limit: int = TOP) -> list[DuplicateCandidate]:
    """Open cases that may be the same matter, strongest first, each with its reasons in words.

    Candidates come from indexes only (similar text, the same NIP / link / evidence hash, the same
    region within ``WINDOW_DAYS``), in the same agency's reach and, with ``user``, their scope;
    ``triage.similarity`` scores them. Cases scoring under ``SHOW_MIN`` are left out.
    """
    others = _reach(case, user)
    own = _own(case)
    found: set[int] = set(_text_candidates(own["text"], others))
    nips = {s.nip for s in case.subjects.all() if s.nip} | set(own["facts"].get("nips") or [])
    if nips:
        found |= set(others.filter(subjects__nip__in=nips).values_list("pk", flat=True)[:POOL])
    keys = list(TriageKey.objects.filter(case=case).values_list("kind", "value"))
    if keys:
        key_q = Q()
        for kind, value in keys:
            key_q |= Q(kind=kind, value=value)
        found |= set(
            TriageKey.objects.filter(key_q, case__in=others.values("pk")).values_list("case_id", flat=True)[:POOL]
        )
    hashes = list(Evidence.objects.filter(case=case).values_list("sha256_received", flat=True))
    if hashes:
        found |= set(others.filter(evidence__sha256_received__in=hashes).values_list("pk", flat=True)[:POOL])
    window = datetime.timedelta(days=WINDOW_DAYS)
    found |= set(
        others.filter(
            region=case.region_id,
            incident_date__gte=case.incident_date - window,
            incident_date__lte=case.incident_date + window,
        )
        .order_by("-created_at")
        .values_list("pk", flat=True)[:POOL]
    )
    found.discard(case.pk)
    if not found:
        return []
    features = _features_for([case.pk, *found])
    mine = features.get(case.pk)
    if mine is None:
        return []
    scored = []
    for pk in found:
        if pk not in features:
            continue
        match = triage.similarity(mine, features[pk])
        if match.score >= SHOW_MIN:
            scored.append((match.score, pk, list(match.reasons)))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    loaded = (
        Case.objects.select_related("agency", "region")
        .prefetch_related("subjects")
        .in_bulk([pk for _s, pk, _r in scored])
    )
    return [DuplicateCandidate(case=loaded[pk], reasons=reasons, similarity=score) for score, pk, reasons in scored]
