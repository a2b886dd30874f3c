"""Demo cases: ~200 believable neutrality cases of Pilkada 2024 in Katingan and Barito Selatan.

Every case goes through the real services — ``intake.report_submit`` and ``case_transition``
(plus assignment, messages, notes, follow-up and BKN control actions) with the demo accounts as
actors — so timelines, notifications and the audit log are the ones the application writes.
A fixed seed makes the data the same on every machine.

Three things are set afterwards with ``QuerySet.update`` for realism, because the services
stamp "now":
- the incident date: intake refuses incidents older than NETRA_MAX_INCIDENT_AGE_DAYS, and the
  Pilkada 2024 stages lie further back than that today; it is set right after intake, before
  any move, so the phase-based sanction suggestion sees the real date;
- the times of reports, transitions, messages and notes are spread over the past weeks, and
  the running due dates are computed again from those times with the deadline policies (so
  some cases are overdue and some due soon);
- the audit log is *not* rewritten: it keeps the real time the demo was loaded (it is
  hash-chained, and it tells the truth).

Idempotent: a demo case carries ``source_reference`` "demo-NNNN"; when one exists nothing is added.
"""

from __future__ import annotations

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from netra.cases import deadlines, intake, services
from netra.cases.letters import letter_number_assign
from netra.cases.models import (
    Case,
    DeadlinePolicy,
    Decision,
    FollowUp,
    InternalNote,
    Message,
    Recommendation,
    Report,
    Subject,
    Transition,
)
from netra.cases.nip import nip_errors
from netra.catalog.models import Election, SanctionCategory, ViolationGroup
from netra.orgs.demo import create_demo_user
from netra.orgs.models import Membership

S = Case.Status
MARKER = "demo-"
SEED = 2024
DEFAULT_COUNT = 200

# Accounts the case demo needs beyond netra.orgs.demo (Barito Selatan's lead and PPK).
EXTRA_ACCOUNTS = [
    ("ketua.barsel", Membership.Role.SATGAS_LEAD, "pemkab-barito-selatan", "Ketua Satgas", "Barito Selatan"),
    ("ppk.barsel", Membership.Role.PPK, "pemkab-barito-selatan", "PPK", "Barito Selatan"),
]

# An agency may set SLAs where regulation has none (deadlines.py); Katingan does, Barito Selatan not.
KATINGAN_POLICIES = [
    ("examination", 10, "Kebijakan Satgas Netralitas ASN Kabupaten Katingan (demo)"),
    ("recommendation", 5, "Kebijakan Satgas Netralitas ASN Kabupaten Katingan (demo)"),
]

# --- the world -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    agency: str
    region: str
    kecamatan: tuple[str, ...]
    villages: tuple[str, ...]
    units: tuple[str, ...]
    bawaslu: str  # demo account answering Bawaslu reviews there


KATINGAN = Place(
    agency="pemkab-katingan",
    region="62.06",
    kecamatan=("Katingan Hilir", "Tewang Sanggalang Garing", "Katingan Tengah", "Pulau Malan", "Mendawai"),
    villages=("Kasongan Lama", "Kasongan Baru", "Tumbang Samba", "Pegatan Hilir", "Tewang Kadamba", "Hampangen"),
    units=(
        "Dinas Pendidikan",
        "Dinas Kesehatan",
        "Satuan Polisi Pamong Praja",
        "Badan Kesatuan Bangsa dan Politik",
        "Dinas Pertanian",
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "RSUD Mas Amsyar Kasongan",
    ),
    bawaslu="bawaslu.katingan",
)
BARSEL = Place(
    agency="pemkab-barito-selatan",
    region="62.04",
    kecamatan=("Dusun Selatan", "Dusun Hilir", "Jenamas", "Karau Kuala", "Gunung Bintang Awai"),
    villages=("Buntok Kota", "Hilir Sper", "Baru", "Pendang", "Mengkatip", "Bangkuang"),
    units=(
        "Dinas Pendidikan",
        "Dinas Kesehatan",
        "Dinas Sosial",
        "Dinas Perhubungan",
        "Badan Perencanaan Pembangunan Daerah",
        "RSUD Jaraga Sasameh Buntok",
    ),
    bawaslu="bawaslu.kalteng",
)

