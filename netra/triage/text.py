"""Normalising informal Indonesian report text: one lower-case, lexicon-mapped token stream.

Reports are written on phones: abbreviations ("yg", "dgn", "tdk"), regional and slang spellings
("nyoblos", "medsos", "kades"), glued honorifics ("pakcamat"), repeated letters ("bangeeet") and
typos. Everything the model and the extractors read goes through :func:`normalize` first, so the
lexicon below is the one place that decides what an informal word means.
"""

import re
import unicodedata

# informal / abbreviated spelling -> canonical words (may be several words)
# fmt: off
LEXICON: dict[str, str] = {
    # function words
    "yg": "yang", "yng": "yang", "dg": "dengan", "dgn": "dengan", "dng": "dengan", "sm": "sama",
    "tdk": "tidak", "tak": "tidak", "gak": "tidak", "ga": "tidak", "nggak": "tidak", "ngga": "tidak",
    "enggak": "tidak", "gk": "tidak", "kagak": "tidak", "bkn": "bukan", "udh": "sudah",
    "udah": "sudah", "sdh": "sudah", "dah": "sudah", "blm": "belum", "lg": "lagi", "jg": "juga",
    "krn": "karena", "karna": "karena", "utk": "untuk", "untk": "untuk", "buat": "untuk", "dr": "dari",
    "dri": "dari", "kpd": "kepada", "dlm": "dalam", "pd": "pada", "spy": "supaya", "biar": "supaya",
    "sy": "saya", "aku": "saya", "gue": "saya", "gw": "saya", "kmrn": "kemarin", "kmarin": "kemarin",
    "kemaren": "kemarin", "kmren": "kemarin", "tgl": "tanggal", "tggl": "tanggal", "jam": "jam",
    "bgt": "banget", "bnyk": "banyak", "byk": "banyak", "org": "orang", "orng": "orang", "tp": "tapi",
    "tpi": "tapi", "trus": "terus", "trs": "terus", "sblm": "sebelum", "stlh": "setelah", "skrg": "sekarang",
    "hr": "hari", "mlm": "malam", "pgi": "pagi", "pg": "pagi", "sore2": "sore", "sampe": "sampai",
    "smp2": "sampai", "ama": "sama", "emang": "memang", "klo": "kalau", "kalo": "kalau", "kl": "kalau",
    "sj": "saja", "aja": "saja", "ajah": "saja", "gimana": "bagaimana", "gmn": "bagaimana",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "nmor": "nomor", "nom": "nomor",
    # people and positions
    "pak": "pak", "bpk": "pak", "bapak": "pak", "ibu": "bu", "bu": "bu", "bunda": "bu",
    "kades": "kepala desa", "kepdes": "kepala desa", "kadus": "kepala dusun", "sekdes": "sekretaris desa",
    "kadis": "kepala dinas", "kadinkes": "kepala dinas kesehatan", "kadisdik": "kepala dinas pendidikan",
    "kadinsos": "kepala dinas sosial", "sekdin": "sekretaris dinas", "kaban": "kepala badan", "kabid": "kepala bidang", "kasi": "kepala seksi", "kasie": "kepala seksi",
    "kabag": "kepala bagian", "kasubag": "kepala subbagian", "kasubbag": "kepala subbagian",
    "sekda": "sekretaris daerah", "sekcam": "sekretaris camat", "kepsek": "kepala sekolah",
    "kasek": "kepala sekolah", "kapus": "kepala puskesmas", "kapuskesmas": "kepala puskesmas",
    "pns": "asn", "pppk": "asn", "p3k": "asn", "aparatur": "asn", "pegawai": "pegawai",
    "nakes": "tenaga kesehatan", "lurahnya": "lurah", "camatnya": "camat", "kadesnya": "kepala desa",
    "gurunya": "guru", "pj": "penjabat", "pjs": "penjabat", "plt": "pelaksana tugas",
    "satpolpp": "satpol pp", "sespri": "sekretaris pribadi", "ajudan": "ajudan",
    # elections
    "paslon": "pasangan calon", "pasion": "pasangan calon", "paslonnya": "pasangan calon",
    "capres": "calon presiden", "cawapres": "calon wakil presiden", "cagub": "calon gubernur",
    "cawagub": "calon wakil gubernur", "cabup": "calon bupati", "cawabup": "calon wakil bupati",
    "cawalkot": "calon wali kota", "cawali": "calon wali kota", "calkot": "calon wali kota",
    "cakada": "calon kepala daerah", "bacalon": "bakal calon", "balon": "bakal calon",
    "bacabup": "bakal calon bupati", "bacagub": "bakal calon gubernur", "caleg": "calon legislatif",
    "bacaleg": "bakal calon legislatif", "petahana": "petahana", "incumbent": "petahana",
    "timses": "tim sukses", "timsesnya": "tim sukses", "tim ses": "tim sukses", "timsus": "tim sukses",
    "pemenangan": "pemenangan", "parpol": "partai politik", "partai": "partai",
    "pilkada": "pilkada", "pilpres": "pilpres", "pileg": "pileg", "pemilu": "pemilu", "pilbup": "pilkada",
    "pilgub": "pilkada", "pilwalkot": "pilkada", "nyoblos": "mencoblos", "nyoblosnya": "mencoblos",
    "dicoblos": "mencoblos", "coblos": "mencoblos", "nyoblos2": "mencoblos", "milih": "memilih",
    "pilih": "memilih", "dipilih": "memilih", "dukung": "mendukung", "ndukung": "mendukung",
    "dukungan": "dukungan", "kampanyein": "mengkampanyekan", "ngampanyein": "mengkampanyekan",
    "ngampanye": "kampanye", "kampanyekan": "mengkampanyekan", "deklarasinya": "deklarasi",
    "apk": "alat peraga kampanye", "baliho": "baliho", "spanduk": "spanduk", "stiker": "stiker",
    "sticker": "stiker", "kaos": "kaos", "kaus": "kaos", "atribut": "atribut",
    "kta": "kartu tanda anggota", "ktp": "ktp", "e-ktp": "ktp", "ektp": "ktp", "fc": "fotokopi",
    "fotocopy": "fotokopi", "fotokopian": "fotokopi", "photocopy": "fotokopi", "kopian": "fotokopi",
    "tps": "tps", "kpu": "kpu", "bawaslu": "bawaslu", "panwas": "bawaslu", "panwaslu": "bawaslu",
    # online
    "medsos": "media sosial", "sosmed": "media sosial", "fb": "facebook", "fesbuk": "facebook",
    "facebooknya": "facebook", "ig": "instagram", "insta": "instagram", "wa": "whatsapp",
    "wasap": "whatsapp", "whatsap": "whatsapp", "watsap": "whatsapp", "sw": "status", "story": "status",
    "storynya": "status", "snapgram": "status", "postingan": "posting", "posting": "posting",
    "ngepost": "posting", "ngepos": "posting", "upload": "unggah", "diupload": "unggah",
    "ngupload": "unggah", "diunggah": "unggah", "mengunggah": "unggah", "share": "bagikan",
    "dishare": "bagikan", "ngeshare": "bagikan", "nyebarin": "sebarkan", "like": "suka",
    "ngelike": "suka", "dilike": "suka", "komen": "komentar", "ngomen": "komentar", "twibbon": "twibbon",
    "tiktoknya": "tiktok", "live": "siaran langsung", "grup": "grup", "group": "grup", "gc": "grup",
    "admin": "admin", "akun": "akun", "twitter": "twitter", "yt": "youtube",
    "youtubenya": "youtube", "reels": "video", "vt": "video", "konten": "konten",
    # facilities, money, gifts
    "mobdin": "mobil dinas", "randis": "kendaraan dinas", "ranmor": "kendaraan", "plat": "pelat",
    "plat merah": "pelat merah", "duit": "uang", "doku": "uang", "amplop": "amplop", "angpao": "amplop",
    "sembako": "sembako", "serangan fajar": "serangan fajar", "bansos": "bantuan sosial",
    "blt": "bantuan langsung tunai", "pkh": "program keluarga harapan", "apbd": "anggaran",
    "apbdes": "anggaran desa", "dd": "dana desa", "add": "alokasi dana desa", "anggarannya": "anggaran",
    "sppd": "perjalanan dinas", "rapat": "rapat", "ngumpulin": "mengumpulkan", "dikumpulin": "mengumpulkan",
    "dikumpulkan": "mengumpulkan", "ngajak": "mengajak", "diajak": "mengajak", "ngarahin": "mengarahkan",
    "diarahkan": "mengarahkan", "disuruh": "menyuruh", "nyuruh": "menyuruh", "diwajibkan": "mewajibkan",
    "wajibkan": "mewajibkan", "diancam": "mengancam", "ngancam": "mengancam", "dimutasi": "mutasi",
    "dicopot": "copot", "nonjob": "nonjob", "ortu": "orang tua", "warga2": "warga", "bagi2": "bagi",
    "bagi-bagi": "bagi", "dibagi": "bagi", "dibagikan": "bagi", "membagikan": "bagi", "ngasih": "memberi",
    "dikasih": "memberi", "kasih": "memberi", "diberi": "memberi", "memberikan": "memberi",
    # regional words that turn up in reports (Javanese, Sundanese, Banjar, Bugis/Makassar, Betawi)
    "karo": "dengan", "kaliyan": "dengan", "jeung": "dengan", "sareng": "dengan",
    "sing": "yang", "seng": "yang", "nu": "yang", "iki": "ini", "iku": "itu", "ieu": "ini", "eta": "itu",
    "ono": "ada", "onok": "ada", "aya": "ada", "nang": "ke", "ning": "di",
    "ti": "dari", "teko": "dari", "soko": "dari", "melu": "ikut", "ngiringan": "ikut",
    "gawe": "membuat", "nggawe": "membuat", "ndamel": "membuat", "dijak": "mengajak", "ngajak2": "mengajak",
    "kon": "menyuruh", "dikon": "menyuruh", "dikongkon": "menyuruh", "kongkon": "menyuruh",
    "ewu": "ribu", "rebu": "ribu", "sewu": "seribu", "sak": "satu", "wong": "orang", "uwong": "orang",
    "urang": "orang", "tiyang": "orang", "poto": "foto", "fotone": "foto", "potona": "foto",
    "ramo": "jari", "driji": "jari", "ngacungkeun": "mengacungkan", "ngacungke": "mengacungkan",
    "pagawe": "pegawai", "pegawe": "pegawai", "kacamatan": "kecamatan", "kacamatanna": "kecamatan",
    "cenah": "katanya", "jare": "katanya", "jarene": "katanya", "ceunah": "katanya", "bari": "sambil",
    "dibagikeun": "bagi", "dibagekke": "bagi", "dibagi2": "bagi", "mbagi": "bagi", "bagekke": "bagi",
    "duwit": "uang", "artos": "uang", "piti": "uang", "oto": "mobil", "montor": "motor",
    "puang": "pak", "daeng": "pak", "abang": "pak", "acil": "bu", "julak": "pak",
    "lur": "warga", "dulur": "warga", "sedulur": "warga", "enggal": "segera", "ndang": "segera",
    "nyalon": "mencalonkan", "nyaleg": "mencalonkan", "ngedukung": "mendukung", "dukungin": "mendukung",
    "milih2": "memilih", "nyoblosin": "mencoblos", "mencoblosnya": "mencoblos", "ngumpulke": "mengumpulkan",
    "dikumpulke": "mengumpulkan", "ngumpulkeun": "mengumpulkan", "dikumpulkeun": "mengumpulkan",
}
# fmt: on

