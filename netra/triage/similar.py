"""Duplicate scoring: what two reports have in common, as a score and as reasons in words.

Pure: the caller (``cases``) fetches candidate reports from the database (trigram/full-text
index) and asks :func:`similarity` about each; :func:`cluster` groups a list for the queue.
"""

import datetime
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from netra.catalog.nip import normalize_nip
from netra.triage.extract import extract, find_positions, normalize_link
from netra.triage.model import STOPWORDS, get_model
from netra.triage.text import normalize, tokens

DUPLICATES_FILE = Path(__file__).resolve().parent / "data" / "duplicates.json"

# What says "same incident" beyond doubt: the same file, post or person. Not fitted (the fitting set
# has too few of them to learn from); such a pair scores at least this, whatever the rest says.
STRONG = {"evidence_hash": 0.95, "link": 0.9, "nip": 0.85}
STRONG_FLOOR = 0.75  # a strong key with conflicting other facts still scores at least this
GENERIC_POSITIONS = frozenset({"asn", "staf", "honorer"})
# One person, as different witnesses name the post: a village head is "kepala desa", "lurah" (Java,
# Bali), "kuwu", "petinggi", "perbekel"; a sekdes is also "perangkat desa".
POSITION_KIN = {"lurah": "kepala desa", "penjabat kepala desa": "kepala desa", "sekretaris desa": "perangkat desa"}
RARE_IDF = 5.0  # a word in at most ~1 % of the training reports: a place, a person, a school


# What happened, as a witness may word it: an act and the words (or rough stems) that name it. A word
# is looked up whole first, then with its affixes off (``_stems``: "berkaos" -> "kaos", "dicopotin"
# -> "copot", "nyebarin" -> "sebar"). Words every report uses ("kampanye", "calon", "foto") name no
# act; "bagikan" neither (the lexicon reads "ngeshare" as it, and sembako are "dibagikan" too).
ACT_WORDS: dict[str, tuple[str, ...]] = {
    "declare": ("deklarasi", "ikrar", "deklarasikan"),
    "pose": ("pose", "jari", "acung", "salam"),
    "vehicle": ("mobil", "mobdin", "kendaraan", "oto", "ambulans", "ambulan", "plat", "pelat", "truk", "pikap", "motor"),
    "goods": ("sembako", "bansos", "beras", "minyak", "sarung", "jaring", "pangan", "kantong", "karung"),
    "money": ("uang", "amplop", "duit", "rupiah", "ribu", "transport", "rp", "goceng", "seket", "ewu"),
    "online": (
        "posting", "post", "unggah", "upload", "share", "facebook", "fb", "fesbuk", "tiktok", "instagram", "ig",
        "story", "status", "komen", "komentar", "like", "medsos", "youtube", "twitter", "video", "akun", "grup",
        "admin", "twit", "reels", "live",
    ),
    "gather": (
        "kumpul", "arah", "arahan", "ancam", "mutasi", "rotasi", "suruh", "menang", "menangke", "menangin",
        "baris", "perintah", "instruksi", "paksa", "evaluasi", "rapat", "pertemuan", "pindah",
    ),
    "team": (
        "tim", "relawan", "sukses", "pemenangan", "korcam", "koordinator", "saksi", "ketua", "struktur", "mandat",
        "korlap", "timses",
    ),
    "party": ("partai", "sipol", "kader", "pengurus", "keanggotaan", "anggota", "infopemilu", "politik"),
    "letter": ("surat", "ktp", "fotokopi", "salinan", "stempel", "cap", "kop", "teken", "tekeni", "tanda"),
    "rally": ("konvoi", "pawai", "arak", "orasi", "panggung", "rally", "akbar", "terbuka", "kampanye_hadir"),
    "project": ("proyek", "aspal", "blt", "pkh", "jembatan", "irigasi", "program", "anggaran", "tunda"),
    "premises": ("rujab", "wantilan", "posko", "aula", "balai", "pendopo", "rumah_dinas", "gedung", "ruang"),
    "attire": ("kaos", "pin", "lencana", "topi", "rompi", "atribut", "seragam", "baju", "jaket"),
    "banner": ("baliho", "spanduk", "poster", "kalender", "banner", "stiker", "peraga", "gambar"),
    "remove": ("copot", "cabut", "rusak"),
    "permit": ("izin", "perizinan"),
}  # fmt: skip
_ACT_OF = {word: act for act, words in ACT_WORDS.items() for word in words}
_PREFIXES = (
    "meng", "meny", "mem", "men", "me", "di", "ber", "be", "ter", "peng", "pem", "pen", "pe", "ng", "ny", "ke", "se",
)  # fmt: skip
_SUFFIXES = ("kan", "nya", "an", "in", "i", "ne", "na", "e")
_PHRASES = (
    (re.compile(r"\b(?:hadir|ikut|datang|menghadiri|mengikuti|melu|teka) (?:\w+ ){0,3}kampanye\b"), "kampanye_hadir"),
    (re.compile(r"\b(?:rumah dinas|rumah jabatan)\b"), "rumah_dinas"),
    (re.compile(r"\brapat umum\b"), "akbar"),
    (re.compile(r"\b\d+ ?(?:rb|ribu|k)\b"), "ribu"),
)