FIRST = (
    "Ahmad", "Budi", "Dedy", "Eko", "Fransiskus", "Hendra", "Ilham", "Joni", "Kristian", "Lukas", "Muhammad",
    "Nyahu", "Rahmadi", "Sandi", "Teguh", "Yulius", "Agustina", "Dewi", "Erna", "Fitriani", "Herlina", "Juliana",
    "Kurniawati", "Lestari", "Maria", "Novita", "Rita", "Sri", "Wulan", "Yanti",
)  # fmt: skip
LAST = (
    "Saputra", "Santoso", "Rahman", "Nugroho", "Simanjuntak", "Ngabut", "Tingang", "Lambung", "Sahay", "Pranata",
    "Wijaya", "Hidayat", "Kusuma", "Rangkap", "Lewis", "Asang", "Damang", "Rosmawati", "Handayani", "Purnamasari",
)  # fmt: skip
PASLON = ("pasangan calon nomor urut 1", "pasangan calon nomor urut 2", "pasangan calon nomor urut 3")
POSITIONS = (
    ("Kepala Bidang Pembinaan SD", "Dinas Pendidikan"),
    ("Kepala Seksi Pelayanan Kesehatan", "Dinas Kesehatan"),
    ("Analis Kebijakan", "Badan Kesatuan Bangsa dan Politik"),
    ("Sekretaris Dinas", None),
    ("Penyuluh Pertanian", "Dinas Pertanian"),
    ("Staf Pelaksana", None),
    ("Perawat Ahli Pertama", None),
    ("Pengawas Sekolah", "Dinas Pendidikan"),
    ("Kepala Puskesmas", "Dinas Kesehatan"),
)


@dataclass(frozen=True)
class Story:
    group: str  # catalogue group code (or "not_violation" / "not_asn")
    text: str
    role: str = "staff"  # camat, lurah, teacher, headmaster, village_head, staff
    phases: tuple[str, ...] = ("campaign",)


STORIES: tuple[Story, ...] = (
    Story(
        "social_media",
        '{who} membagikan poster {paslon} di grup WhatsApp guru dan wali murid {place}, disertai ajakan "jangan lupa coblos, demi pendidikan kita".',
        "teacher",
    ),
    Story(
        "social_media",
        "{who} mengunggah ulang video kampanye {paslon} di akun Facebook pribadinya dan menulis komentar dukungan. Tangkapan layar terlampir.",
        phases=("campaign", "pre_designation"),
    ),
    Story(
        "social_media",
        'Akun TikTok milik {who} menyiarkan langsung kampanye {paslon} dengan keterangan "pilihan kita semua".',
        phases=("campaign", "quiet"),
    ),
    Story(
        "attributes_photo",
        "{who} berfoto bersama bakal calon bupati sambil mengacungkan dua jari; foto itu diunggah ke Instagram dan ramai dibagikan.",
        phases=("pre_designation", "campaign"),
    ),
    Story("attributes_photo", "{who} memakai kaus bergambar {paslon} saat apel pagi di kantor.", phases=("campaign",)),
    Story("attributes_photo", "Baliho {paslon} dipasang di pagar kantor atas perintah {who}.", "headmaster"),
    Story(
        "campaign_attendance",
        "{who} hadir dan memberikan sambutan pada deklarasi {paslon} di lapangan {place}.",
        "camat",
        ("designation", "pre_designation"),
    ),
    Story(
        "campaign_attendance",
        "{who} ikut berjoget di panggung kampanye terbuka {paslon} di {place} pada jam kerja.",
        phases=("campaign",),
    ),
    Story(
        "campaign_role",
        "{who} tercantum sebagai anggota tim pemenangan {paslon} tingkat kecamatan dalam SK tim yang beredar di media sosial.",
        phases=("campaign", "designation"),
    ),
    Story(
        "campaign_role",
        "{who} menjadi koordinator relawan {paslon} di {place} dan memimpin rapat tim di rumahnya.",
        phases=("campaign",),
    ),
    Story(
        "party_membership",
        "{who} tercatat sebagai pengurus DPC partai politik dan hadir pada rapat konsolidasi partai.",
        phases=("pre_designation", "campaign"),
    ),
    Story(
        "facilities_use",
        "Mobil dinas berpelat merah dipakai {who} untuk mengangkut alat peraga kampanye {paslon} ke {place}.",
        phases=("campaign",),
    ),
    Story(
        "facilities_use",
        "Aula kantor dipakai untuk pertemuan tim sukses {paslon} dengan izin {who}.",
        "camat",
        ("campaign",),
    ),
    Story(
        "policy_favouritism",
        "{who} mempercepat penyaluran bantuan alat pertanian ke desa-desa basis {paslon} menjelang pemungutan suara.",
        phases=("campaign",),
    ),
    Story(
        "mobilisation",
        "{who} mengumpulkan para ketua RT dan kader posyandu di {place} dan meminta mereka mengarahkan warga memilih {paslon}.",
        "lurah",
        ("campaign", "quiet"),
    ),
    Story(
        "mobilisation",
        "{who} meminta para guru honorer hadir di kampanye {paslon}; yang tidak hadir diancam kontraknya tidak diperpanjang.",
        "headmaster",
        ("campaign",),
    ),
    Story(
        "gifts_money",
        "{who} membagikan paket sembako berstiker {paslon} kepada warga {place}.",
        "lurah",
        ("campaign", "quiet"),
    ),
    Story(
        "gifts_money",
        "{who} membagikan amplop berisi uang Rp50.000 kepada pegawai sambil meminta dukungan untuk {paslon}.",
        phases=("quiet", "campaign"),
    ),
    Story(
        "support_letter",
        "{who} menyerahkan fotokopi KTP dan surat pernyataan dukungan kepada tim pengumpul dukungan bakal calon perseorangan.",
        phases=("pre_designation",),
    ),
    Story(
        "other",
        "{who} menghalangi saksi pasangan calon lain masuk ke ruang rapat pleno di {place}.",
        phases=("voting",),
    ),
)
NOT_A_VIOLATION = Story(
    "not_violation",
    "{who} terlihat datang ke TPS {tps} {place} dan memberikan suara. Saya kira ia sedang berkampanye di TPS.",
    "teacher",
    ("voting",),
)
NOT_ASN = Story(
    "not_asn",
    "{who} ikut berkampanye untuk {paslon}, memakai kaus pasangan calon di balai desa dan mengajak warga memilihnya.",
    "village_head",
    ("campaign",),
)
VAGUE = Story(
    "other",
    "Ada pegawai kantor {place} yang katanya ikut kampanye {paslon}, saya tidak tahu namanya.",
    phases=("campaign",),
)

