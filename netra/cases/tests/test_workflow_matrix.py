"""The full transition matrix: every state x action x actor, generated from the table and checked
against a hand-written expectation of who may make each legal move (design.md section 3).

One test per (state, action); inside it every persona tries the move on a Katingan case. Refused
tries change nothing, so the case is only rebuilt after a move went through.
"""

import datetime

import pytest

from netra.cases.models import Case
from netra.cases.services import TransitionError, case_transition
from netra.cases.tests.workflow_support import valid_data
from netra.cases.workflow import ACTIONS, MOVES, find_move

S = Case.Status
pytestmark = pytest.mark.django_db

SATGAS = {"satgas", "lead"}
BKN = {"bkn_kanreg", "bkn_pusat"}

# Written by hand from design.md section 3 and the decisions in workflow.py's docstring — not
# derived from MOVES, so a wrong edit of the table fails here.
LEGAL: dict[tuple[str, str], set[str]] = {
    ("received", "checking"): SATGAS,
    ("received", "dismissed"): SATGAS | BKN,
    ("received", "forwarded"): SATGAS | BKN,
    ("received", "merged"): SATGAS,
    ("checking", "verification"): SATGAS,
    ("checking", "dismissed"): SATGAS | BKN,
    ("checking", "forwarded"): SATGAS | BKN,
    ("checking", "merged"): SATGAS,
    ("verification", "examination"): SATGAS,
    ("verification", "dismissed"): SATGAS | BKN,
    ("verification", "forwarded"): SATGAS | BKN,
    ("verification", "bawaslu_review"): SATGAS,
    # Issue #17 item 7: Bawaslu answers its own review; the Satgas may only record an answer
    # explicitly "atas nama Bawaslu" (its own move, with a required reason), not as Bawaslu.
    ("verification", "bawaslu_answer"): {"bawaslu"},
    ("verification", "bawaslu_answer_on_behalf"): SATGAS,
    # Issue #16 item 1: Bawaslu's kajian overdue, the Satgas goes on without it.
    ("verification", "bawaslu_skip"): SATGAS,
    ("examination", "recommendation"): SATGAS,
    ("recommendation", "awaiting_decision"): {"lead"},
    ("recommendation", "dismissed"): {"lead"},
    # Issue #17: the Ketua may send the draft back to examination for revision (with a reason).
    ("recommendation", "return_for_revision"): {"lead"},
    ("awaiting_decision", "decided"): {"ppk"},
    ("awaiting_decision", "escalated"): BKN | {"system"},
    ("escalated", "decided"): {"ppk"},
    ("escalated", "awaiting_decision"): BKN,
    ("decided", "closed"): {"ppk", "lead"},
    ("decided", "annulled"): BKN,
    ("closed", "reopen"): {"lead"},
    ("dismissed", "reopen"): {"lead"},
    ("forwarded", "reopen"): {"lead"},
    ("merged", "reopen"): {"lead"},
    # Issue #16 item 4: the Satgas refers a case up while working it; only the receiving agency
    # (a role held for that case while referred, never by anyone here) gives it back.
    ("checking", "referred_up"): SATGAS,
    ("verification", "referred_up"): SATGAS,
    ("examination", "referred_up"): SATGAS,
    ("recommendation", "referred_up"): SATGAS,
    ("checking", "referral_returned"): set(),
    ("verification", "referral_returned"): set(),
    ("examination", "referral_returned"): set(),
    ("recommendation", "referral_returned"): set(),
    # The owner takes a referral back (the matrix refers the case to the province first).
    ("checking", "referral_withdrawn"): SATGAS,
    ("verification", "referral_withdrawn"): SATGAS,
    ("examination", "referral_withdrawn"): SATGAS,
    ("recommendation", "referral_withdrawn"): SATGAS,
}
OUT_OF_SCOPE = {"satgas_barsel", "admin", "outsider"}


@pytest.fixture
def cast(
    satgas_katingan,
    lead_katingan,
    ppk_katingan,
    admin_katingan,
    satgas_barsel,
    bawaslu_katingan,
    bkn_kanreg,
    bkn_supervisor,
    observer,
    outsider,
):
    return {
        "satgas": satgas_katingan,
        "lead": lead_katingan,
        "ppk": ppk_katingan,
        "admin": admin_katingan,
        "satgas_barsel": satgas_barsel,
        "bawaslu": bawaslu_katingan,
        "bkn_kanreg": bkn_kanreg,
        "bkn_pusat": bkn_supervisor,
        "observer": observer,
        "outsider": outsider,
        "system": None,
    }


def expected(state: str, action: str, who: str) -> str:
    if who in OUT_OF_SCOPE:
        return "not_found"
    if (state, action) not in LEGAL:
        return "conflict"
    return "ok" if who in LEGAL[(state, action)] else "forbidden"


def test_table_has_exactly_the_legal_moves():
    assert {(state, move.action) for move in MOVES for state in move.from_states} == set(LEGAL)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("state", S.values)
def test_matrix(state, action, cast, catalogue, katingan_case):
    def fresh():
        if action == "referral_withdrawn":  # only a referred case has a referral to take back
            from django.utils import timezone

            from netra.orgs.models import Agency

            province = Agency.objects.get(code="pemprov-kalteng")
            return katingan_case(state, referred_to=province, referred_at=timezone.now())
        if action == "bawaslu_skip":  # a kajian whose due date has passed
            return katingan_case(state, waiting_for_bawaslu=True, bawaslu_due_date=datetime.date(2024, 1, 2))
        return katingan_case(state, waiting_for_bawaslu=action.startswith("bawaslu_answer"))

    case = fresh()
    survivor = katingan_case(S.CHECKING)
    outcomes, wanted = {}, {}
    for who, actor in cast.items():
        wanted[who] = expected(state, action, who)
        try:
            case_transition(case=case, action=action, actor=actor, data=valid_data(action, into=survivor))
        except TransitionError as refused:
            outcomes[who] = refused.code
        else:
            outcomes[who] = "ok"
            case = fresh()
    assert outcomes == wanted


def test_every_move_is_reachable_by_someone():
    assert all(move.roles or move.system for move in MOVES)


def test_each_state_action_pair_has_at_most_one_move():
    for state in S.values:
        for action in ACTIONS:
            matching = [m for m in MOVES if state in m.from_states and m.action == action]
            assert len(matching) <= 1, (state, action)
            assert find_move(state, action) is (matching[0] if matching else None)
