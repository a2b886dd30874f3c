"""Circulars (Surat Edaran, issue #11 item 4): issue one to some OPDs, each OPD head acknowledges.

The PDF arrives already cleaned (rasterised like evidence, ``netra.cases.evidence.clean``, called
by the workspace face: ``cases`` sits above ``pacts``), as ``data`` + the received file's SHA-256.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.orgs.models import Agency, Unit
from netra.pacts.outreach_access import headed_unit_ids, may_manage_circulars, outreach_reach
from netra.pacts.outreach_models import Circular, CircularDelivery

STORAGE_PREFIX = "pacts/circulars/"


class OutreachError(Exception):
    """A refused request, with an Indonesian message (and the field it is about)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = str(message), field


def store_file(prefix: str, data: bytes, extension: str) -> str:
    # A random name: an uploaded file's own name may carry a person's name or a date.
    return default_storage.save(f"{prefix}{secrets.token_hex(16)}.{extension}", ContentFile(data))


def circular_create(
    *,
    actor,
    agency: Agency,
    number: str,
    issued_on: date,
    issuer: str,
    subject: str,
    units: Iterable[Unit],
    document: bytes | None = None,
    document_sha256: str = "",
) -> Circular:
    if not may_manage_circulars(actor, agency):
        raise Http404
    units = list(units)
    if not units:
        raise OutreachError(_("Pilih minimal satu OPD tujuan."), "units")
    if any(unit.agency_id != agency.pk for unit in units):
        raise OutreachError(_("OPD tujuan harus milik instansi penerbit."), "units")
    number, issuer, subject = number.strip(), issuer.strip(), subject.strip()
    if not (number and issuer and subject):
        raise OutreachError(_("Nomor, penerbit dan perihal wajib diisi."), "number")
    with transaction.atomic():
        circular = Circular(
            agency=agency,
            number=number,
            issued_on=issued_on,
            issuer=issuer,
            subject=subject,
            document_sha256=document_sha256,
            created_by=actor,
        )
        if document:
            circular.document.name = store_file(STORAGE_PREFIX, document, "pdf")
        try:
            with transaction.atomic():
                circular.save()
        except IntegrityError:
            raise OutreachError(_("Surat edaran dengan nomor ini sudah ada."), "number") from None
        CircularDelivery.objects.bulk_create([CircularDelivery(circular=circular, unit=unit) for unit in units])
        record(actor, "circular.created", circular, number=number, units=[unit.pk for unit in units])
    return circular


def circular_acknowledge(*, actor, delivery: CircularDelivery) -> CircularDelivery:
    """The head of the receiving OPD confirms receipt (once; a second confirmation changes nothing)."""
    if delivery.unit_id not in headed_unit_ids(actor):
        raise Http404
    with transaction.atomic():
        updated = CircularDelivery.objects.filter(
            pk=delivery.pk, acknowledged_at=None, circular__cancelled_at=None
        ).update(acknowledged_at=timezone.now(), acknowledged_by=actor)
        if updated:
            record(
                actor,
                "circular.acknowledged",
                delivery.circular,
                agency=delivery.circular.agency_id,
                unit=delivery.unit_id,
            )
    delivery.refresh_from_db()
    return delivery


