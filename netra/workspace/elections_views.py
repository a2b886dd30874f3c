"""The elections page (issue #16 item 5): a national admin adds and edits elections and their
phases — Pemilu 2029, a PSU, a repeat Pilkada — in the workspace, not only the Django admin.

Who: ``netra.orgs.elections.may_manage_elections`` (superuser; agency admin of BKN pusat or
Bawaslu RI); anyone else 404. The phase check is ``netra.catalog.elections.phase_problems``.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from netra.catalog.models import Election, ElectionPhase
from netra.orgs.access import staff_required
from netra.orgs.elections import ElectionError, election_save, may_manage_elections

PHASE_KINDS = ElectionPhase.Kind


def _date_field(label):
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ElectionForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Kode"),
        max_length=40,
        help_text=gettext_lazy("Contoh: pemilu-2029, psu-pilkada-2024-katingan"),
    )
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=160)
    kind = forms.ChoiceField(label=gettext_lazy("Jenis"), choices=Election.Kind.choices)
    voting_date = forms.DateField(
        label=gettext_lazy("Hari pemungutan suara"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.CharField(
        label=gettext_lazy("Sumber (PKPU)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
        for kind, label in PHASE_KINDS.choices:
            self.fields[f"phase_{kind}_start"] = _date_field(gettext_lazy("%(phase)s: mulai") % {"phase": label})
            self.fields[f"phase_{kind}_end"] = _date_field(gettext_lazy("%(phase)s: selesai") % {"phase": label})

    def clean(self):
        data = super().clean() or {}
        for kind in PHASE_KINDS.values:
            start, end = data.get(f"phase_{kind}_start"), data.get(f"phase_{kind}_end")
            if bool(start) != bool(end):
                self.add_error(
                    f"phase_{kind}_start" if not start else f"phase_{kind}_end",
                    _("Isi tanggal mulai dan selesai, atau kosongkan keduanya."),
                )
        return data

    def phases(self) -> dict:
        data = self.cleaned_data
        return {
            kind: (data[f"phase_{kind}_start"], data[f"phase_{kind}_end"])
            for kind in PHASE_KINDS.values
            if data.get(f"phase_{kind}_start") and data.get(f"phase_{kind}_end")
        }

    def phase_rows(self):
        return [
            (label, self[f"phase_{kind}_start"], self[f"phase_{kind}_end"], f"phase_{kind}")
            for kind, label in PHASE_KINDS.choices
        ]


def _allowed(request) -> None:
    if not may_manage_elections(request.user):
        raise Http404


def _initial(election: Election) -> dict:
    initial = {
        "code": election.code,
        "name": election.name,
        "kind": election.kind,
        "voting_date": election.voting_date,
        "source": election.source,
    }
    for phase in election.phases.all():
        initial[f"phase_{phase.kind}_start"] = phase.start
        initial[f"phase_{phase.kind}_end"] = phase.end
    return initial


@require_GET
@staff_required
def election_list(request):
    _allowed(request)
    elections = Election.objects.prefetch_related("phases").order_by("-voting_date", "code")
    return render(request, "workspace/elections.html", {"elections": elections})


def _edit(request, election: Election | None):
    editing = election is not None
    initial = _initial(election) if election is not None else None
    form = ElectionForm(request.POST or None, initial=initial, editing=editing)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = election_save(
                    actor=request.user,
                    code=election.code if election is not None else data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    voting_date=data["voting_date"],
                    source=data.get("source", ""),
                    phases=form.phases(),
                    create=not editing,
                )
            except ElectionError as error:
                if error.code == "not_found":
                    raise Http404 from None
                for name, problems in error.fields.items():
                    target = f"{name}_start" if name.startswith("phase_") else name
                    for problem in problems:
                        form.add_error(target if target in form.fields else None, problem)
            else:
                messages.success(request, _("Pemilihan %(name)s disimpan.") % {"name": saved.name})
                return redirect("workspace:elections")
    return render(request, "workspace/election_form.html", {"form": form, "election": election}, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def election_new(request):
    _allowed(request)
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@staff_required
def election_edit(request, code: str):
    _allowed(request)
    return _edit(request, get_object_or_404(Election, code=code))
