"""Key facts out of free text: NIPs, positions, agencies, candidates, parties, dates, regions, links.

Pure functions over the text (and the region list shipped in ``netra/catalog/data/regions.csv``,
read from the file so it works on an empty database). Nothing here writes anywhere; the caller
decides what to pre-fill, and never overwrites what a person entered.
"""

import csv
import datetime
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import netra.catalog
from netra.catalog.nip import nip_errors
from netra.triage.text import fold, normalize, number_word

REGIONS_FILE = Path(netra.catalog.__file__).resolve().parent / "data" / "regions.csv"


@dataclass(frozen=True)
class DateMention:
    """A date the text names: one day (``start == end``) or a range (``"minggu lalu"``)."""

    start: datetime.date
    end: datetime.date
    text: str
    absolute: bool = False  # the text gave the year: true whatever day the report is read


@dataclass
class Facts:
    nips: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    region_codes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


# ---------------------------------------------------------------- NIP
_DIGIT_RUN = re.compile(r"(?<![\d+])\d+(?:[ .\-]\d+)*")
_PHONE_CONTEXT = re.compile(r"(?:hp|wa|whatsapp|telp|telepon|tlp|ponsel|kontak|hubungi|nomor hp|no\.? ?hp)\W{0,3}$")


def find_nips(text: str, *, today: datetime.date | None = None) -> list[str]:
    """18-digit NIPs that pass intake's checks; digits behind "HP/WA/telp" or starting 08/62 are phones."""
    found: list[str] = []
    for m in _DIGIT_RUN.finditer(text):
        before = fold(text[max(0, m.start() - 16) : m.start()])
        if _PHONE_CONTEXT.search(before):
            continue
        groups = re.split(r"[ .\-]", m.group(0))
        # any contiguous run of groups whose digits make exactly 18 (grouped NIPs: 8 6 1 3)
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j]
                if len(digits) >= 18:
                    break
            if len(digits) != 18 or digits.startswith(("0", "62")):
                continue
            if int(digits[:4]) < 1940:
                continue
            if not nip_errors(digits, today=today):
                _add(found, digits)
    return found


