"""The Satgas workspace: the queue, the case page and the evidence viewer (reads only).

Actions (forms that change a case) are in ``netra.workspace.actions``. Every case is read through
``netra.cases.selectors`` so a case outside the user's scope answers 404, like a missing one.
"""

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from netra.cases import search, selectors, triage_flow
from netra.cases.evidence import EXTENSIONS
from netra.cases.models import Case, Evidence, LinkArchive, TriageResult
from netra.cases.queue_filters import queue_filter_form
from netra.cases.scope import once_per_request, per_request
from netra.notify.selectors import unread_count, unread_for
from netra.orgs.access import staff_required
from netra.orgs.models import Membership
from netra.pacts.coverage import prevention_for_subjects
from netra.workspace import control, presenters, triage
from netra.workspace.forms import InternalNoteForm, MessageForm

# Where a refused bulk action leaves its selection for the next queue page (ids only).
SELECTION_KEY = "netra_queue_selection"


# The bulk bar's tools and the workflow moves (or service) that each one makes.
# Role home panels: what waits for a role that does not work the Satgas queue.
WAITING_PANELS = (
    (Membership.Role.BAWASLU_OFFICER, "bawaslu_review", _("Menunggu kajian Anda")),
    (Membership.Role.PPK, "decision", _("Menunggu keputusan Anda")),
    (Membership.Role.BKN_SUPERVISOR, "escalated", _("Kasus eskalasi dalam pengawasan Anda")),
    # Issue #16 items 3 and 4 (netra.workspace.control, the referral moves).
    (Membership.Role.PPK, "control_actions", _("Tindakan pengendalian BKN atas kasus Anda")),
    (Membership.Role.BKN_SUPERVISOR, "referred", _("Kasus yang dirujuk ke instansi Anda")),
)
SATGAS_QUEUE_ROLES = frozenset({Membership.Role.SATGAS_OFFICER, Membership.Role.SATGAS_LEAD})


def waiting_panels(user, roles: set[str]) -> list[dict]:
    """One panel per non-Satgas role the user holds: its cases, their due dates and state."""
    today, soon = selectors.attention_dates()
    case_url = presenters.case_url_maker()
    panels = []
    for role, kind, title in WAITING_PANELS:
        if role not in roles:
            continue
        cases: list[Any] = selectors.waiting_list(user, kind)
        for case in cases:  # the due date of what waits (Bawaslu's own for a kajian) and its state
            due = case.panel_due = (
                case.bawaslu_due_date
                if kind == "bawaslu_review"
                else getattr(case, "last_control_deadline", None)
                if kind == "control_actions"
                else case.due_date
            )
            case.panel_state = (
                "none" if due is None else "overdue" if due < today else "due_soon" if due <= soon else "ok"
            )
            # The queue's rows carry it (selectors.cases_for); a lookup that fails costs a dir() of the case.
            case.has_control_action = getattr(case, "has_control_action", False)
            case.page_url = case_url(case.pk)
        rows = presenters.panel_rows(cases, control_actions=kind == "control_actions")
        panels.append({"kind": kind, "title": title, "cases": cases, "rows": rows})
    return panels


