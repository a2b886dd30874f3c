"""The retention run (UU PDP): what goes when, per agency, audited without the content."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from netra.audit.chain import verify
from netra.audit.models import AuditEvent
from netra.cases.intake import report_submit
from netra.cases.models import Case, Evidence, Report
from netra.cases.services import case_dismiss_many
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (fixture)
from netra.ops.models import RetentionPolicy
from netra.ops.retention import apply_all

CONTACT = "wa 0812-3456-7890"


def month(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=30 * n)


def dismissed_case_with_photo(actor) -> Case:
    photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
    case = report_submit(data=report_data(contact=CONTACT), files=[photo]).case
    case_dismiss_many(cases=[case], actor=actor, reason="duplicate", explanation="Laporan ganda.")
    return case


@pytest.fixture
def dismissed_long_ago(agencies, satgas_katingan, private_media):  # noqa: F811
    start = timezone.now() - month(13)
    with time_machine.travel(start, tick=False):
        case = dismissed_case_with_photo(satgas_katingan)
    return case


def test_defaults_remove_contact_after_six_months_and_dismissed_evidence_after_twelve(
    agencies,
    satgas_katingan,
    private_media,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = dismissed_case_with_photo(satgas_katingan)
    evidence = Evidence.objects.get(case=case)
    stored = private_media / evidence.file.name
    assert stored.exists()

    with time_machine.travel(start + month(5), tick=False):
        assert apply_all().contacts_removed == 0
    assert Report.objects.get(case=case).contact == CONTACT

    with time_machine.travel(start + month(6) + datetime.timedelta(days=1), tick=False):
        run = apply_all()
    assert (run.contacts_removed, run.evidence_deleted) == (1, 0)
    report = Report.objects.get(case=case)
    assert report.contact == "" and report.receipt_code  # the reporter can still read the outcome
    event = AuditEvent.objects.get(action="retention.reporter_contact_removed")
    assert event.payload["reports"] == [report.pk] and CONTACT not in str(event.payload)

    # The files are deleted once the rows' deletion committed.
    later = start + month(12) + datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        run = apply_all()
    assert (run.contacts_removed, run.evidence_deleted) == (0, 1)
    assert not Evidence.objects.filter(case=case).exists()
    assert not stored.exists()
    deleted = AuditEvent.objects.get(action="retention.evidence_deleted").payload["evidence"]
    assert deleted == [{"id": evidence.pk, "sha256": evidence.sha256_stored, "size": evidence.size}]
    assert verify().ok

    # Idempotent: a second run finds nothing more.
    with time_machine.travel(start + month(13), tick=False):
        run = apply_all()
    assert (run.contacts_removed, run.evidence_deleted) == (0, 0)


def test_an_open_case_keeps_everything(agencies, private_media):  # noqa: F811
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        photo = SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")
        case = report_submit(data=report_data(contact=CONTACT), files=[photo]).case
    with time_machine.travel(start + month(30), tick=False):
        run = apply_all()
    assert (run.contacts_removed, run.evidence_deleted) == (0, 0)
    assert Report.objects.get(case=case).contact == CONTACT
    assert Evidence.objects.filter(case=case).exists()


def test_the_agency_policy_overrides_the_defaults_for_that_agency_only(dismissed_long_ago, agencies):
    # Katingan keeps dismissed cases' evidence 24 months; the 13-month-old one stays.
    RetentionPolicy.objects.create(agency=agencies["pemkab-katingan"], contact_months=12, dismissed_evidence_months=24)
    run = apply_all()
    assert (run.contacts_removed, run.evidence_deleted) == (1, 0)
    assert Evidence.objects.filter(case=dismissed_long_ago).exists()


def test_the_command_reports_what_it_did(dismissed_long_ago, capsys):
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert "1 reporter contact(s) removed, 1 evidence file(s) deleted (pemkab-katingan)" in out
