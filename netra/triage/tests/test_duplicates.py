"""The duplicate model (issue #13): tricky pairs, the shipped artefact, clusters that do not chain."""

import datetime

from netra.triage import fit_duplicates
from netra.triage.api import DEFAULT_THRESHOLD, cluster, extract, features, score, similarity
from netra.triage.similar import DUPLICATES_FILE, pair_vector

D = datetime.date


def test_the_shipped_model_is_what_the_fitting_command_rebuilds():
    # deterministic: the same fitting file gives the same duplicates.json byte for byte
    assert fit_duplicates.dumps(fit_duplicates.build()) == DUPLICATES_FILE.read_text(encoding="utf-8")


def test_the_fitting_command_refuses_a_holdout(tmp_path):
    import pytest

    path = tmp_path / "dups_holdout.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        fit_duplicates.build(path)


def test_two_witnesses_in_different_words_are_one_incident():
    a = features(
        text="Lurah Sukamaju membagikan beras berstiker paslon nomor 3 ke warga miskin di balai kelurahan",
        region_code="32.11",
        incident_date=D(2024, 11, 2),
    )
    b = features(
        text="beras bantuan di sukamaju ada stiker paslon 3, yg bagi pak lurah sendiri. tgl 2/11", today=D(2024, 11, 4)
    )
    match = similarity(a, b)
    assert match.score >= DEFAULT_THRESHOLD
    assert "nama tempat/orang sama" in match.reasons


def test_the_same_office_and_kind_on_another_day_for_another_candidate_is_not():
    # a hard negative: same camat, same kind of act, another candidate and another month
    a = features(
        text="Camat Sukamaju hadir di deklarasi paslon nomor 1 di lapangan Sukamaju",
        region_code="32.11",
        incident_date=D(2024, 10, 3),
    )
    b = features(
        text="Camat Sukamaju menghadiri kampanye paslon nomor 2 di desa Cibeureum",
        region_code="32.11",
        incident_date=D(2024, 11, 20),
    )
    v = pair_vector(a, b)
    assert v["candidate_conflict"] == 1 and v["date_far"] == 1
    assert score(a, b) < DEFAULT_THRESHOLD


def test_two_regions_apart_with_a_like_story_are_two_incidents():
    one, two = "guru SDN 3 pakai kaos paslon nomor 2 waktu mengajar", "guru SMPN 1 berfoto pakai kaos paslon nomor 2"
    a, b = features(text=one, region_code="63.04"), features(text=two, region_code="12.06")
    assert pair_vector(a, b)["region_conflict"] == 1
    assert score(a, b) < DEFAULT_THRESHOLD
    assert score(a, b) < score(features(text=one), features(text=two))  # the conflict is what keeps them apart


def test_a_shared_post_or_nip_outweighs_different_words():
    link = "https://www.tiktok.com/@guru_x/video/7391002211"
    a = features(text="video joget kampanye seorang guru", links=[link])
    b = features(text="Mohon dicek konten ini " + link + "?is_from_webapp=1")
    assert score(a, b) >= 0.9 and "tautan sama" in similarity(a, b).reasons
    c = features(text="kepala bidang hadir di kampanye", subject_nip="198705122010012003")
    d = features(text="pns dinas pertanian unggah dukungan, nip 19870512 201001 2 003")
    assert score(c, d) >= 0.85 and "NIP sama" in similarity(c, d).reasons


def test_different_nips_keep_two_people_apart():
    a = features(text="Staf Bappeda Bengkalis NIP 198705122010012003 hadir di kampanye caleg di Duri")
    b = features(text="Staf Bappeda Bengkalis NIP 199001152015031002 hadir di kampanye caleg di Duri")
    assert pair_vector(a, b)["nip_conflict"] == 1
    assert score(a, b) < score(a, a)


def test_score_is_similaritys_score_and_symmetric():
    a = features(text="camat ikut deklarasi paslon 2 di lapangan kasongan", region_code="62.06")
    b = features(text="Pak camat hadir di deklarasi nomor 2, Kasongan", incident_date=D(2024, 10, 1))
    assert score(a, b) == similarity(a, b).score == score(b, a)


