"""Elections and their phases (tahapan), and which phase a date falls in.

The phase on the incident date decides which sanction the catalogue suggests: before candidates
are designated the conduct concerns *bakal calon* (code of ethics, PP 42/2004); from designation
on it is a discipline matter (PP 94/2021 art. 5 n). Dates come from the KPU regulations cited in
each election's ``source`` and stay editable in the admin.
"""

import json
from datetime import date
from itertools import pairwise
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Min, QuerySet

from netra.catalog.models import Election, ElectionPhase

DATA_FILE = Path(__file__).resolve().parent / "data" / "elections.json"


@transaction.atomic
def load_elections(*, path: Path = DATA_FILE) -> int:
    """Insert or update the elections of the JSON file and their phases (idempotent).

    For an election in the file, the file is the truth: a phase kind it no longer lists is
    removed. Elections added in the admin and absent from the file are left alone.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data:
        election, _ = Election.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "kind": item["kind"],
                "voting_date": date.fromisoformat(item["voting_date"]),
                "source": item.get("source", ""),
            },
        )
        kinds = []
        for phase in item["phases"]:
            kinds.append(phase["kind"])
            ElectionPhase.objects.update_or_create(
                election=election,
                kind=phase["kind"],
                defaults={"start": date.fromisoformat(phase["start"]), "end": date.fromisoformat(phase["end"])},
            )
        election.phases.exclude(kind__in=kinds).delete()
    return len(data)


def phase_on(day: date, election: Election | str | None = None) -> ElectionPhase | None:
    """The phase in force on ``day``, for one election (object or code) or for any.

    - Where phases overlap (the PKPU count voting day as the first day of counting; the 2024
      Pilkada stages began while the Pemilu recapitulation was still running) the shortest
      covering phase wins, then the earlier election.
    - A date before an election's stages began counts as ``pre_designation`` of the next
      election: conduct then can only concern prospective candidates (bakal calon).
    - After the last phase (counting) there is no phase: ``None``.
    """
    phases = ElectionPhase.objects.select_related("election")
    if isinstance(election, Election):
        phases = phases.filter(election=election)
    elif election is not None:
        phases = phases.filter(election__code=election)
    covering = list(phases.filter(start__lte=day, end__gte=day))
    if covering:
        return min(covering, key=lambda p: (p.end - p.start, p.election.voting_date))
    return (
        phases.filter(kind=ElectionPhase.Kind.PRE_DESIGNATION, start__gt=day)
        .order_by("start", "election__voting_date")
        .first()
    )


def election_on(day: date) -> QuerySet[Election]:
    """Elections whose stages (first phase start to last phase end) include ``day``, earliest vote first."""
    return (
        Election.objects.annotate(first_day=Min("phases__start"), last_day=Max("phases__end"))
        .filter(first_day__lte=day, last_day__gte=day)
        .order_by("voting_date")
    )


# --- maintained by an admin (netra.orgs.elections, the workspace's elections page) -----------------

# The order the phases follow; voting and counting may share the voting day (the PKPU count it as
# the first day of counting), no other two phases may share a day.
PHASE_ORDER = tuple(ElectionPhase.Kind.values)
SHARED_DAY = frozenset({(ElectionPhase.Kind.VOTING, ElectionPhase.Kind.COUNTING)})


def phase_problems(voting_date: date | None, phases: dict[str, tuple[date, date]]) -> dict[str, list[str]]:
    """What is wrong with an election's phases (``kind -> (start, end)``), by phase kind; {} = fine.

    Each phase ends on or after it starts; the phases follow PHASE_ORDER without overlapping
    (voting/counting may share the voting day); they lie inside the election: the voting phase
    holds the voting date, the phases before it end before it, counting starts on or after it.
    """
    from django.utils.translation import gettext as _

    problems: dict[str, list[str]] = {}

    def add(kind: str, message: str) -> None:
        problems.setdefault(kind, []).append(message)

    labels = dict(ElectionPhase.Kind.choices)
    ordered = [(kind, phases[kind]) for kind in PHASE_ORDER if kind in phases]
    for kind, (start, end) in ordered:
        if end < start:
            add(kind, _("Tanggal selesai sebelum tanggal mulai."))
    for (kind_a, (_start_a, end_a)), (kind_b, (start_b, _end_b)) in pairwise(ordered):
        overlaps = start_b < end_a if (kind_a, kind_b) in SHARED_DAY else start_b <= end_a
        if overlaps:
            add(
                kind_b,
                _("Bertumpang tindih dengan tahapan %(other)s (s.d. %(end)s): mulai sesudahnya.")
                % {"other": labels[kind_a], "end": end_a.strftime("%d-%m-%Y")},
            )
    if voting_date is not None:
        index = PHASE_ORDER.index(ElectionPhase.Kind.VOTING)
        for kind, (start, end) in ordered:
            position = PHASE_ORDER.index(kind)
            if kind == ElectionPhase.Kind.VOTING and not start <= voting_date <= end:
                add(kind, _("Tahapan pemungutan suara harus memuat hari pemungutan suara."))
            elif position < index and end >= voting_date:
                add(kind, _("Tahapan ini harus selesai sebelum hari pemungutan suara."))
            elif position > index and start < voting_date:
                add(kind, _("Tahapan ini tidak boleh mulai sebelum hari pemungutan suara."))
    return problems
