"""Opening cases: an accepted report becomes the case staff work on.

Intake *accepts* a report: one INSERT of the ``Report`` row (what the reporter wrote, the region,
the subject as written, the receipt code and the key's hash), committed before the receipt is
answered. *Opening* creates, in one transaction, everything staff see: the ``Case`` and its
number, the ``Subject``, the evidence rows, the first ``Transition`` (``received``, dated by the
submission) and the ``case.received`` audit event. A report is either pending (no case, shown to
no staff page) or opened in full: never half.

When:

- in the accepting transaction, for a report with files, from an agency or staff, inside a
  caller's transaction, or when ``NETRA_CASE_OPEN_INTERVAL`` is 0 (the test suite);
- otherwise (a public report of text and links, the common case) after the accepting commit,
  in turns: the first committer of each ``NETRA_CASE_OPEN_INTERVAL`` seconds (across processes
  sharing the cache) opens every pending report in one transaction, with one statement per table
  instead of one per row; the scheduler opens what is left every second once traffic stops;
- at once, for one report, when something needs its case now (the reporter adds evidence or a
  message, a caller reads ``Receipt.case``): ``open_report``.

Why: opening row by row cost about 1 ms of the request's CPU per table through the ORM, and on
SQLite it held the single write lock for all of it; accepting alone is one INSERT (issue #4,
``bench/intake.py``). Nothing is lost by waiting: the report row is committed before the
receipt is answered, and a crash before opening only delays it to the next turn or tick.

Concurrent openers never open a report twice: on PostgreSQL a batch claims its reports with
``FOR UPDATE SKIP LOCKED`` and ``open_report`` locks its row and checks again; on SQLite every
opener holds the database's write lock (``BEGIN IMMEDIATE``) from its first read.
"""

from typing import cast

from django.conf import settings
from django.db import connection, router, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from netra.audit.services import record_each
from netra.bulk import update_by_id
from netra.cases import lookups, triage_flow
from netra.cases.models import RECEIPT_PREFIX, Case, Evidence, Report, Subject, Transition
from netra.orgs.models import Agency, User
from netra.turns import after_response, my_turn, writer_turn

# How the audit log names an anonymous reporter (netra.audit.services.record).
REPORTER_ACTOR = "pelapor"
OPEN_BATCH = 500
# The turn an after-commit opener claims (cache.add: one caller per interval gets True).
OPEN_TURN_KEY = "netra:cases:open"
SUBJECT_FIELDS = ("name", "nip", "position", "agency")
OPENED_FROM = (
    "id",
    "case_id",
    "region_id",
    "election_id",
    "incident_date",
    "incident_date_reason",
    "subject",
    "submitted_at",
)
# "Route by the report's region": the default owner of a new case.
ROUTE = object()


def case_number(case: Case) -> str:
    year = timezone.localtime(case.created_at, timezone.get_default_timezone()).year
    return f"{RECEIPT_PREFIX}-{year}-{case.pk:06d}"


def defer_opening() -> bool:
    """Whether a public report accepted now may wait for a batch (see the module's docstring)."""
    return settings.NETRA_CASE_OPEN_INTERVAL > 0 and not connection.in_atomic_block


# --- opening ----------------------------------------------------------------------------------


