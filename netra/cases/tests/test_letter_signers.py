"""Signers on letters (issue #16 item 2): the recommendation letter and the decision summary print
the signer's name, jabatan, pangkat/golongan and NIP, and stay a "DRAF" (saying what is missing)
while the name, NIP or jabatan is missing. PDFs opened back with pypdf, rendered with pdftoppm."""

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from netra.cases.letters import decision_summary_pdf, recommendation_letter_pdf
from netra.cases.tests.journey import take_to
from netra.cases.tests.test_letters import decided_case, has, new_case, pdf_text, people  # noqa: F401 -- fixtures

pytestmark = pytest.mark.django_db
LEAD = {"first_name": "Rahmat", "last_name": "Hidayat, S.H.", "nip": "197805122005011003"}
PPK = {"first_name": "Sakariyas", "last_name": "", "nip": "196904151994031008"}


def sign(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


def reddish_pixels(pdf: bytes, tmp_path: Path, name: str) -> int:
    """Pixels of page 1 tinted like the DRAF watermark (light red), rendered by pdftoppm."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(source), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / f"{name}.png").convert("RGB")
    data = image.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r - g > 12 and r - b > 12)


def test_a_sent_letter_without_the_leads_jabatan_is_a_draft_saying_so(new_case, people):  # noqa: F811
    sign(people["lead"], **LEAD, jabatan="")
    case = take_to(new_case(), "awaiting_decision", **people)
    text = pdf_text(recommendation_letter_pdf(case))
    assert has(text, "DRAF")
    assert has(text, "data penanda tangan belum lengkap: jabatan")
    assert has(text, "197805122005011003")
    assert "………" not in text


def test_a_sent_letter_with_a_complete_signer_is_final(new_case, people, tmp_path):  # noqa: F811
    sign(
        people["lead"],
        **LEAD,
        jabatan="Sekretaris Daerah Kabupaten Katingan",
        pangkat_golongan="Pembina Utama Muda (IV/c)",
    )
    case = take_to(new_case(), "awaiting_decision", **people)
    pdf = recommendation_letter_pdf(case)
    text = pdf_text(pdf)
    assert not has(text, "DRAF")
    for printed in ("Rahmat Hidayat, S.H.", "Sekretaris Daerah Kabupaten Katingan", "Pembina Utama Muda (IV/c)"):
        assert has(text, printed)
    assert has(text, "NIP.197805122005011003")
    assert "………" not in text
    # The watermark is ink on the page: the final letter has none, the draft has it.
    sign(people["lead"], nip="")
    draft = recommendation_letter_pdf(case)
    assert has(pdf_text(draft), "data penanda tangan belum lengkap: NIP")
    assert reddish_pixels(draft, tmp_path, "draft") > 20 * max(1, reddish_pixels(pdf, tmp_path, "final"))


def test_without_any_lead_the_letter_says_who_is_missing(new_case, people):  # noqa: F811
    case = take_to(new_case(), "recommendation", **people)
    people["lead"].memberships.update(active=False)
    text = pdf_text(recommendation_letter_pdf(case))
    assert has(text, "penanda tangan (Ketua Satgas/PPK)")


def test_decision_summary_is_signed_by_the_ppk_who_recorded_it(decided_case, people):  # noqa: F811
    text = pdf_text(decision_summary_pdf(decided_case))
    assert has(text, "DRAF") and has(text, "data penanda tangan belum lengkap")
    sign(people["ppk"], **PPK, jabatan="Bupati Katingan")
    text = pdf_text(decision_summary_pdf(decided_case))
    assert not has(text, "DRAF")
    assert has(text, "Sakariyas") and has(text, "Bupati Katingan") and has(text, "NIP.196904151994031008")
