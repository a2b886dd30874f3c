import json

import pytest

from netra.audit.models import AuditEvent
from netra.cases.intake import report_submit
from netra.cases.tests.fixtures import report_data

pytestmark = pytest.mark.django_db


def test_a_submission_writes_one_audit_event_with_ids_only(katingan):
    receipt = report_submit(data=report_data(contact="0812-3456-7890"))
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.actor_label) == ("case.received", str(receipt.case.pk), "pelapor")
    recorded = json.dumps(event.payload)
    assert "0812-3456-7890" not in recorded
    assert "Camat hadir" not in recorded
    assert event.payload["report_id"] == receipt.report.pk
