"""BKN's control actions on the case page (issue #16 item 3): one form per kind, dressed for people.

The fields and their validation are the domain's (``netra.cases.control.FORMS``); here they get
labels, widgets and the legal basis as an editable default. The annulment of an SK stays the
workflow move ``annulled`` (its form is a move form). Shown to BKN supervisors whose reach covers
an escalated case; the list of recorded actions to everyone who reads the case.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netra.cases.control import FORMS, LEGAL_BASIS, SCOPE_LABELS
from netra.cases.models import Case, ControlAction
from netra.cases.workflow import BKN, actor_roles

LABELS: dict[str, Promise] = {
    "date": gettext_lazy("Tanggal surat"),
    "reference": gettext_lazy("Nomor surat BKN"),
    "addressee": gettext_lazy("Ditujukan kepada (PPK)"),
    "ppk_deadline": gettext_lazy("Batas waktu bagi PPK"),
    "siasn_reference": gettext_lazy("Nomor/referensi pemblokiran di SIASN"),
    "blocking_scope": gettext_lazy("Cakupan pemblokiran"),
    "text": gettext_lazy("Uraian"),
    "legal_basis": gettext_lazy("Dasar hukum"),
}
KIND_LABELS: dict[str, dict[str, Promise]] = {
    ControlAction.Kind.BLOCKING: {"date": gettext_lazy("Tanggal pemblokiran")},
    ControlAction.Kind.UNBLOCKING: {
        "date": gettext_lazy("Tanggal pembukaan blokir"),
        "text": gettext_lazy("Alasan pembukaan blokir"),
    },
}
HELP: dict[str, Promise] = {
    "legal_basis": gettext_lazy("Terisi dasar hukum yang lazim; sesuaikan dengan pasal yang dikutip surat BKN."),
    "ppk_deadline": gettext_lazy("Tenggat baru bagi PPK untuk menetapkan keputusan."),
}
INTRO: dict[str, Promise] = {
    ControlAction.Kind.WARNING: gettext_lazy("Surat peringatan kepada PPK yang belum menindaklanjuti rekomendasi."),
    ControlAction.Kind.REPRIMAND: gettext_lazy("Surat teguran bila peringatan tidak diindahkan."),
    ControlAction.Kind.BLOCKING: gettext_lazy(
        "Pemblokiran data dan layanan kepegawaian terlapor di SIASN (Peraturan BKN 1/2023)."
    ),
    ControlAction.Kind.UNBLOCKING: gettext_lazy("Pembukaan blokir SIASN setelah PPK menindaklanjuti."),
}


def build(kind: str, case: Case, user, *, data=None) -> forms.Form:
    form = FORMS[kind](data=data, case=case, actor=user, prefix=f"ca-{kind}")
    form.initial = {"date": timezone.localdate(), "legal_basis": str(LEGAL_BASIS[kind])}
    if case.agency is not None and "addressee" in form.fields:
        form.initial["addressee"] = _("PPK %(agency)s") % {"agency": case.agency.name}
    for name, field in form.fields.items():
        field.label = str(KIND_LABELS.get(kind, {}).get(name) or LABELS.get(name) or name)
        if name in HELP:
            field.help_text = str(HELP[name])
        if isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if name in ("text", "legal_basis"):
            field.widget = forms.Textarea(attrs={"rows": 2})
        if name == "blocking_scope":
            field.widget = forms.Select(choices=[("", "—"), *SCOPE_LABELS.items()])
    return form


def may_record(case: Case, user) -> bool:
    """A BKN supervisor whose reach covers the case, while it is escalated (the service checks again)."""
    return case.status == Case.Status.ESCALATED and bool(actor_roles(user, case) & BKN)


def panel(case: Case, user, bound: forms.Form | None = None) -> dict:
    """The control-action part of the case page: what was recorded, and the forms if the user may."""
    rows = []  # none recorded (``has_control_actions``, read with the case on its page): not asked
    if getattr(case, "has_control_actions", True):
        rows = list(case.control_actions.select_related("decision", "created_by").order_by("date", "pk"))
    forms_ = []
    if may_record(case, user):
        for kind in FORMS:
            form = bound if bound is not None and bound.prefix == f"ca-{kind}" else build(kind, case, user)
            forms_.append(
                {
                    "kind": kind,
                    "label": ControlAction.Kind(kind).label,
                    "intro": INTRO[kind],
                    "form": form,
                    "url": reverse("workspace:control_action", args=[case.pk, kind]),
                    "open": form is bound,
                }
            )
    return {"control_actions": rows, "control_forms": forms_, "blocking_scopes": SCOPE_LABELS}
