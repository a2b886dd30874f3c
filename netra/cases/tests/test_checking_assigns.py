"""Whoever starts pengecekan of an unassigned case takes it (usability review, issue #17 item 5)."""

import pytest

from netra.audit.models import AuditEvent
from netra.cases.models import Case
from netra.cases.services import case_transition

S = Case.Status
pytestmark = pytest.mark.django_db


def test_starting_pengecekan_assigns_the_officer(katingan_case, satgas_katingan):
    case = case_transition(case=katingan_case(S.RECEIVED), action="checking", actor=satgas_katingan)
    case.refresh_from_db()
    assert case.assigned_to == satgas_katingan
    event = AuditEvent.objects.filter(action="case.transitioned", object_id=str(case.pk)).latest("pk")
    assert event.payload["assigned_to"] == satgas_katingan.get_username()


def test_starting_pengecekan_keeps_an_existing_assignee(katingan_case, satgas_katingan, lead_katingan):
    case = katingan_case(S.RECEIVED, assigned_to=lead_katingan)
    case = case_transition(case=case, action="checking", actor=satgas_katingan)
    case.refresh_from_db()
    assert case.assigned_to == lead_katingan
