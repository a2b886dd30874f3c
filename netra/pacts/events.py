"""Socialisation events (issue #11 item 5): sosialisasi, bimtek, rakor, apel/ikrar, and who came.

An event belongs to its organiser (a pemda, or Bawaslu for a rakor) and may invite OPDs of any
agency (``audience_units``). Who can be recorded as present: the active employees of the invited
units, or of the organiser when no unit is invited. Attendance comes three ways, each audited:
self check-in on a phone (portal: NIP or employee number + the event's code), an imported list,
or ticks on the roster. Photos and materials arrive cleaned by the face (``cases.evidence``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.orgs.models import Agency, Unit
from netra.pacts import tally
from netra.pacts.circulars import OutreachError, store_file
from netra.pacts.models import Employee
from netra.pacts.outreach_access import may_manage_events, outreach_reach
from netra.pacts.outreach_models import CHECKIN_ALPHABET, EventAttendance, EventFile, SocialisationEvent

STORAGE_PREFIX = "pacts/events/"
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_SPEAKERS = 20


def _speakers(speakers: Iterable[dict]) -> list[dict]:
    kept = []
    for speaker in speakers:
        name = str(speaker.get("name", "")).strip()[:200]
        institution = str(speaker.get("institution", "")).strip()[:200]
        if name:
            kept.append({"name": name, "institution": institution})
    if len(kept) > MAX_SPEAKERS:
        raise OutreachError(_("Paling banyak %(n)d narasumber.") % {"n": MAX_SPEAKERS}, "speakers")
    return kept


def _checked(*, kind: str, title: str, place: str, online: bool) -> str:
    """The rules an event's form must meet, for creating and editing alike; the stripped title."""
    if kind not in SocialisationEvent.Kind.values:
        raise OutreachError(_("Jenis kegiatan tidak dikenal."), "kind")
    title = title.strip()
    if not title:
        raise OutreachError(_("Judul wajib diisi."), "title")
    if not online and not place.strip():
        raise OutreachError(_("Isi tempat kegiatan, atau tandai sebagai daring."), "place")
    return title


def event_create(
    *,
    actor,
    agency: Agency,
    kind: str,
    title: str,
    held_on: date,
    place: str = "",
    online: bool = False,
    speakers: Iterable[dict] = (),
    audience_units: Iterable[Unit] = (),
    audience_roles: str = "",
    summary: str = "",
    election=None,
) -> SocialisationEvent:
    if not may_manage_events(actor, agency):
        raise Http404
    title = _checked(kind=kind, title=title, place=place, online=online)
    with transaction.atomic():
        event = SocialisationEvent.objects.create(
            agency=agency,
            kind=kind,
            title=title,
            held_on=held_on,
            place=place.strip(),
            online=online,
            speakers=_speakers(speakers),
            audience_roles=audience_roles.strip(),
            summary=summary.strip(),
            election=election,
            created_by=actor,
        )
        units = list(audience_units)
        event.audience_units.set(units)
        record(actor, "event.created", event, kind=kind, audience_units=[unit.pk for unit in units])
    return event


def event_summary_update(*, actor, event: SocialisationEvent, summary: str, checkin_open: bool) -> None:
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    with transaction.atomic():
        SocialisationEvent.objects.filter(pk=event.pk).update(summary=summary.strip(), checkin_open=checkin_open)
        record(actor, "event.updated", event, checkin_open=checkin_open)


def _changes(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before[key] != after[key]}


def _event_values(event: SocialisationEvent) -> dict:
    return {
        "kind": event.kind,
        "title": event.title,
        "held_on": event.held_on.isoformat(),
        "place": event.place,
        "online": event.online,
        "election": event.election_id,
        "speakers": event.speakers,
        "audience_roles": event.audience_roles,
        "summary": event.summary,
        "audience_units": sorted(event.audience_units.values_list("pk", flat=True)),
    }


def event_update(
    *,
    actor,
    event: SocialisationEvent,
    kind: str,
    title: str,
    held_on: date,
    place: str = "",
    online: bool = False,
    speakers: Iterable[dict] = (),
    audience_units: Iterable[Unit] = (),
    audience_roles: str = "",
    summary: str = "",
    election=None,
) -> SocialisationEvent:
    """Edit an event (its organiser's admin or Satgas, a Bawaslu officer for Bawaslu's). Audited with
    what changed. Attendance already recorded stays; a new election moves its reach figures."""
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    title = _checked(kind=kind, title=title, place=place, online=online)
    units = list(audience_units)
    with transaction.atomic():
        event = SocialisationEvent.objects.select_for_update().get(pk=event.pk)
        if event.cancelled_at is not None:
            raise OutreachError(_("Kegiatan ini sudah dibatalkan dan tidak dapat diubah."), "title")
        before = _event_values(event)
        attendees = list(event.attendances.values_list("employee_id", flat=True))
        with tally.tracked(employee_ids=attendees):
            event.kind, event.title, event.held_on = kind, title, held_on
            event.place, event.online, event.election = place.strip(), online, election
            event.speakers, event.audience_roles = _speakers(speakers), audience_roles.strip()
            event.summary = summary.strip()
            event.save()
            event.audience_units.set(units)
        changes = _changes(before, _event_values(event))
        if changes:
            record(actor, "event.changed", event, agency=event.agency_id, changes=changes)
    return event


