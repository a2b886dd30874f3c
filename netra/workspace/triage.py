"""Triage on the case page and in the queue (netra.cases.triage_flow does the work).

- the case page's block (``triage_context``): ranked groups with confidence and trigger words,
  the key facts with a "Gunakan" button where a field is empty, the officer's last choice;
- ``confirm`` (htmx POST): the officer confirms or corrects the group with one click;
- ``use_fact`` (POST): one extracted fact into an empty field;
- ``cluster`` (GET): the open cases of one cluster of a viral incident, to merge them in bulk.

Every case is read through ``selectors.case_for`` (404 outside scope).
"""

import functools
import json
import time
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from netra.cases import selectors, triage_flow
from netra.cases.models import Case, TriageResult
from netra.catalog.models import ViolationGroup
from netra.catalog.violations import DATA_DIR
from netra.orgs.access import staff_required
from netra.workspace import presenters

CHECKING = (Case.Status.RECEIVED, Case.Status.CHECKING)


def shown_percent(confidence: float) -> str:
    """A confidence as the page shows it, in whole percent: an alternative the model all but rules
    out reads "<1", not "0" (it was ranked, so it is not nothing), and a near-certain one ">99",
    not "100" (the engine is never certain)."""
    if 0 < confidence < 0.005:
        return "<1"
    if 0.995 <= confidence < 1:
        return ">99"
    return str(int(100 * confidence + 0.5))  # half up, not Python's half to even


@functools.cache
def _file_labels() -> dict[str, tuple[str, str]]:
    """The catalogue's group names from its data file (a database without the catalogue loaded)."""
    data = json.loads((DATA_DIR / "violations.json").read_text(encoding="utf-8"))
    return {g["code"]: (g.get("name_id", g["code"]), g.get("name_en", g["code"])) for g in data["groups"]}


# The catalogue's group names, read at most every LABELS_SECONDS per process (reference data,
# edited rarely; a save or delete in this process reads them again at once).
LABELS_SECONDS = 300
_labels_read: dict[str, Any] = {"at": None, "rows": []}


def _forget_labels(**_kwargs: Any) -> None:
    _labels_read["at"] = None


post_save.connect(_forget_labels, sender=ViolationGroup, dispatch_uid="netra-workspace-group-labels-save")
post_delete.connect(_forget_labels, sender=ViolationGroup, dispatch_uid="netra-workspace-group-labels-delete")


def _catalogue_names() -> list[tuple[str, str, str]]:
    now = time.monotonic()
    if _labels_read["at"] is None or now - _labels_read["at"] > LABELS_SECONDS:
        _labels_read["rows"] = list(ViolationGroup.objects.values_list("code", "name_id", "name_en"))
        _labels_read["at"] = now
    return _labels_read["rows"]


def group_labels() -> dict[str, str]:
    english = (get_language() or "id").startswith("en")
    labels = {code: names[1] if english else names[0] for code, names in _file_labels().items()}
    labels |= {code: (name_en if english else name_id) for code, name_id, name_en in _catalogue_names()}
    labels["not_violation"] = _("Bukan pelanggaran")
    return labels


def _date_text(mention) -> str:
    """A date mention as stored (``{"start", "end", "text"}``): "kemarin sore (2026-11-30)"."""
    if not isinstance(mention, dict):
        return str(mention)
    start, end = mention.get("start", ""), mention.get("end", "")
    when = start if start == end else f"{start} s.d. {end}"
    return f"{mention.get('text', '')} ({when})".strip()


