"""Forms of the staff workspace: queue filters, bulk actions, messages and internal notes."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases.models import Case, FollowUp
from netra.catalog.models import Region, ViolationGroup


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
    mine = forms.BooleanField(label=_("Ditugaskan ke saya"), required=False)
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Nomor kasus, nama atau NIP terlapor"), "type": "search"}),
    )

    def __init__(self, data=None, *, user, regions=()):
        super().__init__(data)
        self.user = user
        # Declared as ChoiceFields above; the stubs type self.fields as plain Fields.
        cast(forms.ChoiceField, self.fields["status"]).choices = _status_choices()
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("Semua wilayah")), *regions]
        cast(forms.ChoiceField, self.fields["violation"]).choices = [
            ("", _("Semua jenis")),
            *ViolationGroup.objects.order_by("order", "code").values_list("code", "name_id"),
        ]

    def filters(self) -> dict:
        """Selector keyword arguments from the valid fields only (a bad value is ignored)."""
        self.is_valid()
        cleaned = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        status = cleaned.get("status") or "active"
        return {
            "status": None if status == "all" else status,
            "region": cleaned.get("region") or None,
            "violation": cleaned.get("violation") or None,
            "due": cleaned.get("due") or None,
            "assigned_to": self.user if cleaned.get("mine") else None,
            "search": cleaned.get("q") or None,
        }


def region_choices(codes) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(code__in=codes).order_by("code")]


class MessageForm(forms.Form):
    """Shown on the case page beside the internal note form: ids of their own (both have ``body``)."""

    body = forms.CharField(
        label=_("Pesan kepada pelapor"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pelapor membaca pesan ini di halaman status laporannya. Nama Anda tidak ditampilkan."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_message_%s")
        super().__init__(*args, **kwargs)


class InternalNoteForm(forms.Form):
    body = forms.CharField(
        label=_("Tambah catatan internal"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    """What happened after the PPK's decision; the closing note belongs to the close move."""

    kind = forms.ChoiceField(label=_("Jenis tindak lanjut"))
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Uraian"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, label) for k, label in FollowUp.Kind.choices if k != FollowUp.Kind.CLOSING
        ]