# ---------------------------------------------------------------- positions
# canonical position -> normalised spellings (after text.normalize: "kades" is already "kepala desa")
POSITIONS: dict[str, tuple[str, ...]] = {
    "penjabat kepala daerah": ("penjabat bupati", "penjabat wali kota", "penjabat walikota", "penjabat gubernur"),
    "sekretaris daerah": ("sekretaris daerah",),
    "asisten sekda": ("asisten sekda", "asisten sekretaris daerah"),
    "kepala dinas": ("kepala dinas",),
    "kepala badan": ("kepala badan",),
    "kepala bidang": ("kepala bidang",),
    "kepala bagian": ("kepala bagian",),
    "kepala seksi": ("kepala seksi",),
    "kepala subbagian": ("kepala subbagian",),
    "kepala upt": ("kepala upt", "kepala uptd"),
    "kepala puskesmas": ("kepala puskesmas",),
    "kepala sekolah": ("kepala sekolah", "headmaster", "school principal"),
    "kepala desa": (
        "kepala desa",
        "kuwu",
        "perbekel",
        "keuchik",
        "geuchik",
        "wali nagari",
        "kepala kampung",
        "kepala pekon",
        "peratin",
        "pambakal",
        "kepala lembang",
        "kepala gampong",
        "sangadi",
        "raja negeri",
        "hukum tua",
        "kumtua",
        "kakam",
        "village head",
        "village chief",
    ),
    "penjabat kepala desa": ("penjabat kepala desa",),
    "sekretaris desa": ("sekretaris desa",),
    "perangkat desa": ("perangkat desa", "kepala dusun", "kaur"),
    "camat": ("camat", "kepala distrik", "sub district head", "subdistrict head"),
    "sekretaris camat": ("sekretaris camat",),
    "lurah": ("lurah",),
    "guru": ("guru", "teacher"),
    "dosen": ("dosen", "lecturer"),
    "bidan": ("bidan", "midwife"),
    "perawat": ("perawat",),
    "dokter": ("dokter",),
    "penyuluh": ("penyuluh", "ppl"),
    "pendamping": ("pendamping desa", "pendamping pkh", "pendamping"),
    "satpol pp": ("satpol pp", "anggota satpol"),
    "honorer": ("honorer", "tenaga harian lepas", "thl"),
    "staf": ("staf", "staff", "pegawai"),
    "asn": ("asn", "civil servant"),
}
_POSITION_RE = [
    (canon, re.compile(r"\b(?:" + "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)) + r")\b"))
    for canon, variants in POSITIONS.items()
]
# common typos of position words, fixed before matching
_TYPOS = {
    "camaat": "camat", "cmat": "camat", "camt": "camat", "lurha": "lurah", "luarh": "lurah",
    "kepla": "kepala", "kpala": "kepala", "kepal": "kepala", "kepaladesa": "kepala desa",
    "kepaladinas": "kepala dinas", "kepalasekolah": "kepala sekolah", "dinsa": "dinas", "dians": "dinas",
    "sekolh": "sekolah", "sekola": "sekolah", "bidaan": "bidan", "gru": "guru", "guuru": "guru",
    "pusksmas": "puskesmas", "puskesmaas": "puskesmas", "puskemas": "puskesmas", "puskes": "puskesmas",
}  # fmt: skip
_SUPERSEDES = {
    "kepala desa": ("penjabat kepala desa",),
    "camat": ("sekretaris camat",),
    "asn": (),
    "staf": (),
}


def _fix_typos(normalised: str) -> str:
    return " ".join(_TYPOS.get(w, w) for w in normalised.split())


def find_positions(normalised: str) -> list[str]:
    text = _fix_typos(normalised)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    hits = []
    for canon, pattern in _POSITION_RE:
        for m in pattern.finditer(text):
            hits.append((m.start(), -(m.end() - m.start()), m.end(), canon))
    for start, _neg, end, canon in sorted(hits):
        if any(s <= start < e for s, e in spans):  # "kepala puskesmas" already covers "puskesmas"
            continue
        spans.append((start, end))
        _add(found, canon)
    if len(found) > 1:
        found = [p for p in found if p not in ("asn", "staf")] or found
    return found


# ---------------------------------------------------------------- agencies
_AGENCY_HEAD = (
    r"dinas|badan|kantor|bagian|sekretariat|inspektorat|satpol pp|samsat|puskesmas|rsud|rumah sakit umum daerah|"
    r"kecamatan|kelurahan|bappeda|bkpsdm|bkd|bpbd|bpkad|disdukcapil|dukcapil|disdik|dinkes|dishub|dinsos|"
    r"puskemas|pusksmas|puskesmaas|sdn|smpn|sman|smkn|sd negeri|smp negeri|sma negeri|smk negeri|mts negeri|min|man|upt|uptd|polindes|pustu"
)
_AGENCY = re.compile(rf"\b({_AGENCY_HEAD})\b")
_AGENCY_SHORT = {
    "disdik": "dinas pendidikan", "dinkes": "dinas kesehatan", "dishub": "dinas perhubungan",
    "dinsos": "dinas sosial", "dukcapil": "disdukcapil", "sd negeri": "sdn", "smp negeri": "smpn",
    "sma negeri": "sman", "smk negeri": "smkn", "rumah sakit umum daerah": "rsud",
    "puskemas": "puskesmas", "pusksmas": "puskesmas", "puskesmaas": "puskesmas",
}  # fmt: skip
_AGENCY_WORDS = {
    "dinas": 4, "badan": 4, "kantor": 3, "bagian": 2, "sekretariat": 2, "inspektorat": 2, "kecamatan": 2,
    "kelurahan": 2, "puskesmas": 2, "rsud": 2, "samsat": 2, "upt": 3, "uptd": 3, "sdn": 3, "smpn": 3,
    "sman": 3, "smkn": 3,
}  # fmt: skip
# what follows "dinas"/"badan" in lower case and still belongs to its name
_SECTOR_WORDS = frozenset(
    [
        "pendidikan",
        "kesehatan",
        "sosial",
        "perhubungan",
        "pertanian",
        "perikanan",
        "peternakan",
        "kelautan",
        "pariwisata",
        "kebudayaan",
        "pekerjaan",
        "umum",
        "pu",
        "pupr",
        "penataan",
        "ruang",
        "perumahan",
        "permukiman",
        "lingkungan",
        "hidup",
        "kependudukan",
        "pencatatan",
        "sipil",
        "tenaga",
        "kerja",
        "koperasi",
        "ukm",
        "perdagangan",
        "perindustrian",
        "kominfo",
        "komunikasi",
        "informatika",
        "pemuda",
        "olahraga",
        "pemberdayaan",
        "masyarakat",
        "desa",
        "pmd",
        "perempuan",
        "anak",
        "pangan",
        "ketahanan",
        "kehutanan",
        "perpustakaan",
        "kearsipan",
        "pemadam",
        "kebakaran",
        "damkar",
        "penanaman",
        "modal",
        "ptsp",
        "keuangan",
        "pendapatan",
        "daerah",
        "kepegawaian",
        "bkpsdm",
        "perencanaan",
        "pembangunan",
        "penanggulangan",
        "bencana",
        "kesbangpol",
        "kesatuan",
        "bangsa",
        "politik",
        "dan",
    ]
)
_WORD = re.compile(r"[A-Za-z0-9]+")
_AGENCY_STOP = {
    "di",
    "ke",
    "yang",
    "itu",
    "ini",
    "camat",
    "lurah",
    "kepala",
    "pak",
    "bu",
    "asn",
    "guru",
    "bidan",
    "foto",
}


def find_agencies(text: str) -> list[str]:
    """ "Dinas Pendidikan", "Puskesmas Sukamaju", "SDN 3 Cibiru": the head word plus its proper name.

    Names are the capitalised words (or numbers) after the head; sector words ("pendidikan") count in
    lower case too, since phone reports are often all lower case.
    """
    found: list[str] = []
    folded = fold(text)
    original = text
    for m in _AGENCY.finditer(folded):
        head = _AGENCY_SHORT.get(m.group(1), m.group(1))
        limit = _AGENCY_WORDS.get(head, 2)
        tail: list[str] = []
        for w in _WORD.finditer(
            original[m.end() : m.end() + 60] if len(original) == len(folded) else folded[m.end() : m.end() + 60]
        ):
            word = w.group(0)
            low = word.lower()
            if len(tail) >= limit or low in _AGENCY_STOP or _AGENCY.fullmatch(low):
                break
            if low in _SECTOR_WORDS or word[0].isupper() or word.isdigit():
                if low == "dan" and not tail:
                    break
                tail.append(low)
            else:
                break
        if tail and tail[-1] == "dan":
            tail.pop()
        if head in ("dinas", "badan", "kantor", "bagian", "sekretariat", "upt", "uptd") and not tail:
            continue  # "kantor" alone names nothing
        _add(found, " ".join([head, *tail]))
    return found


# ---------------------------------------------------------------- candidates and parties
# Indonesian 6-9 and Javanese, Sundanese, Madurese, Makassar/Bugis and Balinese numbers as witnesses write them after a
# candidate word ("nomer papat", "paslon tilu", "calon tallu"); read only there, never alone
REGIONAL_NUMBERS = {
    "siji": 1, "setunggal": 1, "hiji": 1, "settong": 1, "sittong": 1, "sedi": 1, "besik": 1,
    "loro": 2, "kalih": 2, "duwa": 2, "due": 2,
    "telu": 3, "tilu": 3, "tallu": 3, "tellu": 3, "tello": 3,
    "papat": 4, "opat": 4, "appa": 4, "eppa": 4,
    "limo": 5, "lema": 5, "lime": 5, "enam": 6, "nem": 6, "genep": 6,
    "tujuh": 7, "pitu": 7, "petto": 7, "delapan": 8, "wolu": 8, "dalapan": 8, "sembilan": 9, "songo": 9,
    "salapan": 9,
}  # fmt: skip
_NUMBER = "0?[1-9]|satu|dua|tiga|empat|lima|" + "|".join(sorted(REGIONAL_NUMBERS, key=len, reverse=True))
_CANDIDATE_NUMBER = re.compile(
    r"\b(?:pasangan calon|calon presiden|calon wakil presiden|calon gubernur|calon bupati|calon wali kota|"
    r"calon kepala daerah|calon legislatif|calon|nomor urut|kandidat|coblos|mencoblos|memilih|mendukung|pilih|"
    r"dukung|jari|nomor|paket|salam|number|candidate pair|candidate)"
    rf"(?: (?:nomor urut|nomor|urut))? ({_NUMBER})\b(?! ?(?:/|-|\d|januari|februari|maret|april|"
    r"mei|juni|juli|agustus|september|oktober|november|desember|jan|feb|mar|apr|jun|jul|agu|agt|sep|okt|nov|des|"
    r"jam|hari|orang|ribu|juta|persen|rt|rw|tahun|bulan|kali))"
)
_FINGERS = re.compile(r"\b(satu|dua|tiga|empat|lima|[1-5]) jari\b")
KNOWN_CANDIDATES = (
    "anies baswedan", "muhaimin iskandar", "prabowo subianto", "gibran rakabuming", "ganjar pranowo",
    "mahfud md", "joko widodo", "maruf amin", "sandiaga uno", "amin", "cak imin", "jokowi", "prabowo",
    "gibran", "ganjar", "anies", "mahfud", "sandiaga",
)  # fmt: skip
_CANDIDATE_ALIASES = {"cak imin": "muhaimin iskandar", "jokowi": "joko widodo", "amin": "anies baswedan", "prabowo": "prabowo subianto", "gibran": "gibran rakabuming", "ganjar": "ganjar pranowo", "anies": "anies baswedan", "mahfud": "mahfud md", "sandiaga": "sandiaga uno"}  # fmt: skip

PARTIES = {
    "pkb": ("pkb", "partai kebangkitan bangsa"),
    "gerindra": ("gerindra", "partai gerakan indonesia raya"),
    "pdi perjuangan": ("pdip", "pdi perjuangan", "pdi-p", "pdi p", "partai demokrasi indonesia perjuangan", "banteng"),
    "golkar": ("golkar", "partai golongan karya", "beringin"),
    "nasdem": ("nasdem", "partai nasdem"),
    "partai buruh": ("partai buruh",),
    "gelora": ("partai gelora", "gelora"),
    "pks": ("pks", "partai keadilan sejahtera"),
    "pkn": ("pkn", "partai kebangkitan nusantara"),
    "hanura": ("hanura",),
    "garuda": ("partai garuda",),
    "pan": ("pan", "partai amanat nasional"),
    "pbb": ("partai bulan bintang",),
    "demokrat": ("demokrat", "partai demokrat"),
    "psi": ("psi", "partai solidaritas indonesia"),
    "perindo": ("perindo",),
    "ppp": ("ppp", "partai persatuan pembangunan"),
    "partai ummat": ("partai ummat", "ummat"),
    "partai aceh": ("partai aceh",),
}
_PARTY_RE = [
    (canon, re.compile(r"\b(?:" + "|".join(re.escape(v) for v in variants) + r")\b"))
    for canon, variants in PARTIES.items()
]


def find_candidates(normalised: str, known: tuple[str, ...] = ()) -> list[str]:
    found: list[str] = []
    for m in _CANDIDATE_NUMBER.finditer(normalised):
        word = m.group(1)
        _add(found, "nomor " + str(REGIONAL_NUMBERS.get(word) or int(number_word(word))))
    for m in _FINGERS.finditer(normalised):
        _add(found, "nomor " + str(int(number_word(m.group(1)))))
    for name in (*known, *KNOWN_CANDIDATES):
        n = normalize(name)
        if n and re.search(rf"\b{re.escape(n)}\b", normalised):
            _add(found, _CANDIDATE_ALIASES.get(n, n))
    return found


def find_parties(normalised: str) -> list[str]:
    found: list[str] = []
    for canon, pattern in _PARTY_RE:
        if pattern.search(normalised):
            _add(found, canon)
    return found


# ---------------------------------------------------------------- dates
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "maret": 3, "mar": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8, "agst": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12,
}  # fmt: skip
WEEKDAYS = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5, "minggu": 6, "ahad": 6}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_NAMES = "|".join(WEEKDAYS)
_RE_ISO = re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b")
_RE_NUMERIC = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?\b")
_RE_NAMED = re.compile(rf"\b(\d{{1,2}}) ({_MONTH_NAMES})\b(?: (\d{{4}}))?")
_RE_RELATIVE = re.compile(
    r"\b(kemarin lusa|kemarin|tadi malam|semalam|tadi pagi|tadi siang|tadi sore|hari ini|barusan|tadi|"
    r"(\d+|dua|tiga|empat|lima) hari (?:yang )?lalu|seminggu (?:yang )?lalu|minggu lalu|pekan lalu|bulan lalu)\b"
)
_RE_WEEKDAY = re.compile(rf"\b(?:hari )?({_DAY_NAMES})(?! (?:depan|besok))\b(?: (?:lalu|kemarin|kemaren))?")


