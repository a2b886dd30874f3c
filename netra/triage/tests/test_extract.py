import datetime

from netra.triage.api import extract

TODAY = datetime.date(2024, 11, 20)  # a Wednesday


def test_grouped_nip_is_found_and_a_phone_number_is_not():
    facts = extract(
        "Terlapor NIP 19850312 201001 1 003, pelapor bisa dihubungi di HP 0812 3456 7890 1234 atau WA 198503122010011003",
        today=TODAY,
    )
    assert facts.nips == ["198503122010011003"]


def test_eighteen_digit_phone_like_number_is_not_a_nip():
    # starts like a mobile number (08..): its "birth date" 0812-34-56 is no date
    assert extract("no 081234567890123456 itu nomornya", today=TODAY).nips == []
    # an impossible NIP (TMT month 13) is refused as intake refuses it
    assert extract("NIP 198503122010131003", today=TODAY).nips == []


def test_candidate_02_is_not_the_date_02():
    facts = extract("Tanggal 02/11 pak lurah foto dengan paslon 02 di balai desa", today=TODAY)
    assert facts.candidates == ["nomor 2"]
    assert [d.start for d in facts.dates] == [datetime.date(2024, 11, 2)]


def test_relative_dates():
    facts = extract("kemarin sore camat ikut kampanye", today=TODAY)
    assert [(d.start, d.text) for d in facts.dates] == [(datetime.date(2024, 11, 19), "kemarin sore")]
    minggu = extract("minggu lalu ada pembagian sembako", today=TODAY).dates
    assert (minggu[0].start, minggu[0].end) == (datetime.date(2024, 11, 11), datetime.date(2024, 11, 17))


def test_weekday_with_day_and_month_is_a_calendar_date_in_the_past():
    facts = extract("Sabtu 12/10 kades pose dua jari", today=TODAY)
    assert [d.start for d in facts.dates] == [datetime.date(2024, 10, 12)]
    # a bare weekday is the last such day on or before today
    assert [d.start for d in extract("hari Sabtu kemarin ada deklarasi", today=TODAY).dates] == [
        datetime.date(2024, 11, 16)
    ]
    # a named month without year, in January: last year's December
    jan = extract("12 Desember ada kampanye", today=datetime.date(2025, 1, 5)).dates
    assert jan[0].start == datetime.date(2024, 12, 12)


def test_positions_with_glued_words_abbreviations_and_typos():
    assert extract("pakcamat dan bukades ikut", today=TODAY).positions == ["camat", "kepala desa"]
    assert extract("kepsek SDN 3 dan kepla dinas pendidikan", today=TODAY).positions == [
        "kepala sekolah",
        "kepala dinas",
    ]
    assert extract("seorang bidan puskesmas", today=TODAY).positions == ["bidan"]


def test_agencies():
    facts = extract(
        "pegawai Samsat Bekasi pakai seragam, juga staf dinas pendidikan dan Puskesmas Sukamaju", today=TODAY
    )
    assert facts.agencies == ["samsat bekasi", "dinas pendidikan", "puskesmas sukamaju"]


def test_parties_and_named_candidates():
    facts = extract("kader PDIP dan Gerindra, dukung Prabowo-Gibran", today=TODAY)
    assert facts.parties == ["gerindra", "pdi perjuangan"]
    assert facts.candidates == ["prabowo subianto", "gibran rakabuming"]


def test_regions_resolved_from_the_shipped_list():
    assert extract("di Kab Bandung", today=TODAY).region_codes == ["32.04"]
    assert extract("di Kota Bandung", today=TODAY).region_codes == ["32.73"]
    assert extract("camat di kabupaten Aceh Selatan", today=TODAY).region_codes == ["11.01"]
    assert extract("ASN Pemprov Jatim", today=TODAY).region_codes == ["35"]
    # "batu" is a stone unless it is called Kota Batu
    assert extract("duduk di atas batu", today=TODAY).region_codes == []
    assert extract("di Kota Batu", today=TODAY).region_codes == ["35.79"]


def test_links_are_normalised():
    facts = extract(
        "lihat https://www.facebook.com/share/p/abc/?mibextid=xyz dan m.facebook.com/share/p/abc serta youtu.be/XYZ?si=1",
        today=TODAY,
    )
    assert facts.links == ["https://facebook.com/share/p/abc", "https://youtube.com/watch?v=XYZ"]
