"""Strong cues: phrases that on their own point at one group, written against normalised text.

The model (``model.py``) learns from the labelled reports; these rules carry what a handful of
examples cannot teach reliably (a finger gesture of a candidate number, an ID-card copy for an
independent candidate, a party membership card). Each hit adds a fixed boost to its group's score
and its phrase is shown to the officer as a word that triggered the suggestion.
"""

import re
from dataclasses import dataclass

from netra.triage.text import normalize

GROUPS = (
    "social_media",
    "attributes_photo",
    "campaign_attendance",
    "campaign_role",
    "party_membership",
    "facilities_use",
    "policy_favouritism",
    "mobilisation",
    "gifts_money",
    "support_letter",
    "other",
)
NOT_VIOLATION = "not_violation"
LABELS = (*GROUPS, NOT_VIOLATION)

_CAND = r"(?:pasangan calon|calon \w+(?: \w+)?|bakal calon(?: \w+)?|calon legislatif|petahana|kandidat|capres|nomor urut \d+)"
_NUM = r"(?:\d{1,2}|satu|dua|tiga|empat|lima)"


@dataclass(frozen=True)
class Rule:
    group: str
    pattern: re.Pattern[str]
    weight: float = 1.0


def _r(group: str, pattern: str, weight: float = 1.0) -> Rule:
    return Rule(group, re.compile(pattern), weight)


