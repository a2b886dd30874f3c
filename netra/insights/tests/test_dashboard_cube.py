"""The dashboard's cube stays equal to straight COUNTs over ``cases`` whatever writes the change:
the real workflow service, ``update()`` in bulk, inserts and deletions of recommendations,
decisions, subjects and transitions (one by one and in bulk, as an import writes them), merges,
moves between agencies and regions, changes of date. The repeated subjects and the step times
(``DashSubject``, ``DashStep``) too: against the live GROUP BY and LEAD() they replaced."""

import datetime
import random
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from conftest import verified_login
from netra.cases.models import Case, Decision, Recommendation, Report, Subject, Transition
from netra.cases.selectors import ACTIVE_STATES
from netra.cases.tests.factories import case_in
from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401
from netra.catalog.models import SanctionCategory, SanctionType, ViolationGroup
from netra.insights import cube, dashboard, stats
from netra.insights.aggregates import UNCLASSIFIED
from netra.insights.models import CaseFact, DashCell, DashStep, DashSubject, DirtyCase
from netra.orgs.selectors import Scope, case_scope


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _straight(scope: Scope, filters: dashboard.Filters, today: datetime.date) -> dict:
    """Every figure of ``dashboard.figures`` by plain COUNTs over ``cases`` (the definitions)."""
    qs = Case.objects.filter(scope.q()).exclude(status=Case.Status.MERGED)
    if filters.election:
        qs = qs.filter(election_id=filters.election)
    if bounds := stats.parse_period(filters.period):
        qs = qs.filter(created_at__date__gte=bounds[0], created_at__date__lt=bounds[1])
    if filters.region:
        qs = qs.filter(Q(region_id=filters.region) | Q(region__code__startswith=filters.region + "."))
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    active = qs.filter(status__in=ACTIVE_STATES)
    groups = set(ViolationGroup.objects.values_list("code", flat=True))
    violations: Counter[str] = Counter()
    for case in qs.select_related("recommendation"):
        rec = getattr(case, "recommendation", None) if hasattr(case, "recommendation") else None
        first = (rec.violations or [None])[0] if rec else None
        violations[first if first in groups else UNCLASSIFIED] += 1
    ageing = []
    for low, high in dashboard.AGE_BUCKETS:
        cond = Q(created_at__date__lte=today - datetime.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__date__gt=today - datetime.timedelta(days=high + 1))
        ageing.append(active.filter(cond).count())
    weekly: Counter[datetime.date] = Counter()
    for created in qs.values_list("created_at", flat=True):
        day = timezone.localtime(created).date()
        weekly[day - datetime.timedelta(days=day.weekday())] += 1
    units = Counter(
        dict(
            Subject.objects.filter(case__in=qs)
            .exclude(unit="")
            .values_list("unit")
            .annotate(n=Count("case", distinct=True))
        )
    )
    return {
        "state": {s: qs.filter(status=s).count() for s in Case.Status.values if s != Case.Status.MERGED},
        "overdue": {s: active.filter(status=s, due_date__lt=today).count() for s in ACTIVE_STATES},
        "ageing": ageing,
        "violation": {code: n for code, n in violations.items() if n},
        "region": Counter(qs.values_list("region_id", flat=True)),
        "agency": Counter(a or None for a in qs.values_list("agency_id", flat=True)),
        "unit": {u: n for u, n in units.items() if n},
        "sanction": Counter(
            Decision.objects.filter(case__in=qs, annulled_at__isnull=True).values_list("sanction_type_id", flat=True)
        ),
        "weekly": weekly,
    }


