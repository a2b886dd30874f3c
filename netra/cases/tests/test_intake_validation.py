import datetime

import pytest
import time_machine
from django.utils import timezone

from netra.cases.intake import IntakeError, report_submit
from netra.cases.models import Case, Report, Subject
from netra.cases.tests.fixtures import report_data
from netra.catalog.models import Election

pytestmark = pytest.mark.django_db


def refused(**overrides) -> IntakeError:
    with pytest.raises(IntakeError) as raised:
        report_submit(data=report_data(**overrides))
    return raised.value


def test_a_valid_report_opens_a_received_case(katingan):
    receipt = report_submit(data=report_data())
    assert receipt.case.status == Case.Status.RECEIVED
    assert Report.objects.get().case == receipt.case


def test_the_case_gets_a_public_number(katingan):
    receipt = report_submit(data=report_data())
    case = Case.objects.get()
    assert case.number == f"NTR-{timezone.localtime(case.created_at).year}-{case.pk:06d}"
    assert receipt.case.number == case.number


def test_the_subject_is_recorded_with_a_normalised_nip(katingan):
    report_submit(data=report_data(subject_nip="19850312 201001 1 003"))
    assert Subject.objects.get().nip == "198503122010011003"


def test_no_subject_row_when_nothing_about_the_subject_is_known(katingan):
    report_submit(data=report_data(subject_name="", subject_nip="", subject_position="", subject_agency=""))
    assert not Subject.objects.exists()


def test_the_first_timeline_step_is_received(katingan):
    receipt = report_submit(data=report_data())
    assert list(receipt.case.transitions.values_list("from_state", "to_state")) == [("", "received")]


def test_missing_description_is_refused(katingan):
    assert refused(description="  ").fields["description"] == ["Wajib diisi."]


def test_too_short_description_is_refused(katingan):
    assert refused(description="  Camat kampanye.  ").fields["description"] == [
        "Uraian terlalu pendek: paling sedikit 20 karakter (sekarang 15)."
    ]


def test_too_long_description_is_refused(katingan):
    assert refused(description="x" * 10_001).fields["description"] == [
        "Terlalu panjang: paling banyak 10000 karakter (sekarang 10001)."
    ]


def test_description_of_exactly_the_limits_is_accepted(katingan):
    report_submit(data=report_data(description="x" * 20))
    report_submit(data=report_data(description="x" * 10_000))
    assert Report.objects.count() == 2


def test_nul_characters_are_dropped_rather_than_crashing_postgresql(katingan):
    receipt = report_submit(data=report_data(description="Camat ikut kampanye\x00 di lapangan kecamatan."))
    assert "\x00" not in receipt.report.description


def test_missing_incident_date_is_refused(katingan):
    assert refused(incident_date=None).fields["incident_date"] == ["Wajib diisi."]


def test_unreadable_incident_date_is_refused(katingan):
    assert refused(incident_date="20/11/2024").fields["incident_date"] == [
        "Tanggal tidak dikenali. Gunakan format TTTT-BB-HH, misalnya 2024-11-20."
    ]


# 2024-11-20 16:30 UTC is already 21 November 01:30 in Papua (WIT, UTC+9).
@time_machine.travel(datetime.datetime(2024, 11, 20, 16, 30, tzinfo=datetime.UTC), tick=False)
def test_today_in_papua_is_not_the_future(katingan):
    report_submit(data=report_data(incident_date="2024-11-21"))
    assert Report.objects.get().incident_date == datetime.date(2024, 11, 21)


@time_machine.travel(datetime.datetime(2024, 11, 20, 16, 30, tzinfo=datetime.UTC), tick=False)
def test_incident_date_in_the_future_is_refused(katingan):
    assert refused(incident_date="2024-11-22").fields["incident_date"] == [
        "Tanggal kejadian tidak boleh di masa depan."
    ]


