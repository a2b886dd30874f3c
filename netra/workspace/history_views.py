"""Staff pages of the historical import (issue #12 item 4): upload an earlier case register, follow
its progress, read its row errors. Thin: the rules are ``netra.cases.history_import``; only an
agency admin or the Satgas lead of the owning agency reaches them (anyone else: 404)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from netra.cases import history_import as history
from netra.cases.models import HistoryImport
from netra.orgs.access import staff_required


class HistoryImportForm(forms.Form):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Instansi"))
    file = forms.FileField(
        label=gettext_lazy("Berkas register kasus (.xlsx atau .csv)"),
        help_text=gettext_lazy("Pakai templat. Paling besar 20 MB."),
    )
    import_valid_rows = forms.BooleanField(
        label=gettext_lazy("Impor baris yang valid (lewati baris yang salah)"), required=False
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if agencies.count() == 1:
            self.fields["agency"].initial = agencies.first()


def _agencies_or_404(user):
    agencies = history.importing_agencies(user).order_by("name")
    if not agencies.exists():
        raise Http404
    return agencies


@require_http_methods(["GET", "POST"])
@staff_required
def history_import(request):
    agencies = _agencies_or_404(request.user)
    form = HistoryImportForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(history.max_bytes() + 1)
        job = history.start_history_import(
            user=request.user,
            agency=form.cleaned_data["agency"],
            data=data,
            filename=upload.name or "",
            import_valid_rows=form.cleaned_data["import_valid_rows"],
        )
        return redirect("workspace:history_import_status", pk=job.pk)
    jobs = HistoryImport.objects.filter(agency__in=agencies).order_by("-created_at")[:10]
    return render(
        request, "workspace/history_import.html", {"form": form, "jobs": jobs}, status=422 if form.errors else 200
    )


@require_GET
@staff_required
def history_template(request):
    _agencies_or_404(request.user)
    response = HttpResponse(
        history.template_xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="templat-register-kasus.xlsx"'
    return response


@require_GET
@staff_required
def history_import_status(request, pk: int):
    job = history.history_import_for(request.user, pk)
    percent = 100 if job.finished_at else (100 * job.processed_rows // job.total_rows if job.total_rows else 0)
    context = {"job": job, "percent": percent, "running": job.finished_at is None}
    if request.headers.get("HX-Request"):
        return render(request, "workspace/history_progress.html", context)
    return render(request, "workspace/history_status.html", context)