@require_GET
@staff_required
@per_request  # the scope and the memberships once for the whole page (netra.cases.scope)
def home(request):
    """The queue: what needs attention first, filtered; htmx swaps only the list.

    Roles that do not work the Satgas queue (Bawaslu, PPK, BKN) get their home on top of it:
    what waits for them, with its due date; the bulk tools show only to roles that may use them.
    """
    user = request.user
    # The regions and agencies of the user's cases are the only choices of those two filters.
    form = queue_filter_form(request.GET, user)
    filters = form.filters()
    # Keyset pages (no OFFSET): ?setelah=<cursor> the next page, ?sebelum=<cursor> the one before.
    page = selectors.queue_page(user, after=request.GET.get("setelah"), before=request.GET.get("sebelum"), **filters)
    presenters.mark_attention(page.object_list)
    duplicates = triage_flow.duplicate_counts(page.object_list, user=user)
    rows: list[Any] = list(page.object_list)
    case_url = presenters.case_url_maker()
    for case in rows:
        case.duplicate_count = duplicates.get(case.pk, 0)
        case.page_url = case_url(case.pk)
    triage.mark_clusters(rows, user=user)  # the suggestion chip and the cluster (netra.workspace.triage)
    counts = selectors.queue_counts(user, **filters)
    tools = presenters.bulk_tools(user)
    # A refused bulk action leaves its selection ticked (bulk puts it in the session).
    selected = {int(pk) for pk in request.session.pop(SELECTION_KEY, []) if str(pk).isdigit()}
    context = {
        "form": form,
        "page": page,
        "rows": presenters.queue_rows(rows, selected=selected),
        "counts": counts,
        "tabs": presenters.queue_tabs(counts, current=filters["status"] or "all"),
        "status": filters["status"] or "all",
        "query": presenters.query_without(request.GET, "page", "status", "setelah", "sebelum"),
        "page_query": presenters.query_without(request.GET, "page", "setelah", "sebelum"),
        "total": counts.get(filters["status"] or "all", 0),
        # A searched queue ranks and counts the newest MAX_RANKED matches of each kind (cases.search).
        "search_capped": search.MAX_RANKED
        if filters.get("search") and counts.get("all", 0) >= search.MAX_RANKED
        else None,
        "may_act": presenters.may_act(user),
        "bulk": tools,
        "selected": selected,
        "selected_cases": [case for case in page.object_list if case.pk in selected],
        "assignees": presenters.assignee_choices(user) if tools["assign"] else [],
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "workspace/_queue_list.html", context)
    memberships = list(Membership.objects.filter(user=user, active=True).select_related("agency"))
    roles = {m.role for m in memberships}
    context |= {
        "memberships": memberships,
        "satgas": user.is_superuser or bool(roles & SATGAS_QUEUE_ROLES),
        "panels": waiting_panels(user, roles),
        "read_only": not user.is_superuser and not tools["any"] and not presenters.may_act(user),
        "notifications": list(unread_for(user).order_by("-created_at")[:5]),
        "unread": unread_count(user),
    }
    return render(request, "workspace/queue.html", context)


@require_GET
@staff_required
@per_request  # the scope and the memberships once for the whole page (netra.cases.scope)
def case_detail(request, pk: int):
    case = selectors.case_page_for(request.user, pk)
    return render(request, "workspace/case.html", case_context(request, case))


def case_context(request, case: Case, **forms) -> dict:
    """Everything the case page shows; ``forms`` replaces a form (a refused one, bound, keeps its text).

    A fixed number of queries whatever the case holds (reports, evidence, messages, subjects,
    transitions, merged cases): every list is one query (``test_case_page_queries``).
    """
    user = request.user
    with once_per_request():
        return _case_context(user, case, forms)


def _case_context(user, case: Case, forms: dict) -> dict:
    reports = list(selectors.reports_of_case(case).order_by("submitted_at", "pk"))
    # Transitions, audit events, internal notes and the reports' messages: one statement.
    log = selectors.case_log(
        case, report_ids=[report.pk for report in reports], skip_actions=presenters.TRANSITION_EVENTS
    )
    for report in reports:
        report.thread = log.messages.get(report.pk, [])
    presenters.present_reporters(reports, case, user)  # reporter data: netra.cases.reporter_data
    subject_rows = list(case.subjects.all())
    histories = selectors.subject_histories(subject_rows, user=user, limit=10)
    # Prevention (issue #11): did these people sign the current pact, attend which events.
    prevention = prevention_for_subjects(agency_id=case.agency_id, subjects=[(s.nip, s.name) for s in subject_rows])
    subjects = [
        {"subject": subject, "history": histories[subject.pk], "prevention": records}
        for subject, records in zip(subject_rows, prevention, strict=True)
    ]
    checking = case.status in (Case.Status.RECEIVED, Case.Status.CHECKING)
    presenters.mark_attention([case])
    evidence = list(Evidence.objects.filter(case=case).order_by("uploaded_at", "pk"))
    context = {
        "case": case,
        "reports": reports,
        "subjects": subjects,
        "evidence": evidence,
        "link_archives": list(LinkArchive.objects.filter(report__in=[report.pk for report in reports])),
        "timeline": presenters.timeline(case, log.events, transitions=log.transitions),
        "reporter_time": presenters.reporter_time_format(case, user),  # netra.cases.reporter_data
        **_duplicates(case, user, checking),
        "may_act": presenters.may_act(user),
        "message_form": MessageForm(),
        "note_form": InternalNoteForm(),
    }
    context.update(
        presenters.case_extras(
            case, user, reports=reports, evidence=evidence, notes=log.notes, follow_ups=log.follow_ups
        )
    )
    context.update(control.panel(case, user))  # BKN's control actions (netra.workspace.control)
    context.update(triage.triage_context(case, user, subjects=subject_rows))
    context.update(forms)
    return context


