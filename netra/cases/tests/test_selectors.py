"""Scoped reads for the staff workspace: the queue, its counts, one case, subject history.

Duplicates: netra/cases/tests/test_triage_flow.py."""

import datetime
import itertools

import pytest
from django.http import Http404

from netra.cases.models import Case, Recommendation, Report, Subject
from netra.cases.selectors import (
    PREVIEW_CHARS,
    attention_dates,
    case_for,
    cases_for,
    queue_counts,
    subject_history,
)
from netra.catalog.models import SanctionCategory

pytestmark = pytest.mark.django_db

S = Case.Status
_receipts = itertools.count(1)
TODAY = datetime.date.today()


def make_case(agency, region, *, status=S.RECEIVED, subject="", nip=None, description="", incident=None, **fields):
    case = Case.objects.create(
        agency=agency,
        region=region,
        status=status,
        incident_date=incident or TODAY - datetime.timedelta(days=3),
        merged_into=fields.pop("merged_into", None),
        **fields,
    )
    Case.objects.filter(pk=case.pk).update(number=f"NTR-2024-{case.pk:06d}")
    case.refresh_from_db()
    if subject or nip:
        Subject.objects.create(case=case, name=subject, nip=nip, agency_name="Pemkab")
    if description:
        Report.objects.create(
            case=case,
            region_id=case.region_id,
            description=description,
            incident_date=case.incident_date,
            receipt_code=f"NTR-TEST-{next(_receipts):04d}",
            access_key_hash="0" * 64,
        )
    return case


@pytest.fixture
def katingan_case(agencies, regions):
    return make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso")


@pytest.fixture
def barsel_case(agencies, regions):
    return make_case(agencies["pemkab-barito-selatan"], regions["62.04"], subject="Siti Aminah")


# --- scope --------------------------------------------------------------------------------------


def test_an_officer_lists_only_the_cases_of_their_agency(satgas_katingan, katingan_case, barsel_case):
    assert list(cases_for(satgas_katingan, status=None)) == [katingan_case]


def test_an_officer_of_another_agency_lists_only_theirs(satgas_barsel, katingan_case, barsel_case):
    assert list(cases_for(satgas_barsel, status=None)) == [barsel_case]


def test_a_regional_bkn_office_lists_the_cases_of_its_provinces(bkn_kanreg, katingan_case, barsel_case):
    assert set(cases_for(bkn_kanreg, status=None)) == {katingan_case, barsel_case}


def test_an_agency_admin_lists_no_case(admin_katingan, katingan_case):
    assert list(cases_for(admin_katingan, status=None)) == []


def test_case_for_answers_404_outside_scope(satgas_barsel, katingan_case):
    with pytest.raises(Http404):
        case_for(satgas_barsel, katingan_case.pk)


def test_case_for_answers_404_for_a_malformed_id(satgas_katingan, katingan_case):
    with pytest.raises(Http404):
        case_for(satgas_katingan, "abc")


def test_case_for_returns_a_case_in_scope(satgas_katingan, katingan_case):
    assert case_for(satgas_katingan, katingan_case.pk) == katingan_case


# --- filters ------------------------------------------------------------------------------------


def test_the_active_filter_leaves_out_terminal_states(satgas_katingan, agencies, regions):
    open_case = make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.CHECKING)
    make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.DISMISSED)
    assert list(cases_for(satgas_katingan, status="active")) == [open_case]


def test_the_status_filter_keeps_one_state(satgas_katingan, agencies, regions):
    make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.RECEIVED)
    checking = make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.CHECKING)
    assert list(cases_for(satgas_katingan, status=S.CHECKING)) == [checking]


def test_the_region_filter_includes_the_regions_under_it(bkn_kanreg, katingan_case, barsel_case):
    assert list(cases_for(bkn_kanreg, region="62.06")) == [katingan_case]
    assert set(cases_for(bkn_kanreg, region="62")) == {katingan_case, barsel_case}


def test_the_region_filter_does_not_widen_the_scope(satgas_katingan, katingan_case, barsel_case):
    assert list(cases_for(satgas_katingan, region="62.04")) == []


def test_assigned_to_keeps_the_users_cases(satgas_katingan, lead_katingan, agencies, regions):
    mine = make_case(agencies["pemkab-katingan"], regions["62.06"], assigned_to=satgas_katingan)
    make_case(agencies["pemkab-katingan"], regions["62.06"], assigned_to=lead_katingan)
    assert list(cases_for(satgas_katingan, assigned_to=satgas_katingan)) == [mine]


def test_the_due_filter_separates_overdue_from_due_soon(satgas_katingan, agencies, regions):
    today, soon = attention_dates()
    late = make_case(
        agencies["pemkab-katingan"], regions["62.06"], status=S.CHECKING, due_date=today - datetime.timedelta(days=1)
    )
    close = make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.CHECKING, due_date=soon)
    make_case(
        agencies["pemkab-katingan"], regions["62.06"], status=S.CHECKING, due_date=soon + datetime.timedelta(days=30)
    )
    assert list(cases_for(satgas_katingan, due="overdue")) == [late]
    assert list(cases_for(satgas_katingan, due="due_soon")) == [close]
    assert list(cases_for(satgas_katingan, due="due")) == [late, close]