# Pilkada 2024 stages (PKPU 2/2024; netra/catalog/data/elections.json): incident dates are drawn from them.
PHASES = {
    "pre_designation": (datetime.date(2024, 6, 1), datetime.date(2024, 9, 21)),
    "designation": (datetime.date(2024, 9, 22), datetime.date(2024, 9, 24)),
    "campaign": (datetime.date(2024, 9, 25), datetime.date(2024, 11, 23)),
    "quiet": (datetime.date(2024, 11, 24), datetime.date(2024, 11, 26)),
    "voting": (datetime.date(2024, 11, 27), datetime.date(2024, 11, 27)),
}

# --- the plan: which state each case ends in ------------------------------------------------------

# (plan, weight of 200). Each plan names the moves after intake (see _play).
PLANS: tuple[tuple[str, int], ...] = (
    ("received", 14),
    ("duplicate_waiting", 4),
    ("checking", 16),
    ("verification", 14),
    ("bawaslu_waiting", 6),
    ("bawaslu_answered", 5),
    ("examination", 16),
    ("recommendation", 12),
    ("awaiting_decision", 12),
    ("escalated", 6),
    ("annulled", 2),
    ("decided", 14),
    ("closed", 14),
    ("dismissed_not_a_violation", 8),
    ("dismissed_evidence", 6),
    ("dismissed_not_proven", 4),
    ("forwarded_not_asn", 8),
    ("forwarded_agency", 6),
    ("triage_received", 4),
    ("triage_forwarded", 3),
    ("triage_dismissed", 3),
    ("merged", 23),
)
LATE_PLANS = ("merged",)  # need earlier cases to merge into


def plan_sequence(n: int, rng: random.Random) -> list[str]:
    """``n`` plans: one of each first (every state shows up even for a small n), then by weight."""
    weighted = [plan for plan, weight in PLANS for _ in range(weight)]
    rng.shuffle(weighted)
    sequence = [plan for plan, _weight in PLANS] + weighted
    chosen = sequence[:n]
    return [p for p in chosen if p not in LATE_PLANS] + [p for p in chosen if p in LATE_PLANS]


@dataclass
class DemoResult:
    created: int = 0
    skipped: bool = False
    accounts: list[tuple] = field(default_factory=list)
    by_state: dict[str, int] = field(default_factory=dict)


# --- helpers ------------------------------------------------------------------------------------


