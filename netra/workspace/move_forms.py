"""The forms of the workflow moves, dressed for people.

``netra.cases.workflow`` defines each move's form once, for the web and the API alike: field
names and validation, no labels. Here the workspace gives them Indonesian labels, fitting widgets
and readable choices (catalogue names instead of codes) without changing what is validated.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases import selectors
from netra.cases.workflow import Move
from netra.catalog.models import SanctionCategory, SanctionType, ViolationGroup
from netra.orgs.models import Agency

LABELS = {
    "reason": _("Alasan"),
    "explanation": _("Penjelasan (dapat dibaca pelapor)"),
    "to_agency": _("Teruskan ke instansi di Netra"),
    "to_external": _("atau ke lembaga di luar Netra"),
    "into_case": _("Gabungkan ke kasus"),
    "violations": _("Jenis pelanggaran yang terbukti"),
    "sanction_category": _("Kategori sanksi yang direkomendasikan"),
    "legal_basis": _("Dasar hukum"),
    "findings": _("Fakta dan temuan"),
    "override_reason": _("Alasan bila berbeda dari saran sistem"),
    "sanction_type": _("Jenis hukuman"),
    "decree_number": _("Nomor SK"),
    "decree_date": _("Tanggal SK"),
    "signed_file": _("SK bertanda tangan (PDF)"),
    "follow_up": _("Tindak lanjut yang sudah dilakukan"),
    "reference": _("Nomor surat"),
    "answer": _("Hasil kajian Bawaslu"),
}
HELP = {
    "explanation": _("Ditampilkan kepada pelapor di halaman status laporannya."),
    "to_external": _("Misalnya: terlapor kepala desa (bukan ASN) — diteruskan ke Inspektorat/DPMD."),
    "override_reason": _(
        "Sistem menyarankan kategori dari katalog pelanggaran; bila Anda memilih yang lain, tulis alasannya."
    ),
}
LONG_TEXT = frozenset({"explanation", "legal_basis", "findings", "override_reason", "follow_up", "answer"})


MERGE_TARGETS = 50


def build(move: Move, case, user, *, data=None, files=None) -> forms.Form:
    """The move's own form (same fields, same validation) with labels, widgets and named choices."""
    form = move.form(data=data, files=files, case=case, actor=user)
    for name, field in form.fields.items():
        field.label = LABELS.get(name, field.label or name)
        if name in HELP:
            field.help_text = HELP[name]
        if name in LONG_TEXT:
            field.widget = forms.Textarea(attrs={"rows": 4 if name != "findings" else 8})
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    _named_choices(form, case)
    if "into_case" in form.fields:
        form.fields["into_case"].widget = forms.Select(choices=_merge_targets(case, user))
    return form


def _merge_targets(case, user) -> list[tuple]:
    """Where a case can be merged: its duplicate candidates first, then recent open cases in scope."""
    candidates = [c.case for c in selectors.duplicate_candidates(case, user=user)]
    recent = (
        selectors.cases_for(user, status="active")
        .exclude(pk__in=[case.pk, *(c.pk for c in candidates)])
        .order_by("-created_at")[:MERGE_TARGETS]
    )

    def label(other) -> str:
        names = ", ".join(str(s) for s in other.subjects.all()) or "—"
        return f"{other} · {other.get_status_display()} · {names}"

    choices: list[tuple[str, Any]] = [("", "—")]
    if candidates:
        choices.append((str(_("Kemungkinan duplikat")), [(c.pk, label(c)) for c in candidates]))
    choices.append((str(_("Kasus aktif terbaru")), [(c.pk, label(c)) for c in recent]))
    return choices


def _named_choices(form, case) -> None:
    fields = form.fields
    if "violations" in fields:
        names = dict(ViolationGroup.objects.values_list("code", "name_id"))
        # The widget first: setting ``choices`` hands them to the field's current widget.
        fields["violations"].widget = forms.CheckboxSelectMultiple()
        fields["violations"].choices = [(code, names.get(code, code)) for code, _label in fields["violations"].choices]
    if "sanction_category" in fields:
        names = dict(SanctionCategory.objects.values_list("code", "name_id"))
        fields["sanction_category"].choices = [
            ("", "—"),
            *((code, names.get(code, code)) for code, _label in fields["sanction_category"].choices),
        ]
    if "sanction_type" in fields:
        names = {
            # "none" (no sanction) has no category
            t.code: f"{t.category.name_id}: {t.name_id}" if t.category else t.name_id
            for t in SanctionType.objects.select_related("category")
        }
        fields["sanction_type"].choices = [
            ("", "—"),
            *((code, names.get(code, code)) for code, _label in fields["sanction_type"].choices),
        ]
    if "to_agency" in fields:
        agencies = Agency.objects.filter(active=True).exclude(pk=case.agency_id).order_by("name")
        fields["to_agency"].widget = forms.Select(
            choices=[("", "—"), *((agency.code, agency.name) for agency in agencies)]
        )
    if "reason" in fields and isinstance(fields["reason"], forms.ChoiceField):
        # A ChoiceField's choices read back as a list; the stubs also allow the callable it may be given.
        fields["reason"].choices = [("", "—"), *fields["reason"].choices]  # type: ignore[misc]


def payload(post, form) -> dict:
    """The POSTed values the move's form reads: lists for multi-value fields, strings otherwise."""
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            data[name] = post.getlist(name)
        elif name in post:
            data[name] = post.get(name)
    return data
