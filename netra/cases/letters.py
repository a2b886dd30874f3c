"""Letters printed from a case (WeasyPrint, A4): the Satgas' recommendation to the PPK and the
summary of the PPK's decision.

The recommendation letter is numbered from the agency's yearly sequence
(``LETTER_NUMBER_FORMAT``, e.g. ``800.1.6/007/Satgas-Netralitas/2024``) by the move in which the
Satgas lead sends the recommendation to the PPK (a POST, audited with the move); printing never
changes anything. Printed before that it is a draft without a number, so reviewing a draft never
uses up a number of the agenda book. The number and its date are kept on the Recommendation: a
reprint is the same letter.

Both print their signer (the Satgas lead who sent the recommendation; the PPK who recorded the
decision) with name, jabatan, pangkat/golongan and NIP (``orgs.User``, ``netra.orgs.signers``);
while the name, NIP or jabatan is missing the document is a draft with a "DRAF" watermark and a
note saying what is missing — never a final letter with a dotted line.

Both documents are rendered in Indonesian whatever the reader's language, from the templates
``cases/letters/recommendation.html`` and ``decision.html``; fonts are DejaVu (Debian
``fonts-dejavu-core``) and nothing is fetched from outside.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from netra.audit.services import record
from netra.cases import deadlines
from netra.cases.models import Case, DeadlinePolicy, Decision, LetterCounter, Recommendation, Transition
from netra.catalog.models import ViolationGroup
from netra.orgs.models import Agency, Membership, User
from netra.orgs.signers import signer_missing

S = Case.Status

# Klasifikasi arsip 800 (kepegawaian); agencies with another agenda scheme set
# NETRA_LETTER_NUMBER_FORMAT (placeholders: {seq}, {year}).
LETTER_NUMBER_FORMAT = "800.1.6/{seq:03d}/Satgas-Netralitas/{year}"

# The recommendation is "sent" (and its letter final) once the lead moved the case to the PPK.
SENT_STATES = frozenset({S.AWAITING_DECISION, S.ESCALATED, S.DECIDED, S.CLOSED})


@dataclass(frozen=True)
class Instrument:
    title: str
    pemilu_only: bool = False
    pilkada_only: bool = False


# "Mengingat": the instruments a neutrality recommendation rests on (domain.md section 2).
INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara"),
    Instrument("Undang-Undang Nomor 7 Tahun 2017 tentang Pemilihan Umum", pemilu_only=True),
    Instrument(
        "Undang-Undang Nomor 10 Tahun 2016 tentang Perubahan Kedua atas Undang-Undang Nomor 1 Tahun 2015 "
        "tentang Penetapan Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2014 tentang Pemilihan "
        "Gubernur, Bupati, dan Walikota Menjadi Undang-Undang",
        pilkada_only=True,
    ),
    Instrument(
        "Peraturan Pemerintah Nomor 42 Tahun 2004 tentang Pembinaan Jiwa Korps dan Kode Etik Pegawai Negeri Sipil"
    ),
    Instrument("Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil"),
    Instrument(
        "Keputusan Bersama Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi, Menteri Dalam Negeri, "
        "Kepala Badan Kepegawaian Negara, Ketua Komisi Aparatur Sipil Negara, dan Ketua Badan Pengawas Pemilihan "
        "Umum Nomor 2 Tahun 2022, Nomor 800-5474 Tahun 2022, Nomor 246 Tahun 2022, Nomor 30 Tahun 2022, "
        "Nomor 1447.1/PM.01/K.1/09/2022 tentang Pedoman Pembinaan dan Pengawasan Netralitas Pegawai Aparatur "
        "Sipil Negara dalam Penyelenggaraan Pemilihan Umum dan Pemilihan"
    ),
    Instrument(
        "Peraturan Badan Kepegawaian Negara Nomor 6 Tahun 2022 tentang Peraturan Pelaksanaan Peraturan "
        "Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil"
    ),
)

PPK_TITLES: dict[str, str] = {
    Agency.Kind.PEMDA_REGENCY: "Bupati",
    Agency.Kind.PEMDA_CITY: "Wali Kota",
    Agency.Kind.PEMDA_PROVINCE: "Gubernur",
}


# --- numbering -----------------------------------------------------------------------------------


def _next_in_sequence(agency_id: int, year: int) -> int:
    """The agency's next number for ``year``. Call inside a transaction: the UPDATE holds the
    counter row's lock until commit, so two letters printed at once get different numbers."""
    try:
        with transaction.atomic():  # a savepoint: losing the race to create the row is harmless
            LetterCounter.objects.get_or_create(agency_id=agency_id, year=year)
    except IntegrityError:
        pass
    LetterCounter.objects.filter(agency_id=agency_id, year=year).update(last=F("last") + 1)
    return LetterCounter.objects.filter(agency_id=agency_id, year=year).values_list("last", flat=True).get()


