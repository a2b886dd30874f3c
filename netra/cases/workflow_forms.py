"""The data each workflow move needs (api.md "Transitions"): one Django form per kind of move.

``netra.cases.workflow.MOVES`` names the form of each move; the web (``netra.workspace``) dresses
the same forms with labels and widgets, the API feeds them its JSON ``data``. Messages are
Indonesian whatever the active language.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases.models import Case
from netra.cases.scope import in_scope
from netra.catalog.models import SanctionCategory
from netra.catalog.violations import GROUP_CODES, SANCTION_CATEGORY_CODES, SANCTION_TYPE_CODES


def suggested_category_for(case: Case, violations) -> SanctionCategory | None:
    """The heaviest of the catalogue's suggestions for these groups on the case's incident date
    (phase-based, ``netra.catalog.violations.suggest_category``); the officer decides."""
    from netra.catalog.violations import suggest_category, violation_groups

    candidates = [
        suggest_category(group, case.incident_date, case.election)
        for group in violation_groups().filter(code__in=list(violations))
    ]
    suggestions = [s for s in candidates if s is not None]
    return max(suggestions, key=lambda category: category.severity, default=None)


REQUIRED = _("Wajib diisi.")
INVALID_CHOICE = _("Pilihan %(value)s tidak dikenal.")


class MoveForm(forms.Form):
    """Base form: Indonesian messages whatever the active language (the API speaks Indonesian)."""

    def __init__(self, *args, case: Case | None = None, actor=None, **kwargs):
        self.case = case
        # Who makes the move (a user or an API token; None: the system): forms that look other
        # cases up see only those in the actor's scope.
        self.actor = actor
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED
            field.error_messages["invalid_choice"] = INVALID_CHOICE
            field.error_messages["invalid_list"] = _("Harus berupa daftar.")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("Tanggal tidak dikenali. Gunakan format TTTT-BB-HH.")
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = _("Harus berupa angka.")


class NoDataForm(MoveForm):
    pass


def _text(max_length: int = 5000, required: bool = True) -> forms.CharField:
    return forms.CharField(max_length=max_length, required=required, strip=True)


class DismissReason:
    # api.md `dismissed.reason`
    CHOICES = [
        ("not_asn", _("Terlapor bukan ASN")),
        ("insufficient_evidence", _("Bukti tidak cukup")),
        ("not_a_violation", _("Bukan pelanggaran netralitas")),
        ("out_of_scope", _("Di luar kewenangan")),
        ("not_proven", _("Tidak terbukti")),
        ("duplicate", _("Laporan ganda")),
        ("other", _("Lainnya")),
    ]
    CODES = tuple(code for code, _label in CHOICES)


class DismissForm(MoveForm):
    reason = forms.ChoiceField(choices=DismissReason.CHOICES)
    # Shown to the reporter on the status page.
    explanation = _text(2000)


class ForwardForm(MoveForm):
    to_agency = forms.CharField(max_length=60, required=False, strip=True)
    to_external = forms.CharField(max_length=200, required=False, strip=True)
    explanation = _text(2000)

    def clean(self):
        from netra.orgs.models import Agency

        super().clean()
        data = self.cleaned_data
        to_agency, to_external = data.get("to_agency"), data.get("to_external")
        if bool(to_agency) == bool(to_external):
            message = _("Isi salah satu: instansi tujuan di Netra atau lembaga di luar Netra.")
            self.add_error("to_agency", message)
            self.add_error("to_external", message)
            return data
        if to_agency:
            agency = Agency.objects.filter(code=to_agency, active=True).first()
            if agency is None:
                self.add_error("to_agency", _("Instansi %(code)s tidak dikenal.") % {"code": to_agency})
            elif self.case is not None and agency.pk == self.case.agency_id:
                self.add_error("to_agency", _("Kasus sudah berada di instansi ini."))
            data["agency"] = agency
        return data


class MergeForm(MoveForm):
    into_case = forms.IntegerField(min_value=1)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        into_id = data.get("into_case")
        if into_id is None:
            return data
        into = Case.objects.filter(pk=into_id).first()
        # A case outside the actor's scope is "not found", like a missing one, before anything
        # else is said about it (finished, merged…): the answer must not tell that it exists.
        if into is None or not in_scope(self.actor, into):
            into = None
            self.add_error("into_case", _("Kasus tujuan tidak ditemukan."))
        elif self.case is not None and (into.pk == self.case.pk or into.surviving_case().pk == self.case.pk):
            self.add_error("into_case", _("Kasus tidak dapat digabung ke dirinya sendiri."))
        elif into.status in Case.TERMINAL_STATES:
            self.add_error("into_case", _("Kasus tujuan sudah selesai, dihentikan, digabung atau diteruskan."))
        data["into"] = into
        return data


class RecommendationForm(MoveForm):
    violations = forms.MultipleChoiceField(choices=[(code, code) for code in GROUP_CODES])
    sanction_category = forms.ChoiceField(choices=[(code, code) for code in SANCTION_CATEGORY_CODES])
    legal_basis = _text(5000)
    findings = _text(20000)
    # Required when the category differs from the system's suggestion (see clean()).
    override_reason = _text(2000, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        violations, chosen = data.get("violations"), data.get("sanction_category")
        if not violations or not chosen or self.case is None:
            return data
        suggestion = suggested_category_for(self.case, violations)
        data["suggested_category"] = suggestion
        if suggestion is not None and suggestion.code != chosen and not data.get("override_reason"):
            self.add_error(
                "override_reason",
                _("Kategori yang dipilih berbeda dari saran sistem (%(suggested)s): tuliskan alasannya.")
                % {"suggested": suggestion.name_id},
            )
        return data


class DecisionForm(MoveForm):
    sanction_type = forms.ChoiceField(choices=[(code, code) for code in SANCTION_TYPE_CODES])
    decree_number = _text(100)
    decree_date = forms.DateField(input_formats=["%Y-%m-%d"])
    signed_file = forms.FileField(required=False)

    def clean_decree_date(self):
        from netra.cases.nip import today_easternmost

        value = self.cleaned_data["decree_date"]
        if value and value > today_easternmost():
            raise forms.ValidationError(_("Tanggal SK tidak boleh di masa depan."))
        return value

    def clean_signed_file(self):
        upload = self.cleaned_data.get("signed_file")
        if upload:
            head = upload.read(5)
            upload.seek(0)
            if head != b"%PDF-":
                raise forms.ValidationError(_("SK bertanda tangan harus berkas PDF."))
        return upload


class CloseForm(MoveForm):
    follow_up = _text(5000)


class ExplanationForm(MoveForm):
    explanation = _text(2000)


class AnnulForm(MoveForm):
    """BKN annuls a wrong SK: the reason, BKN's letter number and the legal basis (default
    Perpres 116/2022, ``netra.cases.control.LEGAL_BASIS``); also recorded as a control action."""

    explanation = _text(2000)
    reference = _text(100, required=False)
    legal_basis = _text(2000, required=False)


class BawasluRequestForm(MoveForm):
    """What the Satgas asks Bawaslu. Read by Bawaslu and the Satgas only, never by the reporter.

    ``explanation`` is the name the first API clients used for it; it is taken as the question
    when ``question`` is not given, so those clients keep working (but an empty request is refused).
    """

    question = _text(5000, required=False)
    explanation = _text(2000, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["question"] = data.get("question") or data.get("explanation") or ""
        if not data["question"] and "question" not in self.errors:
            self.add_error("question", REQUIRED)
        return data


class BawasluAnswerForm(MoveForm):
    answer = _text(10000)


class BawasluAnswerOnBehalfForm(BawasluAnswerForm):
    """The Satgas records Bawaslu's answer itself (e.g. Bawaslu answered by letter): why, required."""

    on_behalf_reason = _text(2000)


