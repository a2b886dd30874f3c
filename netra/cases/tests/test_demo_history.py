"""The demo's past registers (issue #12 item 7): generated files imported through the history
import, both 2024 elections, several kabupaten/kota, idempotent."""

import pytest

from netra.audit.models import AuditEvent
from netra.cases.demo_history import create_demo_history
from netra.cases.models import Case, HistoryImport
from netra.orgs.demo import create_demo_orgs

pytestmark = pytest.mark.django_db


def test_the_demo_registers_are_imported_once(register_world):
    orgs = create_demo_orgs()
    result = create_demo_history(orgs, orgs["users"], n=120)
    assert result.created == 120
    assert set(HistoryImport.objects.values_list("state", flat=True)) == {HistoryImport.State.DONE}
    imported = Case.objects.filter(imported_at__isnull=False)
    assert set(imported.values_list("election_id", flat=True)) == {"pemilu-2024", "pilkada-2024"}
    assert len(set(imported.values_list("region_id", flat=True))) >= 4  # the province's kab/kota too
    assert {"closed", "dismissed", "decided"} <= set(imported.values_list("status", flat=True))
    assert AuditEvent.objects.filter(action="case.imported").count() == 120
    importers = set(HistoryImport.objects.values_list("uploaded_by__username", flat=True))
    assert importers == {"ketua.kalteng", "ketua.katingan", "ketua.barsel", "ketua.konsel"}
    again = create_demo_history(orgs, orgs["users"], n=120)
    assert again.skipped and imported.count() == 120