def open_cases(
    reports: list[Report],
    *,
    source: str = Case.Source.PUBLIC_REPORT,
    source_reference: str = "",
    agency=ROUTE,
    actor=None,
    stored: list[tuple] | None = None,
) -> list[Case]:
    """Open one case per pending report, in the caller's transaction; return the cases.

    The caller owns the reports: just inserted, or claimed/locked so no other opener has them.
    ``agency`` overrides the routing; ``actor`` is the staff user or agency token for
    non-public sources; ``stored`` are evidence files written for a single report.
    """
    if stored and len(reports) != 1:
        raise ValueError("evidence files belong to a single report")
    cases = [
        Case(
            source=source,
            source_reference=str(source_reference or "")[:200],
            agency=_owner(report) if agency is ROUTE else agency,
            region_id=report.region_id,
            election_id=report.election_id,
            incident_date=report.incident_date,
            created_at=report.submitted_at,
        )
        for report in reports
    ]
    Case.objects.bulk_create(cases)
    for case in cases:
        case.number = case_number(case)
    update_by_id(Case, ["number"], [(case.pk, case.number) for case in cases])
    pairs = zip(cases, reports, strict=True)
    opened = update_by_id(
        Report, ["case_id"], [(report.pk, case.pk) for case, report in pairs], only_where_null="case_id"
    )
    if opened != len(reports):  # the caller did not own them all: roll back rather than open twice
        raise RuntimeError(f"{len(reports) - opened} of {len(reports)} reports were already opened")
    for case, report in zip(cases, reports, strict=True):
        report.case = case
    Subject.objects.bulk_create(
        [
            Subject(
                case=case,
                name=report.subject.get("name", ""),
                nip=report.subject.get("nip") or None,
                position=report.subject.get("position", ""),
                agency_name=report.subject.get("agency", ""),
            )
            for case, report in zip(cases, reports, strict=True)
            if any(report.subject.get(name) for name in SUBJECT_FIELDS)
        ]
    )
    uploaded_by = Evidence.UploadedBy.STAFF if actor is not None else Evidence.UploadedBy.REPORTER
    evidence = evidence_rows(stored or [], case=cases[0], report=reports[0], uploaded_by=uploaded_by) if cases else []
    # An agency API token acts too, but Transition.actor is a user: the audit entry names the token.
    transitions = [
        Transition(
            case=case,
            from_state="",
            to_state=Case.Status.RECEIVED,
            actor=actor if isinstance(actor, User) else None,
            at=report.submitted_at,
        )
        for case, report in zip(cases, reports, strict=True)
    ]
    Transition.objects.bulk_create(transitions)
    # bulk_create sends no post_save; the first Transition is how other apps learn of a new case
    # (the webhook outbox writes its event in this same transaction).
    using = router.db_for_write(Transition)
    for row in transitions:
        post_save.send(sender=Transition, instance=row, created=True, update_fields=None, raw=False, using=using)
    # Ids only: never the description, the contact or anything else the reporter wrote.
    triage_flow.on_opened(cases)  # an empty result row; the engine reads the report after commit
    record_each(
        actor if actor is not None else REPORTER_ACTOR,
        "case.received",
        [
            (
                case,
                {"report_id": report.pk, "source": source, "evidence_ids": [row.pk for row in evidence]}
                # An agency's or staff's reason for an incident older than the public limit.
                | ({"incident_date_reason": report.incident_date_reason} if report.incident_date_reason else {}),
            )
            for case, report in zip(cases, reports, strict=True)
        ],
    )
    return cases


def _owner(report: Report) -> Agency | None:
    region = lookups.region(report.region_id)
    return lookups.owning_agency(region) if region is not None else None


def evidence_rows(stored: list[tuple], *, case: Case, report: Report | None, uploaded_by: str) -> list[Evidence]:
    """The rows of evidence files already written to storage (``(CleanFile, name)`` pairs)."""
    rows = [
        Evidence(
            case=case,
            report=report,
            file=name,
            content_type=clean.content_type,
            size=clean.size,
            sha256_received=clean.sha256_received,
            sha256_stored=clean.sha256_stored,
            metadata_removed=clean.metadata_removed,
            uploaded_by=uploaded_by,
        )
        for clean, name in stored
    ]
    for row in rows:
        row.save()
    return rows


def open_report(report: Report) -> Case:
    """The report's case, opened now if no batch has opened it yet (the reporter is waiting)."""
    if report.case_id is None:
        with writer_turn(), transaction.atomic():
            report.case = opened_case(Report.objects.select_for_update().get(pk=report.pk))
    return cast(Case, report.case)  # opened above, or before


def opened_case(locked: Report) -> Case:
    """The case of a report the caller's transaction has locked, opened in it when still pending."""
    if locked.case_id is None:  # a batch may have opened it while the caller waited for the lock
        open_cases([locked])
    return cast(Case, locked.case)


# --- batches ----------------------------------------------------------------------------------


def pending() -> int:
    return Report.objects.filter(case__isnull=True).count()


def open_pending(*, batch_size: int = OPEN_BATCH, max_batches: int | None = None) -> int:
    """Open the case of every pending report, a batch per transaction; return how many."""
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        opened = _open_batch(batch_size)
        if not opened:
            break
        total, batches = total + opened, batches + 1
    return total


def open_after_commit() -> None:
    # Registered by intake with on_commit(robust=True) after accepting a report: a failure here
    # is logged, never raised into the request whose report has already committed. The batch runs
    # after that request's answer went out; the bound keeps one request from opening for everyone
    # forever under sustained load.
    if my_turn(OPEN_TURN_KEY, settings.NETRA_CASE_OPEN_INTERVAL):
        after_response(lambda: open_pending(max_batches=4))


def _open_batch(limit: int) -> int:
    # Cheap check without the write lock: under load, an earlier opener has usually taken them.
    if not Report.objects.filter(case__isnull=True).exists():
        return 0
    with writer_turn(), transaction.atomic():
        claimed = Report.objects.filter(case__isnull=True).order_by("pk").select_for_update(skip_locked=True)
        # What a case is opened from; not the description (up to 10 000 characters), links or contact.
        reports = list(claimed.only(*OPENED_FROM)[:limit])
        if reports:
            open_cases(reports)
    return len(reports)