def _duplicates(case: Case, user, checking: bool) -> dict:
    """The look-alikes kept with the case's triage, re-checked against the reader's scope (two
    statements whatever their number); "Cari ulang" runs the live lookup again."""
    if not checking:
        return {"duplicates": [], "duplicates_searched": True, "duplicates_url": None}
    result = selectors.loaded_relation(case, "triage")  # read with the case on its page
    if result is selectors.NOT_LOADED:
        result = TriageResult.objects.filter(case=case).first()
    found = triage_flow.stored_duplicates(case, result, user=user)
    return {
        "duplicates": found or [],
        "duplicates_searched": found is not None,
        "duplicates_at": result.duplicates_at if result is not None else None,
        "duplicates_url": reverse("workspace:duplicates", args=[case.pk]) if presenters.may_act(user) else None,
    }


# Shown by the browser only inside a sandbox: no script, no form, no same-origin access, even
# if a file were not what its type claims.
EVIDENCE_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
# A sandboxed page cannot run the browser's PDF viewer, so PDFs are always downloaded.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "video/mp4"})


@require_GET
@never_cache
@staff_required
def evidence_file(request, pk: int, evidence_id: int):
    """One evidence file, streamed from storage to a user who may read its case; 404 otherwise."""
    case = selectors.case_for(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, case=case)
    if not evidence.file.name:
        raise Http404("evidence file missing")
    try:
        handle = default_storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        raise Http404("evidence file missing") from None
    download = request.GET.get("unduh") == "1" or evidence.content_type not in INLINE_TYPES
    filename = f"bukti-{case.number or case.pk}-{evidence.pk}.{EXTENSIONS.get(evidence.content_type, 'bin')}"
    response = FileResponse(handle, as_attachment=download, filename=filename, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = EVIDENCE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# The two files of an archived link (netra.cases.archive): the MHTML is only ever downloaded (a
# browser opening it would run the archived page's scripts on our origin); the PNG may be shown.
ARCHIVE_FILES = {"mhtml": ("snapshot", "multipart/related"), "png": ("screenshot", "image/png")}


@require_GET
@never_cache
@staff_required
def link_archive_file(request, pk: int, archive_id: int, kind: str):
    """One file of an archived link of a report of a case the user may read; 404 otherwise."""
    case = selectors.case_for(request.user, pk)
    if kind not in ARCHIVE_FILES:
        raise Http404("unknown archive file")
    field, content_type = ARCHIVE_FILES[kind]
    item = get_object_or_404(LinkArchive, pk=archive_id, report__in=selectors.reports_of_case(case))
    name = getattr(item, field).name
    if not name:
        raise Http404("archive file missing")
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("archive file missing") from None
    download = kind == "mhtml" or request.GET.get("unduh") == "1"
    filename = f"arsip-tautan-{case.number or case.pk}-{item.pk}.{kind}"
    response = FileResponse(handle, as_attachment=download, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = EVIDENCE_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_GET
def no_membership(request):
    return render(request, "workspace/no_membership.html", status=403)
