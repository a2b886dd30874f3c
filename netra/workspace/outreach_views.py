"""Staff pages of the prevention outreach (issue #11, items 4 to 7): coverage, circulars, events.

Thin: parse, call one ``netra.pacts`` service or selector, render. Scope lives in the domain
(``netra.pacts.outreach_access``): an object outside the user's reach answers 404. Uploaded files
are cleaned here with ``netra.cases.evidence.clean`` (PDFs rasterised, photos re-encoded without
EXIF) because ``cases`` sits above ``pacts``; the domain only ever receives the cleaned bytes.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netra.cases import evidence
from netra.catalog.models import Election
from netra.orgs.access import staff_required
from netra.orgs.models import Agency, Unit
from netra.pacts import circulars, coverage, events
from netra.pacts.circulars import OutreachError
from netra.pacts.outreach_access import (
    headed_unit_ids,
    managed_agencies,
    may_manage_circulars,
    may_manage_events,
    outreach_reach,
)
from netra.pacts.outreach_models import CircularDelivery, EventFile, SocialisationEvent
from netra.workspace.people import site_url

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
MAX_ROSTER_ROWS = 300
MISSING_PAGE = 100  # who has not signed, per page (keyset: ?setelah=<last id>)


def _serve(name: str, content_type: str, filename: str) -> FileResponse:
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    inline = content_type in ("application/pdf", "image/jpeg", "image/png", "image/webp")
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Referrer-Policy"] = "no-referrer"
    return response


def _cleaned(upload, *, pdf_only: bool = False):
    """The upload cleaned as evidence is, or an OutreachError with the reason in Indonesian."""
    try:
        cleaned = evidence.clean(upload)
    except evidence.FileRejected as rejected:
        raise OutreachError(rejected.message, "file") from None
    if pdf_only and cleaned.content_type != "application/pdf":
        raise OutreachError(_("Surat edaran harus berupa berkas PDF."), "document")
    return cleaned


# --- coverage ---------------------------------------------------------------------------------


def _coverage_filters(request, reach):
    agency = election = None
    if code := request.GET.get("instansi", "").strip():
        agency = Agency.objects.filter(code=code).first()
        if agency is None or not (reach.everything or agency.pk in reach.agency_ids):
            raise Http404
    if code := request.GET.get("pemilihan", "").strip():
        election = Election.objects.filter(code=code).first()
        if election is None:
            raise Http404
    return agency, election


@require_GET
@staff_required
def coverage_page(request):
    reach = outreach_reach(request.user)
    agency, election = _coverage_filters(request, reach)
    groups = coverage.coverage_by_agency(reach, agency=agency, election=election)
    managed = set(managed_agencies(request.user).values_list("pk", flat=True))
    agencies = (
        Agency.objects.filter(active=True, units__isnull=False)
        .filter(reach.q(agency_field="pk", unit_field="units"))
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "workspace/outreach/coverage.html",
        {
            "groups": groups,
            "managed": managed,
            "agencies": agencies,
            "chosen_agency": agency,
            "elections": Election.objects.order_by("-pk")[:20],
            "chosen_election": election,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@staff_required
def coverage_export(request):
    reach = outreach_reach(request.user)
    if reach.is_empty:
        raise Http404
    agency, election = _coverage_filters(request, reach)
    groups = coverage.coverage_by_agency(reach, agency=agency, election=election)
    filters = {}
    if agency:
        filters[_("instansi")] = agency.code
    if election:
        filters[_("pemilihan")] = election.code
    data = coverage.coverage_export(actor=request.user, groups=groups, filters=filters)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cakupan-pencegahan-{stamp}.xlsx"'
    return response


@require_GET
@staff_required
def coverage_unit(request, pk: int):
    reach = outreach_reach(request.user)
    unit = coverage.unit_in_reach(reach, pk)
    row = coverage.unit_coverage(unit)
    after = request.GET.get("setelah", "")
    after_id = int(after) if after.isdigit() else None
    page = coverage.not_signed(unit, after=after_id, limit=MISSING_PAGE + 1)
    return render(
        request,
        "workspace/outreach/coverage_unit.html",
        {
            "unit": unit,
            "row": row,
            "missing": page[:MISSING_PAGE],
            "missing_count": row.not_signed if row else 0,
            "next_after": page[MISSING_PAGE - 1].pk if len(page) > MISSING_PAGE else None,
            "paged": after_id is not None,
            "may_remind": may_manage_circulars(request.user, unit.agency_id),
            "next_reminder": coverage.next_reminder_at(unit),
            "heads": coverage.unit_heads(unit),
        },
    )


@require_POST
@staff_required
def coverage_remind(request, pk: int):
    unit = coverage.unit_in_reach(outreach_reach(request.user), pk)
    try:
        reminder = coverage.coverage_reminder_send(actor=request.user, unit=unit)
    except OutreachError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Pengingat dikirim ke %(n)d Kepala OPD %(unit)s.") % {"n": reminder.recipients, "unit": unit.name},
        )
    return redirect("workspace:coverage_unit", pk=unit.pk)


# --- circulars --------------------------------------------------------------------------------


class CircularForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Instansi"), queryset=Agency.objects.none())
    number = forms.CharField(label=gettext_lazy("Nomor"), max_length=120)
    issued_on = forms.DateField(label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label=gettext_lazy("Penerbit"), max_length=200)
    subject = forms.CharField(label=gettext_lazy("Perihal"), max_length=300)
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("OPD tujuan"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    document = forms.FileField(label=gettext_lazy("Berkas PDF"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = managed_agencies(user)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            agency__in=agencies
        ).select_related("agency")
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]


@require_http_methods(["GET", "POST"])
@staff_required
def circular_list(request):
    reach = outreach_reach(request.user)
    if reach.is_empty:
        raise Http404
    may_create = managed_agencies(request.user).exists()
    form = CircularForm(user=request.user) if may_create else None
    if request.method == "POST":
        if not may_create:
            raise Http404
        form = CircularForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                cleaned = _cleaned(data["document"], pdf_only=True) if data["document"] else None
                circular = circulars.circular_create(
                    actor=request.user,
                    agency=data["agency"],
                    number=data["number"],
                    issued_on=data["issued_on"],
                    issuer=data["issuer"],
                    subject=data["subject"],
                    units=data["units"],
                    document=cleaned.data if cleaned else None,
                    document_sha256=cleaned.sha256_received if cleaned else "",
                )
            except OutreachError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request, _("Surat edaran %(number)s dikirim ke OPD tujuan.") % {"number": circular.number}
                )
                return redirect("workspace:circular", pk=circular.pk)
    return render(
        request,
        "workspace/outreach/circulars.html",
        {"circulars": circulars.circulars_for(request.user), "form": form},
    )


@require_GET
@staff_required
def circular_detail(request, pk: int):
    circular = circulars.circular_for(request.user, pk)
    return render(
        request,
        "workspace/outreach/circular.html",
        {
            "circular": circular,
            "deliveries": circulars.deliveries_of(request.user, circular),
            "headed": headed_unit_ids(request.user),
            "manages": may_manage_circulars(request.user, circular.agency_id),
        },
    )


@require_POST
@staff_required
def circular_acknowledge(request, pk: int):
    circular = circulars.circular_for(request.user, pk)
    delivery = get_object_or_404(CircularDelivery, circular=circular, unit_id=request.POST.get("unit") or 0)
    circulars.circular_acknowledge(actor=request.user, delivery=delivery)
    messages.success(request, _("Penerimaan surat edaran dikonfirmasi."))
    return redirect("workspace:circular", pk=circular.pk)


@require_GET
@staff_required
def circular_document(request, pk: int):
    circular = circulars.circular_for(request.user, pk)
    if not circular.document.name:
        raise Http404
    return _serve(circular.document.name, "application/pdf", f"surat-edaran-{circular.pk}.pdf")


# --- events -----------------------------------------------------------------------------------


class EventForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Penyelenggara"), queryset=Agency.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Jenis"), choices=SocialisationEvent.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Judul"), max_length=300)
    held_on = forms.DateField(label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("Tempat"), max_length=300, required=False)
    online = forms.BooleanField(label=gettext_lazy("Daring"), required=False)
    speakers = forms.CharField(
        label=gettext_lazy("Narasumber"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Satu per baris: nama; instansi"),
    )
    audience_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("OPD peserta"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_roles = forms.CharField(label=gettext_lazy("Peserta (jabatan)"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = managed_agencies(user, events=True)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
        # An organiser may invite the OPDs of every agency it reaches (a Bawaslu rakor: the pemda's).
        reach = outreach_reach(user)
        self.fields["audience_units"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.filter(reach.q(agency_field="agency", unit_field=None))
            .select_related("agency")
            .order_by("agency__name", "name")
        )

    def speaker_rows(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data.get("speakers", "").splitlines():
            name, _sep, institution = line.partition(";")
            rows.append({"name": name.strip(), "institution": institution.strip()})
        return rows


@require_http_methods(["GET", "POST"])
@staff_required
def event_list(request):
    reach = outreach_reach(request.user)
    if reach.is_empty:
        raise Http404
    may_create = managed_agencies(request.user, events=True).exists()
    form = EventForm(user=request.user) if may_create else None
    if request.method == "POST":
        if not may_create:
            raise Http404
        form = EventForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = events.event_create(
                    actor=request.user,
                    agency=data["agency"],
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    place=data["place"],
                    online=data["online"],
                    speakers=form.speaker_rows(),
                    audience_units=data["audience_units"],
                    audience_roles=data["audience_roles"],
                )
            except OutreachError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Kegiatan dicatat. Bagikan kode hadir kepada peserta."))
                return redirect("workspace:event", pk=event.pk)
    return render(request, "workspace/outreach/events.html", {"events": events.events_for(request.user), "form": form})


def checkin_url(request, event: SocialisationEvent) -> str:
    path = reverse("portal:checkin") + f"?kode={event.checkin_code}"
    return site_url(request).rstrip("/") + path


@require_GET
@staff_required
def event_detail(request, pk: int):
    event = events.event_for(request.user, pk)
    manages = may_manage_events(request.user, event.agency_id)
    attendances = event.attendances.select_related("employee", "employee__unit").order_by("employee__name")
    present = set(attendances.values_list("employee_id", flat=True))
    roster = []
    query = request.GET.get("q", "").strip()
    if manages:
        candidates = events.eligible_employees(event).select_related("unit").order_by("unit__name", "name")
        if query:
            candidates = candidates.filter(name__icontains=query)
        roster = [e for e in candidates[:MAX_ROSTER_ROWS] if e.pk not in present]
    url = checkin_url(request, event)
    return render(
        request,
        "workspace/outreach/event.html",
        {
            "event": event,
            "manages": manages,
            "attendances": attendances[:MAX_ROSTER_ROWS],
            "attendance_count": len(present),
            "roster": roster,
            "query": query,
            "checkin_url": url,
            "qr_svg": segno.make(url, error="m").svg_inline(scale=4, title=_("Kode QR presensi")),
            "photos": event.files.filter(kind=EventFile.Kind.PHOTO),
            "materials": event.files.filter(kind=EventFile.Kind.MATERIAL),
            "import_errors": request.session.pop("event_import_errors", None),
        },
    )


def _managed_event(request, pk: int) -> SocialisationEvent:
    event = events.event_for(request.user, pk)
    if not may_manage_events(request.user, event.agency_id):
        raise Http404
    return event


@require_POST
@staff_required
def event_attendance(request, pk: int):
    event = _managed_event(request, pk)
    try:
        if upload := request.FILES.get("file"):
            if upload.size > 5 * 1024 * 1024:
                raise OutreachError(_("Berkas daftar hadir paling besar 5 MB."))
            added, errors = events.attendance_import(
                actor=request.user, event=event, data=upload.read(), filename=upload.name or ""
            )
            if errors:
                request.session["event_import_errors"] = errors[:200]
                messages.error(request, _("Tidak ada yang diimpor: %(n)d baris bermasalah.") % {"n": len(errors)})
                return redirect("workspace:event", pk=event.pk)
        else:
            added = events.attendance_tick(
                actor=request.user,
                event=event,
                employee_ids=[v for v in request.POST.getlist("employee") if v.isdigit()],
            )
    except OutreachError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(n)d kehadiran dicatat.") % {"n": added})
    return redirect("workspace:event", pk=event.pk)


@require_POST
@staff_required
def event_upload(request, pk: int):
    event = _managed_event(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise OutreachError(_("Pilih berkas yang akan diunggah."))
        cleaned = _cleaned(upload)
        events.event_file_add(
            actor=request.user,
            event=event,
            kind=request.POST.get("kind", ""),
            data=cleaned.data,
            content_type=cleaned.content_type,
            sha256=cleaned.sha256_received,
        )
    except OutreachError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Berkas disimpan (metadata dihapus)."))
    return redirect("workspace:event", pk=event.pk)


@require_POST
@staff_required
def event_update(request, pk: int):
    event = _managed_event(request, pk)
    events.event_summary_update(
        actor=request.user,
        event=event,
        summary=request.POST.get("summary", "")[:5000],
        checkin_open=request.POST.get("checkin_open") == "1",
    )
    messages.success(request, _("Kegiatan diperbarui."))
    return redirect("workspace:event", pk=event.pk)


@require_GET
@staff_required
def event_file(request, pk: int, file_id: int):
    event = events.event_for(request.user, pk)
    row = get_object_or_404(EventFile, pk=file_id, event=event)
    name = row.file.name or ""
    extension = name.rsplit(".", 1)[-1]
    return _serve(name, row.content_type, f"kegiatan-{event.pk}-{row.pk}.{extension}")


# --- editing, deleting and cancelling circulars and events (issue #11) -------------------------


class CircularEditForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Nomor"), max_length=120)
    issued_on = forms.DateField(label=gettext_lazy("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label=gettext_lazy("Penerbit"), max_length=200)
    subject = forms.CharField(label=gettext_lazy("Perihal"), max_length=300)
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("OPD tujuan"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, circular, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            agency_id=circular.agency_id
        ).select_related("agency")


def _managed_circular(request, pk: int):
    circular = circulars.circular_for(request.user, pk)
    if not may_manage_circulars(request.user, circular.agency_id):
        raise Http404
    return circular


@require_http_methods(["GET", "POST"])
@staff_required
def circular_edit(request, pk: int):
    circular = _managed_circular(request, pk)
    if circular.cancelled_at is not None:
        raise Http404
    initial = {
        "number": circular.number,
        "issued_on": circular.issued_on,
        "issuer": circular.issuer,
        "subject": circular.subject,
        "units": list(circular.deliveries.values_list("unit_id", flat=True)),
    }
    form = CircularEditForm(request.POST or None, initial=initial, circular=circular)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circulars.circular_update(
                actor=request.user,
                circular=circular,
                number=data["number"],
                issued_on=data["issued_on"],
                issuer=data["issuer"],
                subject=data["subject"],
                units=data["units"],
            )
        except OutreachError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Surat edaran diperbarui."))
            return redirect("workspace:circular", pk=circular.pk)
    return render(request, "workspace/outreach/circular_edit.html", {"circular": circular, "form": form})


@require_POST
@staff_required
def circular_remove(request, pk: int):
    circular = _managed_circular(request, pk)
    if request.POST.get("confirm") != "1":
        return redirect("workspace:circular", pk=circular.pk)  # only the page's own button removes
    try:
        outcome = circulars.circular_remove(
            actor=request.user, circular=circular, reason=request.POST.get("reason", "")[:1000]
        )
    except OutreachError as error:
        messages.error(request, error.message)
        return redirect("workspace:circular", pk=circular.pk)
    if outcome == "deleted":
        messages.success(request, _("Surat edaran %(number)s dihapus.") % {"number": circular.number})
        return redirect("workspace:circulars")
    messages.success(request, _("Surat edaran %(number)s dibatalkan.") % {"number": circular.number})
    return redirect("workspace:circular", pk=circular.pk)


class EventEditForm(EventForm):
    election = forms.ModelChoiceField(label=gettext_lazy("Pemilihan"), queryset=Election.objects.none(), required=False)
    summary = forms.CharField(
        label=gettext_lazy("Ringkasan"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["agency"]  # the organiser does not change
        self.fields["election"].queryset = Election.objects.order_by("-voting_date")  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@staff_required
def event_edit(request, pk: int):
    event = _managed_event(request, pk)
    if event.cancelled_at is not None:
        raise Http404
    initial = {
        "kind": event.kind,
        "title": event.title,
        "held_on": event.held_on,
        "place": event.place,
        "online": event.online,
        "speakers": "\n".join(f"{s['name']}; {s.get('institution', '')}".rstrip("; ") for s in event.speakers),
        "audience_units": list(event.audience_units.values_list("pk", flat=True)),
        "audience_roles": event.audience_roles,
        "election": event.election_id,
        "summary": event.summary,
    }
    form = EventEditForm(request.POST or None, initial=initial, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            events.event_update(
                actor=request.user,
                event=event,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                online=data["online"],
                speakers=form.speaker_rows(),
                audience_units=data["audience_units"],
                audience_roles=data["audience_roles"],
                summary=data["summary"],
                election=data["election"],
            )
        except OutreachError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Kegiatan diperbarui."))
            return redirect("workspace:event", pk=event.pk)
    return render(request, "workspace/outreach/event_edit.html", {"event": event, "form": form})


@require_POST
@staff_required
def event_remove(request, pk: int):
    event = _managed_event(request, pk)
    if request.POST.get("confirm") != "1":
        return redirect("workspace:event", pk=event.pk)  # only the page's own button removes
    try:
        outcome = events.event_remove(actor=request.user, event=event, reason=request.POST.get("reason", "")[:1000])
    except OutreachError as error:
        messages.error(request, error.message)
        return redirect("workspace:event", pk=event.pk)
    if outcome == "deleted":
        messages.success(request, _("Kegiatan %(title)s dihapus.") % {"title": event.title})
        return redirect("workspace:events")
    messages.success(
        request, _("Kegiatan %(title)s dibatalkan; daftar hadirnya tetap disimpan.") % {"title": event.title}
    )
    return redirect("workspace:event", pk=event.pk)