def _straight_repeats(qs) -> list[dict]:
    """The repeated subjects as the dashboard computed them live: NIPs in more than one case, with
    the name given in the latest of those cases (its first subject with that NIP and a name)."""
    subjects = Subject.objects.filter(case__in=qs).exclude(nip__isnull=True).exclude(nip="")
    rows = list(
        subjects.values("nip").annotate(n=Count("case", distinct=True)).filter(n__gt=1).order_by("-n", "nip")[:10]
    )
    out = []
    for row in rows:
        named = subjects.filter(nip=row["nip"]).exclude(name="").order_by("-case_id", "pk").first()
        out.append({"nip": row["nip"], "n": row["n"], "name": named.name if named else ""})
    return out


def _straight_steps(qs, filters, today) -> dict:
    """The step times as the dashboard computed them live (main before DashStep): LEAD() over the
    scoped cases' transitions of the last 365 days (of all time with a period filter)."""
    from django.db.models import F, Window
    from django.db.models.functions import Lead

    from netra.catalog.calendar import WorkingCalendar

    calendar = WorkingCalendar()
    transitions = Transition.objects.filter(case__in=qs.values("pk"))
    if not filters.period:
        since = datetime.datetime.combine(
            today - datetime.timedelta(days=dashboard.STEP_WINDOW_DAYS), datetime.time.min
        )
        transitions = transitions.filter(at__gte=timezone.make_aware(since))
    order = [F("at").asc(), F("pk").asc()]
    rows = (
        transitions.annotate(
            next_at=Window(Lead("at"), partition_by=[F("case_id")], order_by=order),
            next_state=Window(Lead("to_state"), partition_by=[F("case_id")], order_by=order),
        )
        .order_by()
        .values_list("to_state", "at", "next_at", "next_state")
    )
    spent: dict[str, list[float]] = {}
    ppk = Counter()
    for state, at, next_at, next_state in rows:
        if next_at is not None:
            spent.setdefault(state, []).append((next_at - at).total_seconds() / 86400)
        if state == Case.Status.AWAITING_DECISION:
            deadline = calendar.add_working_days(timezone.localtime(at).date(), 14)
            if next_state == Case.Status.DECIDED and next_at is not None:
                ppk["decided"] += 1
                ppk["in_time"] += timezone.localtime(next_at).date() <= deadline
            elif next_at is None:
                ppk["waiting"] += 1
                ppk["waiting_late"] += today > deadline
    steps = {
        state: (len(v), dashboard._quantile(v, 0.5), dashboard._quantile(v, 0.9)) for state, v in spent.items() if v
    }
    return {"steps": steps, "ppk": {k: ppk[k] for k in ("decided", "in_time", "waiting", "waiting_late")}}


def _compare(scope, filters, today):
    cube.refresh()  # what the page does before reading
    got = dashboard.figures(None, filters, today=today, scope=scope)
    want = _straight(scope, filters, today)
    where = (scope, filters)
    assert {r["code"]: r["n"] for r in got["by_state"]} == want["state"], where
    assert got["total"] == sum(want["state"].values()), where
    assert {r["code"]: r["n"] for r in got["overdue"]} == want["overdue"], where
    assert [r["n"] for r in got["ageing"]] == want["ageing"], where
    assert {r["code"]: r["n"] for r in got["by_violation"] if r["n"]} == want["violation"], where
    assert {r["code"]: r["n"] for r in got["by_region"]} == dict(want["region"].most_common(20)), where
    assert {r["id"]: r["n"] for r in got["by_agency"]} == dict(want["agency"].most_common(20)), where
    assert {r["unit"]: r["n"] for r in got["by_unit"]} == dict(
        sorted(want["unit"].items(), key=lambda item: (-item[1], item[0]))[:10]
    ), where
    assert {r["code"]: r["n"] for r in got["sanctions"]} == dict(want["sanction"]), where
    for week in got["weekly"]:
        assert week["n"] == want["weekly"].get(week["week"], 0), (where, week)
    qs = dashboard.cases(None, filters, scope)
    assert got["repeat_subjects"] == _straight_repeats(qs), where
    timing = dashboard.step_times(None, filters, today=today, scope=scope)
    want_steps = _straight_steps(qs, filters, today)
    assert {r["code"]: (r["n"], r["median"], r["p90"]) for r in timing["steps"]} == want_steps["steps"], where
    assert {k: timing["ppk"][k] for k in want_steps["ppk"]} == want_steps["ppk"], where


