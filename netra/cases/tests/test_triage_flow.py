"""Triage on the case (netra.cases.triage_flow): stored once, corrections, facts, duplicates, clusters.

Cases come from the real intake service; the result is filled by ``triage_pending`` as the
after-commit turn does in production (the test's transaction never commits).
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from netra.audit.models import AuditEvent
from netra.cases import triage_flow
from netra.cases.intake import report_submit
from netra.cases.models import Case, Report, Subject, TriageCorrection, TriageResult
from netra.cases.tests.fixtures import report_data
from netra.cases.triage_flow import (
    TriageError,
    correction_figures,
    duplicate_candidates,
    triage_apply_fact,
    triage_confirm,
    triage_pending,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
VIRAL = "Pak camat ikut deklarasi paslon nomor 2 di lapangan desa Kasongan, ada fotonya di FB"


def submit(**overrides) -> Case:
    return report_submit(data=report_data(**overrides), files=()).case


def fresh(case: Case) -> TriageResult:
    return TriageResult.objects.get(case=case)


def test_opening_inserts_an_empty_result_and_the_turn_fills_it_once(agencies):
    case = submit(description=VIRAL)
    assert fresh(case).computed_at is None  # nothing computed in the opening transaction
    assert triage_pending() == 1
    result = fresh(case)
    assert result.computed_at is not None
    assert result.top_code == result.suggestions[0]["code"]
    assert result.suggestions[0]["confidence"] >= result.suggestions[1]["confidence"]
    assert {s["code"] for s in result.suggestions} >= {"campaign_attendance", "not_violation"}
    assert "camat" in result.facts["positions"]
    assert triage_pending() == 0  # computed once: never again
    assert fresh(case).computed_at == result.computed_at


def test_staff_and_agency_sources_are_triaged_too(agencies, satgas_katingan):
    from netra.cases import opening

    report = report_submit(data=report_data(description=VIRAL), files=()).report
    # Every source opens through opening.open_cases: each gets its row.
    assert TriageResult.objects.filter(case=report.case).exists()
    assert opening.open_cases.__module__ == "netra.cases.opening"


def test_a_confirmation_and_a_correction_are_stored_audited_and_counted(agencies, satgas_katingan):
    one, two = submit(description=VIRAL), submit(description="Guru SD pakai kaos paslon di medsos", links=[])
    triage_pending()
    suggested_one = fresh(one).top_code
    triage_confirm(case=one, actor=satgas_katingan, chosen=suggested_one)
    wrong = "gifts_money" if fresh(two).top_code != "gifts_money" else "other"
    correction = triage_confirm(case=two, actor=satgas_katingan, chosen=wrong)
    assert (correction.suggested, correction.chosen, correction.by) == (fresh(two).top_code, wrong, satgas_katingan)
    actions = set(AuditEvent.objects.filter(object_id__in=[str(one.pk), str(two.pk)]).values_list("action", flat=True))
    assert {"case.triage_confirmed", "case.triage_corrected"} <= actions
    figures = correction_figures()
    assert figures["cases"] == 2 and figures["top1"] == 0.5 and figures["corrections"] == 2


def test_an_unknown_group_is_refused(agencies, satgas_katingan):
    case = submit()
    triage_pending()
    with pytest.raises(TriageError) as refused:
        triage_confirm(case=case, actor=satgas_katingan, chosen="banana")
    assert refused.value.code == "validation_error"
    assert not TriageCorrection.objects.exists()


def test_a_correction_outside_the_scope_is_not_found(agencies, satgas_barsel):
    case = submit()
    triage_pending()
    with pytest.raises(TriageError) as refused:
        triage_confirm(case=case, actor=satgas_barsel, chosen="other")
    assert refused.value.code == "not_found"


def test_a_fact_fills_only_an_empty_field(agencies, satgas_katingan):
    nip = "198503122010011003"
    case = submit(description=f"Camat NIP {nip} ikut kampanye paslon 02", subject_nip="", subject_position="")
    triage_pending()
    assert nip in fresh(case).facts["nips"]
    triage_apply_fact(case=case, actor=satgas_katingan, field="nip", value=nip)
    subject = Subject.objects.get(case=case)
    assert subject.nip == nip and subject.name == "Budi Santoso"  # what the reporter wrote stays
    assert AuditEvent.objects.filter(action="case.triage_fact_used", object_id=str(case.pk)).exists()


def test_a_fact_never_overwrites_what_was_entered(agencies, satgas_katingan):
    entered = "198503122010011003"
    named = "199001012015032001"
    case = submit(description=f"Lurah NIP {named} hadir di kampanye", subject_nip=entered, subject_position="Camat")
    triage_pending()
    for field, value in (("nip", named), ("position", "lurah")):
        if value in [str(v) for v in fresh(case).facts.get(triage_flow.FACT_FIELDS[field]) or []]:
            with pytest.raises(TriageError) as refused:
                triage_apply_fact(case=case, actor=satgas_katingan, field=field, value=value)
            assert refused.value.code == "conflict"
    subject = Subject.objects.get(case=case)
    assert (subject.nip, subject.position) == (entered, "Camat")


def test_a_value_the_engine_did_not_extract_is_refused(agencies, satgas_katingan):
    case = submit(subject_nip="")
    triage_pending()
    with pytest.raises(TriageError):
        triage_apply_fact(case=case, actor=satgas_katingan, field="nip", value="199001012015032001")
    assert Subject.objects.get(case=case).nip is None


# --- duplicates --------------------------------------------------------------------------------


def test_reports_of_one_viral_post_find_each_other_with_reasons(agencies, satgas_katingan):
    first = submit(description=VIRAL, subject_name="", subject_nip="", links=[])
    second = submit(
        description="camat ikut deklarasi paslon no 2 di lapangan desa kasongan, fotonya ada di facebook",
        subject_name="",
        subject_nip="",
        links=[],
    )
    submit(
        description="Kepala dinas pendidikan membagikan amplop ke guru honorer di aula",
        subject_name="",
        subject_nip="",
        links=[],
        incident_date=(TODAY - datetime.timedelta(days=40)).isoformat(),
    )
    triage_pending()
    [candidate] = duplicate_candidates(second, user=satgas_katingan)
    assert candidate.case == first and candidate.reasons and candidate.similarity >= triage_flow.SHOW_MIN
    assert fresh(first).cluster == fresh(second).cluster == first.pk


def test_another_agencys_case_is_never_a_duplicate(agencies, satgas_katingan, bkn_supervisor):
    nip = "198503122010011003"
    other = submit(region_code="62.04", description=VIRAL, subject_nip=nip)
    case = submit(description=VIRAL, subject_nip=nip)
    assert other.agency_id != case.agency_id
    triage_pending()
    assert duplicate_candidates(case, user=satgas_katingan) == []
    assert duplicate_candidates(case, user=bkn_supervisor) == []  # who sees both still gets none
    assert fresh(case).cluster is None


def test_finished_cases_are_not_candidates(agencies):
    done = submit(description=VIRAL)
    Case.objects.filter(pk=done.pk).update(status=Case.Status.DISMISSED)
    case = submit(description=VIRAL)
    triage_pending()
    assert duplicate_candidates(case) == []


def test_the_same_nip_finds_an_older_case(agencies):
    nip = "198503122010011003"
    old = submit(subject_nip=nip, incident_date=(TODAY - datetime.timedelta(days=60)).isoformat(), links=[])
    case = submit(subject_nip=nip, description="Camat Budi pose dua jari di baliho", links=[])
    triage_pending()
    assert [c.case for c in duplicate_candidates(case)] == [old]


def test_at_most_five_candidates(agencies):
    for _n in range(8):
        submit(description=VIRAL)
    triage_pending()
    case = Case.objects.order_by("-pk").first()
    assert len(duplicate_candidates(case)) == 5


def _lookup_statements(case, **kwargs) -> tuple[int, list]:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        found = duplicate_candidates(case, **kwargs)
    return len(queries.captured_queries), found


def test_the_lookup_costs_the_same_few_statements_for_two_or_twelve_candidates(agencies, satgas_katingan):
    nip = "198503122010011003"
    link = "https://www.facebook.com/share/p/viral-camat-kasongan"
    for _n in range(2):
        submit(description=VIRAL, subject_nip=nip, links=[link])
    triage_pending()
    case = submit(description=VIRAL, subject_nip=nip, links=[link])
    triage_pending()
    few, found = _lookup_statements(case, user=satgas_katingan)
    assert len(found) == 2
    for _n in range(10):
        submit(description=VIRAL, subject_nip=nip, links=[link])
    triage_pending()
    many, found = _lookup_statements(case, user=satgas_katingan)
    assert len(found) == 5
    assert many == few
    # without a user (no scope to read): the case's own (2), the text search (PostgreSQL: the reach
    # count; SQLite: vocabulary + MATCH), the candidates with their columns, their links and
    # hashes, the five shown and their subjects
    bare, found = _lookup_statements(case)
    assert len(found) == 5
    assert bare <= 8
    assert few - bare <= 3  # the user's scope: memberships, covered regions, child agencies


# --- triage_eval --from-corrections --------------------------------------------------------------


def test_triage_eval_from_corrections_prints_field_accuracy(agencies, satgas_katingan, capsys):
    import json

    case = submit(description=VIRAL)
    triage_pending()
    triage_confirm(case=case, actor=satgas_katingan, chosen=fresh(case).top_code)
    call_command("triage_eval", "--from-corrections", "--json")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["top1"] == 1.0 and figures["cases"] == 1


def test_stored_features_equal_the_engines_own():
    # The lookup rebuilds candidates' features from what was stored at arrival (no second
    # extraction); they must be what the engine would compute, or the scores drift.
    from netra.cases.triage_flow import _entered_features, _stored_features
    from netra.triage import api as triage

    fields = {
        "subject_name": "Pak Budi Santoso",
        "subject_nip": "198503122010011003",
        "subject_position": "Camat",
        "region_code": "62.06",
        "incident_date": datetime.date(2026, 11, 1),
        "links": ("https://www.facebook.com/contoh/posts/1",),
        "evidence_hashes": ("ABC",),
    }
    text = "pak camat ikut deklarasi paslon nomor 2 di lapangan kasongan, foto di https://fb.com/p/9"
    facts = triage_flow._jsonable(triage.extract(text, today=fields["incident_date"]))
    ours = _stored_features(_entered_features(**fields), text, facts, triage.suggest(text)[0].code)
    theirs = triage.features(text=text, **fields)
    for name in (
        "grams",
        "words",
        "nips",
        "name",
        "positions",
        "agencies",
        "candidates",
        "region_codes",
        "dates",
        "group",
    ):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.links == theirs.links and ours.evidence_hashes == theirs.evidence_hashes
    assert triage.similarity(ours, theirs).score == triage.similarity(theirs, theirs).score


def test_a_triaged_cases_features_from_the_database_equal_the_engines_own_on_its_report(agencies):
    # What _compute stores as search_text starts with the subject's name and position (for the
    # search index); the lookup must score the report's text alone, as the model was fitted on.
    from netra.triage import api as triage

    case = submit(description=VIRAL, subject_name="Budi Santoso", subject_nip="", subject_position="Camat", links=[])
    triage_pending()
    assert fresh(case).search_text.startswith("budi santoso camat ")
    ours = triage_flow._candidates(case, [])[0][case.pk]
    report, subject = case.reports.get(), case.subjects.get()
    theirs = triage.features(
        text=report.description.lower(),
        subject_name=subject.name,
        subject_nip=subject.nip or "",
        subject_position=subject.position,
        region_code=case.region_id,
        incident_date=case.incident_date,
    )
    assert ours.text == theirs.text and ours.grams == theirs.grams and ours.words == theirs.words
    assert triage.score(ours, theirs) == triage.score(theirs, theirs)


def test_a_burst_triaged_in_one_batch_clusters_as_one_by_one(agencies):
    texts = [
        VIRAL,
        "camat ikut deklarasi paslon no 2 di lapangan desa kasongan, fotonya ada di facebook",
        "pak camat kasongan hadir deklarasi pasangan nomor 2 di lapangan desa, foto beredar di fb",
        "Kepala dinas pendidikan membagikan amplop ke guru honorer di aula",
        "kadisdik bagi amplop ke guru honorer di aula dinas, ada videonya",
    ]
    cases = [submit(description=t, subject_name="", subject_nip="", links=[]) for t in texts]

    def clusters():
        return [fresh(c).cluster for c in cases]

    triage_pending(batch_size=1)
    one_by_one = clusters()
    assert one_by_one[0] == one_by_one[1] == one_by_one[2] is not None
    TriageResult.objects.filter(case__in=cases).update(computed_at=None, cluster=None)
    from netra.cases.models import TriageKey

    TriageKey.objects.filter(case__in=cases).delete()
    triage_pending(batch_size=20)
    assert clusters() == one_by_one


def test_similar_text_is_looked_for_within_the_window_but_a_shared_nip_at_any_distance(agencies, satgas_katingan):
    far = (TODAY - datetime.timedelta(days=triage_flow.TEXT_WINDOW_DAYS + 20)).isoformat()
    old_text = submit(description=VIRAL, subject_name="", subject_nip="", links=[], incident_date=far)
    nip = "198503122010011003"
    old_nip = submit(description="Kepala dinas membagikan amplop", subject_nip=nip, links=[], incident_date=far)
    case = submit(description=VIRAL, subject_name="", subject_nip=nip, links=[])
    triage_pending()
    found = [c.case for c in duplicate_candidates(case, user=satgas_katingan)]
    assert old_nip in found and old_text not in found


def test_the_open_case_index_names_every_terminal_state():
    # the lookup filters "status NOT IN (terminal states)"; the partial index must read the same

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'case_duplicate_open_idx'")
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'case_duplicate_open_idx'")
        (sql,) = cursor.fetchone()
    assert tuple(sorted(Case.TERMINAL_STATES)) == triage_flow.TERMINAL_SORTED
    assert all(f"'{state}'" in sql for state in triage_flow.TERMINAL_SORTED)


def _found(case) -> list[tuple[int, float]]:
    return [(c.case.pk, c.similarity) for c in duplicate_candidates(case)]


def test_the_word_index_finds_what_scoring_the_whole_window_finds(agencies, monkeypatch):
    # Above REACH_SCAN_MAX (PostgreSQL) the reports holding the text's rarest words are scored,
    # not the whole window: for reports that share a name or a place, the same candidates.
    texts = [
        "camat ikut deklarasi paslon no 2 di lapangan desa kasongan, fotonya ada di facebook",
        "pak camat kasongan hadir deklarasi pasangan nomor 2 di lapangan desa, foto beredar di fb",
        "Camat Kasongan deklarasi paslon 2 di lapangan",
        "Kepala dinas pendidikan membagikan amplop ke guru honorer di aula",
        "kadisdik bagi amplop ke guru honorer di aula dinas, ada videonya",
    ]
    for text in texts:
        submit(description=text, subject_name="", subject_nip="", links=[])
    case = submit(description=VIRAL, subject_name="", subject_nip="", links=[])
    triage_pending()
    scanned = _found(case)
    assert len(scanned) >= 3
    # the word index alone (no case nearest in date scored), the text's words rare by the statistics
    monkeypatch.setattr(triage_flow, "SCAN_ALL", 0)
    monkeypatch.setattr(triage_flow, "SCAN_SIDE", 0)
    monkeypatch.setattr(triage_flow, "word_stats", lambda: (1_000_000.0, {"di": 0.5}, 0.000001))
    assert _found(case) == scanned


def _text_found(case) -> set[int]:
    window = triage_flow._incidents_near(case, triage_flow._reach(case, None))
    text = TriageResult.objects.get(case=case).search_text
    found = triage_flow._text_search(text, window, case.incident_date)
    if found is None:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(*found)
        return {row[0] for row in cursor.fetchall()}


def test_above_the_scan_bound_the_cases_nearest_in_date_are_scored(agencies, monkeypatch):

    if connection.vendor != "postgresql":
        pytest.skip("the scan bound is PostgreSQL's (SQLite looks up the rarest words in FTS5)")
    # A burst: more open cases in the window than SCAN_ALL (here 2), every word of the text too
    # common for the word index; the one nearest case on each side of the incident date is scored.
    day = TODAY - datetime.timedelta(days=20)
    dated = {}
    for name, offset in [("a", -20), ("b", -6), ("c", 0), ("e", 3), ("f", 15)]:
        incident = (day + datetime.timedelta(days=offset)).isoformat()
        dated[name] = submit(description=VIRAL, subject_name="", subject_nip="", links=[], incident_date=incident)
    case = submit(description=VIRAL, subject_name="", subject_nip="", links=[], incident_date=day.isoformat())
    triage_pending()
    ids = {name: c.pk for name, c in dated.items()}
    assert _text_found(case) == set(ids.values())  # the whole window (5 cases <= SCAN_ALL) scored
    monkeypatch.setattr(triage_flow, "SCAN_SIDE", 1)
    monkeypatch.setattr(triage_flow, "SCAN_ALL", 2)
    monkeypatch.setattr(triage_flow, "word_stats", lambda: (1_000_000.0, {"di": 0.5}, 0.5))  # every word common
    # on or after the day: c (the same day); before it: b (6 days)
    assert _text_found(case) == {ids["c"], ids["b"]}
    # a word only a few reports hold brings them in, however far in the window
    monkeypatch.setattr(triage_flow, "word_stats", lambda: (1_000_000.0, {"di": 0.5}, 0.000001))
    assert _text_found(case) == set(ids.values())


def test_the_word_index_skips_words_commoner_than_the_budget(monkeypatch):

    if connection.vendor != "postgresql":
        pytest.skip("the word budget is PostgreSQL's (SQLite counts each word in fts5vocab)")
    stats = (1_000_000.0, {"camat": 0.2, "lapangan": 0.05, "kasongan": 0.001}, 0.0005)
    monkeypatch.setattr(triage_flow, "word_stats", lambda: stats)
    # the rarest first (an unlisted word counts as the least common listed), within WORD_ROWS_MAX
    assert triage_flow._rare_words_query("Camat Kasongan di lapangan, Tewang Sangalang") == (
        "sangalang | tewang | kasongan"
    )
    assert triage_flow._rare_words_query("camat di lapangan") is None  # every word too common
    # no statistics yet (a table never analysed): which words are rare is not known
    monkeypatch.setattr(triage_flow, "word_stats", lambda: (0.0, {}, 0.0))
    assert triage_flow._rare_words_query("Camat Kasongan di lapangan, Tewang Sangalang") is None


def test_a_case_joins_only_the_cluster_of_a_candidate_it_shows():
    # the duplicate model's threshold is chosen from SHOW_MIN up (``fit_duplicates.THRESHOLDS``)
    assert triage_flow.CLUSTER_MIN >= triage_flow.SHOW_MIN


def test_a_burst_is_more_reports_a_second_than_one_triage_batch():
    assert not triage_flow.in_burst(0.0)
    assert not triage_flow.in_burst(float(triage_flow.TRIAGE_BATCH))
    assert triage_flow.in_burst(triage_flow.TRIAGE_BATCH + 0.5)
    # a batch that took 0.3 s rests 2.7 s: triage takes a tenth of the scheduler's time
    assert triage_flow.burst_pause(0.3) == pytest.approx(0.3 * (1 / triage_flow.BURST_SHARE - 1))


def test_in_a_burst_triage_rests_between_batches_and_catches_up_after(pemkab_katingan, settings):
    # A hand-driven clock and batches of 3, of BURST_BATCH (2) in a burst (a burst is > TRIAGE_BATCH
    # reports a second of that clock); the reports, their opening and the triage are real. As in
    # production, the web tier leaves triage to the scheduler.
    from netra.cases.management.commands.scheduler import TriagePace

    settings.NETRA_TRIAGE_AFTER_RESPONSE = False
    now, incoming = [1000.0], [0]
    pace = TriagePace(clock=lambda: now[0])

    def arrive(count: int, seconds: float) -> None:
        for _ in range(count):
            report_submit(data=report_data())
        now[0] += seconds

    def triage(batch_size=3, **kwargs):
        done = triage_flow.triage_pending(batch_size=batch_size, **kwargs)
        now[0] += 0.05  # what the batch took
        arrive(incoming[0], 0.0)  # reports that came in meanwhile
        incoming[0] = 0
        return done

    def pending() -> int:
        return TriageResult.objects.filter(computed_at__isnull=True).count()

    assert pace.run(triage) == 0  # nothing pending yet
    arrive(6, 0.2)  # 24 reports a second (6 in 0.25 s): a burst
    assert triage_flow.BURST_BATCH == 2
    assert pace.run(triage) == 2  # one small batch, not all
    rest = triage_flow.burst_pause(0.05)
    assert rest == pytest.approx(0.45)
    arrive(6, 0.2)  # still a burst (6 in 0.25 s), within the rest
    assert pace.run(triage) == 0
    assert pending() == 10
    arrive(1, rest)  # the burst is over: everything left, a batch of 3 at a time
    assert pace.run(triage) == 11
    assert pending() == 0
    # A burst that starts during a catch-up is seen before the next batch, not after the tick.
    arrive(8, 10.0)
    incoming[0] = 30  # arriving during the first batch
    assert pace.run(triage) == 3 + 2  # the catch-up's first batch, then the burst's small one
    assert pending() == 8 + 30 - 5


def test_the_scheduler_reads_the_arrival_rate_from_the_newest_report(pemkab_katingan):
    from netra.cases.management.commands.scheduler import Arrivals

    arrivals = Arrivals()
    assert arrivals.per_second() == 0.0  # nothing to compare with yet
    assert arrivals.per_second() == 0.0  # no report since
    report_submit(data=report_data())
    report_submit(data=report_data())
    assert arrivals.per_second() > 0.0
    assert triage_flow.newest_report_id() == Report.objects.order_by("pk").last().pk


def test_a_case_merges_a_second_cluster_only_when_it_resembles_it_enough(agencies):
    a, b, c, d, e, f = (submit(description=VIRAL, subject_nip="", links=[]) for _ in range(6))
    TriageResult.objects.filter(case__in=[a, b]).update(cluster=a.pk)
    TriageResult.objects.filter(case__in=[c, d]).update(cluster=c.pk)
    half = (triage_flow.CLUSTER_MIN + triage_flow.BRIDGE_MIN) / 2
    # resembles b's cluster well and d's only halfway: joins the first, leaves the second alone
    triage_flow._join_cluster(e, [{"case": b.pk, "similarity": 0.9}, {"case": d.pk, "similarity": half}])
    assert [fresh(x).cluster for x in (a, b, c, d, e)] == [a.pk, a.pk, c.pk, c.pk, a.pk]
    # resembles both well: the two clusters become one, under the oldest case
    triage_flow._join_cluster(f, [{"case": d.pk, "similarity": 0.95}, {"case": e.pk, "similarity": 0.9}])
    assert {fresh(x).cluster for x in (a, b, c, d, e, f)} == {a.pk}
