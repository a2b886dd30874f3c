"""The forms of the workflow moves, dressed for people.

``netra.cases.workflow`` defines each move's form once, for the web and the API alike: field
names and validation, no labels. Here the workspace gives them Indonesian labels, fitting widgets
and readable choices (catalogue names instead of codes) without changing what is validated.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from netra.cases import selectors, triage_flow
from netra.cases.models import Recommendation
from netra.cases.workflow import Move
from netra.catalog.models import SanctionCategory, SanctionType, ViolationGroup
from netra.orgs.models import Agency

PREFIX = "move"  # the move form sits on the case page beside other forms: ids stay unique

LABELS = {
    "reason": _("Alasan"),
    "question": _("Pertanyaan untuk Bawaslu"),
    "on_behalf_reason": _("Mengapa Satgas mencatatnya atas nama Bawaslu"),
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
    "refer_to": _("Rujuk ke"),
    "referral_note": _("Alasan dan pertanyaan rujukan (hanya petugas)"),
    "return_note": _("Catatan pengembalian (hasil tinjauan, arahan)"),
    "withdraw_reason": _("Alasan menarik kembali rujukan"),
}
# A move's own wording where the generic label would mislead.
MOVE_LABELS = {
    ("return_for_revision", "reason"): _("Yang perlu diperbaiki (untuk petugas, tidak terlihat oleh pelapor)"),
    ("closed", "follow_up"): _("Ringkasan penutupan"),
    ("bawaslu_skip", "reason"): _("Mengapa Satgas melanjutkan tanpa kajian Bawaslu (dibaca Bawaslu dan Satgas)"),
}
HELP = {
    "explanation": _("Ditampilkan kepada pelapor di halaman status laporannya."),
    "to_external": _("Misalnya: terlapor kepala desa (bukan ASN) — diteruskan ke Inspektorat/DPMD."),
    "override_reason": _(
        "Sistem menyarankan kategori dari katalog pelanggaran; bila Anda memilih yang lain, tulis alasannya."
    ),
    "question": _("Dibaca Bawaslu dan Satgas saja; pelapor tidak melihatnya."),
    "refer_to": _("BKN pusat, atau Satgas provinsi untuk pejabat kabupaten/kota di bawah kewenangan gubernur."),
    "return_note": _("Dibaca Satgas pemilik kasus; pelapor tidak melihatnya."),
    "withdraw_reason": _("Dibaca instansi tujuan rujukan dan Satgas; pelapor tidak melihatnya."),
    "on_behalf_reason": _("Misalnya: jawaban Bawaslu diterima lewat surat (sebutkan nomornya). Dicatat di log audit."),
    "follow_up": _(
        "Tindak lanjut (pelaksanaan sanksi, keberatan, banding) dicatat di bagian Tindak lanjut pada halaman kasus; "
        "di sini cukup ringkasan mengapa kasus ditutup."
    ),
}
LONG_TEXT = frozenset(
    {"explanation", "legal_basis", "findings", "override_reason", "follow_up", "answer", "question", "on_behalf_reason"}
    | {"referral_note", "return_note", "withdraw_reason"}
)
# Fields a move's web form does not show (kept in the API for its first clients).
HIDDEN = {"bawaslu_review": frozenset({"explanation"})}


MERGE_TARGETS = 50


def build(move: Move, case, user, *, data=None, files=None, initial=None) -> forms.Form:
    """The move's own form (same fields, same validation) with labels, widgets and named choices."""
    form = move.form(data=data, files=files, initial=initial, case=case, actor=user, prefix=PREFIX)
    for name in HIDDEN.get(move.action, ()):
        del form.fields[name]
    if move.action == "bawaslu_review":
        form.fields["question"].required = True  # without the API's alias the question is simply required
    for name, field in form.fields.items():
        field.label = MOVE_LABELS.get((move.action, name)) or LABELS.get(name, field.label or name)
        if name in HELP and (name != "follow_up" or move.action == "closed"):
            field.help_text = HELP[name]
        if name in LONG_TEXT or (move.action, name) == ("bawaslu_skip", "reason"):
            field.widget = forms.Textarea(attrs={"rows": 4 if name != "findings" else 8})
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    _named_choices(form, case)
    if "into_case" in form.fields:
        form.fields["into_case"].widget = forms.Select(choices=_merge_targets(case, user))
    return form


def suggestion(form, case) -> SanctionCategory | None:
    """The system's suggested category for the violations ticked in ``form`` (None: none ticked or
    no rule); the recommendation form shows it and preselects it."""
    if "violations" not in form.fields:
        return None
    from netra.cases.workflow_forms import suggested_category_for

    if form.is_bound:
        ticked = form.data.getlist(form.add_prefix("violations")) if hasattr(form.data, "getlist") else []
    else:
        ticked = list((form.initial or {}).get("violations") or [])
    ticked = [code for code in ticked if code in {str(c) for c, _label in form.fields["violations"].choices}]
    return suggested_category_for(case, ticked) if ticked else None


def recalculated(post, form, case) -> dict:
    """The values of a "Hitung saran" submit as initial data, the category set to the suggestion."""
    values = payload(post, form)
    values.pop("signed_file", None)
    form.initial = values
    found = suggestion(form, case)
    if found is not None:
        values["sanction_category"] = found.pk
    return values


def _merge_targets(case, user) -> list[tuple]:
    """Where a case can be merged: its duplicate candidates first, then recent open cases in scope."""
    candidates = [c.case for c in triage_flow.duplicate_candidates(case, user=user)]
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
        # Grouped by category (the option says only the type: "Sanksi moral: …: Pernyataan secara
        # tertutup" said it twice); the Satgas' recommended category is marked on its group.
        types = {t.code: t for t in SanctionType.objects.select_related("category")}
        recommended = Recommendation.objects.filter(case=case).values_list("sanction_category_id", flat=True).first()
        groups: dict[str, list] = {}
        loose: list = []
        for code, _label in fields["sanction_type"].choices:
            kind = types.get(code)
            if kind is None or kind.category is None:  # "none" (no sanction) has no category
                loose.append((code, kind.name_id if kind else code))
                continue
            group = kind.category.name_id
            if kind.category_id == recommended:
                group = f"{group} — {_('rekomendasi Satgas')}"
            groups.setdefault(group, []).append((code, kind.name_id))
        fields["sanction_type"].choices = [("", "—"), *groups.items(), *loose]
    if "to_agency" in fields:
        agencies = Agency.objects.filter(active=True).exclude(pk=case.agency_id).order_by("name")
        fields["to_agency"].widget = forms.Select(
            choices=[("", "—"), *((agency.code, agency.name) for agency in agencies)]
        )
    if "refer_to" in fields:
        from netra.cases.workflow_forms import referral_targets

        fields["refer_to"].widget = forms.Select(
            choices=[("", "—"), *((agency.code, agency.name) for agency in referral_targets(case))]
        )
    if "reason" in fields and isinstance(fields["reason"], forms.ChoiceField):
        # A ChoiceField's choices read back as a list; the stubs also allow the callable it may be given.
        fields["reason"].choices = [("", "—"), *fields["reason"].choices]  # type: ignore[misc]


def payload(post, form) -> dict:
    """The POSTed values the move's form reads: lists for multi-value fields, strings otherwise."""
    data = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.MultipleChoiceField):
            data[name] = post.getlist(key)
        elif key in post:
            data[name] = post.get(key)
    return data