# What witnesses of one incident name differently, as one word for the duplicate text features only
# (the classifier reads ``tokens`` as it is). Applied to ``tokens(text)`` by :func:`concepts`, before
# the stopwords go: a letter's "berikrar" and a line's "deklarasi", "kades" and "pambakal", "pelat
# merah" and "mobdin" then share their grams. Only what cannot name anything else: "lembang" alone is
# a kecamatan of Bandung Barat, "wali" alone a wali kota, "petinggi partai" a party's leader, "lawan"
# (Banjar "with") a rival.
SYNONYMS: dict[str, str] = {
    # declaring support, speaking for a candidate
    "ikrar": "deklarasi", "berikrar": "deklarasi", "deklarasikan": "deklarasi", "mendeklarasikan": "deklarasi",
    "dideklarasikan": "deklarasi", "jurkam": "orasi", "berorasi": "orasi", "pidato": "orasi", "berpidato": "orasi",
    # village heads, whatever the province calls them
    "pambakal": "kepala desa", "kuwu": "kepala desa", "keuchik": "kepala desa", "geuchik": "kepala desa",
    "perbekel": "kepala desa", "peratin": "kepala desa", "kepdes": "kepala desa", "sangadi": "kepala desa",
    "gampong": "desa", "pekon": "desa", "nagari": "desa", "kumtua": "kepala desa", "kakam": "kepala desa",
    # offices by their short names
    "disdik": "dinas pendidikan", "diknas": "dinas pendidikan", "dinkes": "dinas kesehatan",
    "dishub": "dinas perhubungan", "dinsos": "dinas sosial", "distan": "dinas pertanian",
    "disdukcapil": "dinas kependudukan", "dukcapil": "dinas kependudukan", "capil": "dinas kependudukan",
    "dlh": "dinas lingkungan hidup", "pupr": "dinas pekerjaan umum", "dpupr": "dinas pekerjaan umum",
    "kadistan": "kepala dinas pertanian", "kadishub": "kepala dinas perhubungan",
    "kadiskes": "kepala dinas kesehatan",
    # official vehicles, teams, the party register
    "randis": "mobil dinas", "ambulan": "ambulans", "infopemilu": "sipol", "timses": "tim sukses",
    # regional function words (Minang, Manado, Ambon, Kupang, Papua, Malay, Javanese, Sundanese, Banjar):
    # the stopwords they stand for
    "ado": "ada", "indak": "tidak", "nyanda": "tidak", "sonde": "tidak", "tra": "tidak", "trada": "tidak",
    "ora": "tidak", "teu": "tidak", "kada": "tidak", "samo": "sama", "torang": "kita", "dorang": "mereka",
    "dong": "mereka", "beta": "saya", "ulun": "saya", "inyong": "saya", "saye": "saya", "su": "sudah",
    "wis": "sudah", "uwis": "sudah", "geus": "sudah", "die": "dia", "deng": "dengan", "kalu": "kalau",
    "nek": "kalau", "neng": "di",
}  # fmt: skip
# two-word names (after ``tokens``) -> one concept
SYNONYM_PAIRS: dict[tuple[str, str], str] = {
    ("juru", "kampanye"): "orasi", ("wali", "nagari"): "kepala desa", ("kepala", "pekon"): "kepala desa",
    ("kepala", "lembang"): "kepala desa", ("kepala", "kampung"): "kepala desa", ("kepala", "gampong"): "kepala desa",
    ("raja", "negeri"): "kepala desa", ("hukum", "tua"): "kepala desa",
    # Papua's distrik is a kecamatan, its head a camat
    ("kepala", "distrik"): "camat",
    ("pelat", "merah"): "mobil dinas", ("kendaraan", "dinas"): "mobil dinas",
    ("tim", "pemenangan"): "tim sukses",
}  # fmt: skip
# A witness writing in English (a foreign observer, a journalist, a diaspora relative): the Indonesian
# concept each word names, so an English line shares grams with the letters about the same incident;
# English function words go (""). Longer phrases first (``ENGLISH_PHRASES``), then single words.
ENGLISH: dict[str, str] = {
    **dict.fromkeys(
        (
            "the", "a", "an", "of", "at", "in", "on", "to", "for", "and", "or", "was", "were", "is", "are", "be",
            "been", "by", "with", "from", "his", "her", "him", "he", "she", "they", "them", "their", "who", "that",
            "this", "which", "it", "its", "as", "has", "had", "have", "also", "while", "during", "after", "before",
            "into", "out", "our", "we", "my", "i", "there", "some", "all", "every", "about", "then", "being",
        ),
        "",
    ),
    "village": "desa", "villages": "desa", "head": "kepala", "heads": "kepala", "chief": "kepala",
    "headman": "kepala desa", "subdistrict": "kecamatan", "regent": "bupati", "mayor": "wali kota",
    "governor": "gubernur", "candidate": "calon", "candidates": "calon", "campaign": "kampanye",
    "campaigning": "kampanye", "campaigned": "kampanye", "rally": "kampanye akbar", "rallies": "kampanye akbar",
    "servant": "asn", "servants": "asn", "official": "pejabat", "officials": "pejabat", "teacher": "guru",
    "teachers": "guru", "headmaster": "kepala sekolah", "principal": "kepala sekolah", "lecturer": "dosen",
    "midwife": "bidan", "nurse": "perawat", "doctor": "dokter", "staff": "staf", "staffer": "staf",
    "employee": "pegawai", "employees": "pegawai", "school": "sekolah", "office": "kantor", "hall": "aula",
    "car": "mobil", "cars": "mobil", "vehicle": "kendaraan", "vehicles": "kendaraan", "ambulance": "ambulans",
    "plate": "pelat", "money": "uang", "cash": "uang", "envelope": "amplop", "envelopes": "amplop",
    "rice": "beras", "groceries": "sembako", "shirt": "kaos", "shirts": "kaos", "hat": "topi", "hats": "topi",
    "jacket": "jaket", "attributes": "atribut", "uniform": "seragam", "banner": "baliho", "banners": "baliho",
    "billboard": "baliho", "billboards": "baliho", "poster": "poster", "posters": "poster", "sticker": "stiker",
    "stickers": "stiker", "flyer": "brosur", "flyers": "brosur", "leaflets": "brosur", "brochures": "brosur",
    "posted": "posting", "posts": "posting", "shared": "share", "uploaded": "unggah", "account": "akun",
    "group": "grup", "declared": "deklarasi", "declaration": "deklarasi", "pledged": "deklarasi",
    "support": "dukung", "supported": "dukung", "supporting": "dukung", "endorsed": "dukung", "vote": "pilih",
    "votes": "suara", "voted": "coblos", "voters": "pemilih", "win": "menang", "won": "menang",
    "winning": "menang", "incumbent": "petahana", "party": "partai", "parties": "partai", "member": "anggota",
    "members": "anggota", "membership": "keanggotaan", "team": "tim", "volunteer": "relawan",
    "volunteers": "relawan", "coordinator": "koordinator", "gathered": "kumpul", "gather": "kumpul",
    "meeting": "rapat", "ordered": "perintah", "told": "suruh", "instructed": "instruksi", "threatened": "ancam",
    "forced": "paksa", "handed": "bagi", "distributed": "bagi", "gave": "bagi", "speech": "orasi",
    "spoke": "orasi", "stage": "panggung", "removed": "copot", "number": "nomor", "photo": "foto",
    "photos": "foto", "posed": "pose", "finger": "jari", "fingers": "jari", "road": "jalan", "project": "proyek",
    "projects": "proyek", "promised": "janji", "aid": "bantuan", "letter": "surat", "signed": "teken",
    "stamp": "stempel", "copies": "fotokopi", "election": "pemilu", "seen": "lihat", "saw": "lihat",
}  # fmt: skip
ENGLISH_PHRASES: dict[tuple[str, ...], str] = {
    ("civil", "servant"): "asn", ("civil", "servants"): "asn", ("red", "plate"): "mobil dinas",
    ("official", "car"): "mobil dinas", ("government", "car"): "mobil dinas", ("official", "vehicle"): "mobil dinas",
    ("service", "car"): "mobil dinas", ("sub", "district"): "kecamatan", ("t", "shirt"): "kaos",
    ("t", "shirts"): "kaos", ("campaign", "team"): "tim sukses", ("winning", "team"): "tim sukses",
    ("success", "team"): "tim sukses", ("candidate", "pair"): "pasangan calon", ("food", "parcels"): "sembako",
    ("social", "aid"): "bansos", ("id", "card"): "ktp", ("id", "cards"): "ktp", ("polling", "station"): "tps",
    ("village", "head"): "kepala desa", ("village", "chief"): "kepala desa",
    ("sub", "district", "head"): "camat", ("subdistrict", "head"): "camat",
}  # fmt: skip
_NOT_A_VILLAGE_HEAD = frozenset(
    {"partai", "politik", "parpol", "kpu", "bawaslu", "ormas", "negara", "daerah", "tni", "polri"}
)


