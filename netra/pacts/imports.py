"""Running a roster import (the inline path and the background task share it).

Apart from ``services`` so that ``tasks`` can call it without a circle: services → tasks → imports.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.orgs.models import Unit
from netra.pacts import roster, tally
from netra.pacts.models import (
    Employee,
    RosterImport,
)

# --- rosters -------------------------------------------------------------------------------------


def _progress(job_id: int, processed: int, total: int | None = None) -> None:
    fields = {"processed_rows": processed}
    if total is not None:
        fields["total_rows"] = total
    RosterImport.objects.filter(pk=job_id).update(**fields)


def process_roster_import(job_id: int) -> RosterImport:
    """Parse, check and apply one import; idempotent for a finished job. Nothing half-imported:
    either every accepted row is written in one transaction, or none is."""
    job = RosterImport.objects.select_related("agency", "uploaded_by").get(pk=job_id)
    if job.state not in (RosterImport.State.PENDING, RosterImport.State.RUNNING):
        return job
    RosterImport.objects.filter(pk=job.pk).update(state=RosterImport.State.RUNNING)
    with job.file.open("rb") as handle:
        data = handle.read()
    parsed = roster.parse_roster(data, job.filename, progress=lambda n: _progress(job.pk, n // 2))
    del data
    units = {u.name.casefold(): u.pk for u in Unit.objects.filter(agency=job.agency)}
    errors = list(parsed.errors)
    rows = []
    for row in parsed.rows:
        if row.unit.casefold() not in units:
            errors.append(
                roster.RowError(
                    row.row,
                    "unit_kerja",
                    _("Unit kerja '%(unit)s' tidak terdaftar di instansi ini.") % {"unit": row.unit[:80]},
                )
            )
        else:
            rows.append(row)
    errors.sort(key=lambda e: (e.row, e.column))
    file_level = any(e.row <= 1 for e in errors)
    total = parsed.total_rows
    _progress(job.pk, total // 2, total)
    if file_level or (errors and not job.import_valid_rows) or not rows:
        RosterImport.objects.filter(pk=job.pk).update(
            state=RosterImport.State.INVALID,
            errors=[e.as_dict() for e in errors[:5000]],
            result={"error_count": len(errors), "valid_rows": len(rows)},
            finished_at=timezone.now(),
        )
        record(
            job.uploaded_by,
            "roster.import_invalid",
            obj=job,
            agency=job.agency_id,
            errors=len(errors),
            valid_rows=len(rows),
        )
        job.refresh_from_db()
        return job
    try:
        with transaction.atomic(), tally.tracked(agency_id=job.agency_id):
            result = _apply(job, rows, units, total)
            result["skipped_rows"] = len({e.row for e in errors})
            RosterImport.objects.filter(pk=job.pk).update(
                state=RosterImport.State.DONE,
                errors=[e.as_dict() for e in errors[:5000]],
                result=result,
                processed_rows=total,
                finished_at=timezone.now(),
            )
            record(job.uploaded_by, "roster.imported", obj=job, agency=job.agency_id, **result)
    except Exception as exc:
        RosterImport.objects.filter(pk=job.pk).update(
            state=RosterImport.State.FAILED,
            errors=[{"row": 0, "column": "", "message": _("Impor gagal; tidak ada data yang diubah.")}],
            finished_at=timezone.now(),
        )
        record(job.uploaded_by, "roster.import_failed", obj=job, agency=job.agency_id, error=type(exc).__name__)
        raise
    job.refresh_from_db()
    return job


_FIELDS = ("name", "nip", "employee_number", "status", "position", "unit_id", "email", "active", "left_at")


def _apply(job: RosterImport, rows: Sequence[roster.RosterRow], units: dict[str, int], total: int) -> dict:
    agency = job.agency
    existing = list(Employee.objects.filter(agency=agency).only("pk", *_FIELDS))
    by_nip = {e.nip: e for e in existing if e.nip}
    by_number = {e.employee_number: e for e in existing if e.employee_number}
    now = timezone.now()
    created: list[Employee] = []
    changed: list[Employee] = []
    seen: set[int] = set()
    for i, row in enumerate(rows, 1):
        if i % 2000 == 0:
            _progress(job.pk, total // 2 + (i * total) // (2 * max(1, len(rows))))
        employee = (by_nip.get(row.nip) if row.nip else None) or (
            by_number.get(row.employee_number) if row.employee_number else None
        )
        values = {
            "name": row.name,
            "nip": row.nip,
            "employee_number": row.employee_number,
            "status": row.status,
            "position": row.position,
            "unit_id": units[row.unit.casefold()],
            "email": row.email,
            "active": True,
            "left_at": None,
        }
        if employee is None:
            employee = Employee(agency=agency, **values)
            created.append(employee)
            if row.nip:
                by_nip[row.nip] = employee
            if row.employee_number:
                by_number[row.employee_number] = employee
            continue
        if employee.pk in seen:
            continue  # NIP of one row and number of another name the same person: first wins
        seen.add(employee.pk)
        if any(getattr(employee, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(employee, k, v)
            changed.append(employee)
    Employee.objects.bulk_create(created, batch_size=2000)
    Employee.objects.bulk_update(changed, _FIELDS, batch_size=2000)
    left = 0
    if job.mark_absent_left:
        left = (
            Employee.objects.filter(agency=agency, active=True)
            .exclude(pk__in=[e.pk for e in created])
            .exclude(pk__in=seen)
            .update(active=False, left_at=now)
        )
    return {"created": len(created), "updated": len(changed), "unchanged": len(seen) - len(changed), "left": left}


# --- campaigns -----------------------------------------------------------------------------------
