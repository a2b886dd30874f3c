"""Public forms. They parse and render; the rules live in ``netra.cases.intake`` (shared with the API)."""

import re
import secrets
import time
from typing import cast

from django import forms
from django.conf import settings
from django.core import signing
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netra.cases import intake, lookups
from netra.cases.nip import nip_errors, normalize_nip
from netra.catalog.models import Region

MIN_FILL_SECONDS = 3  # a person needs longer than this to describe what they saw
FORM_MAX_AGE = 60 * 60 * 6
_SIGNER_SALT = "netra.portal.report-form"
_WAIT_SALT = "netra.portal.report-wait"
# How long a reporter behind a busy shared address waits before the same form may pass
# (netra.ratelimit: between the at-once budget and the ceiling); NETRA_REPORT_WAIT_SECONDS.
REPORT_WAIT_SECONDS = 30


def report_wait_seconds() -> int:
    return int(getattr(settings, "NETRA_REPORT_WAIT_SECONDS", REPORT_WAIT_SECONDS))


_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: single-use id of one submission


def is_submission_token(value: str) -> bool:
    return bool(_TOKEN_RE.match(value or ""))


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
        ("", _("— Pilih kabupaten/kota —")),
        (UNKNOWN_REGENCY, _("Saya tidak tahu kabupaten/kotanya")),
    ]
    by_province: dict[str | None, list[tuple[str, str]]] = {}
    rows = lookups.region_rows()  # per process, no query within a minute (netra.cases.lookups)
    for code, name, parent, kind in rows:
        if kind != Region.Kind.PROVINCE:
            by_province.setdefault(parent, []).append((code, name))
    for code, name, _parent, kind in rows:
        if kind == Region.Kind.PROVINCE:
            provinces.append((code, name))
            regencies.append((name, by_province.get(code, [])))
    return provinces, regencies


# The explicit "I do not know the kab/kota" choice: only then is a province alone accepted (such a
# report goes to the provincial government, not the kab/kota where the ASN works).
UNKNOWN_REGENCY = "tidak-tahu"
_SCHEMELESS_LINK = re.compile(r"^(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$", re.IGNORECASE)