def concepts(stream: list[str]) -> list[str]:
    """``stream`` (``tokens(text)``) with :data:`SYNONYMS`, :data:`SYNONYM_PAIRS`, :data:`ENGLISH_PHRASES`
    and :data:`ENGLISH` applied."""
    out: list[str] = []
    i, n = 0, len(stream)
    while i < n:
        word = stream[i]
        nxt = stream[i + 1] if i + 1 < n else ""
        third = ENGLISH_PHRASES.get((word, nxt, stream[i + 2])) if i + 2 < n else None
        if third:
            out.extend(third.split())
            i += 3
            continue
        pair = SYNONYM_PAIRS.get((word, nxt)) or ENGLISH_PHRASES.get((word, nxt))
        if pair:
            out.extend(pair.split())
            i += 2
            continue
        if word == "petinggi" and nxt not in _NOT_A_VILLAGE_HEAD:  # Javanese village head, not "petinggi partai"
            out.extend(("kepala", "desa"))
        elif word in SYNONYMS:
            out.extend(SYNONYMS[word].split())
        else:
            out.extend(ENGLISH.get(word, word).split())
        i += 1
    return out


@functools.lru_cache(maxsize=4096)
def concept_stream(text: str) -> tuple[str, ...]:
    """``concepts(tokens(text))``, once per text: :func:`features`, :func:`acts_of`, :func:`partisan_of`
    and :func:`text_parts` all read it (the tokenizer is the costly part). The texts read together
    are those of one report or one batch: a small cache (a long-running scheduler keeps it; 50 000
    texts of up to 2 000 characters and their tokens would hold ~200 MB)."""
    return tuple(concepts(tokens(text)))


