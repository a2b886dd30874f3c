"""Duplicate scoring: what two reports have in common, as a score and as reasons in words.

Pure: the caller (``cases``) fetches candidate reports from the database (trigram/full-text
index) and asks :func:`similarity` about each; :func:`cluster` groups a list for the queue.
"""

import datetime
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from netra.catalog.nip import normalize_nip
from netra.triage.extract import extract, find_positions, normalize_link
from netra.triage.model import STOPWORDS, get_model
from netra.triage.text import normalize, tokens

DEFAULT_THRESHOLD = 0.4

# How much each shared fact says "same incident" (combined as independent evidence, 1 - prod(1 - p)),
# and how much a conflicting fact takes away (a factor). The first version's values (fitted on the
# training pairs, text slope a prior); ``python -m netra.triage.fit_duplicates``'s refit was not
# shipped, see eval/README.md.
WEIGHTS = {
    "evidence_hash": 0.95,
    "link": 0.9,
    "nip": 0.85,
    "name": 0.6,
    "text_floor": 0.2,  # IDF-weighted cosine below this is what unrelated reports share
    "text_slope": 2.5,  # prior, not fitted: a near-copy text (cosine >= 0.55) alone reaches the threshold
    "text_max": 0.9,
    "words": 0.0,
    "position": 0.3,
    "agency": 0.2,
    "candidate": 0.15,
    "region": 0.4,
    "date": 0.4,
    "nip_conflict": 0.3,
    "name_conflict": 0.6,
    "region_conflict": 0.35,
    "date_conflict": 0.4,
    "position_conflict": 0.3,
    "candidate_conflict": 0.6,
    "group": 0.0,
    "group_conflict": 0.3,
}


@dataclass
class Features:
    text: str = ""
    grams: Counter[str] = field(default_factory=Counter)
    norm: float = 0.0
    words: frozenset[str] = frozenset()
    nips: frozenset[str] = frozenset()
    name: str = ""
    positions: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()
    candidates: frozenset[str] = frozenset()
    region_codes: frozenset[str] = frozenset()
    dates: tuple[tuple[datetime.date, datetime.date], ...] = ()
    links: frozenset[str] = frozenset()
    evidence_hashes: frozenset[str] = frozenset()
    group: str = ""  # the violation group the text reads as (first suggestion)


@dataclass(frozen=True)
class Match:
    score: float
    reasons: list[str]


def _date_range(value: datetime.date | str | None) -> tuple[datetime.date, datetime.date] | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return (value, value)
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if m.group(3):
        d = datetime.date(year, month, int(m.group(3)))
        return (d, d)
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return (first, last)