def test_karo_is_not_read_from_dengan():
    # "karo" is Javanese for "dengan": normalising turned "Kabupaten Karo" into "kabupaten dengan",
    # and every "dengan" named it; the prefixed form still does
    assert extract("camat foto dengan calon bupati").region_codes == []
    assert extract("camat di Kabupaten Karo foto dengan calon").region_codes == ["12.06"]


def test_a_report_resembling_two_incidents_does_not_chain_them():
    one = [
        features(text="Camat Sukamaju ikut deklarasi paslon 1 di GOR Sukamaju", region_code="32.11"),
        features(text="pak camat sukamaju naik panggung deklarasi paslon 01 di gor", region_code="32.11"),
    ]
    two = [
        features(text="Lurah Cibeureum bagi beras stiker paslon 1 di balai Cibeureum", region_code="32.11"),
        features(text="beras bantuan cibeureum ada stiker paslon satu, yg bagi pak lurah", region_code="32.11"),
    ]
    bridge = features(
        text="camat sukamaju dan lurah cibeureum ikut deklarasi dan bagi beras stiker paslon 1 di gor dan balai",
        region_code="32.11",
    )
    items = [*one, *two, bridge]
    groups = cluster(items, DEFAULT_THRESHOLD)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    assert not any({0, 2} <= set(g) or {1, 3} <= set(g) for g in groups)  # the incidents stay apart


def test_acts_are_read_through_affixes_and_regional_words():
    from netra.triage.similar import acts_of

    assert acts_of("guru berkaos paslon, dicopotin baliho") >= {"attire", "remove", "banner"}
    assert acts_of("mobdin kecamatan ngangkut spanduk") >= {"vehicle", "banner"}
    assert acts_of("sekdes bagi amplop 100rb") >= {"money"}
    assert acts_of("kades dikumpulkan, diarahkan memenangkan paslon 2") >= {"gather"}
    assert acts_of("camat hadir di kampanye paslon 1") == {"rally"}
    assert "online" in acts_of("pak kades ngeshare poster caleg nang fesbuk")


def test_different_acts_or_people_count_against_a_pair_and_the_bundle_counts_nothing():
    a = features(text="Camat Sukamaju ikut deklarasi paslon 1 di GOR", region_code="32.11")
    b = features(text="Lurah Cibeureum bagi beras stiker paslon 1 di balai", region_code="32.11")
    v = pair_vector(a, b)
    assert v["acts_conflict"] == 0.5 and v["position_conflict"] == 1  # one act each: half a conflict
    full = features(text="Lurah Cibeureum bagi beras dan amplop di balai", region_code="32.11")
    story = features(text="Camat Sukamaju ikut deklarasi paslon 1, naik panggung", region_code="32.11")
    assert pair_vector(story, full)["acts_conflict"] == 1  # two full stories that share no act
    assert v["who_where_what"] == 0  # same region and candidate, but another official: nothing
    c = features(text="pak camat sukamaju naik panggung deklarasi paslon 01", region_code="32.11")
    assert pair_vector(a, c)["who_where_what"] == 1 and pair_vector(a, c)["acts_same"] == 1


def test_a_village_head_is_one_person_under_regional_titles():
    a = features(text="Kepala Desa Sine pose tiga jari dengan cagub")
    b = features(text="Pak Lurah deso Sine pose salam telu karo cagub")
    v = pair_vector(a, b)
    assert v["position_conflict"] == 0 and v["position_same"] == 1
    assert v["candidate_same"] == 1  # "salam telu": Javanese three after a candidate word


def test_regional_numbers_after_a_candidate_word():
    assert extract("kades ngeshare gambar caleg nomer limo").candidates == ["nomor 5"]
    assert extract("puang camat di kampanye calon tallu").candidates == ["nomor 3"]
    assert extract("om frans ajak pilih paket dua").candidates == ["nomor 2"]
    assert extract("paket sembako 5 kg").candidates == []
    assert extract("pa kuwu ngajak milih nomer dalapan").candidates == ["nomor 8"]
    assert extract("caleg nomor urut tujuh").candidates == ["nomor 7"]
    assert extract("rapat jam delapan").candidates == []
    assert extract("kuwu desa itu ikut kampanye").positions == ["kepala desa"]


