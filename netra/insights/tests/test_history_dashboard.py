"""Past registers on the dashboards from the first day (issue #12 item 4): an imported file's
Pemilu 2024 and Pilkada 2024 cases are counted by the staff dashboard and the public statistics
exactly as straight COUNTs over the case tables say."""

from __future__ import annotations

import pytest

from netra.cases.history_import import start_history_import
from netra.cases.models import Case, Decision, HistoryImport, Transition
from netra.cases.tests.history_support import CLOSED, DISMISSED, OPEN, RECEIVED, xlsx
from netra.insights import dashboard, stats
from netra.insights.dashboard import Filters

pytestmark = pytest.mark.django_db
S = Case.Status


def _register() -> list[dict]:
    """40 cases of Katingan over both elections, in every importable state, several groups."""
    groups = ["social_media", "attributes_photo", "campaign_attendance", "facilities_use"]
    rows = []
    for i in range(40):
        election = "pemilu-2024" if i % 2 else "pilkada-2024"
        month = "02" if election == "pemilu-2024" else "11"
        base = (CLOSED, DISMISSED, OPEN, RECEIVED)[(i // 2) % 4]
        row = {**base, "nomor_kasus": f"KTG/{i:03d}", "pemilihan": election}
        for key, value in list(row.items()):
            if key.startswith("tanggal_") and value:
                row[key] = f"2024-{month}-{value[-2:]}"
        if base is CLOSED:
            row.update(
                tanggal_kejadian=f"2024-{month}-01",
                tanggal_diterima=f"2024-{month}-02",
                tanggal_pengecekan=f"2024-{month}-03",
                tanggal_verifikasi=f"2024-{month}-05",
                tanggal_pemeriksaan=f"2024-{month}-06",
                tanggal_rekomendasi=f"2024-{month}-07",
                tanggal_ke_ppk=f"2024-{month}-08",
                tanggal_keputusan=f"2024-{month}-12",
                tanggal_selesai=f"2024-{month}-15",
                kelompok_pelanggaran=groups[i % len(groups)],
            )
        rows.append(row)
    return rows


def test_an_imported_register_is_on_the_dashboards_at_once(register_world, settings):
    settings.NETRA_DASHBOARD_CACHE_SECONDS = 0
    settings.NETRA_STATS_MIN_COUNT = 1  # no suppression: the figures must equal the counts
    job = start_history_import(
        user=register_world["lead"], agency=register_world["agency"], data=xlsx(_register()), filename="reg.xlsx"
    )
    assert job.state == HistoryImport.State.DONE, job.errors[:3]
    imported = Case.objects.filter(imported_at__isnull=False)
    assert imported.count() == 40
    lead = register_world["lead"]
    for election in ("pemilu-2024", "pilkada-2024"):
        in_election = imported.filter(election_id=election)
        assert in_election.count() == 20
        # The staff dashboard (live GROUP BYs in the lead's scope).
        shown = dashboard.figures(lead, Filters(election=election))
        assert shown["total"] == in_election.count()
        assert {row["code"]: row["n"] for row in shown["by_state"] if row["n"]} == {
            state: in_election.filter(status=state).count()
            for state in in_election.values_list("status", flat=True).distinct()
        }
        assert shown["overdue_total"] == 0  # the past has no running deadline
        by_violation = {row["code"]: row["n"] for row in shown["by_violation"] if row["n"]}
        for code, n in by_violation.items():
            if code != "unclassified":
                assert n == in_election.filter(recommendation__violations__0=code).count()
        assert sum(by_violation.values()) == in_election.count()
        sanctions = {row["code"]: row["n"] for row in shown["sanctions"]}
        assert sum(sanctions.values()) == Decision.objects.filter(case__in=in_election).count() > 0
        assert sum(row["n"] for row in shown["weekly"]) == in_election.count()  # the election's own span
        # The public statistics (the aggregate table, rebuilt by the import).
        table = stats.public_table(election)
        assert table.get("reports", "ID") == in_election.count()
        assert table.get("reports", "62.06") == in_election.filter(region_id="62.06").count()
        proven = in_election.filter(
            pk__in=Transition.objects.filter(to_state=S.AWAITING_DECISION).values("case_id")
        ).count()
        assert table.get("proven", "ID") == proven > 0
        assert table.get("sanctioned", "ID") == Decision.objects.filter(case__in=in_election).count()
    # The step times read the imported transitions too.
    steps = dashboard.step_times(lead, Filters(period="2024"))
    assert {row["code"] for row in steps["steps"]} >= {S.RECEIVED, S.RECOMMENDATION, S.AWAITING_DECISION}
