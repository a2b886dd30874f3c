"""Searching the report text (netra.cases.search) on the database's own index — PostgreSQL
full-text (``search_vector``, GIN) and SQLite FTS5 (``cases_triage_fts``) — ranked, in scope."""

import pytest

from netra.cases import search
from netra.cases.intake import report_submit
from netra.cases.selectors import cases_for
from netra.cases.tests.fixtures import report_data
from netra.cases.triage_flow import triage_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def file(regions, agencies):
    """``file(description, **overrides)`` → a case, its text stored and indexed as after opening."""

    def make(description, **overrides):
        overrides.setdefault("subject_name", "Rahmat Hidayat")
        overrides.setdefault("subject_nip", "")
        overrides.setdefault("links", [])
        case = report_submit(data=report_data(description=description, **overrides)).case
        triage_pending()  # after the commit in production (triage_flow); tests never commit
        return case

    return make


def found(user, text):
    return [case.pk for case in cases_for(user, search=text)]


def test_every_word_must_occur(satgas_katingan, file):
    both = file("Kepala dinas memakai mobil dinas untuk mengangkut spanduk pasangan calon.")
    file("Camat datang naik mobil pribadi ke deklarasi pasangan calon.")
    assert found(satgas_katingan, "mobil dinas") == [both.pk]


def test_the_phrase_as_typed_ranks_above_the_words_apart(satgas_katingan, file):
    apart = file("Mobil milik kantor dipakai kampanye, sopirnya pegawai dinas perhubungan yang ikut.")
    phrase = file("Mobil dinas dipakai ke lokasi kampanye pasangan calon di desa.")
    assert found(satgas_katingan, "mobil dinas") == [phrase.pk, apart.pk]


def test_a_village_and_a_candidates_name_in_the_text(satgas_katingan, file):
    village = file("Lurah membagikan kaos calon di Desa Tumbang Samba saat kampanye.")
    candidate = file("ASN berfoto dengan calon bupati Saiful Anwar sambil mengacungkan dua jari.")
    assert found(satgas_katingan, "tumbang samba") == [village.pk]
    assert found(satgas_katingan, "Saiful Anwar") == [candidate.pk]


def test_case_and_accents_do_not_matter(satgas_katingan, file):
    accented = file("Guru memasang baliho calon di depan SD Negeri di Désa Kérêng Pangi.")
    plain = file("Sekdes hadir di kampanye di desa kereng pangi bersama calon.")
    assert set(found(satgas_katingan, "DESA KERENG PANGI")) == {accented.pk, plain.pk}
    assert set(found(satgas_katingan, "désa kérêng")) == {accented.pk, plain.pk}


def test_a_word_only_in_another_agencys_case_is_never_found(satgas_katingan, satgas_barsel, file):
    theirs = file("Pegawai memasang stiker calon di angkot trayek Buntok.", region_code="62.04")
    assert found(satgas_katingan, "angkot buntok") == []
    assert found(satgas_barsel, "angkot buntok") == [theirs.pk]


def test_the_case_number_ranks_above_the_text(satgas_katingan, file):
    named = file("Kepala seksi ikut kampanye pasangan calon.")
    mentions = file(f"Laporan lanjutan dari kasus {named.number}: kepala seksi ikut lagi kampanye.")
    assert found(satgas_katingan, named.number) == [named.pk, mentions.pk]


def test_the_subjects_name_and_nip_still_find_the_case(satgas_katingan, file):
    case = file("Camat berorasi di panggung kampanye.", subject_name="Siti Aminah", subject_nip="198503122010011003")
    assert found(satgas_katingan, "siti aminah") == [case.pk]
    assert found(satgas_katingan, "198503122010011003") == [case.pk]


def test_words_nobody_wrote_find_nothing(satgas_katingan, file):
    file("Camat berorasi di panggung kampanye.")
    assert found(satgas_katingan, "helikopter kapal selam") == []


@pytest.mark.parametrize("text", ["mobil\x00dinas", "mobil\x07", "x" * (search.MAX_CHARS + 1)])
def test_a_nul_byte_control_characters_or_overlong_text_are_refused(satgas_katingan, file, text):
    file("Mobil dinas dipakai kampanye.")
    with pytest.raises(search.SearchError):
        cases_for(satgas_katingan, search=text)


def test_punctuation_and_quotes_are_only_separators(satgas_katingan, file):
    case = file("Mobil dinas dipakai kampanye di desa.")
    assert found(satgas_katingan, '"mobil" OR dinas* AND (kampanye)') == []  # "or", "and": words too
    assert found(satgas_katingan, '"mobil dinas"; kampanye!') == [case.pk]


def test_a_nip_then_a_name_then_the_phrase_then_the_words(satgas_katingan, file):
    words = file("Mobil milik kantor dipakai kampanye, sopirnya pegawai dinas perhubungan.")
    phrase = file("Mobil dinas dipakai ke lokasi kampanye pasangan calon di desa.")
    named = file("Camat berorasi di panggung.", subject_name="Mobil Dinas Siregar")
    nip = file("Lurah hadir di deklarasi.", subject_name="Budi", subject_nip="198503122010011003")
    assert found(satgas_katingan, "mobil dinas") == [named.pk, phrase.pk, words.pk]
    assert found(satgas_katingan, "198503122010011003") == [nip.pk]


