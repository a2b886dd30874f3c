"""The letters of a case as PDF downloads: the recommendation letter and the decision summary.

Read through ``selectors.case_for`` like every case page: outside the user's scope it answers 404,
and so does a case that has no recommendation (or no decision) yet. A GET only renders: the
letter's number is given by the move that sends the recommendation (security finding 11).
"""

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from netra.cases import letters, selectors
from netra.cases.models import Decision, Recommendation
from netra.orgs.access import staff_required


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@never_cache
@staff_required
def recommendation_letter(request, pk: int):
    case = selectors.case_for(request.user, pk)
    try:
        pdf = letters.recommendation_letter_pdf(case)
    except Recommendation.DoesNotExist:
        raise Http404("no recommendation yet") from None
    return _pdf(pdf, letters.letter_filename(case, "surat-rekomendasi"))


@require_GET
@never_cache
@staff_required
def decision_summary(request, pk: int):
    case = selectors.case_for(request.user, pk)
    try:
        pdf = letters.decision_summary_pdf(case)
    except Decision.DoesNotExist:
        raise Http404("no decision yet") from None
    return _pdf(pdf, letters.letter_filename(case, "ringkasan-keputusan"))