def letter_number_take(case: Case) -> Recommendation | None:
    """Number the case's recommendation letter if it has been sent and has no number yet.

    Called by the move that sends the recommendation to the PPK (``services.case_transition``,
    inside its transaction, the case row locked): the caller audits the number with the move.
    Returns the recommendation when it got its number now, None otherwise. The counter UPDATE
    holds the counter row's lock until commit, so two letters sent at once get different numbers.
    """
    rec = Recommendation.objects.select_for_update().filter(case_id=case.pk).first()
    if rec is None or rec.letter_number or case.status not in SENT_STATES or case.agency_id is None:
        return None
    day = deadlines.today()
    seq = _next_in_sequence(case.agency_id, day.year)
    template = getattr(settings, "NETRA_LETTER_NUMBER_FORMAT", LETTER_NUMBER_FORMAT)
    rec.letter_number = template.format(seq=seq, year=day.year)
    rec.letter_date = day
    rec.save(update_fields=["letter_number", "letter_date"])
    return rec


def letter_number_assign(*, recommendation: Recommendation, actor=None) -> Recommendation:
    """Number a sent letter that has none (a case sent before numbering moved into the send move),
    audited as ``case.letter_numbered``. A POST-side helper (demo data, maintenance); the PDF view
    never calls it. Returns the recommendation as stored.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=recommendation.case_id)
        numbered = letter_number_take(case)
        if numbered is not None:
            record(
                actor,
                "case.letter_numbered",
                case,
                letter_number=numbered.letter_number,
                letter_date=numbered.letter_date,
            )
        return Recommendation.objects.get(pk=recommendation.pk)


# --- context ---------------------------------------------------------------------------------------


def _place(case: Case) -> str:
    """The place line of the letter: the agency's region without "Kabupaten"/"Kota"."""
    region = (case.agency.region if case.agency and case.agency.region_id else None) or case.region
    name = region.name
    for prefix in ("Kabupaten ", "Kota ", "Provinsi "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _letterhead(agency: Agency | None) -> list[str]:
    if agency is not None and agency.letterhead.strip():
        return [line.strip() for line in agency.letterhead.strip().splitlines() if line.strip()]
    name = agency.name.upper() if agency is not None else "BADAN KEPEGAWAIAN NEGARA"
    return [name, "SATUAN TUGAS NETRALITAS APARATUR SIPIL NEGARA"]


def _ppk_addressee(case: Case) -> str:
    agency = case.agency
    if agency is None:
        return "Pejabat Pembina Kepegawaian"
    title = PPK_TITLES.get(agency.kind)
    if title and agency.region_id:
        return f"{title} {_place(case)} selaku Pejabat Pembina Kepegawaian"
    return f"Pimpinan {agency.name} selaku Pejabat Pembina Kepegawaian"


def _signer(case: Case) -> User | None:
    """Who signs for the Satgas: the lead who sent the recommendation, else the agency's lead."""
    if case.agency_id is None:
        return None  # no agency, no Satgas membership (Membership.agency is required)
    sent = (
        Transition.objects.filter(case=case, to_state=S.AWAITING_DECISION, actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    if (
        sent is not None
        and Membership.objects.filter(
            user=sent.actor, agency_id=case.agency_id, role=Membership.Role.SATGAS_LEAD, active=True
        ).exists()
    ):
        return sent.actor
    lead = (
        Membership.objects.filter(agency_id=case.agency_id, role=Membership.Role.SATGAS_LEAD, active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return lead.user if lead else None


def _election_on(day):
    """The election whose stages ran on ``day`` (a case may not name one)."""
    from netra.catalog.elections import phase_on

    phase = phase_on(day)
    return phase.election if phase else None


def _violations(rec: Recommendation) -> list[ViolationGroup]:
    groups = {group.code: group for group in ViolationGroup.objects.filter(code__in=rec.violations)}
    return [groups[code] for code in rec.violations if code in groups]


def _common(case: Case) -> dict:
    from netra.cases.selectors import reports_of_case

    reports = list(reports_of_case(case).order_by("submitted_at", "pk"))
    return {
        "case": case,
        "agency": case.agency,
        "letterhead": _letterhead(case.agency),
        "place": _place(case),
        "reports": reports,
        "subjects": list(case.subjects.all()),
        "election": case.election,
        "printed_at": timezone.localtime(),
    }


def _render(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy: loaded by the processes that print, not by every service user

    with translation.override("id"):
        html = render_to_string(template, context)
    # base_url only for relative links inside the document; there are none to fetch.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- the documents ---------------------------------------------------------------------------------


def recommendation_letter_pdf(case: Case) -> bytes:
    """The Satgas' recommendation letter to the PPK. Raises Recommendation.DoesNotExist without one.

    Only renders (a GET may print it, an observer too): the number was given by the move that sent
    the recommendation; before that, or for a letter sent before numbering moved there, it is a draft.
    """
    rec = Recommendation.objects.select_related("sanction_category", "suggested_category", "created_by").get(case=case)
    case = Case.objects.select_related("agency", "agency__region", "region", "election").get(pk=case.pk)
    election = case.election or _election_on(case.incident_date)
    election_kind = election.kind if election else None
    instruments = [
        i.title
        for i in INSTRUMENTS
        if not (i.pemilu_only and election_kind == "pilkada") and not (i.pilkada_only and election_kind == "pemilu")
    ]
    signer = _signer(case)
    missing = signer_missing(signer)
    sla = deadlines.policy_for(case.agency_id, "decision")
    decision_deadline = f"{sla.days} {DeadlinePolicy.Unit(sla.unit).label}" if sla and sla.days else ""
    context = {
        **_common(case),
        "rec": rec,
        # Final only when numbered (sent) and its signer's name, NIP and jabatan are known.
        "draft": not rec.letter_number or bool(missing),
        "election": election,
        "letter_date": rec.letter_date or deadlines.today(),
        "instruments": instruments,
        "violations": _violations(rec),
        "addressee": _ppk_addressee(case),
        "signer": signer,
        "signer_missing": missing,
        "unnumbered": not rec.letter_number,
        "decision_deadline": decision_deadline,
    }
    return _render("cases/letters/recommendation.html", context)


def decision_summary_pdf(case: Case) -> bytes:
    """A summary of the PPK's decision (SK) with its follow-up. Raises Decision.DoesNotExist without one."""
    case = Case.objects.select_related("agency", "agency__region", "region", "election").get(pk=case.pk)
    decisions = list(case.decisions.select_related("sanction_type", "sanction_type__category", "created_by"))
    if not decisions:
        raise Decision.DoesNotExist(f"case {case.pk} has no decision")
    current = next((d for d in decisions if d.annulled_at is None), None)
    rec = Recommendation.objects.select_related("sanction_category").filter(case=case).first()
    # Signed by the PPK who recorded the decision in force; a draft while their details are missing.
    signer = current.created_by if current is not None else None
    missing = signer_missing(signer)
    context = {
        **_common(case),
        "signer": signer,
        "signer_missing": missing,
        "draft": bool(missing),
        "decision": current,
        "annulled": [d for d in decisions if d.annulled_at is not None],
        "rec": rec,
        "violations": _violations(rec) if rec else [],
        "follow_ups": list(case.follow_ups.select_related("created_by").order_by("date", "pk")),
        "control_actions": list(case.control_actions.order_by("date", "pk")),
        "today": deadlines.today(),
    }
    return _render("cases/letters/decision.html", context)


def letter_filename(case: Case, kind: str) -> str:
    """``surat-rekomendasi-NTR-2024-000123.pdf`` / ``ringkasan-keputusan-NTR-2024-000123.pdf``."""
    return f"{kind}-{case.number or case.pk}.pdf"


__all__ = [
    "LETTER_NUMBER_FORMAT",
    "decision_summary_pdf",
    "letter_filename",
    "letter_number_assign",
    "letter_number_take",
    "recommendation_letter_pdf",
]
