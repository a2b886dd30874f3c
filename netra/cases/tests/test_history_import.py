"""The historical import (issue #12 item 4): past registers become cases with their real path."""

from __future__ import annotations

import datetime
import io

import pytest
from django.http import Http404

from netra.audit.models import AuditEvent
from netra.cases import history_import
from netra.cases.history_import import start_history_import
from netra.cases.models import Case, Decision, FollowUp, HistoryImport, Recommendation, Subject, Transition
from netra.cases.tests.history_support import (
    CLOSED,
    DISMISSED,
    GOOD,
    OPEN,
    RECEIVED,
    csv_bytes,
    xlsx,
)

pytestmark = pytest.mark.django_db
S = Case.Status


def run(world, data: bytes, filename: str = "register.xlsx", *, valid_rows: bool = False, user=None):
    return start_history_import(
        user=user or world["lead"],
        agency=world["agency"],
        data=data,
        filename=filename,
        import_valid_rows=valid_rows,
    )


def errors_of(job) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in job.errors]


def test_a_good_register_becomes_cases_with_their_past_path(register_world):
    job = run(register_world, xlsx(GOOD))
    assert job.state == HistoryImport.State.DONE, job.errors
    assert job.result["created"] == 4 and job.result["existing"] == 0
    cases = {c.import_reference: c for c in Case.objects.filter(imported_at__isnull=False)}
    assert set(cases) == {"REG/2024/001", "REG/2024/002", "REG/2024/003", "REG/2024/004"}
    closed = cases["REG/2024/001"]
    assert closed.status == S.CLOSED and closed.agency == register_world["agency"]
    assert closed.number == f"NTR-2024-{closed.pk:06d}"  # Netra's own number, the year received
    assert closed.election_id == "pemilu-2024" and closed.region_id == "62.06"
    assert closed.created_at.date() == datetime.date(2024, 1, 22)
    assert closed.incident_date == datetime.date(2024, 1, 20)
    assert closed.due_date is None and closed.deadline_key == ""
    steps = list(closed.transitions.order_by("at", "pk").values_list("to_state", "at", "imported"))
    assert [s for s, _at, _imp in steps] == [
        S.RECEIVED, S.CHECKING, S.VERIFICATION, S.EXAMINATION, S.RECOMMENDATION,
        S.AWAITING_DECISION, S.DECIDED, S.CLOSED,
    ]  # fmt: skip
    assert all(imported for _s, _at, imported in steps)
    assert [at.date().isoformat() for _s, at, _imp in steps] == [
        "2024-01-22", "2024-01-23", "2024-01-25", "2024-02-01", "2024-02-08", "2024-02-09", "2024-02-20",
        "2024-03-01",
    ]  # fmt: skip
    recommendation = Recommendation.objects.get(case=closed)
    assert recommendation.violations == ["social_media", "attributes_photo"]
    assert recommendation.sanction_category_id == "moral_open"
    decision = Decision.objects.get(case=closed)
    assert (decision.sanction_type_id, decision.decree_number, decision.decree_date) == (
        "moral_open",
        "800/012/BKPSDM/2024",
        datetime.date(2024, 2, 20),
    )
    assert FollowUp.objects.get(case=closed).date == datetime.date(2024, 3, 1)
    subject = Subject.objects.get(case=closed)
    assert (subject.name, subject.nip, subject.unit) == ("Budi Santoso", "198503122010011003", "Dinas Pendidikan")
    report = closed.reports.get()
    assert report.submitted_at == closed.created_at and report.access_key_hash == ""
    dismissed = cases["REG/2024/002"]
    assert dismissed.status == S.DISMISSED and dismissed.dismissal_reason == "not_asn"
    assert dismissed.election_id == "pilkada-2024"
    assert list(dismissed.transitions.values_list("to_state", flat=True)) == [S.RECEIVED, S.CHECKING, S.DISMISSED]
    # A step without a date was reached by the next dated one: checking and verification on 12 Nov.
    open_case = cases["REG/2024/003"]
    assert [(t.to_state, t.at.date().day) for t in open_case.transitions.all()] == [
        (S.RECEIVED, 4), (S.CHECKING, 12), (S.VERIFICATION, 12), (S.EXAMINATION, 12)
    ]  # fmt: skip
    # One audit event per case, by the importer, with the path.
    events = AuditEvent.objects.filter(action="case.imported")
    assert events.count() == 4
    event = events.get(object_id=str(closed.pk))
    assert event.actor_id == register_world["lead"].pk
    assert event.payload["import_reference"] == "REG/2024/001" and event.payload["to_state"] == S.CLOSED
    assert AuditEvent.objects.filter(action="history.imported", object_id=str(job.pk)).exists()


def test_no_live_deadline_notification_or_webhook_for_the_past(register_world):
    from netra.cases.jobs import process_deadlines
    from netra.notify.models import Notification
    from netra.sharing.models import WebhookEvent

    run(register_world, xlsx(GOOD))
    assert Notification.objects.count() == 0
    assert WebhookEvent.objects.count() == 0
    process_deadlines(on=datetime.date(2026, 12, 2))
    received = Case.objects.get(import_reference="REG/2024/004")
    assert received.status == S.RECEIVED and received.due_date is None and received.deadline_key == ""
    assert Case.objects.filter(imported_at__isnull=False, due_date__isnull=False).count() == 0
    assert Notification.objects.count() == 0