def _year_for(day: int, month: int, today: datetime.date) -> datetime.date | None:
    """The latest such day not more than a week after ``today`` (reports tell the past)."""
    for year in (today.year, today.year - 1):
        try:
            d = datetime.date(year, month, day)
        except ValueError:
            continue
        if d <= today + datetime.timedelta(days=7):
            return d
    return None


def _last_weekday(weekday: int, today: datetime.date) -> datetime.date:
    back = (today.weekday() - weekday) % 7
    return today - datetime.timedelta(days=back)


def find_dates(text: str, *, today: datetime.date) -> list[DateMention]:
    folded = fold(text)
    norm = normalize(text)
    found: list[DateMention] = []
    used: list[tuple[int, int]] = []

    def add(start: datetime.date, end: datetime.date, said: str, absolute: bool = False) -> None:
        mention = DateMention(start, end, said, absolute)
        if all((m.start, m.end) != (start, end) for m in found):
            found.append(mention)

    for m in _RE_ISO.finditer(folded):
        try:
            d = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        used.append(m.span())
        add(d, d, m.group(0), True)
    for m in _RE_NAMED.finditer(folded):
        day, month = int(m.group(1)), MONTHS[m.group(2)]
        d2: datetime.date | None
        if m.group(3):
            try:
                d2 = datetime.date(int(m.group(3)), month, day)
            except ValueError:
                d2 = None
        else:
            d2 = _year_for(day, month, today)
        if d2:
            add(d2, d2, m.group(0), bool(m.group(3)))
    for m in _RE_NUMERIC.finditer(folded):
        if any(s <= m.start() < e for s, e in used):
            continue
        before = folded[max(0, m.start() - 12) : m.start()]
        if re.search(r"(?:rt|rw|nomor|no|jam|pukul)\W*$", before):
            continue  # "RT 02/05", "jam 10.30"
        day, month = int(m.group(1)), int(m.group(2))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        if m.group(3):
            year = int(m.group(3))
            year = year + 2000 if year < 100 else year
            try:
                d3: datetime.date | None = datetime.date(year, month, day)
            except ValueError:
                d3 = None
        else:
            if "." in m.group(0):
                continue  # "10.30" is a time more often than a date
            d3 = _year_for(day, month, today)
        if d3:
            add(d3, d3, m.group(0), bool(m.group(3)))
    weekday_spans = []
    for m in _RE_WEEKDAY.finditer(norm):
        if m.group(0).endswith(("lalu", "kemarin", "kemaren")) and not m.group(0).startswith("minggu lalu"):
            weekday_spans.append(m.span())
            d = _last_weekday(WEEKDAYS[m.group(1)], today)
            add(d, d, m.group(0))
    for m in _RE_RELATIVE.finditer(norm):
        said = m.group(1)
        if any(s <= m.start() < e for s, e in weekday_spans):
            continue  # "Sabtu kemarin" is last Saturday, not yesterday
        if said in ("tadi malam", "semalam"):
            d = today - datetime.timedelta(days=1) if said == "semalam" else today
            add(d, d, said)
        elif said in ("tadi pagi", "tadi siang", "tadi sore", "hari ini", "barusan", "tadi"):
            add(today, today, said)
        elif said == "kemarin lusa":
            d = today - datetime.timedelta(days=2)
            add(d, d, said)
        elif said == "kemarin":
            d = today - datetime.timedelta(days=1)
            add(d, d, "kemarin" + (" sore" if re.search(r"\bkemarin (sore|malam|pagi|siang)", norm) else ""))
        elif said in ("seminggu lalu", "seminggu yang lalu"):
            d = today - datetime.timedelta(days=7)
            add(d - datetime.timedelta(days=1), d + datetime.timedelta(days=1), said)
        elif said in ("minggu lalu", "pekan lalu"):
            monday = today - datetime.timedelta(days=today.weekday() + 7)
            add(monday, monday + datetime.timedelta(days=6), said)
        elif said == "bulan lalu":
            first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            last = today.replace(day=1) - datetime.timedelta(days=1)
            add(first, last, said)
        elif m.group(2):
            n = int(number_word(m.group(2)))
            d = today - datetime.timedelta(days=n)
            add(d, d, said)
    if not found:  # a bare weekday ("Sabtu kemarin") only when no calendar date was given
        for m in _RE_WEEKDAY.finditer(norm):
            if m.group(1) == "minggu" and re.match(r"minggu (?:lalu|ini|depan)", norm[m.start() :]):
                continue
            d = _last_weekday(WEEKDAYS[m.group(1)], today)
            add(d, d, m.group(0))
    return sorted(found, key=lambda x: (x.start, x.end))