def test_how_much_of_the_acts_two_reports_share():
    a = features(text="camat ikut deklarasi paslon 1, pakai kaos paslon, naik panggung")  # declare, attire, rally
    b = features(text="pak camat deklarasi dukung paslon 1")  # declare
    acts_a, acts_b = pair_vector(a, a), pair_vector(a, b)
    assert acts_a["acts_share"] == 1
    assert 0 < acts_b["acts_share"] < 1 and acts_b["acts_same"] == 1


def test_a_neutral_event_of_the_same_office_counts_against_a_pair():
    # the hard negative a Satgas meets most: the same camat, the same field, a Bawaslu briefing
    a = features(text="Camat Sukamaju ikut deklarasi paslon 1 di lapangan Sukamaju", region_code="32.11")
    b = features(
        text="Camat Sukamaju membuka sosialisasi pengawasan pemilu oleh Bawaslu di lapangan Sukamaju",
        region_code="32.11",
    )
    assert pair_vector(a, b)["neutral_conflict"] > 0.3
    assert pair_vector(a, a)["neutral_conflict"] == 0
    assert score(a, b) < DEFAULT_THRESHOLD


def test_a_hard_negative_is_in_the_fold_of_the_incident_it_resembles():
    # the threshold is chosen on the pairs within each fold: they must hold the near misses too
    incident = {"text": "camat x ikut deklarasi", "dup_group": "Z1"}
    near = {"text": "camat x membuka sosialisasi bawaslu", "hard_negative_of": "Z1"}
    assert fit_duplicates._fold(near) == fit_duplicates._fold(incident)


def test_concepts_give_one_word_to_what_witnesses_name_differently():
    from netra.triage.similar import concepts
    from netra.triage.text import tokens

    def c(text):
        return " ".join(concepts(tokens(text)))

    assert c("pak kuwu berikrar") == c("pak kades deklarasi") == "pak kepala desa deklarasi"
    assert c("pambakal") == c("Wali Nagari") == c("kepala pekon") == c("kepala lembang") == "kepala desa"
    assert c("mobdin") == c("pelat merah") == c("kendaraan dinas") == "mobil dinas"
    assert c("jurkam") == c("juru kampanye") == "orasi"
    assert c("timses") == c("tim pemenangan") == "tim sukses"
    assert c("beta su lia") == "saya sudah lia"  # Kupang/Ambon function words -> stopwords
    # words that look like a title or a synonym but are not one
    assert c("camat lembang") == "camat lembang"  # Lembang, a kecamatan of Bandung Barat
    assert c("wali kota") == "wali kota" and c("wali murid") == "wali murid"
    assert c("petinggi partai") == "petinggi partai"  # a party's leader
    assert c("petinggi desa") == "kepala desa desa"  # the Javanese village head
    assert c("calon lawan") == "calon lawan"  # Banjar "lawan" (with) is left alone: a rival
    assert c("kepala dinas") == "kepala dinas"


def test_a_regional_title_and_kepala_desa_are_one_post():
    pambakal = features(text="pambakal mambagi sarung ka urang kampung")
    kades = features(text="kades Sungai Rangas bagi sarung caleg")
    assert extract("pambakal mambagi sarung").positions == ["kepala desa"]
    assert extract("kepala pekon ikut kampanye").positions == ["kepala desa"]
    v = pair_vector(pambakal, kades)
    assert v["position_same"] == 1 and v["position_conflict"] == 0
    # a village called Lembang's camat is a camat, not a village head
    assert extract("camat lembang hadir").positions == ["camat"]


def test_a_red_plate_and_an_official_car_are_one_act_and_share_words():
    from netra.triage.similar import acts_of

    assert "vehicle" in acts_of("pelat merah bawa baliho")
    a = features(text="mobdin bawa baliho calon bupati")
    b = features(text="kendaraan pelat merah mengangkut baliho calon bupati")
    assert pair_vector(a, b)["words"] > 0.5