# Words that say a candidate, party or campaign is in the story (on the concept stream). A hard
# negative is most often the same office or official at an event that names none ("mengangkut bibit
# padi", "rapat fogging"); words under a "tanpa"/"bukan" ("tanpa atribut dan tanpa ajakan memilih")
# do not count.
PARTISAN_WORDS = frozenset(
    {
        "calon", "pasangan", "legislatif", "kampanye", "partai", "sukses", "pemenangan", "relawan", "deklarasi",
        "orasi", "mencoblos", "coblos", "memilih", "mendukung", "dukungan", "menang", "menangkan", "memenangkan",
        "menangin", "menangke", "meunangkeun", "petahana", "sipol", "fajar", "paket", "kandidat", "nyaleg", "mencalonkan", "capres", "caleg",
    }
)  # fmt: skip
_NEGATORS = frozenset({"tanpa", "bukan"})


def _partisan(stream: Iterable[str]) -> bool:
    skip = 0
    for w in stream:
        if w in _NEGATORS:
            skip = 4
            continue
        if skip:
            skip -= 1
            continue
        if w in PARTISAN_WORDS:
            return True
    return False


@functools.lru_cache(maxsize=50_000)
def partisan_of(text: str) -> bool:
    """Whether the text names a candidate, a party or a campaign (not under "tanpa"/"bukan")."""
    return _partisan(concept_stream(text))