def test_the_cube_equals_straight_counts_after_random_changes(
    agencies,
    catalogue,  # noqa: F811
    satgas_katingan,
    lead_katingan,
    ppk_katingan,
    bawaslu_kalteng,
):
    from netra.catalog.elections import load_elections

    load_elections()
    rng = random.Random(11)
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    owners = [katingan, barsel, None]
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=d) for d in (0, 3, 7, 8, 30, 31, 90, 91, 200, 400)]
    days += [datetime.date(2024, 1, 31), datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)]
    states = [s for s in Case.Status.values if s != Case.Status.MERGED]
    groups = ["social_media", "gifts_money", "no-longer-in-the-catalogue"]
    category = SanctionCategory.objects.order_by("severity").first()
    sanction_types = list(SanctionType.objects.values_list("code", flat=True)[:3])
    units = ["Dinas Pendidikan", "Sekretariat Daerah", "BKPSDM"]
    nips = ["198503122010011001", "198503122010011002", "199001012015032003", "", None]
    names = ["Budi", "Siti", ""]
    regions = ["62.06", "62.04", "62"]
    made: list[Case] = []

    def midday(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.choice([0, 12, 23]))))

    scopes = [Scope.all(), case_scope(satgas_katingan), case_scope(bawaslu_kalteng)]
    for _round in range(4):
        for _ in range(10):
            owner = rng.choice(owners)
            case = case_in(rng.choice(states), agency=owner, region_id=rng.choice(regions))
            Case.objects.filter(pk=case.pk).update(
                created_at=midday(rng.choice(days)),
                due_date=rng.choice([None, today - datetime.timedelta(days=2), today, today + datetime.timedelta(3)]),
                election_id=rng.choice([None, "pemilu-2024", "pilkada-2024"]),
            )
            made.append(case)
        # The real service: a new Katingan case taken to the PPK's decision.
        fresh = case_in(Case.Status.RECEIVED, agency=katingan)
        made.append(
            take_to(
                fresh,
                rng.choice(["verification", "decided"]),
                officer=satgas_katingan,
                lead=lead_katingan,
                ppk=ppk_katingan,
            )
        )
        for case in rng.sample(made, min(len(made), 8)):
            roll = rng.random()
            if roll < 0.15:
                Case.objects.filter(pk=case.pk).update(status=rng.choice(states))
            elif roll < 0.25:
                Recommendation.objects.update_or_create(
                    case=case,
                    defaults={
                        "violations": [rng.choice(groups)],
                        "sanction_category": category,
                        "legal_basis": "PP 94/2021",
                        "findings": "-",
                    },
                )
            elif roll < 0.3:
                Recommendation.objects.filter(case=case).delete()
            elif roll < 0.45:
                Decision.objects.create(
                    case=case, sanction_type_id=rng.choice(sanction_types), decree_number="SK", decree_date=today
                )
            elif roll < 0.5:
                Decision.objects.filter(case=case).update(annulled_at=timezone.now())
            elif roll < 0.65:
                Subject.objects.create(
                    case=case, name=rng.choice(names), nip=rng.choice(nips), unit=rng.choice([*units, ""])
                )
            elif roll < 0.7:
                Subject.objects.filter(case=case).update(
                    unit=rng.choice(units), nip=rng.choice(nips), name=rng.choice(names)
                )
            elif roll < 0.75:
                Subject.objects.filter(case=case).delete()
            elif roll < 0.85:
                Case.objects.filter(pk=case.pk).update(
                    agency=rng.choice([katingan, barsel, None]), region_id=rng.choice(regions)
                )
            elif roll < 0.9:
                Case.objects.filter(pk=case.pk).update(status=Case.Status.MERGED, merged_into=made[0])
            else:
                Case.objects.filter(pk=case.pk).update(created_at=midday(rng.choice(days)))
        # Random transitions: written one by one, moved in time, deleted, and in bulk as an import does.
        for case in rng.sample(made, min(len(made), 6)):
            roll = rng.random()
            if roll < 0.5:
                Transition.objects.create(
                    case=case,
                    from_state=rng.choice(states),
                    to_state=rng.choice(states),
                    at=midday(rng.choice(days)) + datetime.timedelta(minutes=rng.randrange(600)),
                )
            elif roll < 0.7:
                Transition.objects.filter(case=case).update(at=midday(rng.choice(days)))
            elif roll < 0.8:
                Transition.objects.filter(case=case).update(to_state=rng.choice(states))
            else:
                Transition.objects.filter(pk__in=Transition.objects.filter(case=case).values("pk")[:1]).delete()
        imported = rng.sample(made, min(len(made), 5))
        Transition.objects.bulk_create(
            [
                Transition(
                    case=case,
                    from_state="",
                    to_state=rng.choice([Case.Status.AWAITING_DECISION, Case.Status.DECIDED, Case.Status.CHECKING]),
                    at=midday(rng.choice(days)) + datetime.timedelta(hours=rng.randrange(48)),
                    imported=True,
                )
                for case in imported
                for _ in range(rng.randrange(1, 4))
            ]
        )
        Subject.objects.bulk_create(
            [Subject(case=case, name=rng.choice(names), nip=rng.choice(nips)) for case in imported]
        )
        # A bulk move of many cases at once (one UPDATE statement).
        Case.objects.filter(pk__in=[c.pk for c in made[::3]]).update(due_date=today - datetime.timedelta(days=1))
        for scope in scopes:
            for filters in (
                dashboard.Filters(),
                dashboard.Filters(period="2024"),
                dashboard.Filters(period="2024-02"),
                dashboard.Filters(period=f"{today:%Y-%m}"),
                dashboard.Filters(election="pemilu-2024"),
                dashboard.Filters(region="62"),
                dashboard.Filters(agency=katingan.pk, period=str(today.year)),
            ):
                _compare(scope, filters, today)
        # A case deleted outright (cascading to its subjects and decisions) leaves the counts too.
        gone = made.pop(rng.randrange(1, len(made)))
        Report.objects.filter(case=gone).delete()
        Case.objects.filter(merged_into=gone).update(merged_into=None)
        Case.objects.filter(pk=gone.pk).delete()
        _compare(Scope.all(), dashboard.Filters(), today)
    # A full rebuild finds exactly the cells the incremental refreshes kept.
    kept = {
        row[:-1]: row[-1]
        for row in DashCell.objects.filter(n__gt=0).values_list(
            "period", "dim", "election", "region", "agency", "value", "n"
        )
    }
    facts = set(CaseFact.objects.values_list("case_id", "status", "region", "agency", "day", "due", "units"))
    subjects = Counter(DashSubject.objects.values_list(*cube.SUBJECT_FIELDS))
    steps = Counter(DashStep.objects.values_list(*cube.STEP_FIELDS))
    assert DashSubject.objects.filter(repeated=True).exists() and DashStep.objects.filter(days__isnull=False).exists()
    cube.rebuild()
    assert kept == {
        row[:-1]: row[-1]
        for row in DashCell.objects.filter(n__gt=0).values_list(
            "period", "dim", "election", "region", "agency", "value", "n"
        )
    }
    assert facts == set(CaseFact.objects.values_list("case_id", "status", "region", "agency", "day", "due", "units"))
    assert subjects == Counter(DashSubject.objects.values_list(*cube.SUBJECT_FIELDS))
    assert steps == Counter(DashStep.objects.values_list(*cube.STEP_FIELDS))
    assert not DashCell.objects.filter(n__lt=0).exists()


