"""The admin is a read-only window on case records: the review's rewrites are impossible."""

import pytest
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.cases.models import DeadlinePolicy, Message, Transition
from netra.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_history(katingan):
    case = CaseFactory()
    report = case.reports.get()
    message = Message.objects.create(
        case=case, report=report, sender=Message.Sender.SATGAS, body="Mohon kirim foto kegiatan tersebut."
    )
    transition = Transition.objects.create(
        case=case, from_state="received", to_state="checking", public_note="Laporan sedang dicek."
    )
    return case, message, transition


def test_admin_cannot_rewrite_a_satgas_message(admin_client, case_with_history):
    _, message, _ = case_with_history
    url = reverse("admin:cases_message_change", args=[message.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"body": "Laporan Anda tidak benar.", "sender": "satgas"})

    assert page.status_code == 200 and 'name="body"' not in page.content.decode()  # no change form
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.body == "Mohon kirim foto kegiatan tersebut."


def test_admin_cannot_rewrite_a_reporter_visible_transition_note(admin_client, case_with_history):
    _, _, transition = case_with_history
    url = reverse("admin:cases_transition_change", args=[transition.pk])

    response = admin_client.post(url, {"public_note": "Laporan ditolak.", "to_state": "checking"})

    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.public_note == "Laporan sedang dicek."


def test_admin_cannot_rewrite_a_transition_note_through_the_case_page(admin_client, case_with_history):
    case, _, transition = case_with_history
    url = reverse("admin:cases_case_change", args=[case.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"transitions-0-id": transition.pk, "transitions-0-public_note": "Ditolak."})

    assert page.status_code == 200 and "transitions-0-public_note" not in page.content.decode()
    assert response.status_code == 403
    transition.refresh_from_db()
    assert transition.public_note == "Laporan sedang dicek."


@pytest.mark.parametrize("model", ["message", "transition", "report", "evidence", "case"])
def test_admin_cannot_delete_or_add_case_records(admin_client, case_with_history, model):
    case, message, transition = case_with_history
    obj = {"message": message, "transition": transition, "report": case.reports.get(), "case": case}.get(model)

    assert admin_client.get(reverse(f"admin:cases_{model}_add")).status_code == 403
    if obj is not None:
        assert (
            admin_client.post(reverse(f"admin:cases_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        )
        assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", ["case", "report", "message", "transition", "evidence", "decision", "followup"])
def test_changelists_still_open_for_reading(admin_client, case_with_history, model):
    assert admin_client.get(reverse(f"admin:cases_{model}_changelist")).status_code == 200


def test_the_editable_sla_table_audits_each_admin_change(admin_client, admin_user):
    policy = DeadlinePolicy.objects.filter(agency=None).first() or DeadlinePolicy.objects.create(
        key="verification", days=7, unit="calendar_days", source="SBT"
    )
    url = reverse("admin:cases_deadlinepolicy_change", args=[policy.pk])
    form = {"key": policy.key, "agency": "", "days": 9, "unit": policy.unit, "source": policy.source}

    response = admin_client.post(url, form)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed")
    assert (event.actor, event.object_type, event.object_id) == (admin_user, "cases.deadlinepolicy", str(policy.pk))
    assert "days" in str(event.payload["change"]) or "hari" in str(event.payload["change"])


def test_the_sla_table_audits_admin_additions_and_deletions(admin_client, admin_user, pemkab_katingan):
    form = {"key": "verification", "agency": pemkab_katingan.pk, "days": 5, "unit": "calendar", "source": "Perbup"}
    assert admin_client.post(reverse("admin:cases_deadlinepolicy_add"), form).status_code == 302
    policy = DeadlinePolicy.objects.get(agency=pemkab_katingan, key="verification")

    response = admin_client.post(reverse("admin:cases_deadlinepolicy_delete", args=[policy.pk]), {"post": "yes"})

    assert response.status_code == 302 and not DeadlinePolicy.objects.filter(pk=policy.pk).exists()
    events = AuditEvent.objects.filter(object_type="cases.deadlinepolicy", object_id=str(policy.pk))
    assert sorted(events.values_list("action", flat=True)) == ["admin.added", "admin.deleted"]
    assert {event.actor for event in events} == {admin_user}