def _kin(positions: frozenset[str]) -> frozenset[str]:
    return frozenset(POSITION_KIN.get(p, p) for p in positions)


def _stems(word: str) -> list[str]:
    """The word and rough stems of it: one prefix and/or one suffix off, nasal prefixes undone."""
    out = [word]
    bases = [word]
    for p in _PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            rest = word[len(p) :]
            bases.append(rest)
            if p in ("ny", "meny") and rest[0] in "aeiou":
                bases.append("s" + rest)
            if p in ("ng", "meng", "peng") and rest[0] in "aeiou":
                bases.append("k" + rest)
            if p in ("men", "pen") and rest[0] in "aeiou":
                bases.append("t" + rest)
            if p in ("mem", "pem") and rest[0] in "aeiou":
                bases.append("p" + rest)
    for b in bases:
        out.append(b)
        for s in _SUFFIXES:
            if b.endswith(s) and len(b) - len(s) >= 3:
                out.append(b[: -len(s)])
    return out


@functools.lru_cache(maxsize=50_000)
def acts_of(text: str) -> frozenset[str]:
    """What the text says happened (keys of ``ACT_WORDS``); from the text alone, so a case's stored
    text gives the same as the report did."""
    return _acts(concept_stream(text))


def _acts(stream: Iterable[str]) -> frozenset[str]:
    """:func:`acts_of` from the text's concept stream (``concepts(tokens(text))``)."""
    normalised = " ".join(stream)
    words = normalised.split()
    for pattern, word in _PHRASES:
        if pattern.search(normalised):
            words.append(word)
    found = set()
    for w in words:
        act = _ACT_OF.get(w)
        if act is None and len(w) > 4:
            act = next((_ACT_OF[s] for s in _stems(w) if s in _ACT_OF), None)
        if act:
            found.add(act)
    return frozenset(found)


def text_parts(text: str) -> tuple[list[str], frozenset[str]]:
    """What :func:`features` and :func:`pair_vector` read from the words of a text, in one pass of
    the tokenizer: its content words (``tokens`` without stopwords, in order) and ``acts_of(text)``.

    The costly part of a candidate's features (the normaliser's regexes and the stemming); ``cases``
    stores it with the triage result, stamped with :data:`TEXT_PARTS_VERSION`.
    """
    stream = concept_stream(text)
    return [t for t in stream if t not in STOPWORDS], _acts(stream)


def _text_parts_version() -> str:
    """A fingerprint of everything :func:`text_parts` depends on (the normaliser's source and
    lexicon, the stopwords, the act words and stemming): stored parts with another stamp are
    not used (the lookup reads the text again), so a change of any of them cannot drift a score."""
    import hashlib
    import inspect

    from netra.triage import text as text_module

    try:
        code = [inspect.getsource(f) for f in (text_module, text_parts, concepts, concept_stream, _acts, _stems)]
    except (OSError, TypeError):  # installed without sources: the lexicon and word lists still count
        code = ["no source", repr(sorted(text_module.LEXICON.items()))]
    pieces = [
        *code,
        repr(sorted(STOPWORDS)),
        repr(sorted(ACT_WORDS.items())),
        repr((sorted(SYNONYMS.items()), sorted(SYNONYM_PAIRS.items()), sorted(_NOT_A_VILLAGE_HEAD))),
        repr((sorted(ENGLISH.items()), sorted(ENGLISH_PHRASES.items()))),
        repr((_PREFIXES, _SUFFIXES, [(p.pattern, w) for p, w in _PHRASES])),
    ]
    return hashlib.sha256("\n".join(pieces).encode()).hexdigest()[:16]