def test_every_write_path_marks_the_case_dirty(agencies, catalogue):  # noqa: F811
    case = case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    cube.refresh()
    assert not DirtyCase.objects.exists()
    Case.objects.filter(pk=case.pk).update(bawaslu_question="Pertanyaan")  # not counted: no mark
    assert not DirtyCase.objects.exists()
    Case.objects.filter(pk=case.pk).update(due_date=timezone.localdate())
    Subject.objects.create(case=case, name="A", unit="Dinas")
    with connection.cursor() as cursor:  # raw SQL too
        cursor.execute("UPDATE cases_case SET status = 'closed' WHERE id = %s", [case.pk])
    assert list(DirtyCase.objects.values_list("case_id", flat=True)) == [case.pk] * 3
    assert cube.refresh() == 3 and not DirtyCase.objects.exists()
    assert CaseFact.objects.get(pk=case.pk).status == "closed"


def test_triggers_come_back_after_migrate(regions):
    """On SQLite a migration that rebuilds a cases table drops them; ``migrate`` puts them back."""
    from django.core.management import call_command

    from netra.insights import triggers

    triggers.uninstall(connection)
    call_command("migrate", verbosity=0)
    case = case_in(Case.Status.CHECKING, agency=None, region_id="62.06")
    assert DirtyCase.objects.filter(case_id=case.pk).exists()