def _nip(rng: random.Random, gender: str) -> str:
    while True:
        birth = datetime.date(rng.randint(1968, 1996), rng.randint(1, 12), rng.randint(1, 28))
        tmt_year = birth.year + rng.randint(22, 30)
        nip = f"{birth:%Y%m%d}{min(tmt_year, 2023)}{rng.randint(1, 12):02d}{gender}{rng.randint(1, 40):03d}"
        if not nip_errors(nip):
            return nip


def _person(rng: random.Random, place: Place, role: str) -> dict:
    first = rng.choice(FIRST)
    gender = "2" if FIRST.index(first) >= FIRST.index("Agustina") else "1"
    name = f"{first} {rng.choice(LAST)}"
    kec = rng.choice(place.kecamatan)
    village = rng.choice(place.villages)
    if role == "camat":
        position, unit = f"Camat {kec}", f"Kecamatan {kec}"
    elif role == "lurah":
        position, unit = f"Lurah {village}", f"Kelurahan {village}"
    elif role == "teacher":
        position, unit = f"Guru SDN {rng.randint(1, 9)} {village}", "Dinas Pendidikan"
    elif role == "headmaster":
        position, unit = f"Kepala SMPN {rng.randint(1, 5)} {kec}", "Dinas Pendidikan"
    elif role == "village_head":
        position, unit = f"Kepala Desa {village}", f"Pemerintah Desa {village}"
    else:
        position, known_unit = rng.choice(POSITIONS)
        unit = known_unit or rng.choice(place.units)
    has_nip = role not in ("village_head",) and rng.random() < 0.55
    return {
        "name": name,
        "nip": _nip(rng, gender) if has_nip else "",
        "position": position,
        "unit": unit,
        "kecamatan": kec,
        "village": village,
        "status": "non_asn" if role == "village_head" else rng.choice(("pns", "pns", "pns", "pppk")),
    }


def _incident(rng: random.Random, story: Story) -> datetime.date:
    start, end = PHASES[rng.choice(story.phases)]
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _describe(rng: random.Random, story: Story, person: dict) -> str:
    who = f"{person['name']}, {person['position']} ({person['unit']}),"
    if story is VAGUE:
        who = ""
    text = story.text.format(
        who=who,
        paslon=rng.choice(PASLON),
        place=person["village"],
        tps=f"{rng.randint(1, 12):03d}",
    )
    return text[0].upper() + text[1:]


@contextmanager
def _quiet_mail():
    """The demo replays history: its notifications stay in-app, no e-mail copy goes out."""
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous


def _ensure_reference() -> None:
    from netra.catalog.violations import load_sanctions, load_violations

    if not SanctionCategory.objects.exists() or not ViolationGroup.objects.exists():
        load_sanctions()
        load_violations()


def _ensure_people(orgs: dict) -> tuple[dict, list[tuple]]:
    users = dict(orgs["users"])
    rows = []
    for username, role, agency_code, first, last in EXTRA_ACCOUNTS:
        user = create_demo_user(username, first_name=first, last_name=last)
        Membership.objects.update_or_create(
            user=user, agency=orgs["agencies"][agency_code], role=role, defaults={"active": True}
        )
        users[username] = user
        from netra.orgs.demo import DEMO_PASSWORD

        rows.append((username, str(Membership.Role(role).label), orgs["agencies"][agency_code].name, DEMO_PASSWORD))
    return users, rows


def _ensure_policies(orgs: dict) -> None:
    agency = orgs["agencies"]["pemkab-katingan"]
    for key, days, source in KATINGAN_POLICIES:
        DeadlinePolicy.objects.get_or_create(
            agency=agency, key=key, defaults={"days": days, "unit": DeadlinePolicy.Unit.WORKING, "source": source}
        )


# --- one case -----------------------------------------------------------------------------------


