"""NETRA_TRIAGE_AFTER_RESPONSE: whether the request that opens a case also triages it (bench/load.py).

Off (production's default) the opening commit leaves the result empty for the scheduler's tick,
which fills it exactly as the turn would; on, the committing request's turn fills it.
"""

import pytest

from netra.cases.intake import report_submit
from netra.cases.models import TriageResult
from netra.cases.tests.fixtures import report_data
from netra.cases.triage_flow import triage_pending

pytestmark = pytest.mark.django_db
VIRAL = "Pak camat ikut deklarasi paslon nomor 2 di lapangan desa Kasongan, ada fotonya di FB"


@pytest.mark.parametrize("in_web", [True, False])
def test_the_setting_decides_who_triages_a_new_case(agencies, settings, django_capture_on_commit_callbacks, in_web):
    settings.NETRA_TRIAGE_AFTER_RESPONSE = in_web
    with django_capture_on_commit_callbacks(execute=True):
        case = report_submit(data=report_data(description=VIRAL), files=()).case
    result = TriageResult.objects.get(case=case)
    assert (result.computed_at is not None) is in_web
    # The scheduler's tick (triage_pending) takes what the request left, and only that.
    assert triage_pending() == (0 if in_web else 1)
    result.refresh_from_db()
    assert result.computed_at is not None and "camat" in result.facts["positions"]
