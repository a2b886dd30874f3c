"""Retention rules for case data (UU PDP 27/2022), applied per agency by ``netra.ops.retention``.

The rules take their periods as arguments (the policy lives in ``netra.ops``, a face above);
each deletion is audited with *what* was removed (ids, counts, hashes), never the content.

- A finished case (terminal state: closed, dismissed, merged, forwarded; finished when its last
  transition happened) loses its reporters' contact details ``contact_months`` after that. The
  receipt code and access key stay: the reporter can still read the outcome.
- A dismissed case loses its evidence files ``dismissed_evidence_months`` after it was dismissed:
  the file is deleted from storage and the row with it; the audit event keeps the SHA-256 and size
  (chain of custody: what was held and when it was destroyed). A reopened case is not finished.
"""

import datetime
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from netra.audit.services import record
from netra.cases.models import Case, Evidence, Report

ACTOR = "system:retention"

# The defaults for an agency without its own policy (netra.ops.RetentionPolicy). They live here, in
# the domain, so that the public privacy page (portal) can state them without importing a face.
DEFAULT_CONTACT_MONTHS = 6
DEFAULT_DISMISSED_EVIDENCE_MONTHS = 12


def months_ago(now: datetime.datetime, months: int) -> datetime.datetime:
    return now - datetime.timedelta(days=30 * months)


def finished_before(agency_id: int, cutoff: datetime.datetime, states) -> QuerySet[Case]:
    return (
        Case.objects.filter(agency_id=agency_id, status__in=states)
        .annotate(finished_at=Max("transitions__at"))
        .filter(finished_at__lt=cutoff)
    )


def remove_reporter_contacts(*, agency_id: int, months: int, now: datetime.datetime | None = None) -> int:
    """Blank ``Report.contact`` of the agency's cases finished more than ``months`` ago; return how many."""
    cutoff = months_ago(now or timezone.now(), months)
    removed = 0
    cases = finished_before(agency_id, cutoff, Case.TERMINAL_STATES)
    for case in cases.filter(reports__contact__gt="").distinct().iterator():
        with transaction.atomic():
            reports = Report.objects.select_for_update().filter(case=case).exclude(contact="")
            ids = list(reports.values_list("pk", flat=True))
            if not ids:
                continue
            Report.objects.filter(pk__in=ids).update(contact="")
            record(ACTOR, "retention.reporter_contact_removed", case, reports=ids, months=months)
            removed += len(ids)
    return removed


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def delete_dismissed_evidence(*, agency_id: int, months: int, now: datetime.datetime | None = None) -> int:
    """Delete the evidence of the agency's cases dismissed more than ``months`` ago; return how many."""
    cutoff = months_ago(now or timezone.now(), months)
    deleted = 0
    cases = finished_before(agency_id, cutoff, [Case.Status.DISMISSED])
    for case in cases.filter(evidence__isnull=False).distinct().iterator():
        with transaction.atomic():
            items = list(Evidence.objects.select_for_update().filter(case=case))
            if not items:
                continue
            facts = [{"id": e.pk, "sha256": e.sha256_stored, "size": e.size} for e in items]
            names = [e.file.name for e in items if e.file.name]
            Evidence.objects.filter(pk__in=[e.pk for e in items]).delete()
            record(ACTOR, "retention.evidence_deleted", case, evidence=facts, months=months)
            # Files go once the rows are gone for good: a rollback keeps both.
            transaction.on_commit(partial(_delete_files, names))
            deleted += len(items)
    return deleted
