"""Fixtures and valid move data shared by the workflow, deadline and escalation tests."""

import pytest

from netra.cases.tests.factories import case_in


@pytest.fixture
def catalogue(db):
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()


@pytest.fixture
def katingan_case(agencies):
    return lambda state="received", **kw: case_in(state, agency=agencies["pemkab-katingan"], **kw)


VALID_DATA = {
    "dismissed": {"reason": "not_asn", "explanation": "Terlapor adalah kepala desa, bukan ASN."},
    "forwarded": {"to_external": "Inspektorat Kabupaten", "explanation": "Terlapor kepala desa."},
    "recommendation": {
        "violations": ["campaign_attendance"],
        "sanction_category": "discipline_heavy",
        "legal_basis": "PP 94/2021 pasal 5 huruf n",
        "findings": "Terlapor hadir dan berorasi pada kampanye.",
        "override_reason": "Terlapor berorasi aktif.",
    },
    "decided": {"sanction_type": "demotion_12m", "decree_number": "800/123/BKPSDM/2024", "decree_date": "2024-12-02"},
    "closed": {"follow_up": "Sanksi telah dilaksanakan sejak 1 Januari 2025."},
    "reopen": {"explanation": "Ada bukti baru."},
    "awaiting_decision": {"explanation": "PPK diberi tenggat baru."},
    "annulled": {"explanation": "SK cacat prosedur.", "reference": "BKN/2025/1"},
    "bawaslu_review": {"question": "Apakah kehadiran terlapor pada kampanye memenuhi unsur pelanggaran?"},
    "bawaslu_answer": {"answer": "Memenuhi unsur pelanggaran netralitas."},
    "bawaslu_answer_on_behalf": {
        "answer": "Memenuhi unsur pelanggaran netralitas.",
        "on_behalf_reason": "Jawaban Bawaslu diterima lewat surat nomor 12/PM.00/K.KT/XI/2024.",
    },
    "bawaslu_skip": {"reason": "Bawaslu tidak menjawab dalam 3 hari kerja."},
    "return_for_revision": {"reason": "Dasar hukum belum menyebut pasal yang dilanggar."},
    "referred_up": {"refer_to": "bkn-pusat", "referral_note": "Terlapor pejabat eselon II; mohon arahan BKN."},
    "referral_returned": {"return_note": "Ditinjau; Satgas kabupaten melanjutkan pemeriksaan."},
    "referral_withdrawn": {"withdraw_reason": "Dirujuk keliru; pertanyaan sudah terjawab."},
}


def valid_data(action: str, *, into=None) -> dict:
    if action == "merged":
        return {"into_case": into.pk}
    return dict(VALID_DATA.get(action, {}))