TEXT_PARTS_VERSION = _text_parts_version()


def pair_vector(a: "Features", b: "Features") -> dict[str, float]:
    """What two reports share and where they conflict, as the numbers the fitted weights multiply.

    The names are the keys of ``data/duplicates.json``'s ``weights`` (``fit_duplicates`` fits them).
    """
    text = text_similarity(a, b)
    kin_a, kin_b = _kin(a.positions), _kin(b.positions)
    shared = a.words & b.words
    rare = [w for w in shared if a.word_idf.get(w, 0.0) >= RARE_IDF]
    wa = sum(a.word_idf.values())
    wb = sum(b.word_idf.values())
    weighted = sum(a.word_idf[w] for w in shared) / min(wa, wb) if wa and wb else 0.0
    v = {
        "text": text,
        "text_high": max(0.0, text - 0.5),
        "words": weighted,
        "rare_words": min(3, len(rare)) / 3,
        "nip_conflict": float(bool(a.nips and b.nips and not a.nips & b.nips)),
        "name_same": 0.0,
        "name_conflict": 0.0,
        "position_same": float(bool(kin_a & kin_b and not a.positions <= GENERIC_POSITIONS)),
        "position_conflict": float(bool(kin_a - GENERIC_POSITIONS and kin_b - GENERIC_POSITIONS and not kin_a & kin_b)),
        "agency_same": float(bool(a.agencies & b.agencies)),
        "candidate_same": float(bool(a.candidates & b.candidates)),
        "candidate_conflict": float(bool(a.candidates and b.candidates and not a.candidates & b.candidates)),
        "group_same": float(bool(a.group and a.group == b.group)),
        "group_conflict": float(bool(a.group and b.group and a.group != b.group)),
        # how much the two readings overlap (1: the same confidences; 0: nothing in common)
        "group_overlap": sum(min(p, b.group_probs.get(g, 0.0)) for g, p in a.group_probs.items()),
        "region_same": 0.0,
        "region_conflict": 0.0,
        "date_close": 0.0,
        "date_far": 0.0,
    }
    if a.name and b.name:
        if a.name == b.name or (len(a.name) > 4 and (a.name in b.name or b.name in a.name)):
            v["name_same"] = 1.0
        else:
            v["name_conflict"] = 1.0
    relation = _regions_relation(a.region_codes, b.region_codes)
    v["region_same"] = float(relation == "same")
    v["region_conflict"] = float(relation == "different")
    gap = _days_apart(a.dates, b.dates)
    if gap is not None:
        v["date_close"] = float(gap <= 2)
        v["date_far"] = float(gap > 10)
    acts_a = a.acts if a.acts is not None else acts_of(a.text)
    acts_b = b.acts if b.acts is not None else acts_of(b.text)
    v["acts_same"] = float(bool(acts_a & acts_b))
    # a one-act line against a one-act line says less than two full stories that share no act
    v["acts_conflict"] = (
        (1.0 if len(acts_a) > 1 and len(acts_b) > 1 else 0.5) if acts_a and acts_b and not acts_a & acts_b else 0.0
    )
    # the same official, the same place, the same act or candidate: a third each, and nothing at all
    # when the two name different people, positions, NIPs or regions (two incidents of one region
    # and one candidate are not one because a third report names both)
    conflict = v["name_conflict"] or v["position_conflict"] or v["nip_conflict"] or v["region_conflict"]
    if not conflict:
        who = v["name_same"] or v["position_same"] or bool(a.nips & b.nips)
        where = v["region_same"] or v["agency_same"] or rare
        what = v["acts_same"] or v["candidate_same"]
        v["who_where_what"] = (bool(who) + bool(where) + bool(what)) / 3
    else:
        v["who_where_what"] = 0.0
    # how much of what happened the two tell alike (a witness names one act, a letter three)
    v["acts_share"] = len(acts_a & acts_b) / len(acts_a | acts_b) if acts_a and acts_b else 0.0
    # one reads as no violation at all (a neutral event of the same office), the other as one: the
    # hard negative a Satgas meets most (the same camat at a Bawaslu briefing, the same plate on aid)
    v["neutral_conflict"] = abs(a.group_probs.get("not_violation", 0.0) - b.group_probs.get("not_violation", 0.0))
    # one tells of a candidate, a party or a campaign and the other of none (the same plate on seed rice)
    party_a = bool(a.candidates) or partisan_of(a.text)
    party_b = bool(b.candidates) or partisan_of(b.text)
    v["partisan_conflict"] = float(party_a != party_b)
    return v


