"""Forms of the staff workspace: queue filters, bulk actions, messages and internal notes."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases import lookups, reporter_data, search
from netra.cases.models import Case, FollowUp
from netra.catalog.models import Region, ViolationGroup
from netra.orgs.models import Agency


def _status_choices():
    return [
        ("active", _("Semua yang aktif")),
        ("all", _("Semua")),
        *Case.Status.choices,
    ]


class QueueFilterForm(forms.Form):
    """GET filters of the queue; an invalid value is dropped, never an error page."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    violation = forms.ChoiceField(label=_("Jenis pelanggaran"), required=False)
    due = forms.ChoiceField(
        label=_("Tenggat"),
        required=False,
        choices=[
            ("", _("Semua")),
            ("overdue", _("Lewat tenggat")),
            ("due_soon", _("Segera jatuh tempo")),
            ("due", _("Lewat atau segera")),
        ],
    )
    election = forms.ChoiceField(label=_("Pemilihan"), required=False)
    agency = forms.ChoiceField(label=_("Instansi"), required=False)
    received_from = forms.DateField(
        label=_("Diterima dari"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    received_to = forms.DateField(
        label=_("sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    mine = forms.BooleanField(label=_("Ditugaskan ke saya"), required=False)
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Nomor kasus, nama, NIP, atau kata dalam laporan"), "type": "search"}
        ),
    )

    def clean_q(self) -> str:
        try:
            return search.clean(self.cleaned_data.get("q"))
        except search.SearchError as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None

    @property
    def search_refused(self) -> str:
        """Why the search text was refused ("" when it was not): the queue then lists nothing."""
        self.is_valid()
        return " ".join(str(e) for e in self.errors.get("q", []))

    def __init__(self, data=None, *, user, regions=(), agencies=()):
        """``regions`` and ``agencies``: (value, label) pairs of the user's case scope only, so an
        agency outside it is not a choice (``filters`` then matches nothing, ``refused`` says so)."""
        super().__init__(data)
        self.user = user
        # Declared as ChoiceFields above; the stubs type self.fields as plain Fields.
        cast(forms.ChoiceField, self.fields["status"]).choices = _status_choices()
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("Semua wilayah")), *regions]
        cast(forms.ChoiceField, self.fields["violation"]).choices = [
            ("", _("Semua jenis")),
            *ViolationGroup.objects.order_by("order", "code").values_list("code", "name_id"),
        ]
        # Through the per-process reference cache: an election added on the elections page shows at once.
        cast(forms.ChoiceField, self.fields["election"]).choices = [
            ("", _("Semua pemilihan")),
            *lookups.election_choices(),
        ]
        cast(forms.ChoiceField, self.fields["agency"]).choices = [
            ("", _("Semua instansi")),
            *((str(pk), name) for pk, name in agencies),
        ]

    @property
    def agency_refused(self) -> bool:
        """An agency was asked for that is not in the user's scope (or does not exist: the same answer)."""
        self.is_valid()
        return "agency" in self.errors

    def filters(self) -> dict:
        """Selector keyword arguments from the valid fields only (a bad value is ignored)."""
        self.is_valid()
        cleaned = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        status = cleaned.get("status") or "active"
        agency = cleaned.get("agency")
        return {
            "status": None if status == "all" else status,
            "region": cleaned.get("region") or None,
            "violation": cleaned.get("violation") or None,
            "due": cleaned.get("due") or None,
            "assigned_to": self.user if cleaned.get("mine") else None,
            "search": cleaned.get("q") or None,
            "election": cleaned.get("election") or None,
            # Outside the scope, or a refused search: no case at all rather than the filter dropped.
            "agency": 0 if "agency" in self.errors or "q" in self.errors else (int(agency) if agency else None),
            "received_from": cleaned.get("received_from"),
            "received_to": cleaned.get("received_to"),
        }


def region_choices(codes) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(code__in=codes).order_by("code")]


def agency_choices(ids) -> list[tuple[int, str]]:
    return list(Agency.objects.filter(pk__in=[pk for pk in ids if pk]).order_by("name").values_list("pk", "name"))


ALL_REPORTERS = "all"


class MessageForm(forms.Form):
    """A message to the reporter(s). On a merged case (several reports) the officer picks who gets
    it, one reporter or all, on purpose: nothing is preselected."""

    prefix = "message"  # unique ids beside the internal note's box (issue #17 item 2)
    recipient = forms.ChoiceField(label=_("Kirim kepada"), required=False)
    body = forms.CharField(
        label=_("Pesan kepada pelapor"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pelapor membaca pesan ini di halaman status laporannya. Nama Anda tidak ditampilkan."),
    )

    def __init__(self, *args, reports=(), viewer=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reports = {str(report.pk): report for report in reports}
        # Reporters are named as the case page names them (netra.cases.reporter_data): by receipt
        # code for the owning Satgas, by order of submission ("#1", "#2") for everyone else.
        by_code = reporter_data.may_see(viewer, case, reporter_data.ReporterField.RECEIPT_CODE)
        self.labels = {
            pk: report.receipt_code if by_code else f"#{index}"
            for index, (pk, report) in enumerate(self.reports.items(), start=1)
        }
        recipient = cast(forms.ChoiceField, self.fields["recipient"])
        if len(self.reports) > 1:
            recipient.required = True
            recipient.error_messages["required"] = _("Pilih penerima pesan: satu pelapor atau semua pelapor.")
            recipient.choices = [
                ("", _("— pilih penerima —")),
                *((pk, _("Pelapor %(code)s saja") % {"code": self.labels[pk]}) for pk in self.reports),
                (ALL_REPORTERS, _("Semua pelapor (%(n)d)") % {"n": len(self.reports)}),
            ]
        else:
            del self.fields["recipient"]

    def label_of(self, report) -> str:
        """How the viewer may name the reporter of ``report``."""
        return self.labels[str(report.pk)]

    def chosen_report(self):
        """The one report the message goes to, or None for every reporter of the case."""
        value = self.cleaned_data.get("recipient") or ALL_REPORTERS
        return None if value == ALL_REPORTERS else self.reports[value]


class InternalNoteForm(forms.Form):
    prefix = "note"  # unique ids beside the reporter's message box (issue #17 item 2)
    body = forms.CharField(
        label=_("Catatan internal baru"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hanya untuk petugas; pelapor tidak pernah melihatnya."),
    )


class FollowUpForm(forms.Form):
    """What happened after the PPK's decision; the closing note belongs to the close move."""

    prefix = "followup"
    kind = forms.ChoiceField(label=_("Jenis tindak lanjut"))
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Uraian"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, label) for k, label in FollowUp.Kind.choices if k != FollowUp.Kind.CLOSING
        ]