@time_machine.travel(datetime.datetime(2024, 11, 20, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_incident_date_older_than_the_limit_is_refused(katingan, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    assert refused(incident_date="2022-11-20").fields["incident_date"] == [
        "Tanggal kejadian terlalu lama: paling lama 730 hari sebelum hari ini."
    ]


@time_machine.travel(datetime.datetime(2024, 11, 20, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_incident_date_exactly_at_the_age_limit_is_accepted(katingan, settings):
    settings.NETRA_MAX_INCIDENT_AGE_DAYS = 730
    report_submit(data=report_data(incident_date="2022-11-21"))
    assert Report.objects.count() == 1


def test_a_date_object_is_accepted_as_well_as_text(katingan):
    report_submit(data=report_data(incident_date=datetime.date.today() - datetime.timedelta(days=1)))
    assert Report.objects.count() == 1


def test_missing_region_is_refused(db):
    assert refused(region_code="").fields["region_code"] == ["Wajib diisi."]


def test_unknown_region_is_refused(katingan):
    assert refused(region_code="62.99").fields["region_code"] == ["Kode wilayah 62.99 tidak dikenal."]


def test_a_province_is_an_acceptable_region(kalteng):
    receipt = report_submit(data=report_data(region_code="62"))
    assert receipt.case.region_id == "62"


def test_an_invalid_nip_is_refused_with_its_precise_problem(katingan):
    assert refused(subject_nip="198503122010011000").fields["subject_nip"] == [
        "Tiga angka terakhir NIP (nomor urut) tidak boleh 000."
    ]


def test_a_non_http_link_is_refused(katingan):
    assert refused(links=["https://x.com/a/status/1", "javascript:alert(1)"]).fields["links"] == [
        "Tautan ke-2 bukan alamat web yang diawali http:// atau https://."
    ]


def test_an_ftp_link_is_refused(katingan):
    assert "links" in refused(links=["ftp://example.com/file"]).fields


def test_more_than_ten_links_are_refused(katingan):
    links = [f"https://example.com/post/{n}" for n in range(11)]
    assert refused(links=links).fields["links"] == ["Paling banyak 10 tautan (ada 11)."]


def test_a_link_longer_than_2000_characters_is_refused(katingan):
    assert refused(links=["https://example.com/" + "a" * 2000]).fields["links"] == [
        "Tautan ke-1 terlalu panjang (paling banyak 2000 karakter)."
    ]


def test_links_as_a_single_string_are_refused(katingan):
    assert refused(links="https://example.com").fields["links"] == ["Harus berupa daftar tautan."]


def test_blank_link_lines_are_ignored(katingan):
    receipt = report_submit(data=report_data(links=["", "  https://example.com/a  ", " "]))
    assert receipt.report.links == ["https://example.com/a"]


def test_too_long_contact_is_refused(katingan):
    assert refused(contact="x" * 201).fields["contact"] == [
        "Terlalu panjang: paling banyak 200 karakter (sekarang 201)."
    ]


def test_unknown_election_is_refused(katingan):
    assert refused(election="pemilu-1999").fields["election"] == ["Pemilihan pemilu-1999 tidak dikenal."]


def test_a_known_election_is_linked(katingan):
    Election.objects.create(code="pilkada-2024", name="Pilkada 2024", kind="pilkada", voting_date="2024-11-27")
    receipt = report_submit(data=report_data(election="pilkada-2024"))
    assert receipt.case.election_id == "pilkada-2024"


def test_a_non_text_value_is_refused_not_crashing(katingan):
    assert refused(subject_name=12345).fields["subject_name"] == ["Harus berupa teks."]


def test_every_field_error_is_reported_at_once(katingan):
    error = refused(description="pendek", incident_date="2999-01-01", region_code="00", links=["mailto:a@b.c"])
    assert set(error.fields) == {"description", "incident_date", "region_code", "links"}
    assert error.code == "validation_error"


def test_a_refused_report_leaves_no_rows(katingan):
    refused(description="pendek")
    assert not Case.objects.exists()
    assert not Report.objects.exists()
