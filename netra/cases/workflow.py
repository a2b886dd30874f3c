"""The case workflow as ONE explicit table: which move leads from which state, who may make it,
what data it needs, which deadline it starts and what the reporter sees.

Everything reads ``MOVES``: the workspace buttons (``available_moves``), the agency API (409/403/
422 through ``services.case_transition``), the permission checks, the audit entry and the tests
(the full matrix is generated from it). Nothing else compares state names to decide a move.

Who acts (design.md section 3), decided here:
- Satgas officer (and the lead, who includes the officer): received → checking → verification →
  examination → recommendation, plus forward / merge / dismiss while checking and verifying, and
  asking Bawaslu for its review (kajian) while verifying.
- Satgas lead only: recommendation → awaiting_decision (sends it to the PPK; the letter gets its
  number in that move), recommendation → examination (``return_for_revision``, with a reason),
  dismissal after the recommendation (not proven), and ``reopen`` of a terminal case.
- PPK: decides (from awaiting_decision, and from escalated, where the PPK still owes the SK);
  PPK or Satgas lead closes a decided case with its follow-up.
- BKN supervisor (by reach: Kanreg for its provinces, BKN pusat everywhere): triage of cases whose
  owner is unknown (forward / dismiss while received or checking), escalation (also by hand, e.g.
  a national SBT case), sends an escalated case back to the PPK, annuls a wrong SK
  (Perpres 116/2022) which reopens the decision. Control actions are not moves
  (``services.control_action_add``).
- Bawaslu officer (by reach): answers a review request (the case stays in verification). The
  Satgas asks with a required question (staff only) and may record the answer only explicitly
  "atas nama Bawaslu" (``bawaslu_answer_on_behalf``) with a required reason, audited as such.
  Once the review's due date has passed (never before), the Satgas may go on without it
  (``bawaslu_skip``, "tanpa kajian Bawaslu", reason required; Bawaslu is told).
- The system (``actor=None``, the deadline job): awaiting_decision → escalated when the PPK missed
  the decision deadline (SBT: 14 working days; Peraturan BKN 1/2023 follow-up).

Bawaslu's review is modelled as two moves that keep the state (``bawaslu_review`` and
``bawaslu_answer``) plus the ``waiting_for_bawaslu`` flag on the case: the case does not leave
verification (design.md 3), but the request and the answer are still permission-checked,
validated and audited through the same table, and they write no Transition row (the reporter's
timeline shows state changes only).

A referral upwards (``referred_up`` / ``referral_returned``, issue #16) also keeps the state: the
case stays one case of its agency, ``Case.referred_to`` names the receiving agency (BKN pusat or
the provincial Satgas), whose members then reach it (``netra.cases.scope``) and hold ``RECEIVER``
for it; every other move waits for the return (``Move.refusal``).

A forward to an agency *in Netra* moves ownership and restarts the case as ``received`` at the
new agency (two Transition rows: "forwarded" then "received", so the reporter sees both); a
forward to an outside body ends the case in ``forwarded``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, partial

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from netra.cases.models import Case
from netra.cases.scope import actor_scope, in_scope, is_token  # noqa: F401 -- re-exported
from netra.cases.workflow_forms import (  # noqa: F401 -- re-exported: the forms belong to the table
    AnnulForm,
    BawasluAnswerForm,
    BawasluAnswerOnBehalfForm,
    BawasluRequestForm,
    BawasluSkipForm,
    CloseForm,
    DecisionForm,
    DismissForm,
    DismissReason,
    ExplanationForm,
    ForwardForm,
    MergeForm,
    MoveForm,
    NoDataForm,
    RecommendationForm,
    ReferralForm,
    ReferralReturnForm,
    ReferralWithdrawForm,
    RevisionForm,
)
from netra.orgs.roles import ROLES, Role, effective_roles

S = Case.Status

# --- errors ---------------------------------------------------------------------------------------


class TransitionError(Exception):
    """A refused move (or other case action). ``code`` maps to the API error code and status:

    ``conflict`` (409, not allowed from the current state), ``forbidden`` (403, the role may not),
    ``not_found`` (404, outside the actor's scope), ``validation_error`` (422, data missing or
    wrong; ``fields`` maps field names to Indonesian messages).
    """

    STATUS = {"conflict": 409, "forbidden": 403, "not_found": 404, "validation_error": 422}

    def __init__(self, code: str, message: str | Promise = "", fields: Mapping[str, Iterable[object]] | None = None):
        if code not in self.STATUS:
            raise ValueError(f"unknown TransitionError code {code!r}")
        self.code = code
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.message = str(message or DEFAULT_MESSAGES[code])
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return self.STATUS[self.code]

    def __repr__(self) -> str:
        return f"TransitionError({self.code!r}, {self.message!r}, {self.fields!r})"


DEFAULT_MESSAGES = {
    "conflict": _("Langkah ini tidak dapat dilakukan pada status kasus saat ini."),
    "forbidden": _("Peran Anda tidak berwenang melakukan langkah ini."),
    "not_found": _("Kasus tidak ditemukan."),
    "validation_error": _("Data belum lengkap atau belum benar. Periksa isian yang ditandai."),
}

# --- the table ----------------------------------------------------------------------------------

SATGAS = frozenset({Role.SATGAS_OFFICER.value})
LEAD = frozenset({Role.SATGAS_LEAD.value})
PPK = frozenset({Role.PPK.value})
BKN = frozenset({Role.BKN_SUPERVISOR.value})
BAWASLU = frozenset({Role.BAWASLU_OFFICER.value})
# Roles that act on cases of *other* agencies within their reach (not as members of the owner).
SUPERVISING_ROLES = BKN | BAWASLU
# Not a role anyone is given: what a Satgas or BKN member of the agency a case is referred to
# holds for that case while it is referred (``actor_roles``); it only returns the referral.
RECEIVER = frozenset({"referral_receiver"})
RECEIVING_ROLES = frozenset({Role.SATGAS_OFFICER.value, Role.SATGAS_LEAD.value, Role.BKN_SUPERVISOR.value})
# Where a case may be referred up from (the Satgas works it), and stays while referred.
REFERRABLE = frozenset({S.CHECKING, S.VERIFICATION, S.EXAMINATION, S.RECOMMENDATION})

# States a case is "open" in and can be forwarded/dismissed from during triage.
EARLY = frozenset({S.RECEIVED, S.CHECKING})
TERMINAL = frozenset(Case.TERMINAL_STATES)

# The case's own state is kept by these moves.
SAME = ""


def _not_waiting_for_bawaslu(case: Case):
    if case.waiting_for_bawaslu:
        return _("Kajian Bawaslu sudah diminta dan belum dijawab.")
    return None


def _not_referred(case: Case):
    if case.referred_to_id:
        return _("Kasus sudah dirujuk ke %(agency)s.") % {"agency": case.referred_to}
    return None


def _referred(case: Case):
    if not case.referred_to_id:
        return _("Kasus ini tidak sedang dirujuk.")
    return None


def _waiting_for_bawaslu(case: Case):
    if not case.waiting_for_bawaslu:
        return _("Tidak ada permintaan kajian Bawaslu yang menunggu jawaban.")
    return None


def _bawaslu_overdue(case: Case):
    """The Satgas may go on without Bawaslu's kajian only once its due date has passed."""
    from netra.cases.deadlines import bawaslu_review_overdue

    if refusal := _waiting_for_bawaslu(case):
        return refusal
    if not bawaslu_review_overdue(case):
        return _("Batas waktu kajian Bawaslu belum lewat; tunggu jawaban Bawaslu sampai batas waktunya.")
    return None