# ---------------------------------------------------------------- regions
_PROVINCE_ALIASES = {
    "aceh": "11", "sumut": "12", "sumbar": "13", "riau": "14", "jambi": "15", "sumsel": "16", "bengkulu": "17",
    "lampung": "18", "babel": "19", "kepri": "21", "dki": "31", "jakarta": "31", "jabar": "32", "jateng": "33",
    "diy": "34", "jogja": "34", "yogyakarta": "34", "jatim": "35", "banten": "36", "bali": "51", "ntb": "52",
    "ntt": "53", "kalbar": "61", "kalteng": "62", "kalsel": "63", "kaltim": "64", "kaltara": "65", "sulut": "71",
    "sulteng": "72", "sulsel": "73", "sultra": "74", "gorontalo": "75", "sulbar": "76", "maluku": "81",
    "malut": "82", "papua": "91", "papua barat": "92",
}  # fmt: skip
# kabupaten/kota names that are also everyday words: only with "kota"/"kabupaten" in front
_AMBIGUOUS_NAMES = {
    "batu",
    "buru",
    "agam",
    "muna",
    "kaur",
    "lingga",
    "bungo",
    "tebo",
    "karo",
    "siak",
    "sigi",
    "bone",
    "barru",
    "dompu",
    "bima",
    "banjar",
    "kota",
}


