"""The Satgas workspace: the queue, the case page and the evidence viewer (reads only).

Actions (forms that change a case) are in ``netra.workspace.actions``. Every case is read through
``netra.cases.selectors`` so a case outside the user's scope answers 404, like a missing one.
"""

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from netra.audit.selectors import events_for
from netra.cases import selectors
from netra.cases.evidence import EXTENSIONS
from netra.cases.models import Case, Evidence
from netra.orgs.models import Membership
from netra.workspace import presenters
from netra.workspace.access import staff_required
from netra.workspace.forms import InternalNoteForm, MessageForm, QueueFilterForm, region_choices


@require_GET
@staff_required
def home(request):
    """The queue: what needs attention first, filtered; htmx swaps only the list."""
    user = request.user
    region_codes = selectors.scoped_cases(user).order_by().values_list("region", flat=True).distinct()
    form = QueueFilterForm(request.GET, user=user, regions=region_choices(region_codes))
    filters = form.filters()
    page = Paginator(selectors.cases_for(user, **filters), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    presenters.mark_attention(page.object_list)
    counts = selectors.queue_counts(user, **filters)
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "tabs": presenters.queue_tabs(counts, current=filters["status"] or "all"),
        "status": filters["status"] or "all",
        "query": presenters.query_without(request.GET, "page", "status"),
        "page_query": presenters.query_without(request.GET, "page"),
        "memberships": Membership.objects.filter(user=user, active=True).select_related("agency"),
        "may_act": presenters.may_act(user),
        "assignees": presenters.assignee_choices(user),
    }
    template = "workspace/_queue_list.html" if request.htmx and not request.htmx.boosted else "workspace/queue.html"
    return render(request, template, context)


@require_GET
@staff_required
def case_detail(request, pk: int):
    user = request.user
    case = selectors.case_for(user, pk)
    reports = list(selectors.reports_of_case(case).prefetch_related("messages", "evidence").order_by("submitted_at"))
    presenters.present_reporters(reports, case, user)  # reporter data: netra.cases.reporter_data
    subjects = [
        {"subject": subject, "history": list(selectors.subject_history(subject, user=user)[:10])}
        for subject in case.subjects.all()
    ]
    checking = case.status in (Case.Status.RECEIVED, Case.Status.CHECKING)
    presenters.mark_attention([case])
    context = {
        "case": case,
        "reports": reports,
        "subjects": subjects,
        "evidence": list(Evidence.objects.filter(case=case).order_by("uploaded_at", "pk")),
        "timeline": presenters.timeline(case, events_for(case)),
        "duplicates": selectors.duplicate_candidates(case, user=user) if checking else [],
        "may_act": presenters.may_act(user),
        "message_form": MessageForm(),
        "note_form": InternalNoteForm(),
    }
    context.update(presenters.case_extras(case, user))
    return render(request, "workspace/case.html", context)


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


@require_GET
def no_membership(request):
    return render(request, "workspace/no_membership.html", status=403)
