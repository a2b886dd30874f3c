"""Demo prevention data (issue #11 item 9): Katingan's roster across its OPDs, one pact campaign with
partial coverage (some OPDs at 100 %, some far behind), circulars and several events.

Circulars, acknowledgements, events and attendance go through the real services
(``netra.pacts.circulars`` / ``events``). The roster, the campaign and the signatures are written
in bulk here (pacts-core's import/signing services were not on this branch yet when it was
written: swap them in when they are); they carry what those services store (method, recorded_by,
signed name). Idempotent: nothing is added once Katingan has a circular.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from netra.orgs.demo import create_demo_user
from netra.orgs.models import Agency, Membership, Unit
from netra.orgs.roles import Role
from netra.pacts import circulars, events, tally
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.outreach_models import Circular, SocialisationEvent

DEFAULT_EMPLOYEES = 3000
AGENCY = "pemkab-katingan"
# OPD → (share of the roster, share who signed): some complete, some far behind.
OPDS = {
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)": (0.03, 1.0),
    "Inspektorat Daerah": (0.02, 1.0),
    "Badan Kesatuan Bangsa dan Politik": (0.02, 0.9),
    "Satuan Polisi Pamong Praja": (0.06, 0.55),
    "Dinas Pendidikan": (0.42, 0.35),
    "Dinas Kesehatan": (0.2, 0.7),
    "Kecamatan Katingan Hilir": (0.08, 0.12),
    "Dinas Pekerjaan Umum dan Penataan Ruang": (0.07, 0.05),
    "Sekretariat Daerah": (0.1, 0.95),
}
# Demo Kepala OPD accounts (password: the demo password), one unit each.
HEADS = {
    "kadis.pendidikan": "Dinas Pendidikan",
    "kadis.kesehatan": "Dinas Kesehatan",
    "camat.katinganhilir": "Kecamatan Katingan Hilir",
}
FIRST = ["Agus", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hendra", "Indah", "Joko", "Kartini", "Lestari"]
LAST = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lestari",
    "Pratama",
    "Nugroho",
    "Hidayat",
    "Siregar",
    "Simanjuntak",
    "Tambunan",
]
POSITIONS = ["Guru", "Perawat", "Analis Kepegawaian", "Staf Pelaksana", "Kepala Seksi", "Bidan", "Penyuluh"]


def demo_nip(i: int) -> str:
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=(i // 999) % 7000)
    return f"{birth:%Y%m%d}201001{1 + i % 2}{1 + i % 999:03d}"


@transaction.atomic
def create_demo_outreach(demo: dict, *, employees: int = DEFAULT_EMPLOYEES) -> dict:
    agencies: dict[str, Agency] = demo["agencies"]
    users = demo["users"]
    katingan = agencies[AGENCY]
    if Circular.objects.filter(agency=katingan).exists():
        return {"skipped": True, "employees": Employee.objects.filter(agency=katingan).count()}
    rng = random.Random(11)  # noqa: S311 -- demo data, not security
    units = {name: Unit.objects.get_or_create(agency=katingan, name=name)[0] for name in OPDS}
    heads = {}
    for username, unit_name in HEADS.items():
        user = create_demo_user(username, first_name="Kepala", last_name=unit_name[:40])
        Membership.objects.update_or_create(
            user=user, agency=katingan, role=Role.OPD_HEAD, defaults={"active": True, "unit": units[unit_name]}
        )
        heads[unit_name] = user

    # The roster: PNS, PPPK and non-ASN (by employee number).
    rows: list[Employee] = []
    start = Employee.objects.filter(agency=katingan).count()
    for name, (share, _signed) in OPDS.items():
        for _n in range(max(5, round(employees * share))):
            i = start + len(rows)
            status = rng.choices(["pns", "pppk", "non_asn"], weights=[6, 2, 2])[0]
            rows.append(
                Employee(
                    agency=katingan,
                    unit=units[name],
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    nip=None if status == "non_asn" else demo_nip(i),
                    employee_number=f"NA-{i:05d}" if status == "non_asn" else None,
                    status=status,
                    position=rng.choice(POSITIONS),
                )
            )
    Employee.objects.bulk_create(rows, batch_size=1000)
    staff_by_unit: dict[int | None, list[Employee]] = {}
    for employee in Employee.objects.filter(agency=katingan, active=True).only("pk", "unit_id", "name", "position"):
        staff_by_unit.setdefault(employee.unit_id, []).append(employee)

    lead = users.get("ketua.katingan")
    today = timezone.localdate()
    campaign = PactCampaign.objects.create(
        agency=katingan,
        election_id="pilkada-2024" if _election_exists("pilkada-2024") else None,
        title="Pakta Integritas Netralitas ASN dan Non-ASN Pilkada 2024",
        text="Saya yang bertanda tangan di bawah ini menyatakan akan menjaga netralitas ...",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
        state=PactCampaign.State.OPEN,
        created_by=lead,
    )
    now = timezone.now()
    signatures = []
    for name, (_share, signed) in OPDS.items():
        people = staff_by_unit.get(units[name].pk, [])
        for employee in people[: round(len(people) * signed)]:
            signatures.append(
                PactSignature(
                    campaign=campaign,
                    employee=employee,
                    method=rng.choice([PactSignature.Method.CEREMONY, PactSignature.Method.SHEET]),
                    signed_at=now - datetime.timedelta(days=rng.randint(0, 25)),
                    recorded_by=lead,
                    signed_name=employee.name,
                    signed_position=employee.position,
                )
            )
    PactSignature.objects.bulk_create(signatures, batch_size=1000)
    tally.rebuild(katingan.pk)  # rows bulk-created above, outside the services that keep the counters

    admin = users.get("admin.katingan") or lead
    se_all = circulars.circular_create(
        actor=admin,
        agency=katingan,
        number="800/1840/2023",
        issued_on=today - datetime.timedelta(days=40),
        issuer="Bupati Katingan",
        subject="Netralitas ASN serta Larangan Penggunaan Fasilitas Pemerintah",
        units=list(units.values()),
    )
    circulars.circular_create(
        actor=admin,
        agency=katingan,
        number="800/2215/BKPSDM/2024",
        issued_on=today - datetime.timedelta(days=12),
        issuer="Sekretaris Daerah Kabupaten Katingan",
        subject="Penandatanganan Pakta Integritas Netralitas oleh Seluruh Pegawai",
        units=[units["Dinas Pendidikan"], units["Dinas Kesehatan"], units["Kecamatan Katingan Hilir"]],
    )
    for unit_name in ("Dinas Kesehatan", "Kecamatan Katingan Hilir"):
        circulars.circular_acknowledge(actor=heads[unit_name], delivery=se_all.deliveries.get(unit=units[unit_name]))

    satgas = users.get("satgas.katingan") or lead
    plan = [
        (SocialisationEvent.Kind.SOSIALISASI, "Sosialisasi Netralitas ASN bagi Kepala OPD, Camat dan Lurah", 35,
         ["Dinas Pendidikan", "Kecamatan Katingan Hilir", "Sekretariat Daerah"], 0.3),
        (SocialisationEvent.Kind.BIMTEK, "Bimtek Penanganan Laporan Netralitas", 20,
         ["Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)", "Inspektorat Daerah"], 0.9),
        (SocialisationEvent.Kind.APEL, "Apel dan Ikrar Netralitas ASN", 10, list(OPDS), 0.25),
    ]  # fmt: skip
    made = []
    for kind, title, days_ago, unit_names, share in plan:
        event = events.event_create(
            actor=satgas,
            agency=katingan,
            kind=kind,
            title=title,
            held_on=today - datetime.timedelta(days=days_ago),
            place="Aula Kantor Bupati Katingan, Kasongan",
            speakers=[
                {"name": "Kepala BKPSDM Kabupaten Katingan", "institution": "Pemerintah Kabupaten Katingan"},
                {"name": "Koordinator Divisi Pencegahan", "institution": "Bawaslu Kabupaten Katingan"},
            ],
            audience_units=[units[n] for n in unit_names],
            audience_roles="Kepala OPD, camat, lurah, ASN dan non-ASN",
            summary="Penyampaian larangan bagi ASN dalam Pilkada 2024 dan tata cara melapor.",
        )
        ticked = [e.pk for n in unit_names for e in staff_by_unit.get(units[n].pk, []) if rng.random() < share]
        events.attendance_tick(actor=satgas, event=event, employee_ids=ticked)
        made.append(event)
    bawaslu = agencies.get("bawaslu-kab-katingan")
    officer = users.get("bawaslu.katingan")
    if bawaslu is not None and officer is not None:
        events.event_create(
            actor=officer,
            agency=bawaslu,
            kind=SocialisationEvent.Kind.RAKOR,
            title="Rakor Pengawasan Netralitas ASN bersama KPU dan Kejaksaan",
            held_on=today - datetime.timedelta(days=5),
            place="Kantor Bawaslu Kabupaten Katingan",
            audience_units=[units["Satuan Polisi Pamong Praja"], units["Sekretariat Daerah"]],
            audience_roles="Kepala OPD",
        )
    return {"skipped": False, "employees": len(rows), "signatures": len(signatures), "events": len(made) + 1}


def _election_exists(code: str) -> bool:
    from netra.catalog.models import Election

    return Election.objects.filter(code=code).exists()