def test_the_violation_filter_reads_the_recommendation(satgas_katingan, agencies, regions):
    category, _ = SanctionCategory.objects.get_or_create(
        code="disiplin_berat", defaults={"name_id": "Berat", "name_en": "Heavy", "legal_basis": "PP", "severity": 3}
    )
    hit = make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.RECOMMENDATION)
    miss = make_case(agencies["pemkab-katingan"], regions["62.06"], status=S.RECOMMENDATION)
    Recommendation.objects.create(
        case=hit, violations=["social_media", "mobilisation"], sanction_category=category, legal_basis="x", findings="y"
    )
    Recommendation.objects.create(
        case=miss, violations=["social_media_x"], sanction_category=category, legal_basis="x", findings="y"
    )
    assert list(cases_for(satgas_katingan, violation="social_media")) == [hit]


def test_search_finds_a_case_by_number_subject_name_or_nip(satgas_katingan, agencies, regions):
    case = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso", nip="198503122010011003")
    make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Siti")
    assert list(cases_for(satgas_katingan, search=case.number)) == [case]
    assert list(cases_for(satgas_katingan, search="santoso")) == [case]
    assert list(cases_for(satgas_katingan, search="198503122010011003")) == [case]


# --- order and counts ---------------------------------------------------------------------------


def test_the_queue_puts_new_then_overdue_then_due_soon_first(satgas_katingan, agencies, regions):
    today, soon = attention_dates()
    pemkab, katingan = agencies["pemkab-katingan"], regions["62.06"]
    done = make_case(pemkab, katingan, status=S.CLOSED)
    open_case = make_case(pemkab, katingan, status=S.EXAMINATION, due_date=soon + datetime.timedelta(days=20))
    new = make_case(pemkab, katingan, status=S.RECEIVED)
    due_soon = make_case(pemkab, katingan, status=S.CHECKING, due_date=soon)
    overdue = make_case(pemkab, katingan, status=S.VERIFICATION, due_date=today - datetime.timedelta(days=2))
    assert list(cases_for(satgas_katingan)) == [new, overdue, due_soon, open_case, done]


def test_new_reports_come_first_even_behind_a_full_page_of_older_work(satgas_katingan, agencies, regions):
    # The review found new reports on page 2 of "Aktif": sixty dated cases sorted before them.
    today = attention_dates()[0]
    pemkab, katingan = agencies["pemkab-katingan"], regions["62.06"]
    for n in range(60):
        make_case(pemkab, katingan, status=S.VERIFICATION, due_date=today - datetime.timedelta(days=1 + n % 5))
    late_new = make_case(pemkab, katingan, status=S.RECEIVED, due_date=today - datetime.timedelta(days=1))
    fresh = make_case(pemkab, katingan, status=S.RECEIVED)
    assert list(cases_for(satgas_katingan, status="active")[:2]) == [late_new, fresh]


def test_the_queue_previews_the_first_report_on_one_line(satgas_katingan, agencies, regions):
    case = make_case(agencies["pemkab-katingan"], regions["62.06"], description="Camat berorasi. " * 30)
    row = cases_for(satgas_katingan).get(pk=case.pk)
    assert row.preview.startswith("Camat berorasi.") and len(row.preview) == PREVIEW_CHARS


def test_queue_counts_count_per_state_in_scope_only(satgas_katingan, agencies, regions, barsel_case):
    pemkab, katingan = agencies["pemkab-katingan"], regions["62.06"]
    make_case(pemkab, katingan, status=S.RECEIVED)
    make_case(pemkab, katingan, status=S.RECEIVED)
    make_case(pemkab, katingan, status=S.CHECKING, assigned_to=satgas_katingan)
    make_case(pemkab, katingan, status=S.DISMISSED)
    counts = queue_counts(satgas_katingan)
    assert (counts["received"], counts["checking"], counts["dismissed"]) == (2, 1, 1)
    assert (counts["active"], counts["all"], counts["mine"]) == (3, 4, 1)


def test_queue_counts_ignore_the_status_filter_but_apply_the_others(bkn_kanreg, katingan_case, barsel_case):
    counts = queue_counts(bkn_kanreg, status=S.CHECKING, region="62.06")
    assert (counts["received"], counts["all"]) == (1, 1)


def test_queue_counts_count_overdue_and_due_soon(satgas_katingan, agencies, regions):
    today, soon = attention_dates()
    pemkab, katingan = agencies["pemkab-katingan"], regions["62.06"]
    make_case(pemkab, katingan, status=S.CHECKING, due_date=today - datetime.timedelta(days=1))
    make_case(pemkab, katingan, status=S.CHECKING, due_date=soon)
    make_case(pemkab, katingan, status=S.CLOSED, due_date=today - datetime.timedelta(days=1))
    counts = queue_counts(satgas_katingan)
    assert (counts["overdue"], counts["due_soon"]) == (1, 1)


# --- subject history ----------------------------------------------------------------------------


def test_subject_history_finds_the_same_nip_in_other_cases(agencies, regions):
    nip = "198503122010011003"
    earlier = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi S.", nip=nip)
    make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso")
    now = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso", nip=nip)
    assert [s.case for s in subject_history(now.subjects.get())] == [earlier]


def test_subject_history_without_nip_matches_name_and_agency(agencies, regions):
    earlier = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="budi santoso")
    now = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso")
    other = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi Santoso")
    Subject.objects.filter(case=other).update(agency_name="Dinas lain")
    assert [s.case for s in subject_history(now.subjects.get())] == [earlier]


def test_subject_history_for_a_user_stays_in_their_scope(satgas_katingan, agencies, regions):
    nip = "198503122010011003"
    make_case(agencies["pemkab-barito-selatan"], regions["62.04"], subject="Budi", nip=nip)
    now = make_case(agencies["pemkab-katingan"], regions["62.06"], subject="Budi", nip=nip)
    assert list(subject_history(now.subjects.get(), user=satgas_katingan)) == []
