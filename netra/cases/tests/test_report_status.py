import pytest

from netra.cases.intake import IntakeError, report_status, report_submit, reporter_message_add
from netra.cases.models import Case, Message, Transition
from netra.cases.tests.fixtures import report_data
from netra.orgs.models import User

pytestmark = pytest.mark.django_db


def test_status_has_the_public_shape(katingan):
    receipt = report_submit(data=report_data())
    status = report_status(receipt.report)
    assert set(status) == {"receipt_code", "status", "status_label", "submitted_at", "timeline", "messages"}
    assert status["status"] == "received"
    assert status["status_label"] == "Diterima"
    assert [step["status"] for step in status["timeline"]] == ["received"]


def test_status_never_names_the_staff_member(katingan):
    receipt = report_submit(data=report_data())
    officer = User.objects.create_user("siti.petugas", password="x" * 12, first_name="Siti")
    Message.objects.create(
        case=receipt.case,
        report=receipt.report,
        sender=Message.Sender.SATGAS,
        author=officer,
        body="Kapan kejadiannya?",
    )
    Transition.objects.create(case=receipt.case, from_state="received", to_state="checking", actor=officer)
    assert "siti" not in repr(report_status(receipt.report)).lower()


def test_messages_show_both_sides_in_order(katingan):
    receipt = report_submit(data=report_data())
    Message.objects.create(case=receipt.case, report=receipt.report, sender="satgas", body="Ada foto lain?")
    reporter_message_add(report=receipt.report, body="  Ada, saya kirim besok.  ")
    assert [(m["from"], m["body"]) for m in report_status(receipt.report)["messages"]] == [
        ("satgas", "Ada foto lain?"),
        ("reporter", "Ada, saya kirim besok."),
    ]


def test_an_empty_message_is_refused(katingan):
    receipt = report_submit(data=report_data())
    with pytest.raises(IntakeError) as raised:
        reporter_message_add(report=receipt.report, body="   ")
    assert raised.value.fields == {"body": ["Wajib diisi."]}


def test_a_message_over_5000_characters_is_refused(katingan):
    receipt = report_submit(data=report_data())
    with pytest.raises(IntakeError) as raised:
        reporter_message_add(report=receipt.report, body="x" * 5001)
    assert raised.value.fields == {"body": ["Terlalu panjang: paling banyak 5000 karakter (sekarang 5001)."]}


def test_the_reporter_of_a_merged_case_follows_the_surviving_case(katingan):
    merged = report_submit(data=report_data())
    surviving = report_submit(data=report_data())
    Transition.objects.create(case=surviving.case, from_state="received", to_state="checking")
    Case.objects.filter(pk=merged.case.pk).update(status="merged", merged_into=surviving.case)
    Transition.objects.create(case=merged.case, from_state="received", to_state="merged")
    Transition.objects.create(case=surviving.case, from_state="checking", to_state="verification")
    Case.objects.filter(pk=surviving.case.pk).update(status="verification")

    merged.report.case.refresh_from_db()
    status = report_status(merged.report)
    assert status["status"] == "verification"
    # Its own steps, then the surviving case's steps from the merge on (not the earlier ones).
    assert [step["status"] for step in status["timeline"]] == ["received", "merged", "verification"]


def test_a_message_from_the_reporter_of_a_merged_case_lands_on_the_surviving_case(katingan):
    merged = report_submit(data=report_data())
    surviving = report_submit(data=report_data())
    Case.objects.filter(pk=merged.case.pk).update(status="merged", merged_into=surviving.case)
    merged.report.case.refresh_from_db()
    message = reporter_message_add(report=merged.report, body="Tambahan keterangan.")
    assert message.case_id == surviving.case.pk
    assert message.report_id == merged.report.pk