class Demo:
    def __init__(self, orgs: dict, users: dict, rng: random.Random):
        self.orgs, self.users, self.rng = orgs, users, rng
        self.agencies = orgs["agencies"]
        self.election = Election.objects.filter(code="pilkada-2024").first()
        self.cases: list[Case] = []
        # pk → (story, place) of each demo case, for duplicates and messages.
        self.meta: dict[int, tuple[Story, Place]] = {}
        self.index = 0

    # who acts for an agency
    def officer(self, place: Place):
        return self.users["satgas.katingan" if place is KATINGAN else "satgas.barsel"]

    def lead(self, place: Place):
        return self.users["ketua.katingan" if place is KATINGAN else "ketua.barsel"]

    def ppk(self, place: Place):
        return self.users["ppk.katingan" if place is KATINGAN else "ppk.barsel"]

    def move(self, case: Case, action: str, actor, data: dict | None = None, via: str = "web") -> Case:
        return services.case_transition(case=case, action=action, actor=actor, data=data or {}, via=via)

    def submit(self, *, story: Story, place: Place, person: dict, region: str | None = None, source=None):
        self.index += 1
        rng = self.rng
        reference = f"{MARKER}{self.index:04d}"
        source = (
            source
            or rng.choices(
                [Case.Source.PUBLIC_REPORT, Case.Source.BAWASLU_FINDING, Case.Source.MONITORING], [78, 15, 7]
            )[0]
        )
        actor = None
        if source == Case.Source.BAWASLU_FINDING:
            actor = self.users[place.bawaslu]
            reference += f" · {rng.randint(1, 60):03d}/TM/PB/Kab/21.{'06' if place is KATINGAN else '04'}/X/2024"
        elif source == Case.Source.MONITORING:
            actor = self.officer(place)
            reference += " · patroli siber Satgas"
        incident = _incident(rng, story)
        data = {
            "description": _describe(rng, story, person),
            "incident_date": deadlines.today().isoformat(),  # the real date is set below (module docstring)
            "region_code": region or place.region,
            "subject_name": "" if story is VAGUE else person["name"],
            "subject_nip": "" if story is VAGUE else person["nip"],
            "subject_position": "" if story is VAGUE else person["position"],
            "subject_agency": "" if story is VAGUE else person["unit"],
            "location": f"{person['village']}, Kecamatan {person['kecamatan']}",
            "links": [f"https://www.facebook.com/share/p/demo{self.index:04d}/"]
            if story.group == "social_media"
            else [],
            "contact": "" if rng.random() < 0.6 else f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}",
        }
        if self.election is not None:
            data["election"] = self.election.code
        receipt = intake.report_submit(data=data, source=source, source_reference=reference, actor=actor)
        case = receipt.case
        Case.objects.filter(pk=case.pk).update(incident_date=incident)
        Report.objects.filter(pk=receipt.report.pk).update(incident_date=incident)
        Subject.objects.filter(case=case).update(unit=person["unit"], employment_status=person["status"])
        case.refresh_from_db()
        self.meta[case.pk] = (story, place)
        self.cases.append(case)
        return case, receipt

    # the path of each plan
    def play(self, plan: str) -> Case:
        rng = self.rng
        if plan.startswith("triage"):
            return self._triage(plan)
        place = KATINGAN if rng.random() < 0.62 else BARSEL
        if plan == "dismissed_not_a_violation":
            story = NOT_A_VIOLATION
        elif plan == "forwarded_not_asn":
            story = NOT_ASN
        elif plan == "dismissed_evidence":
            story = VAGUE
        else:
            story = rng.choice(STORIES)
        if plan == "merged":
            return self._merged(place)
        if plan == "duplicate_waiting":
            return self._duplicate(place)
        person = _person(rng, place, story.role)
        case, receipt = self.submit(story=story, place=place, person=person)
        officer, lead, ppk = self.officer(place), self.lead(place), self.ppk(place)
        if plan == "received":
            return case
        case = self.move(case, "checking", officer)
        if rng.random() < 0.7:
            services.case_assign(case=case, assignee=rng.choice([officer, lead]), actor=lead)
        if rng.random() < 0.3:
            self._converse(case, receipt, place)
        if plan == "checking":
            return case
        if plan == "dismissed_not_a_violation":
            return self.move(
                case,
                "dismissed",
                officer,
                {
                    "reason": "not_a_violation",
                    "explanation": "Memberikan suara di TPS adalah hak setiap ASN. Kehadiran terlapor di TPS "
                    "untuk mencoblos bukan pelanggaran netralitas. Terima kasih atas kepedulian Anda.",
                },
            )
        if plan == "forwarded_not_asn":
            return self.move(
                case,
                "forwarded",
                officer,
                {
                    "to_external": "Bupati c.q. Dinas Pemberdayaan Masyarakat dan Desa; Bawaslu Kabupaten",
                    "explanation": "Terlapor adalah kepala desa, bukan ASN. Pembinaan kepala desa menjadi "
                    "kewenangan bupati (UU 6/2014 tentang Desa) dan pelanggaran pemilihannya ditangani Bawaslu. "
                    "Laporan Anda telah kami teruskan ke sana.",
                },
            )
        if plan == "forwarded_agency":
            other = BARSEL if place is KATINGAN else KATINGAN
            return self.move(
                case,
                "forwarded",
                officer,
                {
                    "to_agency": other.agency,
                    "explanation": f"Terlapor bekerja di {self.agencies[other.agency].name}; laporan diteruskan "
                    "ke Satgas instansi tersebut.",
                },
            )
        if plan == "dismissed_evidence":
            return self.move(
                case,
                "dismissed",
                officer,
                {
                    "reason": "insufficient_evidence",
                    "explanation": "Identitas terlapor dan bukti kejadian tidak dapat dipastikan. Laporan dapat "
                    "diajukan kembali bila ada foto, video atau nama terlapor.",
                },
            )
        case = self.move(case, "verification", officer)
        if plan in ("bawaslu_waiting", "bawaslu_answered") or rng.random() < 0.15:
            case = self.move(
                case, "bawaslu_review", officer, {"explanation": "Mohon kajian atas unsur pelanggaran pemilihan."}
            )
            if plan == "bawaslu_waiting":
                return case
            case = self.move(
                case,
                "bawaslu_answer",
                self.users[place.bawaslu],
                {
                    "answer": "Hasil kajian: peristiwa terjadi dan terlapor dapat diidentifikasi. Unsur pelanggaran "
                    "netralitas ASN terpenuhi; tidak ditemukan unsur pidana pemilihan."
                },
            )
        if plan in ("verification", "bawaslu_answered"):
            return case
        case = self.move(case, "examination", officer)
        if rng.random() < 0.4:
            services.internal_note_add(
                case=case,
                actor=officer,
                body="Undangan klarifikasi dikirim ke terlapor melalui atasan langsung. BAP dijadwalkan pekan depan.",
            )
        if plan == "examination":
            return case
        case = self.move(case, "recommendation", officer, self._recommendation(case, story))
        if plan == "recommendation":
            return case
        if plan == "dismissed_not_proven":
            return self.move(
                case,
                "dismissed",
                lead,
                {
                    "reason": "not_proven",
                    "explanation": "Setelah klarifikasi, dugaan pelanggaran tidak terbukti: foto yang dilaporkan "
                    "diambil pada acara resmi pemerintah daerah, bukan kegiatan kampanye.",
                },
            )
        case = self.move(case, "awaiting_decision", lead)
        letter_number_assign(recommendation=Recommendation.objects.get(case=case), actor=lead)
        if plan == "awaiting_decision":
            return case
        if plan == "escalated":
            case = self.move(case, "escalated", None, via="scheduler")
            if rng.random() < 0.7:
                services.control_action_add(
                    case=case,
                    actor=self.users["bkn.kanreg"],
                    kind="warning",
                    date=deadlines.today(),
                    reference=f"{rng.randint(100, 999)}/KR.VIII/BKN/2024",
                    text="Peringatan kepada PPK untuk segera menetapkan keputusan atas rekomendasi Satgas.",
                    data={
                        "addressee": f"PPK {case.agency.name}" if case.agency else "PPK",
                        "ppk_deadline": deadlines.today() + datetime.timedelta(days=14),
                    },
                )
            return case
        case = self.move(case, "decided", ppk, self._decision(case))
        if plan == "annulled":
            return self.move(
                case,
                "annulled",
                self.users["bkn.kanreg"],
                {
                    "explanation": "Jenis hukuman tidak sesuai dengan kategori pelanggaran yang terbukti.",
                    "reference": f"{rng.randint(100, 999)}/KR.VIII/BKN/2025",
                },
            )
        if plan == "decided":
            return case
        services.followup_add(
            case=case,
            actor=lead,
            kind="carried_out",
            text="Sanksi telah dilaksanakan; salinan SK disampaikan kepada BKN untuk dicatat di I'DIS.",
            date=deadlines.today(),
        )
        return self.move(case, "closed", lead, {"follow_up": "Tindak lanjut lengkap; kasus ditutup."})

    def _recommendation(self, case: Case, story: Story) -> dict:
        from netra.cases.workflow_forms import suggested_category_for

        groups = [story.group]
        suggestion = suggested_category_for(case, groups)
        if suggestion is not None and self.rng.random() < 0.85:
            category, reason = suggestion.code, ""
        else:
            category = self.rng.choice(["discipline_moderate", "moral_open"])
            reason = "Terlapor baru pertama kali melanggar, kooperatif saat klarifikasi, dan dampaknya terbatas."
        return {
            "violations": groups,
            "sanction_category": category,
            "legal_basis": "PP 94/2021 Pasal 5 huruf n jo. Pasal 14; SKB Netralitas ASN 2022",
            "findings": "Berdasarkan BAP klarifikasi, terlapor mengakui perbuatannya dan bukti foto/video sesuai "
            "dengan keterangan saksi. Perbuatan dilakukan pada tahapan Pilkada 2024.",
            "override_reason": reason,
        }

    def _decision(self, case: Case) -> dict:
        category = Recommendation.objects.get(case=case).sanction_category_id
        types = {
            "moral_closed": "moral_closed",
            "moral_open": "moral_open",
            "discipline_light": "reprimand_written",
            "discipline_moderate": self.rng.choice(["tukin_cut_6m", "tukin_cut_9m"]),
            "discipline_heavy": self.rng.choice(["demotion_12m", "release_from_position_12m"]),
            "dismissal": "dismissal_dishonourable",
        }
        return {
            "sanction_type": types.get(category, "reprimand_written"),
            "decree_number": f"800.1.6.4/{self.rng.randint(10, 400)}/BKPSDM/{deadlines.today().year}",
            "decree_date": deadlines.today().isoformat(),
        }

    def _converse(self, case: Case, receipt, place: Place) -> None:
        services.satgas_message_add(
            case=case,
            actor=self.officer(place),
            body="Terima kasih atas laporan Anda. Mohon kirimkan tautan asli unggahan atau foto tambahan bila ada.",
        )
        if self.rng.random() < 0.6:
            intake.reporter_message_add(report=receipt.report, body="Baik, tautannya sudah saya tambahkan di laporan.")

    def _duplicate_of(self, place: Place) -> Case | None:
        """An open case of ``place`` about a named person, to report again."""
        pks = [pk for pk, (story, where) in self.meta.items() if where is place and story in STORIES]
        candidates = list(
            Case.objects.filter(
                pk__in=pks, agency=self.agencies[place.agency], status__in=(S.RECEIVED, S.CHECKING, S.VERIFICATION)
            ).order_by("pk")
        )
        return self.rng.choice(candidates) if candidates else None

    def _copy_person(self, case: Case) -> dict:
        subject = case.subjects.first()
        report = case.reports.first()
        if subject is None or report is None:
            # _duplicate_of only picks cases reported about a named person.
            raise LookupError(f"demo case {case.pk} has no subject or report to copy")
        village, _, kec = report.location.partition(", Kecamatan ")
        return {
            "name": subject.name,
            "nip": subject.nip or "",
            "position": subject.position,
            "unit": subject.unit or subject.agency_name,
            "kecamatan": kec or "-",
            "village": village,
            "status": subject.employment_status,
        }

    def _duplicate(self, place: Place) -> Case:
        """Another report about a case already in the queue (a viral post): shown at checking."""
        original = self._duplicate_of(place)
        if original is None:
            return self.play("received")
        story = self.meta[original.pk][0]
        case, _receipt = self.submit(
            story=story, place=place, person=self._copy_person(original), source=Case.Source.PUBLIC_REPORT
        )
        Case.objects.filter(pk=case.pk).update(incident_date=original.incident_date)
        Report.objects.filter(case=case).update(incident_date=original.incident_date)
        return case

    def _merged(self, place: Place) -> Case:
        original = self._duplicate_of(place)
        if original is None:
            return self.play("checking")
        case = self._duplicate(place)
        return self.move(case, "merged", self.officer(place), {"into_case": original.pk})

    def _triage(self, plan: str) -> Case:
        """A report from a region no agency in Netra covers: BKN pusat's triage queue."""
        story = self.rng.choice(STORIES)
        place = Place(
            agency="",
            region="74",
            kecamatan=("Kendari Barat", "Poasia"),
            villages=("Mandonga", "Anduonohu"),
            units=("Dinas Pendidikan Provinsi",),
            bawaslu="bawaslu.kalteng",
        )
        person = _person(self.rng, place, story.role)
        case, _receipt = self.submit(story=story, place=place, person=person, source=Case.Source.PUBLIC_REPORT)
        bkn = self.users["bkn.pusat"]
        if plan == "triage_received":
            return case
        if plan == "triage_forwarded":
            return self.move(
                case,
                "forwarded",
                bkn,
                {
                    "to_agency": "pemkab-konawe-selatan",
                    "explanation": "Terlapor bekerja di Pemerintah Kabupaten Konawe Selatan; laporan diteruskan ke Satgas instansi tersebut.",
                },
            )
        return self.move(
            case,
            "dismissed",
            bkn,
            {
                "reason": "out_of_scope",
                "explanation": "Terlapor adalah pegawai swasta; di luar kewenangan pengawasan netralitas ASN.",
            },
        )