def event_remove(*, actor, event: SocialisationEvent, reason: str = "") -> str:
    """Delete an event nobody attended; an event with attendance is cancelled instead ("batalkan",
    reason required): kept with who came, shown as cancelled, left out of the coverage figures.
    Returns "deleted" or "cancelled". Audited either way."""
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    reason = (reason or "").strip()
    with transaction.atomic():
        event = SocialisationEvent.objects.select_for_update().get(pk=event.pk)
        if event.cancelled_at is not None:
            raise OutreachError(_("Kegiatan ini sudah dibatalkan."), "reason")
        attendees = list(event.attendances.values_list("employee_id", flat=True))
        if not attendees:
            names = [str(f.file.name) for f in event.files.all()]
            record(actor, "event.deleted", None, agency=event.agency_id, event=event.pk, title=event.title,
                   held_on=event.held_on.isoformat(), reason=reason)  # fmt: skip
            event.delete()
            transaction.on_commit(lambda: _delete_files(names))
            return "deleted"
        if not reason:
            raise OutreachError(
                _("Kegiatan ini sudah memiliki daftar hadir; tulis alasan untuk membatalkannya."), "reason"
            )
        with tally.tracked(employee_ids=attendees):
            event.cancelled_at, event.cancelled_reason, event.cancelled_by = timezone.now(), reason, actor
            event.checkin_open = False
            event.save(update_fields=["cancelled_at", "cancelled_reason", "cancelled_by", "checkin_open"])
        record(actor, "event.cancelled", event, agency=event.agency_id, reason=reason, attendances=len(attendees))
    return "cancelled"


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def event_file_add(*, actor, event: SocialisationEvent, kind: str, data: bytes, content_type: str, sha256: str):
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    if kind not in EventFile.Kind.values or content_type not in EXTENSIONS:
        raise OutreachError(_("Kirim foto JPEG, PNG atau WebP, atau dokumen PDF."), "file")
    if kind == EventFile.Kind.PHOTO and not content_type.startswith("image/"):
        raise OutreachError(_("Foto dokumentasi harus berupa gambar."), "file")
    with transaction.atomic():
        row = EventFile(event=event, kind=kind, content_type=content_type, sha256_received=sha256, uploaded_by=actor)
        row.file.name = store_file(STORAGE_PREFIX, data, EXTENSIONS[content_type])
        row.save()
        record(actor, "event.file_added", event, agency=event.agency_id, kind=kind, file=row.pk)
    return row


# --- who may attend ---------------------------------------------------------------------------


def eligible_employees(event: SocialisationEvent) -> QuerySet[Employee]:
    """The active employees who can be recorded at this event (invited units, else the organiser's)."""
    unit_ids = list(event.audience_units.values_list("pk", flat=True))
    qs = Employee.objects.filter(active=True)
    if unit_ids:
        return qs.filter(unit_id__in=unit_ids)
    return qs.filter(agency_id=event.agency_id)


def _add_attendances(event, employee_ids: Iterable[int], method: str, actor) -> int:
    # The event row first (then the employees, in tally.tracked): a cancel or delete in flight
    # cannot cross a new attendance.
    locked = SocialisationEvent.objects.select_for_update().filter(pk=event.pk).values_list("cancelled_at").first()
    if locked is None or locked[0] is not None:
        raise OutreachError(_("Kegiatan ini sudah dibatalkan."), "employees")
    ids = set(employee_ids)
    present = set(
        EventAttendance.objects.filter(event=event, employee_id__in=ids).values_list("employee_id", flat=True)
    )
    new = sorted(ids - present)
    with tally.tracked(employee_ids=new):
        EventAttendance.objects.bulk_create(
            [EventAttendance(event=event, employee_id=pk, method=method, recorded_by=actor) for pk in new],
            ignore_conflicts=True,
        )
    return len(new)