def test_part_of_a_name_finds_the_subject(satgas_katingan, file):
    case = file("Camat berorasi di panggung kampanye.", subject_name="Siti Aminah")
    assert found(satgas_katingan, "amin") == [case.pk]
    assert found(satgas_katingan, "AMINAH") == [case.pk]


def test_the_number_whole_or_its_serial_in_any_case(satgas_katingan, file):
    case = file("Kepala seksi ikut kampanye pasangan calon.")
    serial = case.number.rsplit("-", 1)[1]
    assert found(satgas_katingan, case.number.lower()) == [case.pk]
    assert found(satgas_katingan, serial.lstrip("0")) == [case.pk]
    assert found(satgas_katingan, serial) == [case.pk]


def test_a_ranked_search_ranks_the_newest_matches_of_each_kind_only(satgas_katingan, file, monkeypatch):
    # A word in half the reports would otherwise rank every case it is in before the first page.
    monkeypatch.setattr(search, "MAX_RANKED", 2)
    named = file("Camat berorasi di panggung.", subject_name="Mobil Dinas Siregar")  # the oldest: by its name
    cases = [file(f"Mobil dinas dipakai kampanye di desa nomor {i}.") for i in range(3)]
    assert found(satgas_katingan, "mobil dinas") == [named.pk, cases[2].pk, cases[1].pk]
    # The agency API (no rank, its own order) is bounded the same way: the newest of each kind.
    listed = search.search_cases(cases_for(satgas_katingan), "mobil dinas", ranked=False)
    assert {case.pk for case in listed} == {named.pk, cases[2].pk, cases[1].pk}


@pytest.mark.parametrize("walk_rows", [50_000, 3])
def test_common_words_walk_the_scope_newest_first_and_find_the_same(satgas_katingan, file, monkeypatch, walk_rows):
    """PostgreSQL: words the statistics call common each (but rare together, as the planner
    reckons) are found by walking the scope newest first
    (``_walk_text``); it finds what the full-text index finds: the newest ``MAX_RANKED`` matches
    in scope. A walk of ``WALK_ROWS`` cases that finds fewer falls back to the index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the walk is PostgreSQL's (SQLite's FTS5 has no planner estimate to work around)")
    monkeypatch.setattr(search, "MAX_RANKED", 3)
    monkeypatch.setattr(search, "WALK_ROWS", walk_rows)
    cases = [file(f"Camat hadir di kampanye calon di desa nomor {i}.") for i in range(6)]
    others = [file(f"Lurah membagikan kaos kampanye {i}.", region_code="62.04") for i in range(2)]  # Barito Selatan
    file("Guru berfoto dengan calon.")  # no match
    newest = [cases[5].pk, cases[4].pk, cases[3].pk]
    assert {case.agency_id for case in others}.isdisjoint({case.agency_id for case in cases})
    index = found(satgas_katingan, "kampanye calon")  # the statistics of a tiny table: no walk
    # Each word common, together rare by the planner's reckoning (0.5 x 0.05 < WALK_SHARE): a walk.
    monkeypatch.setattr(search, "_word_shares", lambda words: [0.5, 0.05])
    with CaptureQueriesContext(connection) as captured:
        walked = found(satgas_katingan, "kampanye calon")
    assert walked == index == newest
    walks = [q["sql"] for q in captured.captured_queries if "w.pk" in q["sql"]]
    assert len(walks) == 1  # the walk ran (once), whether or not it fell back to the index


def test_a_search_in_an_empty_scope_lists_nothing_in_rank_order(db):
    """A role whose scope holds no case (no part of the search can match): the queue's order works."""
    from netra.cases import search
    from netra.cases.models import Case

    found = search.ranked(search.search_cases(Case.objects.filter(pk__in=[]), "NTR-ABCD-EFGH"))
    assert list(found) == []


def test_a_page_and_its_counts_find_the_matches_once_per_request(satgas_katingan, file):
    """The matching ids are read once inside a request (``once_per_request``): the list and its
    count read them back by primary key; outside a request every call reads them again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netra.cases.scope import once_per_request

    cases = [file(f"Mobil dinas dipakai kampanye {i}.") for i in range(2)]

    def unions(captured) -> int:
        return sum(" UNION " in q["sql"] for q in captured.captured_queries)

    with once_per_request(), CaptureQueriesContext(connection) as inside:
        listed = [case.pk for case in search.ranked(search.search_cases(cases_for(satgas_katingan), "mobil dinas"))]
        counted = search.search_cases(cases_for(satgas_katingan), "mobil dinas").count()
    assert listed == [cases[1].pk, cases[0].pk] and counted == 2
    assert unions(inside) == 1
    with CaptureQueriesContext(connection) as outside:
        search.search_cases(cases_for(satgas_katingan), "mobil dinas")
        search.search_cases(cases_for(satgas_katingan), "mobil dinas")
    assert unions(outside) == 2