# --- times --------------------------------------------------------------------------------------


def _spread_times(cases: list[Case], rng: random.Random) -> None:
    """Spread each case's history over the past weeks and compute its running due date again."""
    now = timezone.now()
    for case in cases:
        steps = list(Transition.objects.filter(case=case).order_by("at", "pk"))
        # Time spent in the current state; a quarter of the cases are late.
        in_state = rng.uniform(0.2, 6) if rng.random() < 0.75 else rng.uniform(6, 16)
        if case.status == S.AWAITING_DECISION:
            in_state = min(in_state, 12)  # not past the PPK's 14 working days: no escalation on first run
        moments = [now - datetime.timedelta(days=in_state)]
        for _step in steps[:-1]:
            moments.append(moments[-1] - datetime.timedelta(days=rng.uniform(0.3, 4), hours=rng.uniform(0, 6)))
        moments.reverse()
        for step, moment in zip(steps, moments, strict=True):
            Transition.objects.filter(pk=step.pk).update(at=moment)
        start, last = moments[0], moments[-1]
        Case.objects.filter(pk=case.pk).update(created_at=start, updated_at=last)
        Report.objects.filter(case=case).update(submitted_at=start)
        Message.objects.filter(case=case).update(created_at=start + (last - start) / 2)
        InternalNote.objects.filter(case=case).update(created_at=last)
        case.refresh_from_db()
        _dates_follow_steps(case, steps)
        if case.deadline_key and case.status not in Case.TERMINAL_STATES:
            begin = deadlines.start_date_for(case, case.deadline_key, on=timezone.localdate(last))
            due = deadlines.due_date_for(case, case.deadline_key, begin)
            Case.objects.filter(pk=case.pk).update(due_date=due)
        if case.waiting_for_bawaslu:
            asked = timezone.localdate(now - datetime.timedelta(days=rng.uniform(0, min(in_state, 5))))
            Case.objects.filter(pk=case.pk).update(
                bawaslu_due_date=deadlines.due_date_for(case, "bawaslu_review", asked)
            )


