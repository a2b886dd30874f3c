"""Workspace views that change a case: workflow moves, messages, notes, assignment, bulk actions.

Each view reads the case through the scoped selector (404 outside scope), calls one service of
``netra.cases.services`` and turns a ``TransitionError`` into a message on the page — never a 500.
The workflow table (``netra.cases.workflow``) decides which moves exist and who may make them.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from netra.cases import selectors, services, triage_flow
from netra.cases.models import Case, ControlAction, Recommendation
from netra.cases.workflow import TransitionError, available_moves, find_move
from netra.orgs.access import staff_required
from netra.workspace import control, move_forms, presenters
from netra.workspace.forms import FollowUpForm, InternalNoteForm, MessageForm
from netra.workspace.views import case_context


def _case_url(case: Case) -> str:
    return reverse("workspace:case", args=[case.pk])


def _refusal(error: TransitionError) -> str:
    """One line for a refused action: the service's message plus its field messages."""
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([error.message, *details]) if details and error.code == "validation_error" else error.message


# --- workflow moves ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def move(request, pk: int, action: str):
    """The form of one move (GET: htmx partial or a page of its own) and its submission (POST)."""
    case = selectors.case_for(request.user, pk)
    chosen = next((m for m in available_moves(case, request.user) if m.action == action), None)
    error: TransitionError | None
    if chosen is None:
        # Not offered to this user now (stale page, another officer was faster, or not their role):
        # explain in words, never a 500, and change nothing.
        if find_move(case.status, action) is None:
            error = TransitionError(
                "conflict",
                _("Langkah ini tidak dapat dilakukan: status kasus sekarang %(state)s.")
                % {"state": case.get_status_display()},
            )
        else:
            error = TransitionError("forbidden")
        if request.htmx:
            return render(request, "workspace/_move_refused.html", {"case": case, "error": error})
        messages.error(request, error.message)
        return redirect(_case_url(case))

    if request.method == "POST" and request.POST.get("hitung"):
        # "Hitung saran" (no JavaScript; with it, htmx asks the same as the boxes are ticked): show
        # the system's suggestion for the ticked violations and preselect it. Nothing is saved.
        probe = move_forms.build(chosen, case, request.user)
        form = move_forms.build(chosen, case, request.user, initial=move_forms.recalculated(request.POST, probe, case))
        return _move_page(request, case, chosen, form, None)

    posted = request.method == "POST"
    # Bound on every POST, an empty one too (an empty POST left the form unbound: a 500).
    form = move_forms.build(
        chosen, case, request.user, data=request.POST if posted else None, files=request.FILES if posted else None
    )
    error = None
    if request.method == "POST":
        files = {
            name: request.FILES[form.add_prefix(name)] for name in form.fields if form.add_prefix(name) in request.FILES
        }
        try:
            services.case_transition(
                case=case,
                action=action,
                actor=request.user,
                data=move_forms.payload(request.POST, form),
                files=files or None,
                note=request.POST.get("note", ""),
            )
        except TransitionError as refused:
            error = refused
            # The move's own form gives the same field errors the service found; anything else
            # (a field the form does not show) goes on top of the form.
            form.is_valid()
            for field, field_messages in refused.fields.items():
                if field not in form.errors:
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
        else:
            case.refresh_from_db()
            messages.success(
                request,
                _("%(case)s: %(label)s — status sekarang %(state)s.")
                % {"case": case, "label": chosen.label, "state": case.get_status_display()},
            )
            return redirect(_case_url(case))
    return _move_page(request, case, chosen, form, error)


def _move_page(request, case, chosen, form, error):
    """The move's form: an htmx partial (opened on the case page, or a live suggestion) or a page
    of its own that keeps the case's reports and evidence in view."""
    context = {
        "case": case,
        "move": chosen,
        "form": form,
        "error": error,
        "suggestion": move_forms.suggestion(form, case),
    }
    if chosen.action == "decided":
        # The PPK decides with the Satgas' recommendation in view.
        recommendation = Recommendation.objects.filter(case=case).select_related("sanction_category").first()
        context.update(
            recommendation=recommendation,
            recommendation_violations=presenters.violation_names(recommendation.violations) if recommendation else [],
        )
    if request.htmx:
        return render(request, "workspace/_move_form.html", context, status=422 if error and error.fields else 200)
    context.update(
        reports=list(selectors.reports_of_case(case).order_by("submitted_at")),
        subjects=list(case.subjects.all()),
        evidence=presenters.evidence_rows(case),
    )
    return render(request, "workspace/move.html", context, status=422 if error and error.fields else 200)


# --- reporter messages, internal notes, assignment, merge ---------------------------------------


