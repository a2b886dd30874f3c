"""Staff pages of the pacts (#11): roster (list, import with progress), campaigns (list, create,
edit, page with per-unit progress), code sheets, signed-sheet upload, ceremonies, revocation.

Thin: scope and rules are ``netra.pacts.selectors`` / ``services`` (404 outside scope). This face
may import both ``cases`` and ``pacts``: an uploaded signed sheet is cleaned here with
``netra.cases.evidence.clean`` (metadata stripped exactly like evidence) and only the cleaned
bytes go down to ``pacts.services.record_sheet``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from netra.cases import evidence
from netra.catalog.models import Election
from netra.orgs.access import staff_required
from netra.orgs.models import Unit
from netra.pacts import documents, roster, selectors, services
from netra.pacts.links import sign_link_token
from netra.pacts.models import Employee, PactCampaign, PactSignature, RosterImport
from netra.pacts.texts import default_pact_text
from netra.workspace.people import site_url


def _access_or_404(user) -> selectors.PactAccess:
    access = selectors.pact_access(user)
    if access.is_empty:
        raise Http404
    return access


# --- roster ----------------------------------------------------------------------------------------


@require_GET
@staff_required
def roster_list(request):
    access = _access_or_404(request.user)
    employees = selectors.employees_for(request.user, access).order_by("agency__name", "unit__name", "name")
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        employees = employees.filter(Q(name__icontains=q) | Q(nip__startswith=q) | Q(employee_number__iexact=q))
    unit_id = request.GET.get("unit") or ""
    if unit_id.isdigit():
        employees = employees.filter(unit_id=int(unit_id))
    status = request.GET.get("status") or ""
    if status in Employee.Status.values:
        employees = employees.filter(status=status)
    active = request.GET.get("active", "1")
    if active != "all":
        employees = employees.filter(active=active != "0")
    units = Unit.objects.filter(pk__in=employees.values("unit_id")).order_by("name") if not unit_id else None
    page = Paginator(employees, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/pacts/roster.html",
        {
            "page": page,
            "q": q,
            "unit_id": unit_id,
            "status": status,
            "active": active,
            "units": units if units is not None else Unit.objects.filter(pk=int(unit_id)),
            "statuses": Employee.Status.choices,
            "may_import": bool(access.managed or access.everything),
        },
    )


class ImportForm(forms.Form):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Instansi"))
    file = forms.FileField(
        label=gettext_lazy("Berkas daftar pegawai (.xlsx atau .csv)"),
        help_text=gettext_lazy("Pakai templat. Paling besar 10 MB."),
    )
    import_valid_rows = forms.BooleanField(
        label=gettext_lazy("Impor baris yang valid (lewati baris yang salah)"), required=False
    )
    mark_absent_left = forms.BooleanField(
        label=gettext_lazy("Tandai pegawai yang tidak ada di berkas sebagai sudah keluar"), required=False
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()


@require_http_methods(["GET", "POST"])
@staff_required
def roster_import(request):
    agencies = selectors.managed_agencies(request.user).order_by("name")
    if not agencies.exists():
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = roster.max_bytes()
        data = upload.read(limit + 1)
        job = services.start_roster_import(
            user=request.user,
            agency=form.cleaned_data["agency"],
            data=data,
            filename=upload.name or "",
            import_valid_rows=form.cleaned_data["import_valid_rows"],
            mark_absent_left=form.cleaned_data["mark_absent_left"],
        )
        return redirect("workspace:pacts_import_status", pk=job.pk)
    jobs = RosterImport.objects.filter(agency__in=agencies).order_by("-created_at")[:10]
    return render(
        request, "workspace/pacts/import.html", {"form": form, "jobs": jobs}, status=422 if form.errors else 200
    )


@require_GET
@staff_required
def roster_template(request):
    _access_or_404(request.user)
    response = HttpResponse(
        roster.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="templat-daftar-pegawai.xlsx"'
    return response


@require_GET
@staff_required
def roster_import_status(request, pk: int):
    job = selectors.roster_import_for(request.user, pk)
    percent = 100 if job.finished_at else (100 * job.processed_rows // job.total_rows if job.total_rows else 0)
    context = {"job": job, "percent": percent, "running": job.finished_at is None}
    if request.headers.get("HX-Request"):
        return render(request, "workspace/pacts/_import_progress.html", context)
    return render(request, "workspace/pacts/import_status.html", context)


# --- campaigns -------------------------------------------------------------------------------------


@require_GET
@staff_required
def campaign_list(request):
    access = _access_or_404(request.user)
    campaigns = selectors.campaigns_for(request.user, access).annotate(
        signed=Count("signatures", filter=Q(signatures__revoked_at__isnull=True))
    )
    return render(
        request,
        "workspace/pacts/campaigns.html",
        {"campaigns": campaigns, "may_create": bool(access.managed or access.everything)},
    )


class CampaignForm(forms.Form):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Instansi"))
    election = forms.ModelChoiceField(queryset=Election.objects.all(), label=gettext_lazy("Pemilihan"), required=False)
    title = forms.CharField(label=gettext_lazy("Judul"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Mulai"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Berakhir"), widget=forms.DateInput(attrs={"type": "date"}))
    target_units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        label=gettext_lazy("OPD sasaran"),
        required=False,
        help_text=gettext_lazy("Kosongkan untuk semua OPD."),
        widget=forms.CheckboxSelectMultiple,
    )
    target_statuses = forms.MultipleChoiceField(
        choices=Employee.Status.choices,
        label=gettext_lazy("Status sasaran"),
        required=False,
        help_text=gettext_lazy("Kosongkan untuk semua status."),
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(label=gettext_lazy("Teks pakta"), widget=forms.Textarea(attrs={"rows": 18}))
    state = forms.ChoiceField(choices=PactCampaign.State.choices, label=gettext_lazy("Status"))

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["target_units"].queryset = Unit.objects.filter(agency__in=agencies)  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean() or {}
        agency = data.get("agency")
        if agency and any(u.agency_id != agency.pk for u in data.get("target_units") or []):
            self.add_error("target_units", _("OPD sasaran harus milik instansi ini."))
        return data


def _campaign_fields(data) -> dict:
    return {
        "title": data["title"],
        "text": data["text"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "election": data["election"],
        "target_units": list(data["target_units"]),
        "target_statuses": list(data["target_statuses"]),
    }


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_new(request):
    agencies = selectors.managed_agencies(request.user).order_by("name")
    if not agencies.exists():
        raise Http404
    first = agencies.first()
    initial: dict[str, object] = {"text": default_pact_text(agency_name=first.name if first else ""), "state": "draft"}
    if agencies.count() == 1:
        initial["agency"] = first
    form = CampaignForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _campaign_fields(form.cleaned_data)
        try:
            campaign = services.create_campaign(user=request.user, agency=form.cleaned_data["agency"], **fields)
            if form.cleaned_data["state"] != campaign.state:
                services.update_campaign(user=request.user, campaign=campaign, state=form.cleaned_data["state"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Kampanye pakta dibuat."))
            return redirect("workspace:pacts_campaign", pk=campaign.pk)
    return render(
        request,
        "workspace/pacts/campaign_form.html",
        {"form": form, "campaign": None},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_edit(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk, manage=True)
    agencies = selectors.managed_agencies(request.user).filter(pk=campaign.agency_id)
    initial = {
        "agency": campaign.agency,
        "election": campaign.election,
        "title": campaign.title,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "target_units": list(campaign.target_units.all()),
        "target_statuses": campaign.target_statuses,
        "text": campaign.text,
        "state": campaign.state,
    }
    form = CampaignForm(request.POST or None, agencies=agencies, initial=initial)
    form.fields["agency"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(
                user=request.user,
                campaign=campaign,
                state=form.cleaned_data["state"],
                **_campaign_fields(form.cleaned_data),
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Kampanye pakta disimpan."))
            return redirect("workspace:pacts_campaign", pk=campaign.pk)
    return render(
        request,
        "workspace/pacts/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=422 if form.errors else 200,
    )


def _unit_progress(request, campaign: PactCampaign, access: selectors.PactAccess) -> list[dict]:
    targets = services.campaign_targets(campaign).filter(access.employees_q())
    live = PactSignature.objects.filter(campaign=campaign, revoked_at__isnull=True)
    rows = (
        targets.values("unit_id", "unit__name")
        .annotate(total=Count("pk"), signed=Count("pk", filter=Q(pk__in=live.values("employee_id"))))
        .order_by("unit__name")
    )
    base = site_url(request)
    out = []
    for row in rows:
        token = sign_link_token(campaign, row["unit_id"])
        out.append(
            {
                **row,
                "percent": 100 * row["signed"] // row["total"] if row["total"] else 0,
                "link": base.rstrip("/") + _sign_path(token),
            }
        )
    return out


def _sign_path(token: str) -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override("id"):
        return reverse("portal:pact_sign", args=[token])


@require_GET
@staff_required
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    access = selectors.pact_access(request.user)
    manages = access.manages(campaign.agency_id)
    signatures = (
        selectors.signatures_for(request.user, access)
        .filter(campaign=campaign)
        .select_related("employee__unit")
        .order_by("-signed_at")
    )
    unsigned = (
        services.campaign_targets(campaign)
        .filter(access.employees_q())
        .exclude(pk__in=PactSignature.objects.filter(campaign=campaign, revoked_at__isnull=True).values("employee_id"))
        .select_related("unit")
        .order_by("unit__name", "name")
    )
    # A signed sheet belongs to one OPD: choosing it first lists that OPD's employees only.
    sheet_unit = None
    if (chosen := request.GET.get("opd", "")).isdigit():
        sheet_unit = Unit.objects.filter(pk=int(chosen), agency_id=campaign.agency_id).first()
        if sheet_unit is None:
            raise Http404
        unsigned = unsigned.filter(unit=sheet_unit)
    return render(
        request,
        "workspace/pacts/campaign.html",
        {
            "campaign": campaign,
            "manages": manages,
            "sheet_unit": sheet_unit,
            "units": _unit_progress(request, campaign, access),
            "signatures": signatures[:200],
            "unsigned": unsigned[:500],
            "ceremonies": campaign.ceremonies.prefetch_related("signatories"),
            "methods": PactSignature.Method,
        },
    )


@require_POST
@staff_required
def campaign_codes(request, pk: int):
    """Issue fresh one-time codes for one unit's unsigned targets and print them (PDF)."""
    campaign = selectors.campaign_for(request.user, pk, manage=True)
    unit_id = request.POST.get("unit") or ""
    employees = services.campaign_targets(campaign).exclude(
        pk__in=PactSignature.objects.filter(campaign=campaign, revoked_at__isnull=True).values("employee_id")
    )
    unit = None
    if unit_id.isdigit():
        unit = Unit.objects.filter(pk=int(unit_id), agency_id=campaign.agency_id).first()
        if unit is None:
            raise Http404
        employees = employees.filter(unit=unit)
    issued = services.issue_signing_codes(user=request.user, campaign=campaign, employees=employees.order_by("name"))
    token = sign_link_token(campaign, unit.pk if unit else None)
    pdf = documents.code_sheet_pdf(
        campaign,
        issued,
        sign_url=site_url(request).rstrip("/") + _sign_path(token),
        unit_name=unit.name if unit else "",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="kode-pakta-{campaign.pk}-{unit_id or "semua"}.pdf"'
    return response


@require_POST
@staff_required
def campaign_sheet(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk, manage=True)
    upload = request.FILES.get("sheet")
    ids = [i for i in request.POST.getlist("employees") if i.isdigit()]
    unit = None
    if (chosen := request.POST.get("unit", "")).isdigit():
        unit = Unit.objects.filter(pk=int(chosen), agency_id=campaign.agency_id).first()
        if unit is None:
            raise Http404
    if upload is None:
        messages.error(request, _("Pilih berkas lembar bertanda tangan (PDF atau foto)."))
        return redirect("workspace:pacts_campaign", pk=campaign.pk)
    try:
        cleaned = evidence.clean(upload)
        if cleaned.content_type == "video/mp4":
            raise evidence.FileRejected("unsupported_media_type", _("Unggah PDF atau foto, bukan video."))
        services.record_sheet(
            user=request.user,
            campaign=campaign,
            cleaned=cleaned.data,
            content_type=cleaned.content_type,
            extension=evidence.EXTENSIONS[cleaned.content_type],
            employee_ids=ids,
            unit=unit,
        )
    except evidence.FileRejected as rejected:
        messages.error(request, rejected.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Lembar tersimpan; %(count)d tanda tangan tercatat.") % {"count": len(ids)})
    back = reverse("workspace:pacts_campaign", args=[campaign.pk])
    return redirect(f"{back}?opd={unit.pk}#sheet-form" if unit else back)


@require_POST
@staff_required
def campaign_ceremony(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk, manage=True)
    names = request.POST.getlist("signatory_name")
    positions = request.POST.getlist("signatory_position")
    institutions = request.POST.getlist("signatory_institution")
    signatories = [
        services.Signatory(n.strip()[:200], p.strip()[:200], i.strip()[:200])
        for n, p, i in zip(names, positions, institutions, strict=False)
        if n.strip()
    ]
    held_on = forms.DateField().clean(request.POST.get("held_on")) if request.POST.get("held_on") else None
    place = (request.POST.get("place") or "").strip()[:200]
    try:
        if held_on is None or not place:
            raise ValidationError(_("Isi tanggal dan tempat upacara."))
        services.record_ceremony(
            user=request.user,
            campaign=campaign,
            held_on=held_on,
            place=place,
            minutes_number=(request.POST.get("minutes_number") or "").strip()[:100],
            signatories=signatories,
            employee_ids=[i for i in request.POST.getlist("employees") if i.isdigit()],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Berita acara upacara tersimpan."))
    return redirect("workspace:pacts_campaign", pk=campaign.pk)


@require_POST
@staff_required
def signature_revoke(request, pk: int):
    signature = selectors.signature_for(request.user, pk, manage=True)
    try:
        services.revoke_signature(user=request.user, signature=signature, reason=request.POST.get("reason", "")[:1000])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Tanda tangan %(name)s dicabut.") % {"name": signature.signed_name})
    return redirect("workspace:pacts_campaign", pk=signature.campaign_id)