# honorifics and position words that people glue together ("pakcamat", "bukades", "kepaladesa")
_GLUED = re.compile(
    r"\b(pak|bu|bpk|ibu|kepala|sekretaris|calon|wakil|tim)(camat|lurah|kades|kepdes|desa|dinas|sekolah|"
    r"kadis|sekda|guru|bidan|bupati|gubernur|presiden|walikota|sukses|pemenangan|kepsek|kapus|sekdes|"
    r"puskesmas|dokter|dosen|penjabat|pj|kabid)\b"
)
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "bangeeet" -> "banget" (keeps real double letters)
_DUPLICATED = re.compile(r"\b([a-z]+)2\b")  # "anak2" -> "anak anak" (Indonesian reduplication)
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_NUMBER_WORD = {"satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6"}


def fold(text: str) -> str:
    """Lower-case, accents off, odd quotes and dashes unified."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")


def tokens(text: str) -> list[str]:
    """The normalised word stream of ``text`` (lexicon applied, glued honorifics split)."""
    folded = _REPEATS.sub(r"\1\1", fold(text))
    folded = _GLUED.sub(r"\1 \2", folded)
    folded = _DUPLICATED.sub(r"\1 \1", folded)
    out: list[str] = []
    for raw in _TOKEN.findall(folded):
        word = raw.replace("'", "")
        if "-" in word and word not in LEXICON:
            parts = word.split("-")
            if len(parts) == 2 and parts[0] == parts[1]:  # "bagi-bagi" -> "bagi"
                word = parts[0]
            else:
                for part in parts:
                    out.extend(LEXICON.get(part, part).split())
                continue
        out.extend(LEXICON.get(word, word).split())
    return out


def normalize(text: str) -> str:
    return " ".join(tokens(text))


def number_word(word: str) -> str:
    return _NUMBER_WORD.get(word, word)