def _post_service(request, pk: int, call, success: str):
    case = selectors.case_for(request.user, pk)
    try:
        call(case)
    except TransitionError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, success)
    return redirect(_case_url(case))


@require_POST
@staff_required
def message_add(request, pk: int):
    case = selectors.case_for(request.user, pk)
    form = MessageForm(
        request.POST, reports=selectors.reports_of_case(case).order_by("submitted_at"), viewer=request.user, case=case
    )
    if not form.is_valid():
        # The case page again, the typed message still in its box beside the reason.
        messages.error(request, _("Pesan belum terkirim: periksa isian yang ditandai."))
        return render(request, "workspace/case.html", case_context(request, case, message_form=form), status=422)
    report = form.chosen_report()
    return _post_service(
        request,
        pk,
        lambda case: services.satgas_message_add(
            case=case, actor=request.user, body=form.cleaned_data["body"], report=report
        ),
        _("Pesan terkirim ke pelapor %(code)s.") % {"code": form.label_of(report)}
        if report
        else _("Pesan terkirim ke pelapor."),
    )


@require_POST
@staff_required
def note_add(request, pk: int):
    form = InternalNoteForm(request.POST)
    if not form.is_valid():
        case = selectors.case_for(request.user, pk)
        messages.error(request, _("Catatan belum disimpan: periksa isian yang ditandai."))
        return render(request, "workspace/case.html", case_context(request, case, note_form=form), status=422)
    return _post_service(
        request,
        pk,
        lambda case: services.internal_note_add(case=case, actor=request.user, body=form.cleaned_data["body"]),
        _("Catatan internal disimpan."),
    )


@require_POST
@staff_required
def duplicates_refresh(request, pk: int):
    """ "Cari ulang": look for duplicates of this case again (the page shows what was kept)."""
    case = selectors.case_for(request.user, pk)
    if not presenters.may_act(request.user):
        raise Http404("not an officer")
    found = triage_flow.refresh_duplicates(case)
    messages.success(request, _("Pencarian duplikat diulang: %(count)d kemungkinan.") % {"count": len(found)})
    return redirect(_case_url(case))


@require_POST
@staff_required
def followup_add(request, pk: int):
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        case = selectors.case_for(request.user, pk)
        for field, field_messages in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(map(str, field_messages))
            messages.error(request, f"{label}: {text}" if label else text)
        return redirect(_case_url(case))
    return _post_service(
        request,
        pk,
        lambda case: services.followup_add(case=case, actor=request.user, **form.cleaned_data),
        _("Tindak lanjut dicatat."),
    )


def _assignee(value):
    if not value:
        return None
    try:
        return get_user_model().objects.get(pk=int(value), is_active=True)
    except (ValueError, get_user_model().DoesNotExist):
        raise TransitionError("validation_error", fields={"assignee": [_("Petugas tidak dikenal.")]}) from None


@require_POST
@staff_required
def assign(request, pk: int):
    def call(case):
        services.case_assign(case=case, assignee=_assignee(request.POST.get("assignee")), actor=request.user)

    return _post_service(request, pk, call, _("Penugasan disimpan."))


@require_POST
@staff_required
def merge_here(request, pk: int):
    """Merge a duplicate candidate into this case (the case on screen survives)."""
    case = selectors.case_for(request.user, pk)
    try:
        other = selectors.case_for(request.user, request.POST.get("other"))
    except Http404:
        messages.error(request, _("Kasus yang akan digabung tidak ditemukan."))
        return redirect(_case_url(case))
    try:
        services.case_transition(case=other, action="merged", actor=request.user, data={"into_case": case.pk})
    except TransitionError as error:
        messages.error(request, f"{other}: {_refusal(error)}")
    else:
        messages.success(
            request,
            _("%(other)s digabung ke %(case)s; pelapornya kini mengikuti kasus ini.") % {"other": other, "case": case},
        )
    return redirect(_case_url(case))


# --- bulk actions on a queue selection ----------------------------------------------------------

BULK_MAX = 500
DUPLICATE_EXPLANATION = _("Laporan ini sama dengan laporan lain yang sedang ditangani; tindak lanjutnya di sana.")


def _back(request):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("workspace:home")


def _keep_selection(request, cases) -> None:
    """Leave these cases ticked on the queue page the user goes back to (a refusal loses no tick)."""
    from netra.workspace.views import SELECTION_KEY

    request.session[SELECTION_KEY] = [int(getattr(case, "pk", case)) for case in cases]