def test_the_page_says_when_its_figures_were_brought_up_to_date(client, agencies, catalogue, satgas_katingan):  # noqa: F811
    case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    verified_login(client, satgas_katingan)
    response = client.get("/staf/dasbor/")
    assert response.context["data"]["total"] == 1  # the new case was counted on the way
    html = response.content.decode()
    refreshed = timezone.localtime(cube.state().refreshed_at)
    assert f"Angka diperbarui {refreshed:%H:%M}" in html
    case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    assert client.get("/staf/dasbor/").context["data"]["total"] == 2  # a change is seen at once, cache or not


def test_a_backlog_beyond_the_limit_is_said_on_the_page(client, agencies, catalogue, satgas_katingan, monkeypatch):  # noqa: F811
    for _ in range(3):
        case_in(Case.Status.CHECKING, agency=agencies["pemkab-katingan"])
    monkeypatch.setattr(cube, "REFRESH_LIMIT", 2)
    verified_login(client, satgas_katingan)
    response = client.get("/staf/dasbor/")
    monkeypatch.undo()
    assert response.context["data"]["total"] == 1  # each new case is two marks (inserted, then moved)
    assert "perubahan terbaru masih dihitung" in response.content.decode()
    from django.core.management import call_command

    call_command("rebuild_insights", stdout=__import__("io").StringIO())
    assert client.get("/staf/dasbor/").context["data"]["total"] == 3


def test_the_cells_of_a_region_are_the_code_and_the_codes_under_it(db):
    """``cube.region_q`` (a range on SQLite, LIKE on PostgreSQL) and the scope's branches in
    ``value_sums`` read exactly the cells of the code and of the codes starting with "code.",
    never a neighbour sharing its digits."""
    codes = ["6", "62", "62.06", "62.06.01", "620", "62-1", "62/", "62.", "63", "621.01", "62a"]
    DashCell.objects.bulk_create(
        DashCell(period="", dim="s", election="", region=code, agency=0, value="checking", n=1) for code in codes
    )
    for prefix in ("62", "62.06", "6"):
        expected = {code for code in codes if code == prefix or code.startswith(prefix + ".")}
        assert set(DashCell.objects.filter(cube.region_q(prefix)).values_list("region", flat=True)) == expected
        scope = Scope(everything=False, agency_ids=frozenset(), region_prefixes=(prefix,))
        counted = cube.value_sums(scope, dashboard.Filters())["s"].get("checking", 0)
        assert counted == len(expected), prefix
