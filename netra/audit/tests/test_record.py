import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from netra.audit.models import AuditEvent
from netra.audit.selectors import events_for
from netra.audit.services import record
from netra.orgs.models import Membership, Unit

pytestmark = pytest.mark.django_db


def test_record_stores_user_actor_with_username_label(officer):
    event = record(officer, "user.signed_in")

    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor, event.actor_label) == (officer, "petugas.katingan")


def test_record_names_a_non_account_actor_by_its_label():
    event = record("api-token:ab12", "report.submitted")

    assert (event.actor_id, event.actor_label) == (None, "api-token:ab12")


def test_record_without_actor_is_the_system():
    assert record(None, "deadline.escalated").actor_label == "system"


def test_record_with_anonymous_request_user_is_anonymous():
    assert record(AnonymousUser(), "report.viewed").actor_label == "anonymous"


def test_record_stores_object_as_label_and_string_id(officer, agency):
    unit = Unit.objects.create(agency=agency, name="Dinas Pendidikan")

    event = record(officer, "unit.created", unit)

    assert (event.object_type, event.object_id) == ("orgs.unit", str(unit.pk))


def test_record_takes_agency_from_obj_agency_id(officer, agency):
    unit = Unit.objects.create(agency=agency, name="Dinas Pendidikan")

    assert record(officer, "unit.created", unit).agency_id == agency.pk


def test_record_takes_agency_from_obj_that_is_an_agency(officer, agency):
    assert record(officer, "agency.updated", agency).agency_id == agency.pk


def test_record_agency_keyword_overrides_obj_and_stays_out_of_payload(officer, agency, other_agency):
    unit = Unit.objects.create(agency=agency, name="Dinas Pendidikan")

    event = record(officer, "unit.moved", unit, agency=other_agency, reason="pemekaran")

    assert (event.agency_id, event.payload) == (other_agency.pk, {"reason": "pemekaran"})


def test_record_agency_none_keyword_means_no_agency(officer, agency):
    assert record(officer, "agency.updated", agency, agency=None).agency_id is None


def test_record_payload_round_trips_dates_and_decimals(officer):
    import datetime
    import decimal

    event = record(officer, "sanction.recorded", sk_date=datetime.date(2024, 9, 17), cut=decimal.Decimal("0.25"))

    assert AuditEvent.objects.get(pk=event.pk).payload == {"sk_date": "2024-09-17", "cut": "0.25"}


def test_record_refuses_ip_address_in_payload(officer):
    with pytest.raises(ValueError, match="never stores"):
        record(officer, "report.submitted", ip_address="203.0.113.9")


def test_record_refuses_user_agent_in_payload(officer):
    with pytest.raises(ValueError, match="never stores"):
        record(officer, "report.submitted", User_Agent="Mozilla/5.0")


def test_record_refuses_an_action_that_is_not_dotted(officer):
    with pytest.raises(ValueError, match="dotted"):
        record(officer, "Case Transitioned")


def test_record_refuses_an_unsaved_obj(officer, agency):
    with pytest.raises(ValueError, match="saved"):
        record(officer, "unit.created", Unit(agency=agency, name="Dinas Kesehatan"))


def test_record_leaves_the_event_unsealed_until_commit(officer):
    event = record(officer, "user.signed_in")

    assert (event.seq, event.hash) == (None, "")


def test_record_seals_the_event_when_the_transaction_commits(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = record(officer, "user.signed_in")

    assert AuditEvent.objects.get(pk=event.pk).seq == 1


@pytest.mark.django_db(transaction=True)
def test_record_in_a_rolled_back_transaction_leaves_no_row(officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(officer, "case.transitioned", target="verification")
        raise RuntimeError("the service failed after recording")

    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_record_in_a_committed_transaction_is_sealed_on_commit(officer):
    with transaction.atomic():
        event = record(officer, "case.transitioned", target="verification")

    assert AuditEvent.objects.get(pk=event.pk).seq is not None


def test_existing_event_cannot_be_saved_again(officer):
    event = record(officer, "user.signed_in")
    event.action = "user.signed_out"

    with pytest.raises(TypeError, match="append-only"):
        event.save()


def test_event_cannot_be_deleted(officer):
    event = record(officer, "user.signed_in")

    with pytest.raises(TypeError, match="append-only"):
        event.delete()


def test_events_cannot_be_updated_in_bulk(officer):
    record(officer, "user.signed_in")

    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.update(action="user.signed_out")


def test_events_cannot_be_deleted_in_bulk(officer):
    record(officer, "user.signed_in")

    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()


def test_an_account_that_acted_cannot_be_deleted(officer):
    record(officer, "user.signed_in")

    with pytest.raises(ProtectedError):
        officer.delete()


def test_events_for_gives_one_objects_timeline_oldest_first(officer, agency):
    membership = Membership.objects.create(user=officer, agency=agency, role="satgas_officer")
    first = record(officer, "membership.created", membership)
    record(officer, "agency.updated", agency)
    second = record(officer, "membership.deactivated", membership)

    assert list(events_for(membership)) == [first, second]