def attendance_tick(*, actor, event: SocialisationEvent, employee_ids: Iterable[int]) -> int:
    """Record employees ticked on the roster; ids outside the event's audience are refused."""
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    ids = {int(pk) for pk in employee_ids}
    allowed = set(eligible_employees(event).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - allowed:
        raise OutreachError(_("Sebagian pegawai yang dicentang bukan peserta kegiatan ini."), "employees")
    with transaction.atomic():
        added = _add_attendances(event, allowed, EventAttendance.Method.ROSTER, actor)
        record(actor, "event.attendance_recorded", event, method="roster", added=added)
    return added


def _identifiers_from(data: bytes, filename: str) -> list[tuple[int, str]]:
    """(row number, identifier) from the first column of a .csv or .xlsx (first row: header)."""
    rows: list[tuple[int, str]] = []
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=False).worksheets[0]
        except Exception:
            raise OutreachError(_("Berkas bukan Excel (.xlsx) yang dapat dibaca."), "file") from None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, "" if not values or values[0] is None else str(values[0])))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise OutreachError(_("Berkas CSV harus ber-enkode UTF-8."), "file") from None
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            rows.append((number, values[0] if values else ""))
    return [(number, value.strip().replace(" ", "")) for number, value in rows[1:] if value.strip()]


def attendance_import(*, actor, event: SocialisationEvent, data: bytes, filename: str) -> tuple[int, list[str]]:
    """Import a list of NIPs / employee numbers (first column). Nothing is recorded unless every
    row names someone in the event's audience; otherwise every bad row is reported by number."""
    if not may_manage_events(actor, event.agency_id):
        raise Http404
    rows = _identifiers_from(data, filename)
    if not rows:
        raise OutreachError(_("Berkas tidak berisi baris data (baris pertama adalah judul kolom)."), "file")
    eligible = eligible_employees(event)
    values = sorted({value for _number, value in rows})
    found: dict[str, int] = {}
    for pk, nip, number in eligible.filter(Q(nip__in=values) | Q(employee_number__in=values)).values_list(
        "pk", "nip", "employee_number"
    ):
        for key in (nip, number):
            if key:
                found[key] = pk
    errors = [
        _("Baris %(row)d: %(value)s bukan NIP/nomor pegawai peserta kegiatan ini.") % {"row": number, "value": value}
        for number, value in rows
        if value not in found
    ]
    if errors:
        return 0, errors
    with transaction.atomic():
        added = _add_attendances(event, {found[value] for _n, value in rows}, EventAttendance.Method.IMPORT, actor)
        record(actor, "event.attendance_recorded", event, method="import", added=added, rows=len(rows))
    return added, []


def normalise_checkin_code(value: str) -> str:
    code = "".join((value or "").split()).replace("-", "").upper()
    return code if code and all(ch in CHECKIN_ALPHABET for ch in code) else ""


def event_checkin(*, code: str, identifier: str) -> bool:
    """Self check-in from the portal. True when recorded (or already recorded); False for a wrong
    code, a closed event or someone not in its audience — one answer, so it reveals nothing."""
    code = normalise_checkin_code(code)
    identifier = "".join((identifier or "").split())
    if not code or not identifier or len(identifier) > 40:
        return False
    event = SocialisationEvent.objects.filter(checkin_code=code, checkin_open=True, cancelled_at=None).first()
    if event is None:
        return False
    employee = eligible_employees(event).filter(Q(nip=identifier) | Q(employee_number=identifier)).only("pk").first()
    if employee is None:
        return False
    try:
        with transaction.atomic():
            added = _add_attendances(event, [employee.pk], EventAttendance.Method.CHECKIN, None)
            if added:
                record("pegawai", "event.checked_in", event, agency=event.agency_id, employee=employee.pk)
    except OutreachError:
        return False  # cancelled meanwhile
    return True


# --- reads ------------------------------------------------------------------------------------


def events_for(user) -> QuerySet[SocialisationEvent]:
    """Events the user may read: organised by an agency in reach, or inviting a unit in reach."""
    reach = outreach_reach(user)
    if reach.is_empty:
        return SocialisationEvent.objects.none()
    qs = SocialisationEvent.objects.select_related("agency")
    if reach.everything:
        return with_attendance(qs)
    condition = reach.q(agency_field="agency", unit_field="audience_units")
    if reach.agency_ids:
        condition |= Q(audience_units__agency__in=sorted(reach.agency_ids))
    visible = SocialisationEvent.objects.filter(condition).values("pk")
    return with_attendance(qs.filter(pk__in=visible))


def with_attendance(qs: QuerySet[SocialisationEvent]) -> QuerySet[SocialisationEvent]:
    return qs.annotate(attendance_count=Count("attendances", distinct=True))


def event_for(user, pk: int) -> SocialisationEvent:
    event = events_for(user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event
