import datetime

from netra.triage.api import LABELS, Features, Match, cluster, features, similarity, suggest


def test_suggest_ranks_every_label_with_confidences_adding_up_to_one():
    out = suggest("Pak camat ikut deklarasi paslon nomor 2 di lapangan desa, ada fotonya di FB")
    assert sorted(s.code for s in out) == sorted(LABELS)
    assert abs(sum(s.confidence for s in out) - 1) < 0.01
    assert all(0 <= s.confidence <= 1 for s in out)
    assert [s.confidence for s in out] == sorted((s.confidence for s in out), reverse=True)


def test_suggest_is_deterministic():
    text = "kades salam dua jari bareng cabup, fotonya viral di medsos"
    assert suggest(text) == suggest(text)


def test_suggest_on_empty_text_still_answers():
    assert len(suggest("")) == len(LABELS)


def test_similarity_names_its_reasons():
    a = features(
        text="Camat Cibiru ikut deklarasi paslon 2", subject_nip="19850312 201001 1 003", links=["https://fb.com/x/1"]
    )
    b = features(
        text="pak camat hadir di deklarasi nomor 2", subject_nip="198503122010011003", links=["www.facebook.com/x/1/"]
    )
    match = similarity(a, b)
    assert isinstance(match, Match)
    assert "NIP sama" in match.reasons and "tautan sama" in match.reasons
    assert match.score > 0.9


def test_different_incidents_do_not_match():
    a = features(text="Camat ikut deklarasi paslon 2", region_code="32.04", incident_date=datetime.date(2024, 10, 1))
    b = features(
        text="guru membagikan sembako dari caleg", region_code="73.71", incident_date=datetime.date(2024, 11, 15)
    )
    assert similarity(a, b).score < 0.3


def test_cluster_puts_every_index_once():
    items = [
        features(text="foto kades pose 2 jari dengan cabup", links=["https://fb.com/p/9"]),
        features(text="guru membagikan sembako dari caleg", region_code="73.71"),
        features(text="kepala desa salam dua jari, ada di https://facebook.com/p/9"),
    ]
    assert all(isinstance(f, Features) for f in items)
    groups = cluster(items, 0.5)
    assert sorted(i for g in groups for i in g) == [0, 1, 2]
    assert [0, 2] in groups