RULES: tuple[Rule, ...] = (
    # attributes and photos: gestures of a candidate number, party/candidate attributes, banners
    _r(
        "attributes_photo",
        rf"\b(?:pose|salam|acung\w*|angkat|mengangkat|simbol|gaya|tunjuk\w*) (?:\w+ )?{_NUM} jari\b",
        1.5,
    ),
    _r("attributes_photo", rf"\b{_NUM} jari\b"),
    _r("attributes_photo", r"\b(?:angkat|acung\w*|mengangkat|pose|salam) (?:\w+ ){0,2}jari\b", 1.2),
    _r(
        "attributes_photo",
        r"\b(?:kaos|rompi|topi|atribut|seragam) (?:\w+ )?(?:partai|pasangan calon|calon|kampanye|bergambar)\b",
    ),
    _r(
        "attributes_photo",
        r"\b(?:memasang|pasang|dipasang|menempel\w*) (?:\w+ ){0,2}(?:baliho|spanduk|stiker|alat peraga kampanye|poster)\b",
    ),
    _r(
        "attributes_photo",
        r"\bfoto (?:bersama|bareng|berdua|selfie) (?:\w+ ){0,2}(?:pasangan calon|calon|bakal calon|kandidat|caleg|ketua partai)\b",
    ),
    # social media
    _r(
        "social_media",
        r"\b(?:status|posting|unggah|bagikan|sebarkan|komentar|suka|twibbon|siaran langsung|konten)\b",
        0.6,
    ),
    _r("social_media", r"\b(?:facebook|instagram|tiktok|twitter|youtube|media sosial|whatsapp)\b", 0.6),
    _r("social_media", r"\bgrup (?:whatsapp|facebook|telegram|relawan|pemenangan)\b", 0.8),
    # attendance
    _r(
        "campaign_attendance",
        r"\b(?:hadir|menghadiri|ikut|datang|terlihat) (?:\w+ ){0,3}(?:deklarasi|kampanye|rapat akbar|konsolidasi|pengundian|pendaftaran|orasi|jalan sehat|blusukan)\b",
        1.2,
    ),
    _r(
        "campaign_attendance",
        r"\b(?:deklarasi|kampanye akbar|rapat umum|kampanye terbuka|pendaftaran (?:\w+ )?ke kpu)\b",
        0.6,
    ),
    _r(
        "campaign_attendance",
        r"\b(?:pidato|orasi|sambutan|berbicara) (?:\w+ ){0,3}(?:kampanye|deklarasi|acara partai|rapat partai)\b",
    ),
    # roles in a team or as a prospective candidate
    _r(
        "campaign_role",
        r"\b(?:tim sukses|tim pemenangan|relawan|tim kampanye|koordinator|bendahara tim|ketua tim|juru kampanye|jurkam|saksi partai|konsultan)\b",
        1.2,
    ),
    _r(
        "campaign_role",
        r"\b(?:mendaftar|daftar|maju|mencalonkan diri|penjaringan|melamar) (?:\w+ ){0,3}(?:bakal calon|calon|partai|bupati|wali kota|gubernur|legislatif)\b",
        1.0,
    ),
    _r("campaign_role", r"\bsk (?:tim|relawan|pemenangan)\b", 1.0),
    # party membership
    _r(
        "party_membership",
        r"\b(?:anggota|pengurus|kader|ketua|sekretaris|bendahara|wakil ketua) (?:\w+ ){0,2}(?:partai|dpc|dpd|dpw|ranting|pac|sipol)\b",
        1.5,
    ),
    _r("party_membership", r"\b(?:kartu tanda anggota|kartu anggota|sipol|sistem informasi partai politik)\b", 1.8),
    # state facilities
    _r(
        "facilities_use",
        r"\b(?:mobil dinas|kendaraan dinas|pelat merah|kendaraan operasional|motor dinas|ambulans)\b",
        1.6,
    ),
    _r(
        "facilities_use",
        r"\b(?:aula|gedung|pendopo|kantor|ruang) (?:\w+ ){0,2}(?:dipakai|digunakan|dipinjamkan|untuk) (?:\w+ ){0,3}(?:kampanye|pasangan calon|calon|partai|tim)\b",
        1.4,
    ),
    _r(
        "facilities_use",
        r"\b(?:seragam dinas|seragam asn|baju dinas|pakaian dinas|jam kerja|jam dinas|anggaran|perjalanan dinas|fasilitas negara|fasilitas kantor|fasilitas dinas)\b",
        0.7,
    ),
    # decisions that favour a candidate
    _r(
        "policy_favouritism",
        r"\b(?:program|bantuan sosial|bantuan|proyek|kebijakan|keputusan|surat edaran|mutasi|izin|anggaran desa|dana desa) (?:\w+ ){0,4}(?:hanya|khusus|diprioritaskan|menguntungkan|atas nama|dilabeli|ditempeli|bergambar)\b",
        1.2,
    ),
    _r("policy_favouritism", r"\b(?:mutasi|copot|nonjob|dipersulit|dihambat|dicabut|tidak diberi izin)\b", 0.6),
    _r("policy_favouritism", r"\b(?:menolak|melarang|mempersulit) (?:\w+ ){0,3}(?:izin|tempat|kampanye)\b", 0.8),
    _r(
        "policy_favouritism",
        r"\b(?:bantuan sosial|bantuan|sembako|program|proyek|paket) (?:\w+ ){0,5}(?:stiker|gambar|foto|wajah|label|nama) (?:\w+ ){0,2}(?:petahana|calon|bupati|gubernur|wali kota)\b",
        1.2,
    ),
    _r(
        "policy_favouritism",
        r"\b(?:izin|perizinan) (?:\w+ ){0,4}(?:ditolak|dipersulit|dihambat|tidak diberikan|lancar)\b",
        1.2,
    ),
    _r("policy_favouritism", r"\b(?:satpol pp|penertiban) (?:\w+ ){0,6}(?:hanya|tebang pilih|dibiarkan)\b", 1.2),
    _r("policy_favouritism", r"\b(?:dicoret|mencoret|tidak didata|tidak dapat bantuan|dipindah|pemindahan)\b", 0.8),
    # mobilising people
    _r(
        "mobilisation",
        r"\b(?:mengumpulkan|mengerahkan|mengarahkan|mengajak|menyuruh|mewajibkan|mengancam|menginstruksikan|instruksi|arahan|memerintahkan) (?:\w+ ){0,4}(?:memilih|mendukung|mencoblos|hadir|datang|menang|suara|coblos)\b",
        1.4,
    ),
    _r(
        "mobilisation",
        r"\b(?:mengumpulkan|mengerahkan|mengarahkan|menyuruh|mewajibkan|mengancam) (?:\w+ ){0,2}(?:kepala desa|guru|asn|warga|bawahan|staf|perangkat desa|rt|rw|pegawai|honorer|kader|bidan)\b",
        1.0,
    ),
    _r("mobilisation", r"\b(?:target suara|pemenangan \d+ persen|menangkan|wajib menang|harus menang)\b", 0.8),
    # gifts and money
    _r(
        "gifts_money",
        r"\b(?:amplop|uang|sembako|serangan fajar|bingkisan|paket|beras|minyak goreng|hadiah|voucher|saweran|ongkos|uang transport|bensin)\b",
        0.7,
    ),
    _r(
        "gifts_money",
        r"\b(?:bagi|memberi|menyerahkan|membagi|menyalurkan) (?:\w+ ){0,3}(?:amplop|uang|sembako|bingkisan|paket|beras|kalender|kaos|rp|ribu)\b",
        1.4,
    ),
    _r("gifts_money", r"\brp ?\d|\b\d+ ?(?:ribu|rb|juta|jt)\b", 0.8),
    # support letter with ID card copy
    _r("support_letter", r"\b(?:fotokopi|salinan|kopi|foto) ktp\b", 1.4),
    _r(
        "support_letter", r"\b(?:surat (?:pernyataan )?dukungan|formulir dukungan|formulir b1|b1 kwk|b1-kwk|kwk)\b", 1.5
    ),
    _r("support_letter", r"\b(?:perseorangan|independen|jalur independen|calon dpd|dpd ri|senator)\b", 1.0),
    # not a violation: voting, official neutral events, relatives, private citizens, other complaints
    _r(
        NOT_VIOLATION,
        r"\b(?:mencoblos|memilih|menggunakan hak pilih|hak suara) (?:\w+ ){0,3}(?:tps|bilik|surat suara)\b",
        1.4,
    ),
    _r(NOT_VIOLATION, r"\b(?:antre|antri|mengantre) (?:\w+ ){0,3}(?:tps|mencoblos)\b", 1.0),
    _r(
        NOT_VIOLATION,
        r"\b(?:sosialisasi|bimtek|rapat koordinasi|rakor|debat) (?:\w+ ){0,3}(?:kpu|bawaslu|netralitas|pemilih)\b",
        1.0,
    ),
    _r(
        NOT_VIOLATION,
        r"\b(?:jalan rusak|lampu jalan|sampah|banjir|air pdam|listrik padam|pungli|pelayanan lambat|gaji|tunjangan)\b",
        1.0,
    ),
    _r(
        NOT_VIOLATION,
        r"\b(?:bukan asn|bukan pns|pengusaha|swasta|wiraswasta|pensiunan|purnawirawan|sudah pensiun|ibu rumah tangga|mahasiswa)\b",
        0.8,
    ),
    _r(
        NOT_VIOLATION,
        r"\b(?:cuti|tidak ikut|tidak hadir|tidak terlibat|hanya menonton|di rumah saja|tidak menggunakan atribut)\b",
        0.6,
    ),
    _r(
        NOT_VIOLATION,
        r"\b(?:tugas|menjaga|mengamankan|pengamanan|petugas) (?:\w+ ){0,2}(?:tps|kampanye|pemilu|logistik|kotak suara)\b",
        0.8,
    ),
)


def rule_hits(normalised: str) -> list[tuple[str, str, float]]:
    """(group, matched phrase, weight) for every rule that fires on ``normalised`` text."""
    hits = []
    for rule in RULES:
        m = rule.pattern.search(normalised)
        if m:
            hits.append((rule.group, m.group(0), rule.weight))
    return hits


def hits_for(text: str) -> list[tuple[str, str, float]]:
    return rule_hits(normalize(text))