def normalize_link(line: str) -> str:
    """What a person pastes → a web address: ``www.x.com/…`` or ``fb.com/…`` gets ``https://``."""
    line = line.strip()
    if "://" not in line and _SCHEMELESS_LINK.match(line):
        return "https://" + line
    return line


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
        help_text=_(
            "Kabupaten/kota tempat ASN itu bekerja. Jika tidak tahu, pilih “Saya tidak tahu kabupaten/kotanya”."
        ),
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
        help_text=_("18 angka. Boleh dikosongkan; NIP yang keliru tidak menghalangi laporan."),
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
    # The submission's single-use id: a reload or a resubmit of the same form finds its report.
    submission = forms.CharField(required=False, widget=forms.HiddenInput)
    # Signed "may pass after …" handed out when a busy shared address must wait (see ratelimit).
    wait_pass = forms.CharField(required=False, widget=forms.HiddenInput)
    # A NIP the reporter was warned about and sent again as it is (see clean_subject_nip).
    nip_ack = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both declared as ChoiceFields above; the stubs type self.fields as plain Fields.
        province, region_code = (
            cast(forms.ChoiceField, self.fields["province"]),
            cast(forms.ChoiceField, self.fields["region_code"]),
        )
        province.choices, region_code.choices = region_choices()
        for name in ("description", "incident_date", "province"):  # checked by intake; marked here
            self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["evidence"].help_text = _(
            "JPEG, PNG, WebP, PDF, atau MP4; paling banyak %(max)d berkas, masing-masing sampai %(size)d MB. "
            "Data lokasi (GPS) dan data perangkat dihapus otomatis."
        ) % {"max": intake.max_evidence_files(), "size": intake.max_evidence_bytes() // (1024 * 1024)}
        # report-form.js refuses an oversized file as soon as it is chosen, before a phone spends
        # minutes uploading it to hear the same from the server (which still checks it).
        self.fields["evidence"].widget.attrs.update(
            {
                "data-max-bytes": str(intake.max_evidence_bytes()),
                "data-too-big": _(
                    "«%(file)s» terlalu besar (%(size)s MB); batasnya %(max)s MB. Berkas itu tidak ikut dikirim: "
                    "pilih berkas yang lebih kecil, atau tulis tautannya di kolom Tautan."
                ),
            }
        )
        if not self.is_bound:
            self.initial["started"] = form_started_token()
            self.initial["submission"] = new_submission_token()

    def _set(self, name: str, value: str) -> None:
        # A bound form's data is the request's immutable QueryDict: copy it to change a value.
        data = cast(QueryDict, self.data).copy()
        data[name] = value
        self.data = data

    def submission_token(self) -> str:
        """The form's single-use id; a missing or malformed one is replaced by a new one."""
        token = str(self.data.get("submission") or "")
        if not _TOKEN_RE.match(token):
            token = new_submission_token()
            self._set("submission", token)
        return token

    def renew_started(self) -> None:
        self._set("started", form_started_token())

    def unchecked(self) -> "ReportForm":
        """This form to show again as the reporter left it, without checking anything."""
        self._errors = ErrorDict()
        return self

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("province") and not cleaned.get("region_code"):
            self.add_error(
                "region_code",
                _(
                    "Pilih kabupaten/kota tempat ASN itu bekerja, atau pilih “Saya tidak tahu kabupaten/kotanya”. "
                    "Laporan dengan provinsi saja diteruskan ke pemerintah provinsi."
                ),
            )
        nip = normalize_nip(cleaned.get("subject_nip") or "")
        if nip and (problems := nip_errors(nip)) and self.data.get("nip_ack") != nip:
            # A warning, not a refusal: the second press of "Kirim" sends it as written.
            self._set("nip_ack", nip)
            self.add_error(
                "subject_nip",
                _(
                    "NIP ini tampaknya keliru (%(problems)s). Perbaiki, atau tekan “Kirim laporan” sekali lagi: "
                    "laporan tetap diterima dan NIP dicatat apa adanya di uraian untuk diperiksa Satgas."
                )
                % {"problems": " ".join(problems).rstrip(".")},
            )
        return cleaned

    def _nip_as_written(self) -> str:
        nip = normalize_nip(self.cleaned_data.get("subject_nip") or "")
        return nip if nip and nip_errors(nip) else ""

    def looks_like_a_bot(self) -> str | None:
        """Why the form looks sent by a script ("honeypot", "expired", "fast"), or None."""
        if self.cleaned_data.get("website"):
            return "honeypot"
        value = self.cleaned_data.get("started") or ""
        try:
            started = signing.loads(value, salt=_SIGNER_SALT, max_age=FORM_MAX_AGE)
        except signing.SignatureExpired:
            return "expired"  # a person who left the form open: told so, with their values kept
        except signing.BadSignature:
            return "fast"
        return "fast" if time.time() - float(started) < MIN_FILL_SECONDS else None

    # --- the wait asked of a busy shared address ------------------------------------------------

    def _wait_until(self, token: str) -> float | None:
        try:
            granted = signing.loads(str(self.data.get("wait_pass") or ""), salt=_WAIT_SALT, max_age=FORM_MAX_AGE)
        except signing.BadSignature:
            return None
        if not isinstance(granted, dict) or granted.get("s") != token:
            return None  # a pass belongs to one submission
        return float(granted.get("a", 0))

    def grant_wait(self, token: str) -> None:
        self._set("wait_pass", signing.dumps({"s": token, "a": time.time() + report_wait_seconds()}, salt=_WAIT_SALT))

    def wait_remaining(self, token: str) -> int | None:
        """Seconds still to wait on this form's pass (None: it has none)."""
        until = self._wait_until(token)
        return None if until is None else max(1, int(until - time.time() + 0.999))

    def wait_passed(self, token: str) -> bool:
        until = self._wait_until(token)
        return until is not None and time.time() >= until

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
        # The kab/kota when chosen, else (explicitly unknown) the province; the service checks it exists.
        if data["region_code"] == UNKNOWN_REGENCY:
            data["region_code"] = ""
        data["region_code"] = data["region_code"] or self.cleaned_data.get("province") or ""
        data["links"] = [
            normalize_link(line) for line in (self.cleaned_data.get("links") or "").splitlines() if line.strip()
        ]
        if unchecked := self._nip_as_written():
            # Kept for the Satgas where they read the report, instead of blocking it (issue #17).
            data["subject_nip"] = ""
            data["description"] = (
                (data["description"] or "")
                + "\n\n"
                + _("NIP menurut pelapor (belum sesuai format): %(nip)s") % {"nip": unchecked}
            )
        return data


class AccessForm(forms.Form):
    receipt_code = forms.CharField(
        label=_("Kode tanda terima"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "NTR-XXXX-XXXX"}
        ),
    )
    # Plain text without JavaScript (a reporter copying 28 characters by hand must see them);
    # secret-field.js masks it and adds a "Tampilkan" toggle.
    access_key = forms.CharField(
        label=_("Kunci akses"),
        max_length=100,
        help_text=_(
            "7 kelompok berisi 4 huruf/angka, misalnya ABCD-EFGH-… Tanda hubung dan huruf besar/kecil boleh diabaikan."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "data-secret": "",
                "data-show": _("Tampilkan"),
                "data-hide": _("Sembunyikan"),
                "class": "access-key",
            }
        ),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Pesan untuk Satgas"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