class BawasluSkipForm(MoveForm):
    """The Satgas goes on without Bawaslu's overdue kajian: why (staff and Bawaslu read it)."""

    reason = _text(2000)


class RevisionForm(MoveForm):
    """The Satgas lead returns a recommendation for revision: what must change (staff only)."""

    reason = _text(2000)


# --- referral upwards (issue #16 item 4) ----------------------------------------------------------


def referral_targets(case: Case):
    """Where a regional Satgas may refer a case up: BKN pusat, and the provincial government of
    the case's province when the owner is a kabupaten/kota (the governor's authority)."""
    from django.db.models import Q

    from netra.orgs.models import Agency

    Kind = Agency.Kind
    wanted = Q(kind=Kind.BKN_CENTRAL)
    owner = case.agency
    if owner is not None and owner.kind in (Kind.PEMDA_REGENCY, Kind.PEMDA_CITY) and case.region_id:
        wanted |= Q(kind=Kind.PEMDA_PROVINCE, region_id=str(case.region_id)[:2])
    qs = Agency.objects.filter(wanted, active=True)
    if owner is not None:
        qs = qs.exclude(pk=owner.pk)
    return qs.order_by("kind", "name")


class ReferralForm(MoveForm):
    """Refer the case up with its whole history: the receiving agency's code and why (staff only)."""

    refer_to = forms.CharField(max_length=60, strip=True)
    referral_note = _text(5000)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        code = data.get("refer_to")
        if code and self.case is not None:
            agency = referral_targets(self.case).filter(code=code).first()
            if agency is None:
                self.add_error(
                    "refer_to",
                    _("Kasus ini tidak dapat dirujuk ke %(code)s: pilih BKN pusat atau Satgas provinsi.")
                    % {"code": code[:60]},
                )
            data["agency"] = agency
        return data


class ReferralReturnForm(MoveForm):
    """The receiving agency gives the case back with a note (its review, advice or decision)."""

    return_note = _text(5000)


class ReferralWithdrawForm(MoveForm):
    """The owning Satgas takes its referral back before it is returned: why (both agencies read it)."""

    withdraw_reason = _text(2000)
