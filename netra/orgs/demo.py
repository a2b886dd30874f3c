"""The demo world: agencies around Katingan (Kalimantan Tengah) and one account per role.

Idempotent: every function looks rows up by their stable code or username, so running the demo
twice changes nothing. Later features extend the demo by calling ``create_demo_orgs()`` and
adding their own rows (cases, pacts) to the agencies and users it returns.

Never for production: ``manage.py load_demo`` refuses unless ``settings.DEMO_MODE``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from netra.catalog.models import Region
from netra.orgs.models import Agency, Membership, Unit, User

DEMO_PASSWORD = "netra-demo-2024"  # noqa: S105 -- published on purpose: demo accounts only
SUPERUSER = "admin"

Zone = Region.Zone
RegionKind = Region.Kind

# The regions the demo needs. ``load_reference`` normally loaded them already (then they are left
# as they are); these rows only keep the demo working on an empty reference table.
DEMO_REGIONS: list[tuple[str, str, str, str]] = [
    # code, kind, name, timezone
    ("62", RegionKind.PROVINCE, "Kalimantan Tengah", Zone.WIB),
    ("62.04", RegionKind.REGENCY, "Kabupaten Barito Selatan", Zone.WIB),
    ("62.06", RegionKind.REGENCY, "Kabupaten Katingan", Zone.WIB),
    ("62.71", RegionKind.CITY, "Kota Palangka Raya", Zone.WIB),
    ("63", RegionKind.PROVINCE, "Kalimantan Selatan", Zone.WITA),
    ("63.71", RegionKind.CITY, "Kota Banjarmasin", Zone.WITA),
    ("63.72", RegionKind.CITY, "Kota Banjarbaru", Zone.WITA),
    ("64", RegionKind.PROVINCE, "Kalimantan Timur", Zone.WITA),
    ("65", RegionKind.PROVINCE, "Kalimantan Utara", Zone.WITA),
    ("74", RegionKind.PROVINCE, "Sulawesi Tenggara", Zone.WITA),
    ("74.05", RegionKind.REGENCY, "Kabupaten Konawe Selatan", Zone.WITA),
]

KATINGAN_LETTERHEAD = (
    "PEMERINTAH KABUPATEN KATINGAN\n"
    "SATUAN TUGAS NETRALITAS APARATUR SIPIL NEGARA\n"
    "Sekretariat: Badan Kepegawaian dan Pengembangan Sumber Daya Manusia\n"
    "Kasongan, Kalimantan Tengah"
)


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: str
    region: str | None
    parent: str | None = None
    covered_regions: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    letterhead: str = ""


DEMO_AGENCIES: list[DemoAgency] = [
    DemoAgency(
        code="pemprov-kalteng",
        name="Pemerintah Provinsi Kalimantan Tengah",
        kind=Agency.Kind.PEMDA_PROVINCE,
        region="62",
        units=("Badan Kepegawaian Daerah", "Inspektorat Provinsi"),
    ),
    DemoAgency(
        code="pemkab-katingan",
        name="Pemerintah Kabupaten Katingan",
        kind=Agency.Kind.PEMDA_REGENCY,
        region="62.06",
        units=(
            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",
            "Inspektorat Daerah",
            "Badan Kesatuan Bangsa dan Politik",
            "Satuan Polisi Pamong Praja",
            "Dinas Pendidikan",
            "Dinas Kesehatan",
            "Kecamatan Katingan Hilir",
        ),
        letterhead=KATINGAN_LETTERHEAD,
    ),
    DemoAgency(
        code="pemkab-barito-selatan",
        name="Pemerintah Kabupaten Barito Selatan",
        kind=Agency.Kind.PEMDA_REGENCY,
        region="62.04",
        units=(
            "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",
            "Inspektorat Daerah",
            "Dinas Pendidikan",
        ),
    ),
    # A pemda outside the Kanreg VIII area (Sulawesi Tenggara, Kanreg IV Makassar): scoping demos.
    DemoAgency(
        code="pemkab-konawe-selatan",
        name="Pemerintah Kabupaten Konawe Selatan",
        kind=Agency.Kind.PEMDA_REGENCY,
        region="74.05",
        units=("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",),
    ),
    DemoAgency(
        code="bawaslu-ri",
        name="Badan Pengawas Pemilihan Umum Republik Indonesia",
        kind=Agency.Kind.BAWASLU_RI,
        region=None,
    ),
    DemoAgency(
        code="bawaslu-prov-kalteng",
        name="Bawaslu Provinsi Kalimantan Tengah",
        kind=Agency.Kind.BAWASLU_PROVINCE,
        region="62",
        parent="bawaslu-ri",
    ),
    DemoAgency(
        code="bawaslu-kab-katingan",
        name="Bawaslu Kabupaten Katingan",
        kind=Agency.Kind.BAWASLU_REGENCY,
        region="62.06",
        parent="bawaslu-prov-kalteng",
    ),
    DemoAgency(
        code="bkn-pusat",
        name="Badan Kepegawaian Negara",
        kind=Agency.Kind.BKN_CENTRAL,
        region=None,
    ),
    # Working area of Kanreg VIII: Kalsel, Kalteng, Kaltim, Kaltara (verify against the current
    # Peraturan BKN on Kanreg organisation; editable in the admin). The office sits in Banjarbaru.
    DemoAgency(
        code="kanreg-bkn-banjarmasin",
        name="Kantor Regional VIII BKN Banjarmasin",
        kind=Agency.Kind.BKN_REGIONAL,
        region="63.72",
        parent="bkn-pusat",
        covered_regions=("62", "63", "64", "65"),
    ),
    DemoAgency(
        code="pengamat-kalteng",
        name="Pemantau Netralitas ASN Kalimantan Tengah (demo)",
        kind=Agency.Kind.OBSERVER,
        region="62",
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str
    first_name: str
    last_name: str


R = Membership.Role
DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("satgas.katingan", R.SATGAS_OFFICER, "pemkab-katingan", "Petugas Satgas", "Katingan"),
    DemoAccount("ketua.katingan", R.SATGAS_LEAD, "pemkab-katingan", "Ketua Satgas", "Katingan"),
    DemoAccount("ppk.katingan", R.PPK, "pemkab-katingan", "PPK", "Katingan"),
    DemoAccount("admin.katingan", R.AGENCY_ADMIN, "pemkab-katingan", "Admin Instansi", "Katingan"),
    DemoAccount("satgas.barsel", R.SATGAS_OFFICER, "pemkab-barito-selatan", "Petugas Satgas", "Barito Selatan"),
    DemoAccount("bawaslu.katingan", R.BAWASLU_OFFICER, "bawaslu-kab-katingan", "Petugas Bawaslu", "Katingan"),
    DemoAccount("bawaslu.kalteng", R.BAWASLU_OFFICER, "bawaslu-prov-kalteng", "Petugas Bawaslu", "Kalteng"),
    DemoAccount("bkn.kanreg", R.BKN_SUPERVISOR, "kanreg-bkn-banjarmasin", "Pengawas BKN", "Kanreg VIII"),
    DemoAccount("bkn.pusat", R.BKN_SUPERVISOR, "bkn-pusat", "Pengawas BKN", "Pusat"),
    DemoAccount("pengamat", R.OBSERVER, "pengamat-kalteng", "Pengamat", "Kalteng"),
]


def ensure_demo_regions() -> dict[str, Region]:
    """The regions the demo points at, created minimally when reference data is not loaded."""
    regions: dict[str, Region] = {}
    for code, kind, name, zone in sorted(DEMO_REGIONS, key=lambda row: len(row[0])):
        regions[code], _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "timezone": zone,
                "parent": None if kind == RegionKind.PROVINCE else regions[code[:2]],
            },
        )
    return regions


def create_demo_agencies() -> dict[str, Agency]:
    """The demo agencies with their units, by code; regions must exist (``ensure_demo_regions``)."""
    agencies: dict[str, Agency] = {}
    for spec in DEMO_AGENCIES:  # parents are listed before their children
        agency, _ = Agency.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "region_id": spec.region,
                "parent": agencies[spec.parent] if spec.parent else None,
                "letterhead": spec.letterhead,
                "active": True,
            },
        )
        # Region codes are its primary keys; django-stubs assumes integer keys here.
        agency.covered_regions.set(spec.covered_regions)  # type: ignore[arg-type]
        for unit_name in spec.units:
            Unit.objects.get_or_create(agency=agency, name=unit_name)
        agencies[spec.code] = agency
    return agencies


def create_demo_user(username: str, *, first_name: str = "", last_name: str = "", superuser: bool = False) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@demo.netra.invalid",
            "is_active": True,
            "is_staff": superuser,
            "is_superuser": superuser,
            "is_demo_account": True,
        },
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


# Signer details of the demo accounts that sign letters (issue #16): fictitious NIPs, so the demo's
# recommendation letter and decision summary print as final letters. Set only where still empty.
DEMO_SIGNERS: dict[str, dict[str, str]] = {
    "ketua.katingan": {
        "nip": "197504122000031002",
        "pangkat_golongan": "Pembina Utama Muda (IV/c)",
        "jabatan": "Sekretaris Daerah Kabupaten Katingan",
    },
    "ppk.katingan": {"nip": "196808171990031005", "pangkat_golongan": "", "jabatan": "Bupati Katingan"},
}


def create_demo_accounts(agencies: dict[str, Agency]) -> dict[str, User]:
    """One account per role (``DEMO_ACCOUNTS``) plus the superuser, all with ``DEMO_PASSWORD``."""
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = create_demo_user(account.username, first_name=account.first_name, last_name=account.last_name)
        Membership.objects.update_or_create(
            user=user, agency=agencies[account.agency], role=account.role, defaults={"active": True}
        )
        signer = {
            name: value for name, value in DEMO_SIGNERS.get(account.username, {}).items() if not getattr(user, name)
        }
        if signer:
            User.objects.filter(pk=user.pk).update(**signer)
            for name, value in signer.items():
                setattr(user, name, value)
        users[account.username] = user
    users[SUPERUSER] = create_demo_user(SUPERUSER, first_name="Admin", last_name="Netra", superuser=True)
    return users


@transaction.atomic
def create_demo_orgs() -> dict:
    """Create or refresh the whole demo: ``{"regions": …, "agencies": …, "users": …, "accounts": …}``.

    ``accounts`` holds printable rows (username, role label, agency name, password).
    """
    regions = ensure_demo_regions()
    agencies = create_demo_agencies()
    users = create_demo_accounts(agencies)
    accounts = [
        (a.username, str(Membership.Role(a.role).label), agencies[a.agency].name, DEMO_PASSWORD) for a in DEMO_ACCOUNTS
    ]
    accounts.append((SUPERUSER, str(_("Superuser (semua akses)")), "—", DEMO_PASSWORD))
    return {"regions": regions, "agencies": agencies, "users": users, "accounts": accounts}
