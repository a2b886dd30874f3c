"""BKN's control actions (issue #16 item 3): what each kind needs and on which legal basis.

When a PPK ignores the Satgas' recommendation, BKN acts, escalating (domain.md, SBT step 5):
a warning (*peringatan*) and a reprimand (*teguran*) to the PPK, each a letter with a number,
a date, an addressee and a new deadline for the PPK; the blocking of the ASN's personnel data and
services in SIASN (Peraturan BKN 1/2023), with its SIASN reference and scope, and lifting it;
and the annulment of a wrong SK (Perpres 116/2022), which is the workflow move ``annulled``
(``netra.cases.workflow``) and records its row here through ``services._apply``.

One Django form per kind (the web dresses them, the API feeds them JSON); ``services.
control_action_add`` validates with them. The legal basis is a default the officer may edit
(the exact articles are BKN's to cite), never empty.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netra.cases.models import ControlAction
from netra.cases.workflow_forms import REQUIRED, MoveForm

Kind = ControlAction.Kind

# The defaults offered as the legal basis (editable; domain.md section 2 and 4).
LEGAL_BASIS: dict[str, Promise] = {
    Kind.WARNING: _(
        "UU 20/2023 tentang ASN (pengawasan BKN atas sistem merit; SE MenPAN-RB 4/2024); "
        "PP 94/2021 tentang Disiplin PNS (Pasal 28: atasan yang tidak menjatuhkan hukuman disiplin); "
        "PP 17/2020 tentang Perubahan atas PP 11/2017 tentang Manajemen PNS."
    ),
    Kind.REPRIMAND: _(
        "UU 20/2023 tentang ASN (pengawasan BKN atas sistem merit; SE MenPAN-RB 4/2024); "
        "PP 94/2021 tentang Disiplin PNS (Pasal 28: atasan yang tidak menjatuhkan hukuman disiplin); "
        "PP 17/2020 tentang Perubahan atas PP 11/2017 tentang Manajemen PNS."
    ),
    Kind.BLOCKING: _("Peraturan BKN 1/2023 (pemblokiran data dan layanan kepegawaian dalam SIASN)."),
    Kind.UNBLOCKING: _("Peraturan BKN 1/2023 (pembukaan blokir data dan layanan kepegawaian dalam SIASN)."),
    Kind.ANNULMENT: _("Perpres 116/2022 tentang Pengawasan dan Pengendalian NSPK Manajemen ASN."),
}


class BlockingScope(forms.ChoiceField):
    CHOICES = (
        ("all", _("Seluruh data dan layanan kepegawaian")),
        ("promotion", _("Kenaikan pangkat dan jabatan")),
        ("transfer", _("Mutasi / pindah instansi")),
        ("pension", _("Layanan pensiun")),
    )

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, **kwargs)


SCOPE_LABELS = dict(BlockingScope.CHOICES)


def _date_not_in_future(value: datetime.date | None):
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(_("Tanggal tidak boleh di masa depan."))


class ControlActionForm(MoveForm):
    """Fields every kind has: the date (of the letter or of the blocking), a description and the basis."""

    kind: str = ""
    date = forms.DateField(validators=[_date_not_in_future])
    text = forms.CharField(max_length=10_000, required=False, strip=True)
    legal_basis = forms.CharField(max_length=2000, required=False, strip=True)

    def clean_legal_basis(self):
        return self.cleaned_data.get("legal_basis") or str(LEGAL_BASIS[self.kind])


class LetterForm(ControlActionForm):
    """A warning or a reprimand: a letter to the PPK with a new deadline."""

    reference = forms.CharField(max_length=100, strip=True)  # the letter's number
    addressee = forms.CharField(max_length=200, strip=True)
    ppk_deadline = forms.DateField()

    def clean(self):
        data = super().clean() or {}
        letter, deadline = data.get("date"), data.get("ppk_deadline")
        if letter and deadline and deadline <= letter:
            self.add_error("ppk_deadline", _("Batas waktu bagi PPK harus sesudah tanggal surat."))
        return data


class WarningForm(LetterForm):
    kind = Kind.WARNING


class ReprimandForm(LetterForm):
    kind = Kind.REPRIMAND


class BlockingForm(ControlActionForm):
    kind = Kind.BLOCKING
    siasn_reference = forms.CharField(max_length=100, strip=True)
    blocking_scope = BlockingScope()
    reference = forms.CharField(max_length=100, required=False, strip=True)


class UnblockingForm(ControlActionForm):
    kind = Kind.UNBLOCKING
    siasn_reference = forms.CharField(max_length=100, strip=True)
    reference = forms.CharField(max_length=100, required=False, strip=True)
    text = forms.CharField(max_length=10_000, strip=True, error_messages={"required": REQUIRED})  # why it is lifted


# The kinds recorded on their own (the annulment is the workflow move ``annulled``).
FORMS: dict[str, type[ControlActionForm]] = {
    Kind.WARNING: WarningForm,
    Kind.REPRIMAND: ReprimandForm,
    Kind.BLOCKING: BlockingForm,
    Kind.UNBLOCKING: UnblockingForm,
}


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def present(row: ControlAction) -> dict:
    """One control action as the agency API and the webhook tell it (no personal data)."""
    return {
        "id": row.pk,
        "kind": row.kind,
        "kind_label": str(row.get_kind_display()),
        "date": _iso(row.date),
        "reference": row.reference,
        "addressee": row.addressee,
        "ppk_deadline": _iso(row.ppk_deadline),
        "siasn_reference": row.siasn_reference,
        "blocking_scope": row.blocking_scope,
        "annulled_decision": row.decision_id,
        "legal_basis": row.legal_basis,
        "text": row.text,
    }
