"""Demo past registers (issue #12 item 7): Pemilu 2024 and Pilkada 2024 cases of four agencies,
brought in the way a pemda moving to Netra brings them — a generated register file (.xlsx, the
template's columns) uploaded through ``netra.cases.history_import`` by each agency's Satgas lead.

So every chart of the staff dashboard and the public statistics and map show something from the
first start: two elections, the kabupaten/kota of Kalimantan Tengah (the province's own Satgas
reports cases all over it), Katingan, Barito Selatan and Konawe Selatan, every violation group,
every sanction category, repeat subjects and OPDs. A fixed seed gives the same file everywhere;
the import is idempotent by the register's numbers (``DEMO-<agency>-<n>``), so a second
``load_demo`` adds nothing.
"""

from __future__ import annotations

import datetime
import io
import random
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from netra.cases import history_import
from netra.cases.demo import FIRST, LAST, POSITIONS, _nip
from netra.cases.models import Case, HistoryImport
from netra.catalog.models import Region
from netra.orgs.demo import create_demo_user
from netra.orgs.models import Membership, User

SEED = 2025
DEFAULT_HISTORY = 600
REFERENCE_PREFIX = "DEMO-"
# (agency, importing lead, share of the register); the province's lead is a demo account of its own.
AGENCIES = (
    ("pemprov-kalteng", "ketua.kalteng", 0.40),
    ("pemkab-katingan", "ketua.katingan", 0.25),
    ("pemkab-barito-selatan", "ketua.barsel", 0.20),
    ("pemkab-konawe-selatan", "ketua.konsel", 0.15),
)
EXTRA_LEADS = (
    ("ketua.kalteng", "pemprov-kalteng", "Ketua Satgas", "Kalimantan Tengah"),
    ("ketua.konsel", "pemkab-konawe-selatan", "Ketua Satgas", "Konawe Selatan"),
)
# Election → (first and last day reports came in), weight.
ELECTIONS = {
    "pemilu-2024": ((datetime.date(2023, 11, 20), datetime.date(2024, 3, 10)), 0.45),
    "pilkada-2024": ((datetime.date(2024, 8, 26), datetime.date(2024, 12, 13)), 0.55),
}
GROUPS = (
    ("social_media", 30),
    ("attributes_photo", 16),
    ("campaign_attendance", 14),
    ("facilities_use", 8),
    ("mobilisation", 7),
    ("policy_favouritism", 6),
    ("campaign_role", 5),
    ("gifts_money", 4),
    ("support_letter", 4),
    ("party_membership", 3),
    ("other", 3),
)
CATEGORY_TYPES = {
    "moral_closed": ("moral_closed",),
    "moral_open": ("moral_open",),
    "discipline_light": ("reprimand_written", "reprimand_oral", "statement_dissatisfaction"),
    "discipline_moderate": ("tukin_cut_6m", "tukin_cut_9m", "tukin_cut_12m"),
    "discipline_heavy": ("demotion_12m", "release_from_position_12m"),
    "dismissal": ("dismissal_dishonourable",),
}
CATEGORIES = (
    ("moral_open", 30),
    ("moral_closed", 20),
    ("discipline_light", 20),
    ("discipline_moderate", 18),
    ("discipline_heavy", 10),
    ("dismissal", 2),
)
# Where the register's cases ended; a few still open when the agency moved to Netra.
ENDINGS = (
    ("closed", 38),
    ("dismissed", 30),
    ("decided", 14),
    ("awaiting_decision", 5),
    ("recommendation", 3),
    ("examination", 4),
    ("verification", 3),
    ("checking", 2),
    ("received", 1),
)
REASONS = ("not_asn", "insufficient_evidence", "not_a_violation", "out_of_scope", "duplicate", "other")
UNITS = (
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Satuan Polisi Pamong Praja",
    "Badan Kesatuan Bangsa dan Politik",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Sekretariat Daerah",
    "Dinas Sosial",
    "Kecamatan",
)
LINE = [state for state, _column in history_import.LINE]


@dataclass
class DemoHistory:
    created: int = 0
    skipped: bool = False
    accounts: list[tuple] | None = None


