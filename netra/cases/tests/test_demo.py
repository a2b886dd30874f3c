"""The demo cases of ``load_demo``: deterministic, idempotent, every state, group and region shown,
made through the real services (audit log and timelines), never in production."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from netra.audit.chain import verify
from netra.audit.models import AuditEvent
from netra.cases import deadlines
from netra.cases.demo import MARKER, PLANS, create_demo_cases
from netra.cases.models import Case, Decision, FollowUp, Recommendation, Report, Subject, Transition
from netra.catalog.violations import GROUP_CODES
from netra.notify.models import Notification
from netra.orgs.demo import create_demo_orgs

pytestmark = pytest.mark.django_db

MODELS = [Case, Report, Subject, Transition, Recommendation, Decision, FollowUp, Notification, AuditEvent]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def demo_cases():
    return Case.objects.filter(source_reference__startswith=MARKER)


@pytest.fixture
def small_demo(db):
    """One case of every plan: enough to show each state, quick enough for most tests."""
    return create_demo_cases(create_demo_orgs(), n=len(PLANS))


def test_load_demo_creates_about_200_cases():
    call_command("load_demo")
    assert demo_cases().count() == 200


def test_load_demo_twice_gives_the_same_counts():
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first


def test_every_workflow_state_is_represented(small_demo):
    assert set(demo_cases().values_list("status", flat=True)) == set(Case.Status.values)


def test_the_full_demo_shows_every_violation_group_both_pemda_triage_and_deadlines():
    call_command("load_demo")
    violations = {code for rec in Recommendation.objects.all() for code in rec.violations}
    assert violations == set(GROUP_CODES)
    owners = set(demo_cases().values_list("agency__code", flat=True))
    assert {"pemkab-katingan", "pemkab-barito-selatan", None} <= owners
    assert deadlines.overdue(qs=demo_cases()).exists()
    assert deadlines.due_soon(qs=demo_cases()).exists()


def test_demo_incidents_lie_in_the_pilkada_2024_stages(small_demo):
    dates = list(demo_cases().values_list("incident_date", flat=True))
    assert all(d.year == 2024 and d.month >= 6 for d in dates)


def test_demo_cases_go_through_the_services_with_a_sound_audit_log(small_demo):
    # One audit event per move; a forward inside Netra writes two timeline rows (forwarded, received).
    moves = Transition.objects.filter(case__in=demo_cases()).exclude(from_state__in=["", "forwarded"]).count()
    assert AuditEvent.objects.filter(action="case.transitioned").count() == moves > 0
    assert AuditEvent.objects.filter(action="case.received").count() == demo_cases().count()
    assert verify().ok


def test_demo_is_deterministic(db):
    orgs = create_demo_orgs()

    def story():
        return list(Report.objects.order_by("pk").values_list("description", "incident_date", "case__status"))

    with transaction.atomic():
        create_demo_cases(orgs, n=len(PLANS))
        first = story()
        transaction.set_rollback(True)
    create_demo_cases(orgs, n=len(PLANS))
    assert story() == first


def test_a_sent_recommendation_has_its_letter_number(small_demo):
    sent = Recommendation.objects.filter(case__status__in=["awaiting_decision", "escalated", "decided", "closed"])
    assert sent.exists()
    assert all(rec.letter_number.startswith("800.1.6/") for rec in sent)


def test_the_accounts_table_names_barito_selatan_lead_and_ppk(capsys):
    call_command("load_demo", cases=0)
    out = capsys.readouterr().out
    assert "ketua.barsel" in out and "ppk.barsel" in out


@override_settings(PRODUCTION=True, DEMO_MODE=False)
def test_load_demo_refuses_in_production_and_adds_no_case():
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Case.objects.exists()
