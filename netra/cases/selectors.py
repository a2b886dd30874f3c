"""Read queries for cases. Staff lists go through the scope selectors of ``netra.orgs``."""

from netra.cases.models import Case, Report, Transition


def public_timeline(case: Case) -> list[dict]:
    """The steps a reporter sees: this case's transitions and, once merged, the surviving case's after the merge.

    Only the state, its label, the time and the note written for the reporter — never who acted.
    """
    steps = list(Transition.objects.filter(case=case).order_by("at", "pk"))
    current, seen = case, {case.pk}
    while current.status == Case.Status.MERGED and current.merged_into_id and current.merged_into_id not in seen:
        merged_at = next((s.at for s in reversed(steps) if s.to_state == Case.Status.MERGED), None)
        current = current.merged_into
        seen.add(current.pk)
        later = Transition.objects.filter(case=current).order_by("at", "pk")
        if merged_at is not None:
            later = later.filter(at__gte=merged_at)
        steps.extend(later)
    labels = dict(Case.Status.choices)
    return [
        {
            "status": step.to_state,
            "label": str(labels.get(step.to_state, step.to_state)),
            "at": step.at,
            "note": step.public_note,
        }
        for step in steps
    ]


def reports_of_case(case: Case):
    """The submissions of a case, including those of cases merged into it."""
    return Report.objects.filter(case__in=[case.pk, *case.merged_cases.values_list("pk", flat=True)])