def char_grams(words: list[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for w in words:
        padded = f" {w} "
        for i in range(max(1, len(padded) - 3)):
            grams[padded[i : i + 4]] += 1
        grams["=" + w] += 2  # the whole word too: a shared rare word ("posyandu") says more than its pieces
    return grams


def _weighted_grams(words: list[str]) -> Counter[str]:
    """Character 4-grams weighted by rarity: words every report uses ("calon", "kampanye") count little."""
    idf, default = get_model().gram_idf()
    return Counter({g: n * idf.get(g, default) for g, n in char_grams(words).items()})


def features(
    *,
    text: str,
    subject_name: str = "",
    subject_nip: str = "",
    subject_position: str = "",
    region_code: str = "",
    incident_date: datetime.date | str | None = None,
    links: Iterable[str] = (),
    evidence_hashes: Iterable[str] = (),
    today: datetime.date | None = None,
) -> Features:
    """What :func:`similarity` compares, from a report's fields and the facts its text states.

    ``today`` anchors relative dates in the text ("kemarin"); pass the report's received date.
    """
    anchor = today or (_date_range(incident_date) or (None, None))[1]
    facts = extract(text, today=anchor) if anchor else extract(text)
    content = [t for t in tokens(text) if t not in STOPWORDS]
    grams = _weighted_grams(content)
    nips = set(facts.nips)
    if subject_nip:
        nips.add(normalize_nip(subject_nip))
    positions = set(facts.positions)
    if subject_position:
        positions.update(find_positions(normalize(subject_position)) or [normalize(subject_position)])
    regions = set(facts.region_codes)
    if region_code:
        regions.add(region_code)
    # without a day to read it from, "kemarin" or "Sabtu 7/11" says nothing about the calendar
    dates = [(d.start, d.end) for d in facts.dates if anchor or d.absolute]
    given = _date_range(incident_date)
    if given:
        dates = [given]  # the date someone entered wins over what the text suggests
    all_links = {normalize_link(u) for u in links if u} | set(facts.links)
    return Features(
        text=text,
        grams=grams,
        norm=math.sqrt(sum(v * v for v in grams.values())),
        words=frozenset(w for w in content if len(w) > 2),
        nips=frozenset(nips),
        name=" ".join(w for w in normalize(subject_name).split() if w not in ("pak", "bu", "h", "hj", "dr", "ir")),
        positions=frozenset(positions),
        agencies=frozenset(a for a in facts.agencies if " " in a),  # "kecamatan" alone names no office
        candidates=frozenset(facts.candidates),
        region_codes=frozenset(regions),
        dates=tuple(dates),
        links=frozenset(all_links),
        evidence_hashes=frozenset(h.lower() for h in evidence_hashes if h),
        group=_first_group(text),
    )


def _first_group(text: str) -> str:
    model = get_model()
    probs, _why = model.probabilities(text)
    return model.labels[max(range(len(probs)), key=lambda i: (probs[i], -i))]


def text_similarity(a: Features, b: Features) -> float:
    if not a.norm or not b.norm:
        return 0.0
    small, large = (a.grams, b.grams) if len(a.grams) < len(b.grams) else (b.grams, a.grams)
    dot = sum(v * large.get(g, 0) for g, v in small.items())
    return dot / (a.norm * b.norm)


def _regions_relation(a: frozenset[str], b: frozenset[str]) -> str:
    if not a or not b:
        return "unknown"
    if a & b:
        return "same"
    # a kabupaten and its province, or two kabupaten of one province
    if any(x.startswith(y + ".") or y.startswith(x + ".") for x in a for y in b):
        return "near"
    if any("." in x and "." in y for x in a for y in b):
        return "different"
    if any(x[:2] != y[:2] for x in a for y in b) and not any(x[:2] == y[:2] for x in a for y in b):
        return "different"
    return "near"


def _days_apart(
    a: tuple[tuple[datetime.date, datetime.date], ...], b: tuple[tuple[datetime.date, datetime.date], ...]
) -> int | None:
    if not a or not b:
        return None
    best = None
    for s1, e1 in a:
        for s2, e2 in b:
            gap = max(0, (s2 - e1).days, (s1 - e2).days)
            best = gap if best is None else min(best, gap)
    return best


def similarity(a: Features, b: Features) -> Match:
    """Score 0..1 that ``a`` and ``b`` report the same incident, and the reasons in Indonesian."""
    evidence: list[float] = []
    reasons: list[str] = []
    factor = 1.0

    w = WEIGHTS
    strong = bool(a.evidence_hashes & b.evidence_hashes or a.links & b.links or a.nips & b.nips)
    if a.evidence_hashes & b.evidence_hashes:
        evidence.append(w["evidence_hash"])
        reasons.append(_("bukti sama"))
    if a.links & b.links:
        evidence.append(w["link"])
        reasons.append(_("tautan sama"))
    if a.nips & b.nips:
        evidence.append(w["nip"])
        reasons.append(_("NIP sama"))
    elif a.nips and b.nips:
        factor *= w["nip_conflict"]
    if a.name and b.name:
        if a.name == b.name or (len(a.name) > 4 and (a.name in b.name or b.name in a.name)):
            evidence.append(w["name"])
            reasons.append(_("nama terlapor sama"))
        else:
            factor *= w["name_conflict"]

    text = text_similarity(a, b)
    words = len(a.words & b.words) / max(1, min(len(a.words), len(b.words)))
    p_text = min(w["text_max"], max(0.0, (text - w["text_floor"]) * w["text_slope"]) + w["words"] * words)
    if p_text > 0.05:
        evidence.append(p_text)
        reasons.append(_("teks mirip %(percent)d %%") % {"percent": round(100 * text)})

    generic = {"asn", "staf", "honorer"}
    if a.positions & b.positions and not a.positions <= generic:
        evidence.append(w["position"])
        reasons.append(_("jabatan sama"))
    elif a.positions - generic and b.positions - generic and not a.positions & b.positions:
        factor *= w["position_conflict"]
    if a.agencies & b.agencies:
        evidence.append(w["agency"])
        reasons.append(_("instansi sama"))
    if a.candidates & b.candidates:
        evidence.append(w["candidate"])
        reasons.append(_("calon yang sama"))
    elif a.candidates and b.candidates:
        factor *= w["candidate_conflict"]

    if a.group and b.group:
        if a.group != b.group:
            factor *= w["group_conflict"]
        elif w["group"]:
            evidence.append(w["group"])
            reasons.append(_("jenis pelanggaran sama"))

    relation = _regions_relation(a.region_codes, b.region_codes)
    if relation == "same":
        evidence.append(w["region"])
        reasons.append(_("wilayah sama"))
    elif relation == "different":
        factor *= w["region_conflict"]

    gap = _days_apart(a.dates, b.dates)
    if gap is not None:
        if gap <= 2:
            evidence.append(w["date"])
            reasons.append(_("tanggal berdekatan"))
        elif gap > 10:
            factor *= w["date_conflict"]

    if strong:  # the same file, post or person: a different wording or reading does not undo that
        factor = max(factor, 0.75)
    miss = 1.0
    for p in evidence:
        miss *= 1.0 - p
    score = (1.0 - miss) * factor
    return Match(score=round(score, 4), reasons=reasons)


def cluster(items: list[Features], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of indexes whose pairs score ``>= threshold`` (single link), each sorted, biggest first.

    Singletons are included, so every index appears exactly once.
    """
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if root(i) != root(j) and similarity(items[i], items[j]).score >= threshold:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))
