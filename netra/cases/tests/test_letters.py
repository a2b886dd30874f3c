"""The recommendation letter and the decision summary: generated for a case taken through the
workflow, opened back with pypdf, page 1 rendered to PNG; letter numbering per agency and year."""

import io
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from PIL import Image
from pypdf import PdfReader

from netra.audit.models import AuditEvent
from netra.cases import deadlines
from netra.cases.intake import report_submit
from netra.cases.letters import decision_summary_pdf, letter_number_assign, recommendation_letter_pdf
from netra.cases.models import Case, Decision, Recommendation
from netra.cases.services import case_transition, followup_add
from netra.cases.tests.fixtures import report_data
from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import VALID_DATA

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
YEAR = deadlines.today().year


def pdf_text(pdf: bytes) -> str:
    """The text of every page without whitespace: lines wrap anywhere (even after a "/")."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def has(text: str, phrase: str) -> bool:
    return "".join(phrase.split()) in text


@pytest.fixture
def people(satgas_katingan, lead_katingan, ppk_katingan):
    return {"officer": satgas_katingan, "lead": lead_katingan, "ppk": ppk_katingan}


@pytest.fixture
def new_case(agencies, catalogue):
    def make(**overrides):
        return report_submit(data=report_data(**overrides)).case

    return make


@pytest.fixture
def decided_case(new_case, people):
    case = take_to(new_case(), "decided", **people)
    followup_add(
        case=case,
        actor=people["lead"],
        kind="carried_out",
        text="Penurunan jabatan dilaksanakan sejak 2 Januari 2025.",
        date=deadlines.today(),
    )
    return case


def render_page_one(pdf: bytes, tmp_path: Path, name: str) -> Path:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(source), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    png = tmp_path / f"{name}.png"
    # Kept as an artefact to look at (artifacts/ is not committed).
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / f"letters-{name}.png")
    return png


def ink_ratio(png: Path) -> float:
    image = Image.open(png).convert("L")
    return sum(image.histogram()[:128]) / (image.width * image.height)


# --- the recommendation letter -------------------------------------------------------------------


def test_recommendation_letter_names_the_case_the_subject_and_the_legal_basis(decided_case):
    text = pdf_text(recommendation_letter_pdf(decided_case))
    assert has(text, decided_case.number)
    assert has(text, "Budi Santoso")
    assert has(text, "198503122010011003")
    assert has(text, "PP 94/2021 pasal 5 huruf n")  # the recommendation's own legal basis
    assert has(text, "Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil")


def test_recommendation_letter_lists_the_proven_violation_with_its_catalogue_basis(decided_case):
    text = pdf_text(recommendation_letter_pdf(decided_case))
    assert has(text, "Menghadiri deklarasi/kampanye")
    assert has(text, "PP 94/2021 Pasal 5 huruf n angka 1 dan 6")


def test_recommendation_letter_is_addressed_to_the_ppk_and_signed_by_the_lead(decided_case, people):
    text = pdf_text(recommendation_letter_pdf(decided_case))
    assert has(text, "Bupati Katingan selaku Pejabat Pembina Kepegawaian")
    assert has(text, "Ketua Satuan Tugas Netralitas ASN")
    assert has(text, people["lead"].get_full_name())


def test_recommendation_letter_uses_the_agency_letterhead(decided_case):
    text = pdf_text(recommendation_letter_pdf(decided_case))
    assert has(text, "PEMERINTAH KABUPATEN KATINGAN")


def test_a_letter_is_a_draft_without_number_until_the_lead_sends_it(new_case, people):
    case = take_to(new_case(), "recommendation", **people)
    text = pdf_text(recommendation_letter_pdf(case))
    assert has(text, "DRAF")
    assert Recommendation.objects.get(case=case).letter_number == ""
    assert not AuditEvent.objects.filter(action="case.letter_numbered").exists()


def test_the_send_move_numbers_the_letter_in_the_order_sent(new_case, people):
    first = take_to(new_case(), "awaiting_decision", **people)
    second = take_to(new_case(subject_name="Siti Rahmah", subject_nip=""), "awaiting_decision", **people)
    # Numbered when sent, not when printed: printing the second first changes nothing.
    recommendation_letter_pdf(second)
    assert Recommendation.objects.get(case=first).letter_number == f"800.1.6/001/Satgas-Netralitas/{YEAR}"
    assert Recommendation.objects.get(case=second).letter_number == f"800.1.6/002/Satgas-Netralitas/{YEAR}"


def test_printing_a_letter_changes_nothing(new_case, people):
    """Security finding 11: the GET of the PDF had a side effect (it took the agenda number)."""
    case = take_to(new_case(), "recommendation", **people)
    events = AuditEvent.objects.count()
    recommendation_letter_pdf(case)
    recommendation_letter_pdf(case)
    assert AuditEvent.objects.count() == events
    assert Recommendation.objects.get(case=case).letter_number == ""
    case = case_transition(case=case, action="awaiting_decision", actor=people["lead"])
    number = f"800.1.6/001/Satgas-Netralitas/{YEAR}"
    first = pdf_text(recommendation_letter_pdf(case))
    again = pdf_text(recommendation_letter_pdf(case))
    assert has(first, number) and has(again, number)
    assert Recommendation.objects.get(case=case).letter_number == number


def test_each_agency_numbers_its_own_letters(agencies, new_case, people, lead_katingan):
    from netra.orgs.tests.factories import MembershipFactory

    katingan = take_to(new_case(), "awaiting_decision", **people)
    barsel = take_to(new_case(), "examination", **people)
    # Ownership moves to Barito Selatan (as a forward would); its own Satgas carries it on.
    Case.objects.filter(pk=barsel.pk).update(agency=agencies["pemkab-barito-selatan"])
    for role in ("satgas_officer", "satgas_lead"):
        MembershipFactory(user=lead_katingan, agency=agencies["pemkab-barito-selatan"], role=role)
    barsel = case_transition(
        case=barsel, action="recommendation", actor=lead_katingan, data=VALID_DATA["recommendation"]
    )
    barsel = case_transition(case=barsel, action="awaiting_decision", actor=lead_katingan)
    assert Recommendation.objects.get(case=katingan).letter_number == f"800.1.6/001/Satgas-Netralitas/{YEAR}"
    assert Recommendation.objects.get(case=barsel).letter_number == f"800.1.6/001/Satgas-Netralitas/{YEAR}"


def test_the_number_is_audited_with_the_send_move_and_its_lead(new_case, people):
    case = take_to(new_case(), "awaiting_decision", **people)
    event = AuditEvent.objects.get(action="case.transitioned", payload__move="awaiting_decision")
    assert event.actor_id == people["lead"].pk
    assert event.payload["letter_number"] == f"800.1.6/001/Satgas-Netralitas/{YEAR}"
    assert event.payload["letter_date"] == deadlines.today().isoformat()
    assert not AuditEvent.objects.filter(action="case.letter_numbered").exists()
    assert Recommendation.objects.get(case=case).letter_date == deadlines.today()


def test_a_letter_returned_to_the_ppk_by_bkn_keeps_its_number(new_case, people, bkn_supervisor):
    case = take_to(new_case(), "awaiting_decision", **people)
    case = case_transition(case=case, action="escalated", actor=None)
    case_transition(case=case, action="awaiting_decision", actor=bkn_supervisor, data={"explanation": "Tenggat baru."})
    assert list(Recommendation.objects.values_list("letter_number", flat=True)) == [
        f"800.1.6/001/Satgas-Netralitas/{YEAR}"
    ]


def test_a_legacy_unnumbered_sent_letter_is_numbered_by_the_helper_and_audited(new_case, people):
    case = take_to(new_case(), "awaiting_decision", **people)
    Recommendation.objects.filter(case=case).update(letter_number="", letter_date=None)
    rec = letter_number_assign(recommendation=Recommendation.objects.get(case=case), actor=people["lead"])
    assert rec.letter_number == f"800.1.6/002/Satgas-Netralitas/{YEAR}"
    assert AuditEvent.objects.get(action="case.letter_numbered").actor_id == people["lead"].pk


def test_a_case_without_recommendation_has_no_letter(new_case):
    with pytest.raises(Recommendation.DoesNotExist):
        recommendation_letter_pdf(new_case())


def test_recommendation_letter_page_one_renders(decided_case, tmp_path):
    png = render_page_one(recommendation_letter_pdf(decided_case), tmp_path, "recommendation")
    image = Image.open(png)
    assert image.height > image.width  # portrait A4
    assert 0.005 < ink_ratio(png) < 0.3  # text on the page, not a blank or black page


# --- the decision summary ------------------------------------------------------------------------


def test_decision_summary_has_the_decree_the_sanction_and_its_legal_basis(decided_case):
    text = pdf_text(decision_summary_pdf(decided_case))
    assert has(text, decided_case.number)
    assert has(text, "Budi Santoso")
    assert has(text, "800/123/BKPSDM/2024")
    assert has(text, "Penurunan jabatan setingkat lebih rendah selama 12 (dua belas) bulan")
    assert has(text, "PP 94/2021 Pasal 8 ayat (4) huruf a")


def test_decision_summary_lists_the_follow_up(decided_case):
    text = pdf_text(decision_summary_pdf(decided_case))
    assert has(text, "Sanksi dilaksanakan")
    assert has(text, "Penurunan jabatan dilaksanakan sejak 2 Januari 2025.")


def test_a_case_without_decision_has_no_summary(new_case, people):
    case = take_to(new_case(), "awaiting_decision", **people)
    with pytest.raises(Decision.DoesNotExist):
        decision_summary_pdf(case)


def test_decision_summary_page_one_renders(decided_case, tmp_path):
    png = render_page_one(decision_summary_pdf(decided_case), tmp_path, "decision")
    assert 0.005 < ink_ratio(png) < 0.3


# --- two prints at once (PostgreSQL: SQLite runs one write transaction at a time) ---------------


@pytest.mark.django_db(transaction=True)
def test_letters_sent_at_once_get_different_numbers(agencies, catalogue, people):
    if connection.vendor != "postgresql":
        if os.environ.get("NETRA_TEST_POSTGRES"):
            pytest.fail("the PostgreSQL run must run the concurrency tests")
        pytest.skip("PostgreSQL only: SQLite runs one write transaction at a time by design")
    cases = [take_to(report_submit(data=report_data()).case, "recommendation", **people) for _ in range(6)]
    errors = []

    def send(case):
        try:
            case_transition(case=case, action="awaiting_decision", actor=people["lead"])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    numbers = sorted(Recommendation.objects.values_list("letter_number", flat=True))
    assert numbers == [f"800.1.6/{n:03d}/Satgas-Netralitas/{YEAR}" for n in range(1, 7)]
