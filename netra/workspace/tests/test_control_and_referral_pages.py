"""Issue #16 items 3 and 4 on the case page: BKN's control-action forms (for BKN in reach of an
escalated case only), the record for everyone who reads it, the PPK's home panel, the referral
move and its banner on both sides."""

import datetime

import pytest
from django.urls import reverse

from netra.cases.models import Case, ControlAction
from netra.orgs.tests.factories import MembershipFactory, UserFactory

S = Case.Status
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _in(case, state, **fields):
    Case.objects.filter(pk=case.pk).update(status=state, **fields)
    case.refresh_from_db()
    return case


def _url(case):
    return reverse("workspace:case", args=[case.pk])


def test_bkn_sees_one_form_per_control_action_and_records_a_warning(staff_client, bkn_kanreg, katingan_case):
    case = _in(katingan_case, S.ESCALATED)
    client = staff_client(bkn_kanreg)
    page = client.get(_url(case)).text
    for kind in ("warning", "reprimand", "blocking", "unblocking"):
        assert reverse("workspace:control_action", args=[case.pk, kind]) in page
    assert "PP 94/2021" in page  # the legal basis offered
    answer = client.post(
        reverse("workspace:control_action", args=[case.pk, "warning"]),
        {
            "ca-warning-date": TODAY.isoformat(),
            "ca-warning-reference": "B-9/KR.VIII/2026",
            "ca-warning-addressee": "Bupati Katingan",
            "ca-warning-ppk_deadline": (TODAY + datetime.timedelta(days=7)).isoformat(),
            "ca-warning-legal_basis": "",
        },
    )
    assert answer.status_code == 302
    row = ControlAction.objects.get(case=case)
    assert (row.kind, row.reference, row.addressee) == ("warning", "B-9/KR.VIII/2026", "Bupati Katingan")
    assert "B-9/KR.VIII/2026" in client.get(_url(case)).text


def test_a_wrong_form_comes_back_with_its_values_and_nothing_is_saved(staff_client, bkn_kanreg, katingan_case):
    case = _in(katingan_case, S.ESCALATED)
    answer = staff_client(bkn_kanreg).post(
        reverse("workspace:control_action", args=[case.pk, "blocking"]),
        {"ca-blocking-date": TODAY.isoformat(), "ca-blocking-text": "Blokir layanan kenaikan pangkat."},
    )
    assert answer.status_code == 422
    assert "Blokir layanan kenaikan pangkat." in answer.text and "Wajib diisi." in answer.text
    assert not ControlAction.objects.exists()


def test_the_ppk_reads_the_actions_and_its_home_panel_but_gets_no_form(
    staff_client, bkn_kanreg, ppk_katingan, katingan_case
):
    case = _in(katingan_case, S.ESCALATED)
    ControlAction.objects.create(
        case=case, kind="warning", date=TODAY, reference="B-10", addressee="PPK", ppk_deadline=TODAY
    )
    client = staff_client(ppk_katingan)
    page = client.get(_url(case)).text
    assert "B-10" in page and reverse("workspace:control_action", args=[case.pk, "warning"]) not in page
    home = client.get(reverse("workspace:home")).text
    assert "Tindakan pengendalian BKN atas kasus Anda (1)" in home
    # Posting anyway is refused by the service, nothing is written.
    client.post(
        reverse("workspace:control_action", args=[case.pk, "reprimand"]),
        {
            "ca-reprimand-date": TODAY.isoformat(),
            "ca-reprimand-reference": "X",
            "ca-reprimand-addressee": "Y",
            "ca-reprimand-ppk_deadline": (TODAY + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert ControlAction.objects.count() == 1


def test_an_outsider_posting_a_control_action_gets_404(staff_client, satgas_barsel, katingan_case):
    case = _in(katingan_case, S.ESCALATED)
    answer = staff_client(satgas_barsel).post(reverse("workspace:control_action", args=[case.pk, "warning"]), {})
    assert answer.status_code == 404


def test_the_satgas_refers_a_case_and_both_sides_see_where_it_is(
    staff_client, satgas_katingan, agencies, katingan_case, client
):
    case = _in(katingan_case, S.VERIFICATION)
    province = UserFactory(username="ketua.kalteng")
    MembershipFactory(user=province, agency=agencies["pemprov-kalteng"], role="satgas_lead")
    officer = staff_client(satgas_katingan)
    form = officer.get(reverse("workspace:move", args=[case.pk, "referred_up"])).text
    assert 'value="pemprov-kalteng"' in form and 'value="bkn-pusat"' in form
    assert 'value="pemkab-barito-selatan"' not in form
    answer = officer.post(
        reverse("workspace:move", args=[case.pk, "referred_up"]),
        {"move-refer_to": "pemprov-kalteng", "move-referral_note": "Pejabat di bawah kewenangan gubernur."},
    )
    assert answer.status_code == 302
    assert "Dirujuk ke Pemerintah Provinsi Kalimantan Tengah" in officer.get(_url(case)).text

    receiving = staff_client(province)
    page = receiving.get(_url(case)).text
    assert "Dirujuk ke Pemerintah Provinsi Kalimantan Tengah" in page
    assert reverse("workspace:move", args=[case.pk, "referral_returned"]) in page
    receiving.post(
        reverse("workspace:move", args=[case.pk, "referral_returned"]),
        {"move-return_note": "Silakan dilanjutkan oleh Satgas kabupaten."},
    )
    case.refresh_from_db()
    assert case.referred_to is None
    text = staff_client(satgas_katingan).get(_url(case)).text
    assert "Rujukan dikembalikan" in text and "Silakan dilanjutkan oleh Satgas kabupaten." in text


def test_the_owner_takes_a_referral_back_from_the_case_page(staff_client, satgas_katingan, agencies, katingan_case):
    case = _in(katingan_case, S.VERIFICATION)
    province = UserFactory(username="ketua.kalteng")
    MembershipFactory(user=province, agency=agencies["pemprov-kalteng"], role="satgas_lead")
    officer = staff_client(satgas_katingan)
    officer.post(
        reverse("workspace:move", args=[case.pk, "referred_up"]),
        {"move-refer_to": "pemprov-kalteng", "move-referral_note": "Mohon arahan."},
    )
    withdraw = reverse("workspace:move", args=[case.pk, "referral_withdrawn"])
    assert withdraw not in staff_client(province).get(_url(case)).text  # the receiver only gives it back
    officer = staff_client(satgas_katingan)  # one test client: signed in as the owner's officer again
    assert withdraw in officer.get(_url(case)).text
    empty = officer.post(withdraw, {"move-withdraw_reason": ""})
    assert empty.status_code == 422 and "wajib" in empty.text.lower()
    case.refresh_from_db()
    assert case.referred_to is not None  # nothing changed on a refused form
    answer = officer.post(withdraw, {"move-withdraw_reason": "Dirujuk keliru."})
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.referred_to is None
    text = officer.get(_url(case)).text
    assert "Rujukan ditarik kembali" in text and "Dirujuk keliru." in text