@dataclass(frozen=True)
class Move:
    # The table writes sets of Status members; __post_init__ stores them as a frozenset of str.
    from_states: AbstractSet[str]
    action: str
    to_state: str  # SAME: the state stays (bawaslu_review / bawaslu_answer)
    label: str | Promise
    roles: frozenset[str]
    form: type[MoveForm] = NoDataForm
    # SLA key (DeadlinePolicy.key) started by the move; None clears the running deadline.
    starts_deadline: str | None = None
    # What the reporter's timeline says (None: no Transition row, nothing public).
    public_note: str | Promise | None = ""
    audit_action: str = "case.transitioned"
    # The scheduler (actor=None) may make this move.
    system: bool = False
    # A condition on the case beyond its state; returns the refusal message or None.
    guard: Callable[[Case], str | Promise | None] | None = None
    # Shown as a warning style in the UI (irreversible without a lead's reopen).
    ends_case: bool = False
    # May be made while the case is referred up (every other move waits for the return).
    during_referral: bool = False

    def __post_init__(self):
        object.__setattr__(self, "from_states", frozenset(str(s) for s in self.from_states))
        object.__setattr__(self, "roles", frozenset(str(r) for r in self.roles))
        object.__setattr__(self, "to_state", str(self.to_state))

    @property
    def required(self) -> tuple[str, ...]:
        """The data fields the move requires (from its form)."""
        return tuple(name for name, field in self.form.base_fields.items() if field.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(name for name, field in self.form.base_fields.items() if not field.required)

    @property
    def keeps_state(self) -> bool:
        return self.to_state == SAME

    def target(self, state: str) -> str:
        return state if self.keeps_state else self.to_state

    def allows(self, roles: frozenset[str]) -> bool:
        """Whether any of these (already effective) roles may make the move."""
        return bool(self.roles & roles)

    def refusal(self, case: Case) -> str | Promise | None:
        """Why the case's condition refuses the move now (its guard, a running referral), or None."""
        if case.referred_to_id and not self.during_referral:
            return _("Kasus sedang dirujuk ke %(agency)s; langkah lain menunggu rujukan dikembalikan.") % {
                "agency": case.referred_to
            }
        return None if self.guard is None else self.guard(case)


MOVES: tuple[Move, ...] = (
    # received: picked up by the Satgas; triage by BKN when the owner is unknown.
    Move(
        {S.RECEIVED},
        "checking",
        S.CHECKING,
        _("Mulai pengecekan"),
        SATGAS,
        starts_deadline="verification",
        public_note=_("Laporan sedang dicek kelengkapan dan kewenangannya."),
    ),
    Move(
        {S.CHECKING},
        "verification",
        S.VERIFICATION,
        _("Lanjut ke verifikasi & validasi"),
        SATGAS,
        starts_deadline="verification",
        public_note=_("Laporan sedang diverifikasi dan divalidasi."),
    ),
    Move(
        {S.VERIFICATION},
        "bawaslu_review",
        SAME,
        _("Minta kajian Bawaslu"),
        SATGAS,
        form=BawasluRequestForm,
        starts_deadline=None,  # the main deadline keeps running; the review has its own (see services)
        public_note=None,
        audit_action="case.bawaslu_review_requested",
        guard=_not_waiting_for_bawaslu,
    ),
    Move(
        {S.VERIFICATION},
        "bawaslu_answer",
        SAME,
        _("Catat hasil kajian Bawaslu"),
        BAWASLU,
        form=BawasluAnswerForm,
        public_note=None,
        audit_action="case.bawaslu_review_answered",
        guard=_waiting_for_bawaslu,
    ),
    # Bawaslu answered outside Netra (a letter, a meeting): the Satgas records it, saying so and why.
    Move(
        {S.VERIFICATION},
        "bawaslu_answer_on_behalf",
        SAME,
        _("Catat hasil kajian atas nama Bawaslu"),
        SATGAS,
        form=BawasluAnswerOnBehalfForm,
        public_note=None,
        audit_action="case.bawaslu_review_answered",
        guard=_waiting_for_bawaslu,
    ),
    # Bawaslu let its 3 working days pass: the Satgas goes on "tanpa kajian Bawaslu" (issue #16).
    Move(
        {S.VERIFICATION},
        "bawaslu_skip",
        SAME,
        _("Lanjut tanpa kajian Bawaslu"),
        SATGAS,
        form=BawasluSkipForm,
        public_note=None,
        audit_action="case.bawaslu_review_skipped",
        guard=_bawaslu_overdue,
    ),
    Move(
        {S.VERIFICATION},
        "examination",
        S.EXAMINATION,
        _("Lanjut ke klarifikasi / pemeriksaan"),
        SATGAS,
        starts_deadline="examination",
        public_note=_("Terlapor sedang diklarifikasi / diperiksa."),
    ),
    Move(
        {S.EXAMINATION},
        "recommendation",
        S.RECOMMENDATION,
        _("Susun rekomendasi sanksi"),
        SATGAS,
        form=RecommendationForm,
        starts_deadline="recommendation",
        public_note=_("Satgas menyusun rekomendasi."),
    ),
    Move(
        {S.RECOMMENDATION},
        "awaiting_decision",
        S.AWAITING_DECISION,
        _("Kirim rekomendasi ke PPK"),
        LEAD,
        starts_deadline="decision",
        public_note=_("Rekomendasi telah disampaikan kepada Pejabat Pembina Kepegawaian (PPK)."),
    ),
    Move(
        {S.AWAITING_DECISION, S.ESCALATED},
        "decided",
        S.DECIDED,
        _("Catat keputusan PPK (SK)"),
        PPK,
        form=DecisionForm,
        starts_deadline="follow_up",
        public_note=_("PPK telah menetapkan keputusan."),
    ),
    # PPK missed the decision deadline: the scheduler escalates; BKN may also do it by hand.
    Move(
        {S.AWAITING_DECISION},
        "escalated",
        S.ESCALATED,
        _("Eskalasi ke BKN"),
        BKN,
        form=NoDataForm,
        starts_deadline="escalated",
        public_note=_("Kasus diawasi BKN karena keputusan PPK belum ditetapkan."),
        system=True,
    ),
    Move(
        {S.ESCALATED},
        "awaiting_decision",
        S.AWAITING_DECISION,
        _("Kembalikan ke PPK dengan tenggat baru"),
        BKN,
        form=ExplanationForm,
        starts_deadline="decision",
        public_note=_("Kasus dikembalikan kepada PPK untuk diputuskan."),
    ),
    # BKN annuls a wrong SK (Perpres 116/2022): the PPK decides again.
    Move(
        {S.DECIDED},
        "annulled",
        S.AWAITING_DECISION,
        _("Batalkan SK (BKN)"),
        BKN,
        form=AnnulForm,
        starts_deadline="decision",
        public_note=_("Keputusan dibatalkan; PPK menetapkan keputusan baru."),
    ),
    Move(
        {S.DECIDED},
        "closed",
        S.CLOSED,
        _("Tutup kasus (tindak lanjut tercatat)"),
        PPK | LEAD,
        form=CloseForm,
        public_note=_("Kasus selesai."),
        ends_case=True,
    ),
    # Dismissals: while checking/verifying by the Satgas (and BKN during triage), after the
    # recommendation only by the lead ("not proven").
    Move(
        EARLY | {S.VERIFICATION},
        "dismissed",
        S.DISMISSED,
        _("Hentikan"),
        SATGAS | BKN,
        form=DismissForm,
        public_note="",  # the explanation is the public note
        ends_case=True,
    ),
    # The lead sends the draft back to the officers; the reason is for staff (timeline, audit).
    Move(
        {S.RECOMMENDATION},
        "return_for_revision",
        S.EXAMINATION,
        _("Kembalikan untuk perbaikan"),
        LEAD,
        form=RevisionForm,
        starts_deadline="examination",
        public_note=_("Satgas melengkapi pemeriksaan sebelum rekomendasi disampaikan."),
        audit_action="case.returned_for_revision",
    ),
    Move(
        {S.RECOMMENDATION},
        "dismissed",
        S.DISMISSED,
        _("Hentikan (tidak terbukti)"),
        LEAD,
        form=DismissForm,
        public_note="",
        ends_case=True,
    ),
    Move(
        EARLY | {S.VERIFICATION},
        "forwarded",
        S.FORWARDED,
        _("Teruskan"),
        SATGAS | BKN,
        form=ForwardForm,
        public_note="",  # the explanation is the public note
        ends_case=True,
    ),
    Move(
        EARLY,
        "merged",
        S.MERGED,
        _("Gabungkan ke kasus lain"),
        SATGAS,
        form=MergeForm,
        public_note=_("Laporan digabung dengan laporan lain tentang kejadian yang sama."),
        ends_case=True,
    ),
    # Referral upwards with the whole history (issue #16 item 4): the case stays one case, owned
    # by its agency; the receiving agency reads it (netra.cases.scope) and gives it back.
    Move(
        REFERRABLE,
        "referred_up",
        SAME,
        _("Rujuk ke tingkat atas"),
        SATGAS,
        form=ReferralForm,
        public_note=None,
        audit_action="case.referred",
        guard=_not_referred,
    ),
    Move(
        REFERRABLE,
        "referral_returned",
        SAME,
        _("Kembalikan rujukan"),
        RECEIVER,
        form=ReferralReturnForm,
        public_note=None,
        audit_action="case.referral_returned",
        guard=_referred,
        during_referral=True,
    ),
    # The owner takes the referral back (e.g. referred by mistake, or the question answered meanwhile);
    # only while referred, with a reason the receiving agency is told.
    Move(
        REFERRABLE,
        "referral_withdrawn",
        SAME,
        _("Tarik kembali rujukan"),
        SATGAS,
        form=ReferralWithdrawForm,
        public_note=None,
        audit_action="case.referral_withdrawn",
        guard=_referred,
        during_referral=True,
    ),
    # Reopening a terminal case: lead only, with a reason, audited.
    Move(
        {S.CLOSED},
        "reopen",
        S.DECIDED,
        _("Buka kembali"),
        LEAD,
        form=ExplanationForm,
        public_note=_("Kasus dibuka kembali."),
    ),
    Move(
        {S.DISMISSED, S.FORWARDED, S.MERGED},
        "reopen",
        S.CHECKING,
        _("Buka kembali"),
        LEAD,
        form=ExplanationForm,
        public_note=_("Kasus dibuka kembali."),
    ),
)

ACTIONS: frozenset[str] = frozenset(move.action for move in MOVES)


@cache
def _index() -> dict[tuple[str, str], Move]:
    index: dict[tuple[str, str], Move] = {}
    for move in MOVES:
        for state in move.from_states:
            key = (state, move.action)
            # One (state, action) pair, one move: the table must never be ambiguous.
            if key in index:
                raise AssertionError(f"workflow table: two moves for {key}")
            index[key] = move
    return index


def find_move(state: str, action: str) -> Move | None:
    return _index().get((str(state), str(action)))


def moves_from(state: str) -> list[Move]:
    return [move for move in MOVES if str(state) in move.from_states]


# --- who may act -----------------------------------------------------------------------------------
# The scope of an actor (user or token) lives in netra.cases.scope, below this table and its forms.


def actor_roles(actor, case: Case) -> frozenset[str]:
    """The effective roles ``actor`` holds *for this case* (nesting applied).

    A role counts when it is held in the case's owning agency; the supervising roles (BKN,
    Bawaslu) also count when the case lies within the reach of the agency that role is held in
    (a Kanreg's provinces, Bawaslu's region). A user or an API token alike; None = no roles.
    """
    from netra.cases.scope import memberships, memo
    from netra.orgs.selectors import scope_for_agency_role

    if actor is None:
        return frozenset()
    if is_token(actor):
        pairs = [(actor.agency, str(actor.role))] if actor.agency is not None else []
        if actor.agency is not None and not actor.agency.active:
            pairs = []
    else:
        if not (actor.is_authenticated and actor.is_active):
            return frozenset()
        pairs = [(m.agency, m.role) for m in memberships(actor)]  # once per request (netra.cases.scope)
    roles: set[str] = set()
    for agency, role in pairs:
        if role not in ROLES:
            continue
        owner = case.agency_id is not None and agency.pk == case.agency_id
        reaches = role in SUPERVISING_ROLES and memo(
            agency, f"scope:{role}", partial(scope_for_agency_role, agency, role)
        ).covers(agency_id=case.agency_id, region_code=case.region_id)
        if owner or reaches:
            roles |= effective_roles(role)
        if case.referred_to_id is not None and agency.pk == case.referred_to_id and role in RECEIVING_ROLES:
            roles |= RECEIVER
    return frozenset(roles)


def available_moves(case: Case, user) -> list[Move]:
    """The moves ``user`` may make on ``case`` now: state, roles, scope and guards all allow it."""
    if not in_scope(user, case):
        return []
    roles = actor_roles(user, case)
    return [move for move in moves_from(case.status) if move.allows(roles) and move.refusal(case) is None]