def triage_context(case: Case, user, *, subjects: list | None = None) -> dict[str, Any]:
    """What the case page's triage block shows (``workspace/_triage_case.html``); ``subjects``: the
    case's subjects when the page has read them already."""
    result = selectors.loaded_relation(case, "triage")  # read with the case on its page
    if result is selectors.NOT_LOADED:
        result = TriageResult.objects.filter(case=case).first()
    labels = group_labels()
    suggestions = []
    if result is not None and result.computed_at is not None:
        suggestions = [
            {
                "code": s.get("code", ""),
                "label": labels.get(s.get("code", ""), s.get("code", "")),
                "percent": shown_percent(float(s.get("confidence") or 0)),
                "words": s.get("words") or [],
            }
            for s in result.suggestions
        ]
    choice: Any
    if hasattr(case, "latest_choice_chosen"):  # read with the case on its page (selectors.case_page_for)
        chosen = case.latest_choice_chosen
        choice = SimpleNamespace(chosen=chosen, at=getattr(case, "latest_choice_at", None)) if chosen else None
    else:
        choice = triage_flow.latest_choice(case)
    facts = (result.facts or {}) if result is not None else {}
    return {
        "triage": {
            "result": result,
            "pending": result is not None and result.computed_at is None,
            "suggestions": suggestions[:3],
            "others": [{"code": code, "label": labels.get(code, code)} for code in triage_flow.GROUPS],
            "choice": choice,
            "choice_label": labels.get(choice.chosen, choice.chosen) if choice else "",
            "facts": [
                (_("Tokoh/calon"), facts.get("candidates") or []),
                (_("Partai"), facts.get("parties") or []),
                (_("Tanggal"), [_date_text(d) for d in facts.get("dates") or []]),
                (_("Tautan"), facts.get("links") or []),
            ],
            "offers": triage_flow.fact_offers(case, result, subjects=subjects),
            "checking": case.status in CHECKING,
            "may_act": presenters.may_act(user),
        }
    }


def _answer(request, case: Case):
    if request.htmx:
        case = selectors.case_for(request.user, case.pk)
        return render(request, "workspace/_triage_case.html", {"case": case, **triage_context(case, request.user)})
    return redirect(reverse("workspace:case", args=[case.pk]) + "#h-triage")


@require_POST
@staff_required
def confirm(request, pk: int):
    case = selectors.case_for(request.user, pk)
    try:
        triage_flow.triage_confirm(case=case, actor=request.user, chosen=request.POST.get("chosen", ""))
    except triage_flow.TriageError as error:
        if error.code == "not_found":
            raise Http404("case not found") from None
        messages.error(request, error.message or _("Pilihan belum disimpan."))
    else:
        messages.success(request, _("Kelompok pelanggaran dicatat."))
    return _answer(request, case)


@require_POST
@staff_required
def use_fact(request, pk: int):
    case = selectors.case_for(request.user, pk)
    try:
        triage_flow.triage_apply_fact(
            case=case, actor=request.user, field=request.POST.get("field", ""), value=request.POST.get("value", "")
        )
    except triage_flow.TriageError as error:
        if error.code == "not_found":
            raise Http404("case not found") from None
        messages.error(request, error.message or _("Fakta belum dipakai."))
    else:
        messages.success(request, _("Fakta dipakai untuk isian yang masih kosong."))
    return redirect(reverse("workspace:case", args=[case.pk]) + "#h-triage")


@require_GET
@staff_required
def cluster(request, cluster: int):
    """The open cases of one cluster in the user's scope; 404 when none (or none they may see)."""
    cases = list(triage_flow.cluster_cases(request.user, cluster)[:200])
    if not cases:
        raise Http404("cluster not found")
    presenters.mark_attention(cases)
    labels = group_labels()
    for case in cases:
        result = getattr(case, "triage", None)
        case.triage_label = labels.get(result.top_code, "") if result and result.top_code else ""  # type: ignore[attr-defined]
    return render(
        request,
        "workspace/triage_cluster.html",
        {"cases": cases, "cluster": cluster, "bulk": presenters.bulk_tools(request.user), "target": cases[0]},
    )


def mark_clusters(rows, *, user) -> None:
    """Queue rows get ``triage_cluster`` / ``triage_cluster_size`` and ``triage_top`` (the chip)."""
    sizes = triage_flow.cluster_sizes(rows, user=user)
    results = {
        case_id: (code, confidence)
        for case_id, code, confidence in TriageResult.objects.filter(
            case_id__in=[row.pk for row in rows], computed_at__isnull=False
        ).values_list("case_id", "top_code", "top_confidence")
    }
    labels = group_labels() if results else {}
    for row in rows:
        row.triage_cluster, row.triage_cluster_size = sizes.get(row.pk, (None, 0))
        code, confidence = results.get(row.pk, ("", 0.0))
        row.triage_top = (
            {"code": code, "label": labels.get(code, code), "percent": shown_percent(confidence)} if code else None
        )