def _pick(rng: random.Random, weighted) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def register_rows(agency_code: str, region: str, kab_kota: list[str], n: int, rng: random.Random) -> list[dict]:
    """``n`` register rows of one agency (the template's columns, dates as ISO text)."""
    people: list[dict] = []
    rows = []
    for i in range(1, n + 1):
        election = rng.choices(list(ELECTIONS), weights=[w for _r, w in ELECTIONS.values()])[0]
        (start, end), _w = ELECTIONS[election]
        received = _day(rng, start, end)
        incident = received - datetime.timedelta(days=rng.randint(0, 6))
        ending = _pick(rng, ENDINGS)
        if people and rng.random() < 0.06:  # the same civil servant reported again
            person = rng.choice(people)
        else:
            first = rng.choice(FIRST)
            gender = "2" if FIRST.index(first) >= FIRST.index("Agustina") else "1"
            position, unit = rng.choice(POSITIONS)
            person = {
                "nama_terlapor": f"{first} {rng.choice(LAST)}",
                "nip_terlapor": _nip(rng, gender) if rng.random() < 0.8 else "",
                "jabatan_terlapor": position,
                "unit_kerja_terlapor": unit or rng.choice(UNITS),
            }
            people.append(person)
        row = {
            "nomor_kasus": f"{REFERENCE_PREFIX}{agency_code}-{i:04d}",
            "pemilihan": election,
            "wilayah": rng.choice(kab_kota) if kab_kota else region,
            "tanggal_kejadian": incident.isoformat(),
            "uraian": "Kasus dari register Satgas sebelum memakai Netra (data demo).",
            **person,
            "status": ending,
            "tanggal_diterima": received.isoformat(),
        }
        # Each step a few days after the one before (working days, roughly); a register misses some.
        if ending == "dismissed":
            last = rng.choice((1, 1, 2, 2, 4))  # from checking, verification or after the recommendation
            path = LINE[1 : last + 1]
        else:
            path = LINE[1 : LINE.index(ending) + 1]
        day = received
        for state in path:
            day += datetime.timedelta(days=rng.randint(1, 9 if state in ("examination", "decided") else 4))
            column = dict(history_import.LINE)[state]
            if state in ("decided", "recommendation") or rng.random() < 0.85:
                row[column] = day.isoformat()
        if "recommendation" in path:
            groups = [_pick(rng, GROUPS)]
            if rng.random() < 0.15:
                groups.append(_pick(rng, GROUPS))
            category = _pick(rng, CATEGORIES)
            row["kelompok_pelanggaran"] = ", ".join(dict.fromkeys(groups))
            row["kategori_sanksi"] = category
            if "decided" in path:
                row["jenis_sanksi"] = rng.choice(CATEGORY_TYPES[category])
                row["nomor_sk"] = f"800.1.6.4/{rng.randint(10, 400)}/BKPSDM/{day.year}"
        if ending == "dismissed":
            day += datetime.timedelta(days=rng.randint(1, 5))
            row["tanggal_dihentikan"] = day.isoformat()
            row["alasan_penghentian"] = "not_proven" if "recommendation" in path else rng.choice(REASONS)
        rows.append(row)
    return rows


def _xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(history_import.SHEET)
    sheet.append(list(history_import.COLUMNS))
    for row in rows:
        sheet.append([row.get(column, "") for column in history_import.COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _leads(orgs: dict) -> tuple[dict, list[tuple]]:
    from netra.orgs.demo import DEMO_PASSWORD

    users = dict(orgs["users"])
    rows = []
    for username, agency_code, first, last in EXTRA_LEADS:
        user = create_demo_user(username, first_name=first, last_name=last)
        Membership.objects.update_or_create(
            user=user, agency=orgs["agencies"][agency_code], role=Membership.Role.SATGAS_LEAD, defaults={"active": True}
        )
        users[username] = user
        rows.append(
            (username, str(Membership.Role.SATGAS_LEAD.label), orgs["agencies"][agency_code].name, DEMO_PASSWORD)
        )
    return users, rows


def _ensure_catalogue() -> None:
    """The two 2024 elections and the violation/sanction catalogue (``load_reference`` normally
    loaded them; a bare database, like the test suite's, gets them here)."""
    from netra.catalog.elections import load_elections
    from netra.catalog.models import Election, SanctionCategory, ViolationGroup
    from netra.catalog.violations import load_sanctions, load_violations

    if Election.objects.filter(code__in=list(ELECTIONS)).count() < len(ELECTIONS):
        load_elections()
    if not SanctionCategory.objects.exists() or not ViolationGroup.objects.exists():
        load_sanctions()
        load_violations()


def _importer(users: dict, username: str, agency):
    """The agency's demo lead (Barito Selatan's comes with the demo cases; made here without them)."""
    if (user := users.get(username) or User.objects.filter(username=username).first()) is None:
        user = create_demo_user(username, first_name="Ketua Satgas", last_name=agency.name)
    Membership.objects.get_or_create(
        user=user, agency=agency, role=Membership.Role.SATGAS_LEAD, defaults={"active": True}
    )
    return user


def create_demo_history(orgs: dict, users: dict, n: int = DEFAULT_HISTORY) -> DemoHistory:
    """Import ``n`` past cases into the demo agencies, each agency's register as its lead uploads it."""
    result = DemoHistory()
    with transaction.atomic():
        leads, result.accounts = _leads(orgs)
    users = {**users, **leads}
    if n <= 0:
        return result
    if Case.objects.filter(import_reference__startswith=REFERENCE_PREFIX).exists():
        result.skipped = True
        return result
    _ensure_catalogue()
    rng = random.Random(SEED)  # noqa: S311 -- demo data, not secrets
    for agency_code, lead, share in AGENCIES:
        agency = orgs["agencies"][agency_code]
        region = agency.region_id
        kab_kota = (
            sorted(Region.objects.filter(parent_id=region).values_list("code", flat=True)) if "." not in region else []
        )
        rows = register_rows(agency_code, region, kab_kota, max(1, round(n * share)), rng)
        job = HistoryImport.objects.create(
            agency=agency, uploaded_by=_importer(users, lead, agency), filename=f"register-{agency_code}-2024.xlsx"
        )
        job.file.save(f"history/imports/{uuid.uuid4().hex}.xlsx", ContentFile(_xlsx(rows)), save=True)
        job = history_import.process_history_import(job.pk, rebuild_statistics=False)
        if job.state != HistoryImport.State.DONE:
            raise RuntimeError(f"demo register of {agency_code} did not import: {job.errors[:3]}")
        result.created += job.result["created"]
    history_import.rebuild_statistics_now()
    return result