def circular_update(
    *, actor, circular: Circular, number: str, issued_on: date, issuer: str, subject: str, units: Iterable[Unit]
) -> Circular:
    """Edit a circular (the issuing agency's admin or Satgas). An OPD may be added; one that already
    acknowledged cannot be taken off. Audited with what changed."""
    if not may_manage_circulars(actor, circular.agency_id):
        raise Http404
    units = list(units)
    if not units:
        raise OutreachError(_("Pilih minimal satu OPD tujuan."), "units")
    if any(unit.agency_id != circular.agency_id for unit in units):
        raise OutreachError(_("OPD tujuan harus milik instansi penerbit."), "units")
    number, issuer, subject = number.strip(), issuer.strip(), subject.strip()
    if not (number and issuer and subject):
        raise OutreachError(_("Nomor, penerbit dan perihal wajib diisi."), "number")
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if circular.cancelled_at is not None:
            raise OutreachError(_("Surat edaran ini sudah dibatalkan dan tidak dapat diubah."), "number")
        wanted = {unit.pk for unit in units}
        present = dict(circular.deliveries.values_list("unit_id", "acknowledged_at"))
        removed = set(present) - wanted
        if any(present[pk] is not None for pk in removed):
            raise OutreachError(_("OPD yang sudah mengonfirmasi penerimaan tidak dapat dihapus dari tujuan."), "units")
        before = {"number": circular.number, "issued_on": circular.issued_on.isoformat(), "issuer": circular.issuer,
                  "subject": circular.subject, "units": sorted(present)}  # fmt: skip
        circular.number, circular.issued_on, circular.issuer, circular.subject = number, issued_on, issuer, subject
        try:
            with transaction.atomic():
                circular.save(update_fields=["number", "issued_on", "issuer", "subject"])
        except IntegrityError:
            raise OutreachError(_("Surat edaran dengan nomor ini sudah ada."), "number") from None
        circular.deliveries.filter(unit_id__in=sorted(removed)).delete()
        CircularDelivery.objects.bulk_create(
            [CircularDelivery(circular=circular, unit_id=pk) for pk in sorted(wanted - set(present))]
        )
        after = {"number": number, "issued_on": issued_on.isoformat(), "issuer": issuer, "subject": subject,
                 "units": sorted(wanted)}  # fmt: skip
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            record(actor, "circular.changed", circular, agency=circular.agency_id, changes=changes)
    return circular


def circular_remove(*, actor, circular: Circular, reason: str = "") -> str:
    """Delete a circular no OPD acknowledged; one with acknowledgements is cancelled instead
    ("batalkan", reason required): kept, shown as cancelled, left out of the coverage figures.
    Returns "deleted" or "cancelled". Audited either way."""
    if not may_manage_circulars(actor, circular.agency_id):
        raise Http404
    reason = (reason or "").strip()
    with transaction.atomic():
        circular = Circular.objects.select_for_update().get(pk=circular.pk)
        if circular.cancelled_at is not None:
            raise OutreachError(_("Surat edaran ini sudah dibatalkan."), "reason")
        acknowledged = circular.deliveries.filter(acknowledged_at__isnull=False).count()
        if not acknowledged:
            name = circular.document.name
            record(actor, "circular.deleted", None, agency=circular.agency_id, circular=circular.pk,
                   number=circular.number, reason=reason)  # fmt: skip
            circular.deliveries.all().delete()
            circular.delete()
            if name:
                transaction.on_commit(lambda: default_storage.delete(name))
            return "deleted"
        if not reason:
            raise OutreachError(
                _("Surat edaran ini sudah dikonfirmasi diterima oleh OPD; tulis alasan untuk membatalkannya."), "reason"
            )
        circular.cancelled_at, circular.cancelled_reason, circular.cancelled_by = timezone.now(), reason, actor
        circular.save(update_fields=["cancelled_at", "cancelled_reason", "cancelled_by"])
        record(actor, "circular.cancelled", circular, agency=circular.agency_id, reason=reason,
               acknowledged=acknowledged)  # fmt: skip
    return "cancelled"


def circulars_for(user) -> QuerySet[Circular]:
    """Circulars the user may read: of agencies in reach, or addressed to a unit they head."""
    reach = outreach_reach(user)
    if reach.is_empty:
        return Circular.objects.none()
    return (
        Circular.objects.filter(
            pk__in=Circular.objects.filter(reach.q(agency_field="agency", unit_field="deliveries__unit")).values("pk")
        )
        .select_related("agency")
        .annotate(
            delivered=Count("deliveries", distinct=True),
            acknowledged=Count("deliveries", filter=Q(deliveries__acknowledged_at__isnull=False), distinct=True),
        )
    )


def circular_for(user, pk: int) -> Circular:
    circular = circulars_for(user).filter(pk=pk).first()
    if circular is None:
        raise Http404
    return circular


def deliveries_of(user, circular: Circular) -> QuerySet[CircularDelivery]:
    """The OPDs of one circular the user may see: all of them, or only the units they head."""
    reach = outreach_reach(user)
    qs = circular.deliveries.select_related("unit", "acknowledged_by").order_by("unit__name")
    if reach.covers_agency(circular.agency_id):
        return qs
    return qs.filter(unit_id__in=sorted(reach.unit_ids))