def load_duplicate_model(path: Path = DUPLICATES_FILE) -> dict:
    """The fitted duplicate model (``python -m netra.triage.fit_duplicates`` writes it): an
    intercept, a weight per ``pair_vector`` entry, the threshold chosen on the fitting set."""
    if not path.exists():  # only while the fitting command builds the first one
        return {"intercept": -6.0, "weights": {}, "threshold": 0.5}
    return json.loads(path.read_text(encoding="utf-8"))


DUPLICATE_MODEL = load_duplicate_model()
DEFAULT_THRESHOLD = float(DUPLICATE_MODEL["threshold"])


@dataclass
class Features:
    text: str = ""
    grams: Counter[str] = field(default_factory=Counter)
    norm: float = 0.0
    words: frozenset[str] = frozenset()
    word_idf: dict[str, float] = field(default_factory=dict)  # each of ``words`` and its rarity
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
    group_probs: dict[str, float] = field(default_factory=dict)  # every group's confidence (the suggestions)
    # ``acts_of(text)`` when already known (stored with the case: ``text_parts``); None: read from
    # ``text``. Never set by :func:`features` (a ``dataclasses.replace`` of another text would keep it).
    acts: frozenset[str] | None = None


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


def word_idf(words: Iterable[str]) -> dict[str, float]:
    """Each word's rarity in the training reports (the IDF of its whole-word gram)."""
    idf, default = get_model().gram_idf()
    return {w: idf.get("=" + w, default) for w in words}


def _weighted_grams(words: list[str]) -> Counter[str]:
    """Character 4-grams weighted by rarity: words every report uses ("calon", "kampanye") count little."""
    out: dict[str, float] = {}
    for w in words:
        for g, weight in _word_grams(w):
            out[g] = out.get(g, 0.0) + weight
    return Counter(out)


@functools.lru_cache(maxsize=200_000)
def _word_grams(word: str) -> tuple[tuple[str, float], ...]:
    """One word's weighted grams (cached: a lookup scores dozens of reports made of the same words)."""
    idf, default = get_model().gram_idf()
    return tuple((g, n * idf.get(g, default)) for g, n in char_grams([word]).items())


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
    content = [t for t in concept_stream(text) if t not in STOPWORDS]
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
    words = frozenset(w for w in content if len(w) > 2)
    return Features(
        text=text,
        grams=grams,
        norm=math.sqrt(sum(v * v for v in grams.values())),
        words=words,
        word_idf=word_idf(words),
        nips=frozenset(nips),
        name=" ".join(w for w in normalize(subject_name).split() if w not in ("pak", "bu", "h", "hj", "dr", "ir")),
        positions=frozenset(positions),
        agencies=frozenset(a for a in facts.agencies if " " in a),  # "kecamatan" alone names no office
        candidates=frozenset(facts.candidates),
        region_codes=frozenset(regions),
        dates=tuple(dates),
        links=frozenset(all_links),
        evidence_hashes=frozenset(h.lower() for h in evidence_hashes if h),
        **_groups(text),
    )


def _groups(text: str) -> dict:
    """The violation group the text reads as first, and how sure the model is of each group."""
    model = get_model()
    probs, _why = model.probabilities(text)
    best = model.labels[max(range(len(probs)), key=lambda i: (probs[i], -i))]
    return {
        "group": best,
        "group_probs": {label: round(float(p), 4) for label, p in zip(model.labels, probs, strict=True)},
    }


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