def test_a_story_without_a_candidate_against_one_with_is_a_partisan_conflict():
    from netra.triage.similar import partisan_of

    assert partisan_of("kades bagi sembako ada stiker caleg")
    assert partisan_of("serangan fajar dr pak kades")  # money before polling day is about a candidate
    assert not partisan_of("Mobil dinas DA 8127 T mengangkut bibit padi untuk kelompok tani")
    # under "tanpa" a candidate word says the opposite
    assert not partisan_of("hadir sebagai undangan, tanpa atribut dan tanpa ajakan memilih")
    car = features(text="DA 8127 T pelat merah bawa baliho paslon 01")
    seed = features(text="Mobil dinas DA 8127 T mengangkut bibit padi bantuan untuk kelompok tani")
    assert pair_vector(car, seed)["partisan_conflict"] == 1
    again = features(text="mobil plat merah DA 8127 T angkut baliho calon bupati nomor 1")
    assert pair_vector(car, again)["partisan_conflict"] == 0


def test_the_prior_shift_is_bayes_rule_for_another_share_of_true_pairs():
    import json
    import math

    shipped = json.loads(DUPLICATES_FILE.read_text(encoding="utf-8"))
    assert shipped["prior_shift"] > 0  # a fold holds a bigger share of true pairs than the whole file
    assert abs(fit_duplicates._shifted(0.5, math.log(3)) - 0.75) < 1e-12
    assert abs(fit_duplicates._shifted(0.2, 0.0) - 0.2) < 1e-12
    assert fit_duplicates._share([(0.1, 1), (0.2, 0), (0.3, 0), (0.4, 0)]) == 0.25


def test_an_english_witness_reads_as_the_indonesian_letter_it_restates():
    from netra.triage.similar import acts_of, concept_stream

    english = "The village head handed out envelopes of money and told us to vote for number 2"
    assert concept_stream(english) == (
        "kepala", "desa", "bagi", "amplop", "uang", "suruh", "us", "pilih", "nomor", "2",
    )  # fmt: skip
    assert concept_stream("a red-plate official car") == ("mobil", "dinas", "mobil", "dinas")
    assert extract(english).candidates == ["nomor 2"] and extract(english).positions == ["kepala desa"]
    assert extract("a civil servant teacher at the rally").positions == ["guru"]  # the post, not "asn"
    letter = features(text="Kepala Desa Sukamaju membagikan amplop berisi uang dan meminta warga memilih nomor urut 2")
    line = features(text=english)
    indonesian_line = features(text="kades bagi amplop, suruh pilih no 2")
    v = pair_vector(letter, line)
    assert v["position_same"] == 1 and v["candidate_same"] == 1 and v["acts_same"] == 1
    assert acts_of(english) == acts_of("kades bagi amplop uang, suruh pilih")
    assert pair_vector(line, indonesian_line)["words"] > 0.5
    # Indonesian words that are also English ones are left as they are
    assert concept_stream("ada staf dinas di aula") == ("ada", "staf", "dinas", "di", "aula")


def test_minahasa_lampung_and_papua_titles_are_the_posts_they_name():
    from netra.triage.similar import concept_stream

    assert extract("hukum tua desa ratahan ikut kampanye").positions == ["kepala desa"]
    assert extract("kumtua jadi relawan").positions == ["kepala desa"]
    assert extract("kakam tiyuh x hadir kampanye").positions == ["kepala desa"]
    assert extract("kepala distrik abepura orasi").positions == ["camat"]  # a Papuan distrik is a kecamatan
    assert concept_stream("hukum tua") == concept_stream("kumtua") == concept_stream("kakam") == ("kepala", "desa")
    assert concept_stream("kepala distrik") == ("camat",)
    assert concept_stream("hukum adat") == ("hukum", "adat")  # "hukum" alone is law


def test_a_text_is_tokenised_once_for_every_duplicate_part():
    from netra.triage.similar import acts_of, concept_stream, partisan_of

    text = "pak camat sidorejo ikut deklarasi paslon 3 di lapangan, videonya viral (a text seen once)"
    before = concept_stream.cache_info()
    f = features(text=text)
    acts_of(text), partisan_of(text), pair_vector(f, f)
    after = concept_stream.cache_info()
    assert after.misses == before.misses + 1  # features, acts_of and partisan_of share one stream
