"""The rules of rosters, campaigns and signatures: acting user + explicit arguments, in a
transaction, audited (``netra.audit``). Scope comes from ``netra.pacts.selectors``: outside it a
service raises ``Http404`` exactly like a missing object.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.orgs.models import Agency, Unit
from netra.pacts import roster, tally
from netra.pacts.codes import ALPHABET
from netra.pacts.imports import process_roster_import
from netra.pacts.models import (
    Ceremony,
    CeremonySignatory,
    Employee,
    PactCampaign,
    PactSignature,
    RosterImport,
    SignedSheet,
    SigningCode,
)
from netra.pacts.selectors import managed_agency, pact_access

# --- rosters -------------------------------------------------------------------------------------


def inline_import_bytes() -> int:
    """Files up to this size are imported during the request; larger ones by the task worker."""
    return getattr(settings, "NETRA_ROSTER_INLINE_BYTES", 256 * 1024)


def start_roster_import(
    *,
    user,
    agency: Agency,
    data: bytes,
    filename: str,
    import_valid_rows: bool = False,
    mark_absent_left: bool = False,
) -> RosterImport:
    """Keep the uploaded file and import it: at once when small, else as a background task."""
    agency = managed_agency(user, agency.pk)
    if len(data) > roster.max_bytes():
        # Not even stored: the report says why.
        job = RosterImport.objects.create(
            agency=agency,
            uploaded_by=user,
            filename=filename[:200],
            import_valid_rows=import_valid_rows,
            mark_absent_left=mark_absent_left,
            state=RosterImport.State.INVALID,
            errors=[e.as_dict() for e in roster.parse_roster(data, filename).errors],
            finished_at=timezone.now(),
        )
        record(user, "roster.import_refused", obj=job, reason="too_big", size=len(data))
        return job
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    with transaction.atomic():
        job = RosterImport.objects.create(
            agency=agency,
            uploaded_by=user,
            filename=filename[:200],
            import_valid_rows=import_valid_rows,
            mark_absent_left=mark_absent_left,
        )
        job.file.save(f"pacts/imports/{uuid.uuid4().hex}{suffix}", ContentFile(data), save=True)
        record(user, "roster.import_started", obj=job, size=len(data), filename=filename[:200])
    if len(data) <= inline_import_bytes():
        process_roster_import(job.pk)
        job.refresh_from_db()
    else:
        from netra.pacts.tasks import run_roster_import

        transaction.on_commit(lambda: run_roster_import.enqueue(job.pk))
    return job


def _check_period(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("Tanggal berakhir tidak boleh sebelum tanggal mulai.")]})


def _check_targets(agency: Agency, units: Iterable[Unit], statuses: Iterable[str]) -> tuple[list[Unit], list[str]]:
    units = list(units)
    if any(u.agency_id != agency.pk for u in units):
        raise ValidationError({"target_units": [_("OPD sasaran harus milik instansi ini.")]})
    statuses = sorted(set(statuses))
    if any(s not in Employee.Status.values for s in statuses):
        raise ValidationError({"target_statuses": [_("Status sasaran tidak dikenal.")]})
    return units, statuses


def create_campaign(
    *,
    user,
    agency: Agency,
    title: str,
    text: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    election=None,
    target_units: Iterable[Unit] = (),
    target_statuses: Iterable[str] = (),
) -> PactCampaign:
    agency = managed_agency(user, agency.pk)
    _check_period(starts_on, ends_on)
    units, statuses = _check_targets(agency, target_units, target_statuses)
    with transaction.atomic():
        campaign = PactCampaign.objects.create(
            agency=agency,
            election=election,
            title=title,
            text=text,
            starts_on=starts_on,
            ends_on=ends_on,
            target_statuses=statuses,
            created_by=user,
        )
        campaign.target_units.set(units)
        record(user, "pact_campaign.created", obj=campaign, title=title, units=[u.pk for u in units])
    return campaign


def update_campaign(*, user, campaign: PactCampaign, **fields) -> PactCampaign:
    if not pact_access(user).manages(campaign.agency_id):
        raise Http404
    units = fields.pop("target_units", None)
    statuses = fields.pop("target_statuses", None)
    allowed = {"title", "text", "starts_on", "ends_on", "election", "state"}
    if set(fields) - allowed:
        raise ValueError(f"unknown fields: {sorted(set(fields) - allowed)}")
    with transaction.atomic():
        campaign = PactCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.signatures.exists() and "text" in fields and fields["text"] != campaign.text:
            raise ValidationError(
                {"text": [_("Teks pakta tidak dapat diubah setelah ada yang menandatangani.")]}, code="signed"
            )
        for key, value in fields.items():
            setattr(campaign, key, value)
        _check_period(campaign.starts_on, campaign.ends_on)
        if statuses is not None or units is not None:
            checked_units, checked_statuses = _check_targets(
                campaign.agency,
                units if units is not None else campaign.target_units.all(),
                statuses if statuses is not None else campaign.target_statuses,
            )
            campaign.target_statuses = checked_statuses
            if units is not None:
                campaign.target_units.set(checked_units)
        campaign.save()
        record(user, "pact_campaign.updated", obj=campaign, fields=sorted(fields) + (["targets"] if units else []))
    return campaign


def campaign_targets(campaign: PactCampaign):
    """The active employees the campaign is for."""
    qs = Employee.objects.filter(agency_id=campaign.agency_id, active=True)
    unit_ids = list(campaign.target_units.values_list("pk", flat=True))
    if unit_ids:
        qs = qs.filter(unit_id__in=unit_ids)
    if campaign.target_statuses:
        qs = qs.filter(status__in=campaign.target_statuses)
    return qs


def _check_signable(campaign: PactCampaign, employee: Employee, *, today: datetime.date | None = None) -> None:
    if campaign.state != PactCampaign.State.OPEN:
        raise ValidationError(_("Kampanye ini tidak sedang dibuka untuk penandatanganan."), code="campaign_closed")
    if not campaign_targets(campaign).filter(pk=employee.pk).exists():
        raise ValidationError(_("Pegawai ini bukan sasaran kampanye."), code="not_targeted")


# --- signatures ----------------------------------------------------------------------------------


def _create_signature(
    campaign: PactCampaign, employee: Employee, method: str, *, by, sheet=None, ceremony=None
) -> PactSignature:
    try:
        with transaction.atomic():
            return PactSignature.objects.create(
                campaign=campaign,
                employee=employee,
                method=method,
                signed_at=timezone.now(),
                recorded_by=by,
                sheet=sheet,
                ceremony=ceremony,
                signed_name=employee.name,
                signed_position=employee.position,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s sudah menandatangani pakta kampanye ini.") % {"name": employee.name}, code="already_signed"
        ) from None


def _managed_employees(campaign: PactCampaign, employee_ids: Iterable[int]) -> list[Employee]:
    ids = sorted({int(i) for i in employee_ids})
    employees = list(campaign_targets(campaign).filter(pk__in=ids))
    if len(employees) != len(ids):
        raise ValidationError(_("Sebagian pegawai yang dipilih bukan sasaran kampanye ini."), code="not_targeted")
    return employees


def record_sheet(
    *, user, campaign: PactCampaign, cleaned: bytes, content_type: str, extension: str, employee_ids, unit=None
) -> SignedSheet:
    """A scanned signed sheet (already metadata-stripped by the caller's cleaning) and who signed it."""
    if not pact_access(user).manages(campaign.agency_id):
        raise Http404
    if campaign.state != PactCampaign.State.OPEN:
        raise ValidationError(_("Kampanye ini tidak sedang dibuka untuk penandatanganan."), code="campaign_closed")
    if unit is not None and unit.agency_id != campaign.agency_id:
        raise Http404
    with transaction.atomic():
        employees = _managed_employees(campaign, employee_ids)
        if not employees:
            raise ValidationError(_("Centang minimal satu pegawai yang menandatangani lembar ini."), code="empty")
        if unit is not None and any(e.unit_id != unit.pk for e in employees):
            raise ValidationError(_("Semua yang dicentang harus pegawai OPD lembar ini."), code="other_unit")
        sheet = SignedSheet(
            campaign=campaign, unit=unit, content_type=content_type, size=len(cleaned), uploaded_by=user
        )
        sheet.file.save(f"pacts/sheets/{uuid.uuid4().hex}.{extension}", ContentFile(cleaned), save=False)
        sheet.save()
        with tally.tracked(employee_ids=[e.pk for e in employees]):
            signatures = [
                _create_signature(campaign, e, PactSignature.Method.SHEET, by=user, sheet=sheet) for e in employees
            ]
        record(user, "pact_sheet.recorded", obj=sheet, agency=campaign.agency_id, signatures=len(signatures))
        for signature in signatures:
            record(user, "pact_signature.recorded", obj=signature, agency=campaign.agency_id, method="sheet")
    return sheet


@dataclass(frozen=True)
class Signatory:
    name: str
    position: str
    institution: str


def record_ceremony(
    *,
    user,
    campaign: PactCampaign,
    held_on: datetime.date,
    place: str,
    signatories: Sequence[Signatory],
    employee_ids=(),
    minutes_number: str = "",
    notes: str = "",
) -> Ceremony:
    """A signing ceremony, its Berita Acara signatories, and the employees who signed there."""
    if not pact_access(user).manages(campaign.agency_id):
        raise Http404
    if not signatories:
        raise ValidationError(_("Isi minimal satu penanda tangan berita acara."), code="no_signatory")
    with transaction.atomic():
        ceremony = Ceremony.objects.create(
            campaign=campaign,
            held_on=held_on,
            place=place,
            minutes_number=minutes_number,
            notes=notes,
            recorded_by=user,
        )
        CeremonySignatory.objects.bulk_create(
            CeremonySignatory(ceremony=ceremony, name=s.name, position=s.position, institution=s.institution, order=i)
            for i, s in enumerate(signatories)
        )
        employees = _managed_employees(campaign, employee_ids) if employee_ids else []
        if employees and campaign.state != PactCampaign.State.OPEN:
            raise ValidationError(_("Kampanye ini tidak sedang dibuka untuk penandatanganan."), code="campaign_closed")
        with tally.tracked(employee_ids=[e.pk for e in employees]):
            signatures = [
                _create_signature(campaign, e, PactSignature.Method.CEREMONY, by=user, ceremony=ceremony)
                for e in employees
            ]
        record(
            user,
            "pact_ceremony.recorded",
            obj=ceremony,
            agency=campaign.agency_id,
            signatories=len(signatories),
            signatures=len(signatures),
        )
        for signature in signatures:
            record(user, "pact_signature.recorded", obj=signature, agency=campaign.agency_id, method="ceremony")
    return ceremony


def revoke_signature(*, user, signature: PactSignature, reason: str) -> PactSignature:
    if not pact_access(user).manages(signature.campaign.agency_id):
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Tulis alasan pencabutan.")]}, code="reason_required")
    with transaction.atomic():
        signature = PactSignature.objects.select_for_update().get(pk=signature.pk)
        if signature.revoked_at is not None:
            raise ValidationError(_("Tanda tangan ini sudah dicabut."), code="already_revoked")
        signature.revoked_at = timezone.now()
        signature.revoked_reason = reason
        signature.revoked_by = user
        with tally.tracked(employee_ids=[signature.employee_id]):
            signature.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        record(user, "pact_signature.revoked", obj=signature, agency=signature.campaign.agency_id, reason=reason)
    return signature


# --- self-service signing codes --------------------------------------------------------------------

SIGNING_CODE_LENGTH = 8  # 30**8 ≈ 2**39: with the rate limit (a few tries per hour), unguessable


def signing_code_hours() -> int:
    return getattr(settings, "NETRA_SIGNING_CODE_HOURS", 24 * 14)


def hash_signing_code(code: str) -> str:
    """Keyed (HMAC with a key derived from SECRET_KEY): a leaked table cannot be brute-forced offline."""
    key = hashlib.sha256(b"netra.pacts.signing:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def issue_signing_codes(*, user, campaign: PactCampaign, employees: Iterable[Employee]) -> list[tuple[Employee, str]]:
    """New personal one-time codes (the clear codes are returned once, for the printed sheet);
    any older unused code of the same people for this campaign stops working."""
    if not pact_access(user).manages(campaign.agency_id):
        raise Http404
    employees = list(employees)
    target_ids = set(campaign_targets(campaign).filter(pk__in=[e.pk for e in employees]).values_list("pk", flat=True))
    now = timezone.now()
    expires = now + datetime.timedelta(hours=signing_code_hours())
    issued: list[tuple[Employee, str]] = []
    with transaction.atomic():
        SigningCode.objects.filter(
            campaign=campaign, employee_id__in=sorted(target_ids), used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        rows = []
        for employee in employees:
            if employee.pk not in target_ids:
                continue
            code = "".join(secrets.choice(ALPHABET) for _ in range(SIGNING_CODE_LENGTH))
            rows.append(
                SigningCode(
                    campaign=campaign,
                    employee=employee,
                    code_hash=hash_signing_code(code),
                    issued_by=user,
                    expires_at=expires,
                )
            )
            issued.append((employee, code))
        SigningCode.objects.bulk_create(rows, batch_size=1000)
        record(user, "pact_signing_codes.issued", obj=campaign, count=len(rows))
    return issued


def find_signing_code(*, campaign: PactCampaign, nip: str, code: str) -> SigningCode | None:
    """The live code matching NIP (or employee number) + code, or None — one answer for every failure."""
    from netra.catalog.nip import normalize_nip
    from netra.pacts.codes import normalize_code

    identifier = normalize_nip(nip)
    code_hash = hash_signing_code(normalize_code(code)[: SIGNING_CODE_LENGTH * 2])
    found = (
        SigningCode.objects.filter(
            campaign=campaign, code_hash=code_hash, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("employee")
        .first()
    )
    # A NIP is compared without separators; an employee number ("NA-18") as typed (spaces aside).
    typed = {identifier, "".join((nip or "").split())}
    if found is None or not typed & {found.employee.nip, found.employee.employee_number}:
        return None
    if not found.employee.active:
        return None
    return found


def self_sign(*, campaign: PactCampaign, signing_code_id: int) -> PactSignature:
    """The employee confirmed: use the code up (once, even under a double tap) and sign."""
    with transaction.atomic():
        now = timezone.now()
        used = SigningCode.objects.filter(
            pk=signing_code_id, campaign=campaign, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used != 1:
            raise ValidationError(_("Kode ini sudah dipakai atau kedaluwarsa."), code="code_used")
        employee = SigningCode.objects.select_related("employee").get(pk=signing_code_id).employee
        _check_signable(campaign, employee)
        with tally.tracked(employee_ids=[employee.pk]):
            signature = _create_signature(campaign, employee, PactSignature.Method.SELF, by=None)
        record("pegawai", "pact_signature.recorded", obj=signature, agency=campaign.agency_id, method="self")
    return signature