REASONS = {
    "name_same": gettext_noop("nama terlapor sama"),
    "position_same": gettext_noop("jabatan sama"),
    "agency_same": gettext_noop("instansi sama"),
    "candidate_same": gettext_noop("calon yang sama"),
    "rare_words": gettext_noop("nama tempat/orang sama"),
    "group_same": gettext_noop("jenis pelanggaran sama"),
    "region_same": gettext_noop("wilayah sama"),
    "date_close": gettext_noop("tanggal berdekatan"),
}


def _strong_miss(a: Features, b: Features) -> float:
    miss = 1.0
    if a.evidence_hashes & b.evidence_hashes:
        miss *= 1.0 - STRONG["evidence_hash"]
    if a.links & b.links:
        miss *= 1.0 - STRONG["link"]
    if a.nips & b.nips:
        miss *= 1.0 - STRONG["nip"]
    return miss


def _score(v: dict[str, float], miss: float, model: dict) -> float:
    weights = model["weights"]
    z = model["intercept"] + sum(weights.get(k, 0.0) * x for k, x in v.items())
    score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    if miss < 1.0:
        # the same file, post or person: a different wording or reading does not undo that
        score = max(score, 1.0 - miss * (1.0 - score), STRONG_FLOOR)
    return round(score, 4)


def score(a: Features, b: Features, model: dict | None = None) -> float:
    """:func:`similarity`'s score alone (no reasons: what a lookup computes for every candidate)."""
    return _score(pair_vector(a, b), _strong_miss(a, b), model or DUPLICATE_MODEL)


def similarity(a: Features, b: Features, model: dict | None = None) -> Match:
    """Score 0..1 that ``a`` and ``b`` report the same incident, and the reasons in Indonesian.

    A logistic combination of ``pair_vector`` (weights fitted on ``eval/dups_train.jsonl``, in
    ``data/duplicates.json``); the same evidence file, link or NIP lifts the score to at least
    what that key alone says (``STRONG``).
    """
    model = model or DUPLICATE_MODEL
    v = pair_vector(a, b)
    reasons: list[str] = []
    if a.evidence_hashes & b.evidence_hashes:
        reasons.append(_("bukti sama"))
    if a.links & b.links:
        reasons.append(_("tautan sama"))
    if a.nips & b.nips:
        reasons.append(_("NIP sama"))
    if v["text"] > 0.1:
        reasons.append(_("teks mirip %(percent)d %%") % {"percent": round(100 * v["text"])})
    weights = model["weights"]
    for key, reason in REASONS.items():
        if v[key] > 0 and weights.get(key, 0.0) > 0:
            reasons.append(_(reason))
    return Match(score=_score(v, _strong_miss(a, b), model), reasons=reasons)


# Two groups merge only if more than half of their cross pairs score CHAIN_MIN * threshold or more.
CHAIN_MIN = 0.5


def cluster(items: list[Features], threshold: float = DEFAULT_THRESHOLD) -> list[list[int]]:
    """Groups of indexes of the same incident, each sorted, biggest first (singletons included, so
    every index appears exactly once).

    Pairs scoring ``>= threshold`` link their groups, strongest pair first — but two groups merge
    only when more than half of their cross pairs score ``CHAIN_MIN * threshold`` or more: a report
    that resembles two incidents does not chain them into one (with "half or more", a bridge linked
    first to one witness of the other incident made a tie of two out of four and merged them).
    """
    n = len(items)
    scores = [[0.0] * n for _ in range(n)]
    links = []
    for i in range(n):
        for j in range(i + 1, n):
            scores[i][j] = scores[j][i] = similarity(items[i], items[j]).score
            if scores[i][j] >= threshold:
                links.append((-scores[i][j], i, j))
    group_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for _s, i, j in sorted(links):
        a, b = group_of[i], group_of[j]
        if a == b:
            continue
        cross = [scores[x][y] for x in members[a] for y in members[b]]
        if 2 * sum(1 for x in cross if x >= CHAIN_MIN * threshold) <= len(cross):
            continue
        keep, gone = min(a, b), max(a, b)
        for x in members[gone]:
            group_of[x] = keep
        members[keep] = sorted(members[keep] + members.pop(gone))
    return sorted(members.values(), key=lambda g: (-len(g), g[0]))