@require_POST
@staff_required
def bulk(request):
    """Assign, merge or dismiss a selection; each case on its own, so one refusal does not block the rest.

    A refused action (or the refused cases of one) stays ticked when the queue comes back.
    """
    ids = [value for value in request.POST.getlist("cases") if value.isdigit()][:BULK_MAX]
    action = request.POST.get("action")
    if not ids:
        messages.error(request, _("Pilih minimal satu kasus."))
        return _back(request)
    cases = list(selectors.scoped_cases(request.user).filter(pk__in=ids).order_by("created_at", "pk"))
    if len(cases) < len(set(ids)):
        messages.error(request, _("Sebagian kasus yang dipilih tidak ditemukan dan dilewati."))

    if action == "assign":
        try:
            assignee = _assignee(request.POST.get("assignee"))
        except TransitionError as error:
            messages.error(request, _refusal(error))
            _keep_selection(request, cases)
            return _back(request)
        if assignee is None:
            messages.error(request, _("Pilih petugas yang akan ditugaskan."))
            _keep_selection(request, cases)
            return _back(request)
        results = _each(cases, lambda case: services.case_assign(case=case, assignee=assignee, actor=request.user))
        done = ngettext_lazy("%(n)d kasus ditugaskan ke %(name)s.", "%(n)d kasus ditugaskan ke %(name)s.", "n")
        extra = {"name": assignee.get_full_name() or assignee.get_username()}
    elif action == "merge":
        into = _merge_target(request, cases)
        if into is None:
            _keep_selection(request, cases)
            return _back(request)
        others = [case for case in cases if case.pk != into.pk]
        results = _each(
            others,
            lambda case: services.case_transition(
                case=case, action="merged", actor=request.user, data={"into_case": into.pk}
            ),
        )
        done = ngettext_lazy("%(n)d kasus digabung ke %(into)s.", "%(n)d kasus digabung ke %(into)s.", "n")
        extra = {"into": str(into)}
    elif action == "dismiss":
        explanation = request.POST.get("explanation", "").strip() or str(DUPLICATE_EXPLANATION)
        results = _each(
            cases,
            lambda case: services.case_transition(
                case=case,
                action="dismissed",
                actor=request.user,
                data={"reason": "duplicate", "explanation": explanation},
            ),
        )
        done = ngettext_lazy(
            "%(n)d kasus dihentikan sebagai laporan ganda.", "%(n)d kasus dihentikan sebagai laporan ganda.", "n"
        )
        extra = {}
    else:
        messages.error(request, _("Tindakan tidak dikenal."))
        _keep_selection(request, cases)
        return _back(request)

    succeeded = [case for case, error in results if error is None]
    failed = [(case, error) for case, error in results if error is not None]
    if succeeded:
        # The count picks the English form (Indonesian has one); "n" names it in the mapping.
        messages.success(request, done % {"n": len(succeeded), **extra})
    for case, refused in failed:
        messages.error(request, f"{case}: {_refusal(refused)}")
    if failed:
        _keep_selection(request, [case for case, _error in failed])
    return _back(request)


def _each(cases, call) -> list[tuple[Case, TransitionError | None]]:
    results: list[tuple[Case, TransitionError | None]] = []
    for case in cases:
        try:
            call(case)
        except TransitionError as error:
            results.append((case, error))
        else:
            results.append((case, None))
    return results


def _merge_target(request, cases) -> Case | None:
    """The case the selection is merged into: the one chosen (a ticked case, or a number typed as
    people write it: ``211``, ``ntr-2026-000211``), else the oldest selected."""
    number = request.POST.get("into", "").strip()
    if number:
        found = selectors.case_by_number(request.user, number)
        if found is None:
            messages.error(request, _("Kasus tujuan %(number)s tidak ditemukan.") % {"number": number[:30]})
        return found
    if len(cases) < 2:
        messages.error(request, _("Pilih minimal dua kasus untuk digabung, atau isi nomor kasus tujuan."))
        return None
    return cases[0]


@require_POST
@staff_required
def control_action_add(request, pk: int, kind: str):
    """Record one of BKN's control actions (the forms of ``netra.workspace.control``)."""
    case = selectors.case_for(request.user, pk)
    if kind not in control.FORMS:
        raise Http404("unknown control action")
    form = control.build(kind, case, request.user, data=request.POST)
    if form.is_valid():
        try:
            services.control_action_add(case=case, actor=request.user, kind=kind, data=dict(form.cleaned_data))
        except TransitionError as error:
            messages.error(request, error.message)
            for name, problems in error.fields.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
            if not error.fields:
                return redirect(reverse("workspace:case", args=[case.pk]))
        else:
            messages.success(request, _("%(kind)s dicatat.") % {"kind": ControlAction.Kind(kind).label})
            return redirect(reverse("workspace:case", args=[case.pk]) + "#h-control")
    else:
        messages.error(request, _("Tindakan pengendalian belum dicatat: periksa isian yang ditandai."))
    context = case_context(request, case)
    context |= control.panel(case, request.user, bound=form)
    return render(request, "workspace/case.html", context, status=422)