class _Regions:
    def __init__(self) -> None:
        self.by_name: dict[str, list[str]] = {}  # bare name -> codes (kab and kota may share one)
        self.prefixed: dict[str, str] = {}  # "kota bandung" / "kabupaten bandung" -> code
        self.pattern: re.Pattern[str] | None = None

    def load(self, path: Path) -> None:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                name = normalize(row["name"])
                code, kind = row["code"], row["kind"]
                if kind == "province":
                    bare = re.sub(r"^(?:provinsi|daerah istimewa|daerah khusus ibukota|dki) ", "", name)
                    self.prefixed["provinsi " + bare] = code
                    self.by_name.setdefault(bare, []).append(code)
                    continue
                bare = re.sub(r"^(?:kabupaten|kota|kab|kota administrasi) ", "", name)
                prefix = "kota" if name.startswith("kota") else "kabupaten"
                self.prefixed[f"{prefix} {bare}"] = code
                if prefix == "kabupaten":
                    self.prefixed[f"kab {bare}"] = code
                # A name that normalising turns into a common word ("Karo" is Javanese for "dengan")
                # is only recognised with its prefix: bare, every "dengan" would name Kabupaten Karo.
                respelled = set(re.findall(r"[a-z]+", row["name"].lower())) != set(name.split())
                if bare not in _AMBIGUOUS_NAMES and not respelled:
                    self.by_name.setdefault(bare, []).append(code)
        for alias, code in _PROVINCE_ALIASES.items():
            self.by_name.setdefault(alias, [code])
        names = sorted({*self.prefixed, *self.by_name}, key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")

    def find(self, normalised: str) -> list[str]:
        if self.pattern is None:
            return []
        found: list[str] = []
        for m in self.pattern.finditer(normalised):
            said = m.group(1)
            if said in self.prefixed:
                _add(found, self.prefixed[said])
            else:
                codes = self.by_name[said]
                # a province name also names its capital kota sometimes; prefer the province for bare names
                provinces = [c for c in codes if "." not in c]
                for c in provinces or codes:
                    _add(found, c)
        # a kabupaten/kota makes its own province redundant
        return [c for c in found if not ("." not in c and any(o.startswith(c + ".") for o in found))]


_regions: _Regions | None = None
_regions_lock = threading.Lock()


def regions() -> _Regions:
    global _regions
    if _regions is None:
        with _regions_lock:
            if _regions is None:
                r = _Regions()
                r.load(REGIONS_FILE)
                _regions = r
    return _regions


def _region_text(normalised: str) -> str:
    return re.sub(r"\bkab\b", "kabupaten", normalised)


# ---------------------------------------------------------------- links
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|\b(?:[a-z0-9-]+\.)+(?:com|id|net|org|co\.id|go\.id|ly|be|me|gg)/[^\s<>\"')\]]*",
    re.IGNORECASE,
)
# share-sheet parameters (Facebook, Instagram, YouTube, TikTok's is_from_webapp/sender_device/lang …)
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|igshid|igsh|si|mibextid|ref|s|t|feature|share_id|rdid|__\w+"
    r"|is_from_webapp|sender_device|share_app_id|share_link_id|_r|_t|lang|web_id|is_copy_url|u_code|preview_pb)$"
)
_HOSTS = {"fb.com": "facebook.com", "m.facebook.com": "facebook.com", "web.facebook.com": "facebook.com",
          "mobile.facebook.com": "facebook.com", "vt.tiktok.com": "tiktok.com", "vm.tiktok.com": "tiktok.com",
          "mobile.twitter.com": "x.com", "twitter.com": "x.com", "m.youtube.com": "youtube.com"}  # fmt: skip