def test_reimport_is_idempotent_by_the_register_number(register_world):
    run(register_world, xlsx(GOOD))
    again = run(register_world, xlsx([*GOOD, {**RECEIVED, "nomor_kasus": "reg/2024/005"}]))
    assert again.state == HistoryImport.State.DONE
    assert again.result["created"] == 1 and again.result["existing"] == 4
    assert Case.objects.filter(imported_at__isnull=False).count() == 5
    # The same number in another case ("REG" vs "reg") is the same register entry.
    third = run(register_world, xlsx([{**RECEIVED, "nomor_kasus": "REG/2024/005"}]))
    assert third.result == {**third.result, "created": 0, "existing": 1}


def test_csv_with_semicolons_and_day_first_dates(register_world):
    rows = [
        {**CLOSED, **{k: "/".join(reversed(v.split("-"))) for k, v in CLOSED.items() if k.startswith("tanggal_")}},
        DISMISSED,
    ]
    job = run(register_world, csv_bytes(rows), "register.csv")
    assert job.state == HistoryImport.State.DONE, job.errors
    case = Case.objects.get(import_reference="REG/2024/001")
    assert case.created_at.date() == datetime.date(2024, 1, 22)
    assert Decision.objects.get(case=case).decree_date == datetime.date(2024, 2, 20)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"tanggal_diterima": "kemarin"}, (2, "tanggal_diterima")),
        ({"tanggal_diterima": "2099-01-01"}, (2, "tanggal_diterima")),
        ({"tanggal_pengecekan": "2024-01-01"}, (2, "tanggal_pengecekan")),  # before it was received
        ({"tanggal_kejadian": "2024-01-30"}, (2, "tanggal_kejadian")),  # after it was received
        ({"tanggal_diterima": ""}, (2, "tanggal_diterima")),
    ],
)
def test_bad_dates_are_row_errors_and_nothing_is_imported(register_world, change, where):
    job = run(register_world, xlsx([{**CLOSED, **change}, DISMISSED]))
    assert job.state == HistoryImport.State.INVALID
    assert where in errors_of(job)
    assert all(e["message"] for e in job.errors)
    assert Case.objects.count() == 0 and Transition.objects.count() == 0
    assert AuditEvent.objects.filter(action="history.import_invalid").exists()


def test_dates_older_than_the_public_form_allows_are_accepted(register_world, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 30
    old = {**RECEIVED, "tanggal_diterima": "2019-04-10", "tanggal_kejadian": "2019-04-01", "pemilihan": ""}
    job = run(register_world, xlsx([old]))
    assert job.state == HistoryImport.State.DONE, job.errors
    assert Case.objects.get().incident_date == datetime.date(2019, 4, 1)


def test_an_excel_date_cell_is_read_as_a_date(register_world):
    row = {**RECEIVED, "tanggal_diterima": datetime.datetime(2024, 11, 20)}
    job = run(register_world, xlsx([row]))
    assert job.state == HistoryImport.State.DONE, job.errors
    assert Case.objects.get().created_at.date() == datetime.date(2024, 11, 20)


def test_unknown_region_and_region_outside_the_agency(register_world):
    rows = [{**CLOSED, "wilayah": "Kabupaten Atlantis"}, {**DISMISSED, "wilayah": "62.04"}]
    job = run(register_world, xlsx(rows))
    assert job.state == HistoryImport.State.INVALID
    assert errors_of(job) == [(2, "wilayah"), (3, "wilayah")]
    assert "Atlantis" in job.errors[0]["message"] and "di luar wilayah" in job.errors[1]["message"]


def test_unknown_violation_code(register_world):
    job = run(register_world, xlsx([{**CLOSED, "kelompok_pelanggaran": "social_media, joget_gemoy"}]))
    assert job.state == HistoryImport.State.INVALID
    assert errors_of(job) == [(2, "kelompok_pelanggaran")]
    assert "joget_gemoy" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        # a decision without a recommendation
        ({**CLOSED, "kategori_sanksi": ""}, (2, "jenis_sanksi")),
        # a decision on a case that has not been decided
        ({**OPEN, "jenis_sanksi": "moral_open"}, (2, "jenis_sanksi")),
        # decided without the decree
        ({**CLOSED, "nomor_sk": ""}, (2, "nomor_sk")),
        # a step dated beyond the state reached
        ({**OPEN, "tanggal_keputusan": "2024-11-20"}, (2, "tanggal_keputusan")),
        # recommendation reached without its category
        ({**CLOSED, "kategori_sanksi": "", "jenis_sanksi": ""}, (2, "kategori_sanksi")),
        # the workflow table dismisses from checking, verification or recommendation, not examination
        ({**DISMISSED, "tanggal_pemeriksaan": "2024-10-03"}, (2, "tanggal_dihentikan")),
        # a state the import does not know
        ({**OPEN, "status": "digabung"}, (2, "status")),
        ({**OPEN, "alasan_penghentian": "not_asn"}, (2, "alasan_penghentian")),
    ],
)
def test_state_and_decision_inconsistencies(register_world, row, where):
    job = run(register_world, xlsx([row]))
    assert job.state == HistoryImport.State.INVALID
    assert where in errors_of(job), job.errors
    assert Case.objects.count() == 0


