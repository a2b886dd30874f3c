"""Public forms. They parse and render; the rules live in ``netra.cases.intake`` (shared with the API)."""

import time
from typing import cast

from django import forms
from django.core import signing
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netra.catalog.models import Region

MIN_FILL_SECONDS = 3  # a person needs longer than this to describe what they saw
FORM_MAX_AGE = 60 * 60 * 6
_SIGNER_SALT = "netra.portal.report-form"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def region_choices() -> tuple[list[tuple[str, str | Promise]], list[tuple[str, str | Promise | list[tuple[str, str]]]]]:
    """Provinces, and kab/kota grouped by province (so the second picker works without JavaScript;
    report-form.js narrows it to the chosen province)."""
    provinces: list[tuple[str, str | Promise]] = [("", _("— Pilih provinsi —"))]
    regencies: list[tuple[str, str | Promise | list[tuple[str, str]]]] = [
        ("", _("— Pilih kabupaten/kota (opsional) —"))
    ]
    by_province: dict[str | None, list[tuple[str, str]]] = {}
    for region in Region.objects.exclude(kind=Region.Kind.PROVINCE).only("code", "name", "parent_id"):
        by_province.setdefault(region.parent_id, []).append((region.code, region.name))
    for province in Region.objects.filter(kind=Region.Kind.PROVINCE).only("code", "name"):
        provinces.append((province.code, province.name))
        regencies.append((province.name, by_province.get(province.code, [])))
    return provinces, regencies


def form_started_token() -> str:
    return signing.dumps(time.time(), salt=_SIGNER_SALT)


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("Apa yang terjadi?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Ceritakan apa yang Anda lihat atau dengar: siapa berbuat apa, untuk calon siapa. Minimal 20 karakter."
        ),
        required=False,
    )
    incident_date = forms.DateField(
        label=_("Kapan terjadi?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        error_messages={"invalid": _("Tanggal tidak dikenali. Gunakan format TTTT-BB-HH, misalnya 2024-11-20.")},
    )
    province = forms.ChoiceField(label=_("Provinsi"), required=False)
    region_code = forms.ChoiceField(
        label=_("Kabupaten/kota"),
        required=False,
        help_text=_("Kosongkan jika tidak tahu; provinsi saja sudah cukup."),
    )
    location = forms.CharField(
        label=_("Tempat (opsional)"),
        required=False,
        max_length=300,
        help_text=_("Misalnya nama gedung, desa, atau alamat acara."),
    )
    subject_name = forms.CharField(label=_("Nama ASN yang dilaporkan"), required=False, max_length=200)
    subject_position = forms.CharField(label=_("Jabatan"), required=False, max_length=200)
    subject_agency = forms.CharField(
        label=_("Instansi / OPD"), required=False, max_length=200, help_text=_("Misalnya Dinas Pendidikan.")
    )
    subject_nip = forms.CharField(
        label=_("NIP (jika tahu)"),
        required=False,
        max_length=40,
        help_text=_("18 angka. Boleh dikosongkan."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    links = forms.CharField(
        label=_("Tautan (opsional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
        help_text=_("Tautan unggahan media sosial atau berita, satu per baris."),
    )
    evidence = MultipleFileField(
        label=_("Bukti foto, video, atau dokumen (opsional)"),
        help_text=_("JPEG, PNG, WebP, PDF, atau MP4. Data lokasi (GPS) di foto dihapus otomatis."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf,video/mp4"}),
    )
    contact = forms.CharField(
        label=_("Kontak (opsional)"),
        required=False,
        max_length=200,
        help_text=_(
            "Hanya jika Anda bersedia dihubungi Satgas. Hanya Satgas instansi yang menangani laporan "
            "yang dapat melihat kontak ini, bukan PPK, atasan, atau pengawas lain. Kosongkan agar tetap anonim."
        ),
    )
    # Against simple bots: a field people never see and a minimum time to fill the form in.
    website = forms.CharField(required=False, label=_("Jangan diisi"))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both declared as ChoiceFields above; the stubs type self.fields as plain Fields.
        province, region_code = (
            cast(forms.ChoiceField, self.fields["province"]),
            cast(forms.ChoiceField, self.fields["region_code"]),
        )
        province.choices, region_code.choices = region_choices()
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        if not self.is_bound:
            self.initial["started"] = form_started_token()

    def looks_like_a_bot(self) -> bool:
        if self.cleaned_data.get("website"):
            return True
        try:
            started = signing.loads(self.cleaned_data.get("started") or "", salt=_SIGNER_SALT, max_age=FORM_MAX_AGE)
        except signing.BadSignature:
            return True
        return time.time() - float(started) < MIN_FILL_SECONDS

    def intake_data(self) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "description",
                "incident_date",
                "region_code",
                "location",
                "subject_name",
                "subject_position",
                "subject_agency",
                "subject_nip",
                "contact",
            )
        }
        # The kab/kota when chosen, else the province; the service checks that it exists.
        data["region_code"] = data["region_code"] or self.cleaned_data.get("province") or ""
        data["links"] = [line.strip() for line in (self.cleaned_data.get("links") or "").splitlines() if line.strip()]
        return data


class AccessForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Kode tanda terima"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "NTR-XXXX-XXXX"}
        ),
    )
    access_key = forms.CharField(
        label=_("Kunci akses"),
        max_length=100,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Pesan untuk Satgas"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
