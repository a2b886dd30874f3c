"""Forms of the staff workspace: queue filters, bulk actions, messages and internal notes."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases import reporter_data
from netra.cases.models import FollowUp

# The queue's filters live below the faces: the insights export reads the same GET parameters.
from netra.cases.queue_filters import QueueFilterForm, SpacedQuickSelect, agency_choices, region_choices  # noqa: F401

ALL_REPORTERS = "all"


class MessageForm(forms.Form):
    """A message to the reporter(s). On a merged case (several reports) the officer picks who gets
    it, one reporter or all, on purpose: nothing is preselected."""

    prefix = "message"  # unique ids beside the internal note's box (issue #17 item 2)
    # Django's Select renders each option through templates: a case with 20 reports spent ~3 ms on it.
    recipient = forms.ChoiceField(label=_("Kirim kepada"), required=False, widget=SpacedQuickSelect)
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
