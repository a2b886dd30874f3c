"""The suggestion on the informal examples of issue #13, and the model's load cost (printed, not asserted)."""

import json
import resource
import time

import pytest

from netra.triage import model as model_module
from netra.triage.api import suggest
from netra.triage.model import MODEL_FILE, Model

INFORMAL = [
    ("Pak camat ikut deklarasi paslon nomor 2 di lapangan desa, ada fotonya di FB", "campaign_attendance"),
    ("ada foto pejabat Samsat pakai seragam dinas angkat jari nomor paslon cagub", "attributes_photo"),
    ("kades pose 2 jari bareng cabup", "attributes_photo"),
    ("bu guru share poster caleg di medsos terus, status wa juga", "social_media"),
    ("pns nyoblos di tps trus pulang, ga ada apa2", "not_violation"),
    ("pakcamat ngumpulin kades2, disuruh dukung no 1 biar menang", "mobilisation"),
    ("mobdin plat merah dipake antar timses ke lokasi kampanye", "facilities_use"),
    ("kasih amplop 100rb ke warga, bilangnya dari caleg", "gifts_money"),
    ("pegawai dinas jd pengurus dpc partai, punya kta", "party_membership"),
    ("asn kasih fc ktp buat dukungan calon dpd", "support_letter"),
    ("pns jadi ketua timses paslon di kecamatan", "campaign_role"),
    # the hard look-alikes of round 3: voting, an official's relative, a role at the polling station
    ("asn nyoblos di tps trus upload jari bertinta di story wa, tulisannya ayo ke tps", "not_violation"),
    ("istri pak camat nyaleg, pak camatnya ga pernah ikut kampanye", "not_violation"),
    ("pegawai kecamatan jadi saksi paslon di tps, bawa surat mandat", "campaign_role"),
]


@pytest.mark.parametrize(("text", "expected"), INFORMAL)
def test_informal_reports_get_the_right_group_first(text, expected):
    first = suggest(text)[0]
    assert first.code == expected, [(s.code, s.confidence, s.words) for s in suggest(text)[:3]]
    assert first.words, "the officer sees why"


def test_words_come_from_the_text():
    first = suggest("kades salam dua jari bareng cabup di medsos")[0]
    assert first.code == "attributes_photo"
    assert any("jari" in w for w in first.words)


def test_same_answer_with_a_freshly_loaded_model():
    text = "Camat hadir di deklarasi calon bupati, pakai seragam dinas"
    before = suggest(text)
    model_module.set_model(None)
    try:
        assert suggest(text) == before
    finally:
        model_module.set_model(None)


def test_the_shipped_model_is_the_one_the_training_file_gives(tmp_path):
    from netra.triage import train

    out = tmp_path / "model.json"
    assert train.main(["--out", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(MODEL_FILE.read_text()), "run: python -m netra.triage.train"


def test_training_refuses_the_holdout():
    from netra.triage import train

    with pytest.raises(SystemExit):
        train.main(["--data", "eval/holdout.jsonl"])


def test_load_time_and_size_are_printed(capsys):
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with MODEL_FILE.open(encoding="utf-8") as f:
        loaded = Model.from_json(json.load(f))
    elapsed = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with capsys.disabled():
        print(
            f"\ntriage model: {MODEL_FILE.stat().st_size // 1024} kB on disk, {len(loaded.weights)} features, "
            f"loaded in {elapsed * 1000:.0f} ms; peak RSS of this test process {rss_after // 1024} MB "
            f"(+{(rss_after - rss_before) // 1024} MB)"
        )
    assert loaded.trained


def test_a_word_one_edit_from_the_vocabulary_is_read_as_that_word():
    model = model_module.get_model()
    typed = ["camaat", "kampnye", "deklrasi", "mobill", "dinass", "merha", "kampaye"]
    assert model.correct(typed) == ["camat", "kampanye", "deklarasi", "mobil", "dinas", "merah", "kampanye"]
    # short words, numbers and words two edits away are left alone
    assert model.correct(["pns", "2024", "kmpnye"]) == ["pns", "2024", "kmpnye"]
    assert suggest("mobill dinass pelat merha dipake antar tim kampanye")[0].code == "facilities_use"


def test_regional_words_reach_the_same_reading():
    from netra.triage.text import tokens

    assert tokens("iki ono pagawe kacamatan poto karo calon") == [
        "ini",
        "ada",
        "pegawai",
        "kecamatan",
        "foto",
        "dengan",
        "calon",
    ]


def test_the_model_mixes_naive_bayes_and_a_logistic_regression_on_its_own_features():
    model = model_module.get_model()
    assert 0 < model.mix < 1, "the logistic share is chosen by cross-validation among 0..0.7"
    assert model.lr_weights and set(model.lr_weights) <= set(model.weights)
    assert MODEL_FILE.stat().st_size < 2_000_000
    # the logistic part changes the scores: the same model without it ranks with naive Bayes alone
    text = "pegawai dinas ikut kampanye caleg di lapangan, joget di depan panggung"
    mixed, _ = model.scores(text)
    saved = model.mix
    model.mix = 0.0
    try:
        alone, _ = model.scores(text)
    finally:
        model.mix = saved
    assert mixed != alone


def test_the_duplicate_text_weights_ignore_the_batch_3_lines():
    """``gram_df`` (duplicate text IDF) is counted on batches 1-2, which ``duplicates.json`` was fitted with."""
    from netra.triage import train

    rows = train.read_jsonl(train.TRAIN_FILE)
    assert any(r.get("batch") == 3 for r in rows)
    model = model_module.get_model()
    assert model.documents == sum(1 for r in rows if r.get("batch") in (None, 2))