def test_duplicate_numbers_in_one_file(register_world):
    job = run(register_world, xlsx([CLOSED, {**DISMISSED, "nomor_kasus": "reg/2024/001"}]))
    assert job.state == HistoryImport.State.INVALID
    assert errors_of(job) == [(3, "nomor_kasus")]
    assert "baris 2" in job.errors[0]["message"]


def test_a_formula_cell_is_refused(register_world):
    job = run(register_world, xlsx([{**CLOSED, "tanggal_diterima": "=TODAY()"}]))
    assert job.state == HistoryImport.State.INVALID
    assert errors_of(job) == [(2, "tanggal_diterima")]
    assert "rumus" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"ini bukan excel sama sekali", "register.xlsx", "bukan berkas Excel"),
        (b"PK\x03\x04rusak", "register.xlsx", "bukan berkas Excel"),
        (b"", "register.xlsx", "kosong"),
        (b"%PDF-1.4", "register.pdf", "tidak didukung"),
    ],
)
def test_not_an_excel_file_or_empty(register_world, data, filename, words):
    job = run(register_world, data, filename)
    assert job.state == HistoryImport.State.INVALID
    assert errors_of(job) == [(0, "")] and words in job.errors[0]["message"]


def test_a_header_only_file_and_a_wrong_sheet(register_world):
    job = run(register_world, xlsx([]))
    assert job.state == HistoryImport.State.INVALID and "tidak berisi satu pun baris" in job.errors[0]["message"]
    job = run(register_world, xlsx(GOOD, sheet="Sheet1"))
    assert job.state == HistoryImport.State.INVALID and "Kasus" in job.errors[0]["message"]
    job = run(register_world, xlsx([["X", "biru"]], columns=["nomor_kasus", "warna"]))
    assert job.state == HistoryImport.State.INVALID
    assert {(1, "warna"), (1, "wilayah"), (1, "status"), (1, "tanggal_diterima")} <= set(errors_of(job))


def test_import_valid_rows_skips_the_bad_ones(register_world):
    rows = [CLOSED, {**DISMISSED, "wilayah": "Kabupaten Atlantis"}, OPEN]
    job = run(register_world, xlsx(rows), valid_rows=True)
    assert job.state == HistoryImport.State.DONE
    assert job.result["created"] == 2 and job.result["skipped_rows"] == 1
    assert errors_of(job) == [(3, "wilayah")]
    assert set(Case.objects.values_list("import_reference", flat=True)) == {"REG/2024/001", "REG/2024/003"}


def test_only_the_admin_or_lead_of_the_owning_agency_imports(
    register_world, satgas_katingan, ppk_katingan, admin_katingan
):
    from netra.orgs.tests.factories import MembershipFactory, UserFactory

    for user in (satgas_katingan, ppk_katingan):
        with pytest.raises(Http404):
            run(register_world, xlsx(GOOD), user=user)
    other_lead = UserFactory(username="ketua.barsel")
    MembershipFactory(user=other_lead, agency=register_world["agencies"]["pemkab-barito-selatan"], role="satgas_lead")
    with pytest.raises(Http404):
        run(register_world, xlsx(GOOD), user=other_lead)
    assert HistoryImport.objects.count() == 0
    assert run(register_world, xlsx(GOOD), user=admin_katingan).state == HistoryImport.State.DONE


def test_a_large_file_goes_to_the_task_worker_with_progress(
    register_world, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.NETRA_HISTORY_INLINE_BYTES = 1000
    rows = [{**RECEIVED, "nomor_kasus": f"REG/B/{i}"} for i in range(1, 1201)]
    with django_capture_on_commit_callbacks(execute=True):
        job = run(register_world, xlsx(rows))
    assert job.state == HistoryImport.State.PENDING and not Case.objects.exists()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [job.pk]
    job = history_import.process_history_import(job.pk)  # what the worker runs
    assert job.state == HistoryImport.State.DONE, job.errors
    assert job.processed_rows == job.total_rows == 1200
    assert Case.objects.filter(imported_at__isnull=False).count() == 1200
    assert history_import.process_history_import(job.pk).result == job.result  # a second run: nothing


def test_the_template_parses_back(register_world):
    data = history_import.template_xlsx()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Kasus", "Petunjuk"]
    parsed = history_import.parse_register(data, "templat.xlsx", history_import.load_catalog(register_world["agency"]))
    assert parsed.errors == [] and [r.state for r in parsed.rows] == [S.CLOSED, S.DISMISSED, S.EXAMINATION]