def normalize_link(url: str) -> str:
    """One spelling per link: https, host lower-case without www./m., tracking parameters and fragment off."""
    url = url.strip().rstrip(".,;:!?")
    if not re.match(r"^https?://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    host = _HOSTS.get(host, host)
    path = parts.path.rstrip("/") or ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    if host == "youtu.be" and path:
        host, query, path = "youtube.com", [("v", path.lstrip("/"))], "/watch"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def find_links(text: str) -> list[str]:
    found: list[str] = []
    for m in _URL.finditer(text):
        _add(found, normalize_link(m.group(0)))
    return found


# ---------------------------------------------------------------- all of it
def extract(text: str, *, today: datetime.date | None = None, known_candidates: tuple[str, ...] = ()) -> Facts:
    """Every fact the text states; ``today`` resolves relative dates (defaults to WIB's today)."""
    if today is None:
        from netra.catalog.nip import today_easternmost

        today = today_easternmost()
    normalised = normalize(text)
    return Facts(
        nips=find_nips(text, today=today),
        positions=find_positions(normalised),
        agencies=find_agencies(text),
        candidates=find_candidates(normalised, known_candidates),
        parties=find_parties(normalised),
        dates=find_dates(text, today=today),
        region_codes=regions().find(_region_text(normalised)),
        links=find_links(text),
    )