def _dates_follow_steps(case: Case, steps: list[Transition]) -> None:
    """Letter, decree and follow-up dates on the days of the moves that produced them."""
    moved = {}
    for step in Transition.objects.filter(pk__in=[s.pk for s in steps]).order_by("at", "pk"):
        moved[step.to_state] = timezone.localdate(step.at)
    if S.AWAITING_DECISION in moved:
        Recommendation.objects.filter(case=case).exclude(letter_number="").update(
            letter_date=moved[S.AWAITING_DECISION]
        )
    if S.DECIDED in moved:
        Decision.objects.filter(case=case).update(decree_date=moved[S.DECIDED])
        FollowUp.objects.filter(case=case).update(date=moved.get(S.CLOSED, moved[S.DECIDED]))


# --- entry point ----------------------------------------------------------------------------------


def demo_cases_exist() -> bool:
    return Case.objects.filter(source_reference__startswith=MARKER).exists()


def create_demo_cases(orgs: dict, n: int = DEFAULT_COUNT) -> DemoResult:
    """Add ``n`` demo cases to the demo world of ``netra.orgs.demo.create_demo_orgs()``.

    Does nothing (``skipped``) when demo cases exist already. Returns the extra demo accounts
    (Barito Selatan's lead and PPK) as printable rows either way.
    """
    rng = random.Random(SEED)  # noqa: S311 -- demo data, not secrets
    result = DemoResult()
    with transaction.atomic():
        users, result.accounts = _ensure_people(orgs)
        if demo_cases_exist() or n <= 0:
            result.skipped = demo_cases_exist()
            return result
        _ensure_reference()
        _ensure_policies(orgs)
    with _quiet_mail(), transaction.atomic():
        demo = Demo(orgs, users, rng)
        for plan in plan_sequence(n, rng):
            demo.play(plan)
        _spread_times(demo.cases, rng)
    result.created = len(demo.cases)
    counts = Case.objects.filter(source_reference__startswith=MARKER).values_list("status", flat=True)
    for status in counts:
        result.by_state[status] = result.by_state.get(status, 0) + 1
    return result
