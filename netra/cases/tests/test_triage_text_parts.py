"""The duplicate lookup's stored text parts (``TriageResult.text_parts``, migration 0025): what the
lookup reads from a candidate's words is stored when triage stores the result, and used only while
it is exactly what reading the text again would give — so the top five and their scores never
depend on whether a row has them.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import F

from netra.cases import triage_flow
from netra.cases.intake import report_submit
from netra.cases.models import Case, Subject, TriageResult
from netra.cases.tests.fixtures import report_data
from netra.cases.triage_flow import duplicate_candidates, triage_pending
from netra.triage import api as triage
from netra.triage.similar import TEXT_PARTS_VERSION, acts_of, pair_vector, text_parts

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
# Tricky on purpose: one incident in many wordings (slang, glued honorifics, reduplication, phrases
# that name an act only together), another incident of the same template, a shared NIP with other
# words, a subject whose name and position open the stored search text, a text of stopwords only.
TEXTS = [
    ("Pak camat ikut deklarasi paslon nomor 2 di lapangan desa Kasongan, ada fotonya di FB", "Budi Santoso", "Camat"),
    ("camat ikut deklarasi paslon no 2 di lapangan desa kasongan, fotonya ada di facebook", "", ""),
    ("pakcamat kasongan hadir di acara kampanye paslon 2, foto2 beredar di fesbuk", "budi", ""),
    ("Camat Kasongan deklarasi paslon 2 di lapangan, rumah dinas dipakai posko", "Budi Santoso", "camat"),
    ("kades bagi2 amplop 100rb dan sembako atas nama paslon 2 di balai desa kasongan", "", "Kepala Desa"),
    ("kepala desa membagikan amplop ke warga kasongan, dikasih 100 ribu untuk coblos no 2", "Ahmad", "kades"),
    ("Guru SD pakai kaos paslon di medsos, ngeshare poster caleg nang fesbuk", "", "Guru"),
    ("itu yang ada di sana dan juga sama", "Siti", "Guru"),  # stopwords only: no content words
]


def submit(text: str, name: str, position: str, **overrides) -> Case:
    fields = {"description": text, "subject_name": name, "subject_position": position, "links": [], "subject_nip": ""}
    return report_submit(data=report_data(**{**fields, **overrides}), files=()).case


def _lookups(cases: list[Case], user=None) -> list[list[tuple[int, float, list[str]]]]:
    return [[(c.case.pk, c.similarity, c.reasons) for c in duplicate_candidates(case, user=user)] for case in cases]


def _without_parts(cases: list[Case]) -> None:
    TriageResult.objects.filter(case__in=cases).update(text_parts=None)


@pytest.fixture
def corpus(agencies):
    cases = [submit(text, name, position) for text, name, position in TEXTS]
    nip = "198503122010011003"
    cases.append(submit("Kepala dinas membagikan amplop di aula", "", "", subject_nip=nip))
    cases.append(submit("kadis bagi amplop ke guru honorer di aula dinas, ada videonya", "", "", subject_nip=nip))
    triage_pending()
    return cases


def test_triage_stores_the_parts_of_the_reports_own_text(corpus):
    for case in corpus:
        result = TriageResult.objects.get(case=case)
        parts = result.text_parts
        assert parts["v"] == TEXT_PARTS_VERSION
        text = result.search_text[parts["skip"] :]
        subject = case.subjects.order_by("pk").first()
        assert text == triage_flow._report_text(result.search_text, subject.name, subject.position)
        words, acts = text_parts(text)
        assert parts["words"] == words and set(parts["acts"]) == acts == acts_of(text)
    # the subject's name and position are cut off the search text, not read as the report's words
    first = TriageResult.objects.get(case=corpus[0])
    assert first.search_text.startswith("budi santoso camat ") and first.text_parts["skip"] == len(
        "budi santoso camat "
    )


def test_the_lookup_with_stored_parts_returns_what_reading_every_text_again_returns(corpus, satgas_katingan):
    fast = _lookups(corpus), _lookups(corpus, user=satgas_katingan)
    assert sum(len(found) for found in fast[0]) >= 10  # the set holds look-alikes to rank
    _without_parts(corpus)
    assert (_lookups(corpus), _lookups(corpus, user=satgas_katingan)) == fast


def test_features_with_stored_parts_equal_the_engines_own(corpus):
    every = [triage_flow._sql(Case.objects.filter(pk__in=[c.pk for c in corpus]).values(cid=F("pk")))]
    features = triage_flow._candidates(corpus[0], every)[0]
    _without_parts(corpus)
    again = triage_flow._candidates(corpus[0], every)[0]
    assert set(features) == set(again) == {c.pk for c in corpus}
    for pk, ours in features.items():
        theirs = again[pk]
        assert ours.acts is not None and theirs.acts is None  # the fast path was taken, the other not
        assert ours.acts == acts_of(theirs.text)
        assert (ours.text, ours.grams, ours.norm, ours.words, ours.word_idf) == (
            theirs.text,
            theirs.grams,
            theirs.norm,
            theirs.words,
            theirs.word_idf,
        )
        for other in features:
            assert triage.score(ours, features[other]) == triage.score(theirs, again[other])
            assert triage.similarity(ours, features[other]) == triage.similarity(theirs, again[other])


def test_parts_of_a_subject_renamed_since_are_not_used(corpus):
    # The stored search text opens with the name and position triage saw; once they change, the
    # lookup cuts another prefix (or none) and must read that text, not the stored words.
    case = corpus[0]
    before = _lookups([case])
    Subject.objects.filter(case=case).update(name="Bambang", position="Lurah")
    renamed = _lookups([case])
    row = TriageResult.objects.get(case=case)
    text = triage_flow._report_text(row.search_text, "Bambang", "Lurah")
    assert triage_flow._parts(row.text_parts, row.search_text, text) is None
    _without_parts(corpus)
    assert _lookups([case]) == renamed
    assert before  # it had look-alikes before as well


def test_parts_of_another_engine_are_not_used_and_the_command_refreshes_them(corpus):
    expected = _lookups(corpus)
    TriageResult.objects.filter(case=corpus[1]).update(text_parts={"v": "another", "skip": 0, "words": [], "acts": []})
    TriageResult.objects.filter(case=corpus[2]).update(text_parts=None)
    assert _lookups(corpus) == expected  # read again, not the wrong words
    out = io.StringIO()
    call_command("triage_text_parts", stdout=out)
    assert out.getvalue().strip() == "2 triage results filled"
    assert not TriageResult.objects.filter(case__in=corpus, text_parts__isnull=True).exists()
    assert set(TriageResult.objects.filter(case__in=corpus).values_list("text_parts__v", flat=True)) == {
        TEXT_PARTS_VERSION
    }
    assert triage_flow.fill_text_parts() == 0  # nothing left: safe to run again
    assert _lookups(corpus) == expected


def test_the_fill_writes_what_triage_writes(corpus):
    stored = dict(TriageResult.objects.filter(case__in=corpus).values_list("case_id", "text_parts"))
    _without_parts(corpus)
    assert triage_flow.fill_text_parts(batch_size=3) == len(corpus)
    assert dict(TriageResult.objects.filter(case__in=corpus).values_list("case_id", "text_parts")) == stored


def test_a_result_not_computed_yet_is_left_to_triage(agencies):
    case = submit(TEXTS[0][0], "", "")
    assert triage_flow.fill_text_parts() == 0
    assert TriageResult.objects.get(case=case).text_parts is None
    triage_pending()
    assert TriageResult.objects.get(case=case).text_parts["v"] == TEXT_PARTS_VERSION


def test_features_never_carry_acts_into_another_text():
    # ``_entered_features`` and older lookups build a case's features by ``dataclasses.replace`` of
    # ``triage.features(text="")``: acts set there would be kept for the new text (found by
    # bench/triage.py against main: 198 of 200 lookups scored without the reports' acts).
    import dataclasses

    blank = triage.features(text="")
    assert blank.acts is None and triage.features(text=TEXTS[0][0]).acts is None
    other = dataclasses.replace(blank, text=TEXTS[4][0])
    assert acts_of(other.text) and pair_vector(other, other)["acts_same"] == 1.0


def test_a_candidates_links_and_files_are_read_in_the_candidate_statement(agencies):
    # Read as JSON arrays beside the candidate's row (no statement of their own): the same link or
    # file says "same incident" whatever the words.
    from netra.cases.models import Evidence

    link = "https://www.facebook.com/contoh/posts/77"
    one = submit("Guru SD pakai kaos paslon di medsos, ngeshare poster caleg", "", "", links=[link])
    two = submit("kepala dinas membagikan amplop ke warga di aula kantor", "", "", links=[link, "https://x.com/a/1"])
    three = submit("camat ikut deklarasi paslon nomor 2 di lapangan desa kasongan", "", "", links=[])
    four = submit("sekdes memasang baliho paslon di depan balai desa", "", "", links=[])
    for case in (three, four):
        for sha in ("ab" * 32, f"{case.pk:064d}"):
            Evidence.objects.create(
                case=case, file="x", content_type="image/jpeg", size=1, sha256_received=sha, sha256_stored=sha
            )
    triage_pending()
    every = [triage_flow._sql(Case.objects.filter(pk__in=[one.pk, two.pk, three.pk, four.pk]).values(cid=F("pk")))]
    features = triage_flow._candidates(one, every)[0]
    assert features[one.pk].links == {"https://facebook.com/contoh/posts/77"} and len(features[two.pk].links) == 2
    assert features[three.pk].evidence_hashes == frozenset(["ab" * 32, f"{three.pk:064d}"])
    assert features[one.pk].evidence_hashes == frozenset()
    assert "tautan sama" in {r for c in duplicate_candidates(one) if c.case == two for r in c.reasons}
    assert "bukti sama" in {r for c in duplicate_candidates(three) if c.case == four for r in c.reasons}


def test_the_lookup_takes_three_statements_on_postgresql_and_five_on_sqlite(corpus):
    # the case's own keys (and, PostgreSQL, the window's count), SQLite's vocabulary and MATCH, the
    # candidates with everything scoring reads and their subjects, the five shown
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        found = duplicate_candidates(corpus[1])
    assert found
    assert len(queries.captured_queries) == (3 if connection.vendor == "postgresql" else 5)
    # the shown candidates carry their subjects, whole (nothing deferred, no statement on reading)
    with CaptureQueriesContext(connection) as reading:
        seen = [
            (s.pk, s.case_id, s.name, s.nip, s.position, s.agency_name, s.unit, s.employment_status)
            for c in found
            for s in c.subjects
        ]
    assert not reading.captured_queries
    assert seen == [
        (s.pk, s.case_id, s.name, s.nip, s.position, s.agency_name, s.unit, s.employment_status)
        for c in found
        for s in Subject.objects.filter(case=c.case).order_by("pk")
    ]
    assert all(not s.get_deferred_fields() for c in found for s in c.subjects)


def test_the_subjects_columns_read_as_json_are_numbers_or_text():
    # JSON gives back numbers and strings as they are; a date, decimal or boolean column (SQLite:
    # 0/1) would come back as another type: it would need its own conversion in _subjects.
    from django.db import models

    plain = (models.AutoField, models.BigAutoField, models.ForeignKey, models.CharField, models.TextField)
    assert all(isinstance(f, plain) for f in Subject._meta.concrete_fields)


def test_the_stamp_follows_what_the_parts_are_read_with(monkeypatch):
    # another stopword or act word makes every stored part stale (read again, then refilled)
    from netra.triage import similar

    assert similar._text_parts_version() == TEXT_PARTS_VERSION
    monkeypatch.setattr(similar, "STOPWORDS", similar.STOPWORDS | {"kasongan"})
    assert similar._text_parts_version() != TEXT_PARTS_VERSION
    monkeypatch.undo()
    monkeypatch.setitem(similar.ACT_WORDS, "remove", (*similar.ACT_WORDS["remove"], "bongkar"))
    assert similar._text_parts_version() != TEXT_PARTS_VERSION
