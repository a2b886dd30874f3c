"""Services that change a case after intake: the workflow move and everything staff add to a case.

Every function is keyword-only, runs in one transaction, writes exactly one audit event per case
it changes, and queues its side effects (e-mail, webhooks via ``netra.cases.signals``) with
``transaction.on_commit``. The workflow rules themselves live in ``netra.cases.workflow``.

``actor`` is a staff user, an agency API token (any object with ``.agency`` and ``.role``; the
audit log names it by its ``audit_label``), or None for the system (the deadline job).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.cases import deadlines, signals
from netra.cases.models import (
    Case,
    ControlAction,
    Decision,
    FollowUp,
    InternalNote,
    Message,
    Recommendation,
    Report,
    Transition,
)
from netra.cases.workflow import (
    ACTIONS,
    RECEIVER,
    RECEIVING_ROLES,
    SUPERVISING_ROLES,
    Move,
    TransitionError,
    actor_roles,
    find_move,
    in_scope,
)
from netra.cases.workflow_forms import suggested_category_for
from netra.catalog.models import SanctionCategory, SanctionType
from netra.notify.services import notify
from netra.orgs.models import Membership, User
from netra.orgs.roles import Role

S = Case.Status
TEXT_MAX = 10_000

__all__ = [
    "TransitionError",
    "bkn_supervisors_for",
    "case_assign",
    "case_dismiss_many",
    "case_merge_many",
    "case_transition",
    "control_action_add",
    "followup_add",
    "internal_note_add",
    "satgas_message_add",
    "suggested_category_for",
]


# --- helpers ---------------------------------------------------------------------------------------


def _user(actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _audit_actor(actor):
    """What record() gets: the user, the token itself (it names itself by ``audit_label``), or None."""
    if actor is None or isinstance(actor, (User, models.Model)):
        return actor
    return getattr(actor, "audit_label", None) or f"api-token:{actor}"


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _check_scope(actor, case: Case) -> None:
    if not in_scope(actor, case):
        raise TransitionError("not_found")


def _require_roles(actor, case: Case, allowed: frozenset[str]) -> frozenset[str]:
    _check_scope(actor, case)
    roles = actor_roles(actor, case)
    if not roles & allowed:
        raise TransitionError("forbidden")
    return roles


def _clean_text(value, name: str, *, max_len: int = TEXT_MAX, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise TransitionError("validation_error", fields={name: [_("Wajib diisi.")]})
    if len(text) > max_len:
        raise TransitionError(
            "validation_error",
            fields={name: [_("Terlalu panjang: paling banyak %(max)d karakter.") % {"max": max_len}]},
        )
    return text


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def _members(agency_id: int | None, roles: Iterable[str]) -> list[User]:
    if agency_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__agency_id=agency_id,
            memberships__agency__active=True,
            memberships__active=True,
            memberships__role__in=list(roles),
        ).distinct()
    )


def _supervisors(case: Case, role: str) -> list[User]:
    """Users holding a supervising role (BKN, Bawaslu) whose agency's reach covers the case."""
    from netra.orgs.selectors import scope_for_agency_role

    found: dict[int, User] = {}
    memberships = Membership.objects.filter(role=role, active=True, agency__active=True, user__is_active=True)
    for membership in memberships.select_related("agency", "user"):
        if scope_for_agency_role(membership.agency, role).covers(agency_id=case.agency_id, region_code=case.region_id):
            found[membership.user_id] = membership.user
    return list(found.values())


def bkn_supervisors_for(case: Case) -> list[User]:
    """BKN supervisors in scope: the Kanreg covering the case's province and BKN pusat."""
    return _supervisors(case, Role.BKN_SUPERVISOR)


def _leads(case: Case) -> list[User]:
    return _members(case.agency_id, [Role.SATGAS_LEAD])


def _without(users: Iterable[User | None], actor) -> list[User]:
    actor_id = getattr(_user(actor), "pk", None)
    return [user for user in users if user is not None and user.pk != actor_id]


# --- the workflow move -----------------------------------------------------------------------------


def case_transition(
    *,
    case: Case,
    action: str,
    actor,
    data: Mapping | None = None,
    note: str = "",
    via: str = "web",
    files: Mapping | None = None,
) -> Case:
    """Make one move of the workflow table on ``case``; return the case as it is afterwards.

    Raises TransitionError: ``not_found`` outside the actor's scope, ``validation_error`` for an
    unknown action or wrong data, ``conflict`` when the move does not exist from the current state
    (or its guard refuses), ``forbidden`` when the actor's roles may not make it.
    """
    if action not in ACTIONS:
        raise TransitionError(
            "validation_error",
            fields={"action": [_("Langkah %(action)s tidak dikenal.") % {"action": str(action)[:50]}]},
        )
    if data is not None and not isinstance(data, Mapping):
        raise TransitionError("validation_error", fields={"data": [_("Harus berupa objek.")]})
    with transaction.atomic():
        case = _locked(case)
        _check_scope(actor, case)
        move = find_move(case.status, action)
        if move is None:
            raise TransitionError(
                "conflict",
                _("Langkah %(action)s tidak dapat dilakukan dari status %(state)s.")
                % {"action": action, "state": case.get_status_display()},
            )
        if actor is None:
            if not move.system:
                raise TransitionError("forbidden")
        elif not move.allows(actor_roles(actor, case)):
            raise TransitionError("forbidden")
        if (refusal := move.refusal(case)) is not None:
            raise TransitionError("conflict", refusal)
        form = move.form(data=dict(data or {}), files=files, case=case, actor=actor)
        if not form.is_valid():
            raise TransitionError("validation_error", fields={k: list(v) for k, v in form.errors.items()})
        note = _clean_text(note, "note", max_len=5000, required=False)
        return _apply(case=case, move=move, actor=actor, cleaned=form.cleaned_data, note=note, via=via)


def _apply(*, case: Case, move: Move, actor, cleaned: dict, note: str, via: str) -> Case:
    from_state = case.status
    to_state = move.target(from_state)
    public_note = "" if move.public_note is None else str(move.public_note)
    payload: dict = {}
    recipients: list[User | None] = []
    notice = _("Kasus %(case)s: %(label)s.") % {"case": case, "label": move.label}
    extra_rows: list[Transition] = []
    deadline_key = move.starts_deadline
    keep_deadline = move.keeps_state
    deadline_from = None
    annulments: list = []  # the annulled decision (None if there was none): a control action too

    if move.action == "dismissed":
        case.dismissal_reason = cleaned["reason"]
        public_note = cleaned["explanation"]
        payload["reason"] = cleaned["reason"]
    elif move.action == "forwarded":
        public_note = cleaned["explanation"]
        if agency := cleaned.get("agency"):
            # Ownership moves: the new agency starts its own checking (design.md 3).
            payload.update(from_agency=case.agency.code if case.agency else None, to_agency=agency.code)
            case.agency = agency
            case.assigned_to = None
            to_state = S.RECEIVED
            extra_rows.append(
                Transition(
                    case=case,
                    from_state=S.FORWARDED,
                    to_state=S.RECEIVED,
                    actor=_user(actor),
                    public_note=_("Diterima oleh %(agency)s.") % {"agency": agency.name},
                )
            )
            deadline_key, deadline_from = "verification", deadlines.today()
            recipients += _leads(case)
            notice = _("Kasus %(case)s diteruskan ke instansi Anda.") % {"case": case}
        else:
            case.forwarded_to_external = cleaned["to_external"]
            payload["to_external"] = cleaned["to_external"]
    elif move.action == "merged":
        into: Case = cleaned["into"]
        if not in_scope(actor, into):
            raise TransitionError("validation_error", fields={"into_case": [_("Kasus tujuan tidak ditemukan.")]})
        case.merged_into = into
        payload["into_case"] = into.pk
        _touch(into)
    elif move.action == "recommendation":
        suggestion = cleaned.get("suggested_category")
        Recommendation.objects.update_or_create(
            case=case,
            defaults={
                "violations": list(cleaned["violations"]),
                "sanction_category": SanctionCategory.objects.get(pk=cleaned["sanction_category"]),
                "suggested_category": suggestion,
                "override_reason": cleaned.get("override_reason", ""),
                "legal_basis": cleaned["legal_basis"],
                "findings": cleaned["findings"],
                "created_by": _user(actor),
            },
        )
        payload.update(
            violations=list(cleaned["violations"]),
            sanction_category=cleaned["sanction_category"],
            suggested_category=suggestion.code if suggestion else None,
        )
    elif move.action == "decided":
        decision = Decision(
            case=case,
            sanction_type=SanctionType.objects.get(pk=cleaned["sanction_type"]),
            decree_number=cleaned["decree_number"],
            decree_date=cleaned["decree_date"],
            created_by=_user(actor),
        )
        if upload := cleaned.get("signed_file"):
            decision.signed_file.save(f"decisions/{uuid.uuid4().hex}.pdf", upload, save=False)
        decision.save()
        payload.update(
            decision_id=decision.pk,
            sanction_type=cleaned["sanction_type"],
            decree_number=cleaned["decree_number"],
            decree_date=cleaned["decree_date"],
        )
        recipients += [*_leads(case), case.assigned_to]
    elif move.action == "annulled":
        current = case.decisions.filter(annulled_at=None).first()
        if current is not None:
            current.annulled_at = timezone.now()
            current.annulment_reason = cleaned["explanation"]
            current.save(update_fields=["annulled_at", "annulment_reason"])
            payload["decision_id"] = current.pk
        payload["reference"] = cleaned.get("reference", "")
        annulments.append(current)
    elif move.action == "closed":
        FollowUp.objects.create(
            case=case,
            kind=FollowUp.Kind.CLOSING,
            text=cleaned["follow_up"],
            date=deadlines.today(),
            created_by=_user(actor),
        )
    elif move.action == "reopen":
        payload["explanation"] = cleaned["explanation"]
        case.merged_into = None
        case.dismissal_reason = ""
        case.forwarded_to_external = ""
    elif move.action == "checking" and case.assigned_to_id is None and (starter := _user(actor)) is not None:
        # Whoever starts pengecekan of an unassigned case takes it (audited with the move).
        case.assigned_to = starter
        payload["assigned_to"] = starter.get_username()
    elif move.action == "escalated":
        recipients += [*bkn_supervisors_for(case), *_leads(case), *_members(case.agency_id, [Role.PPK])]
        notice = _("Kasus %(case)s dieskalasi ke BKN: PPK melewati batas waktu keputusan.") % {"case": case}
    elif move.action == "bawaslu_review":
        case.waiting_for_bawaslu = True
        case.bawaslu_due_date = deadlines.due_date_for(case, "bawaslu_review", deadlines.today())
        case.bawaslu_question = cleaned["question"]
        case.bawaslu_reminded_at = case.bawaslu_overdue_at = None
        payload.update(bawaslu_due_date=case.bawaslu_due_date, question=cleaned["question"])
        recipients += _supervisors(case, Role.BAWASLU_OFFICER)
        notice = _("Kasus %(case)s: Satgas meminta kajian Bawaslu.") % {"case": case}
    elif move.action in ("bawaslu_answer", "bawaslu_answer_on_behalf"):
        case.waiting_for_bawaslu = False
        case.bawaslu_due_date = None
        if move.action == "bawaslu_answer_on_behalf":
            heading = _("Hasil kajian Bawaslu (dicatat Satgas atas nama Bawaslu; alasan: %(reason)s):") % {
                "reason": cleaned["on_behalf_reason"]
            }
            payload.update(on_behalf_of_bawaslu=True, on_behalf_reason=cleaned["on_behalf_reason"])
            recipients += _supervisors(case, Role.BAWASLU_OFFICER)
        else:
            heading = _("Hasil kajian Bawaslu:")
        InternalNote.objects.create(case=case, author=_user(actor), body=heading + "\n" + cleaned["answer"])
        recipients += [case.assigned_to, *_leads(case)]
    elif move.action == "bawaslu_skip":
        due = case.bawaslu_due_date
        case.waiting_for_bawaslu = False
        case.bawaslu_due_date = None
        payload.update(bawaslu_due_date=due, reason=cleaned["reason"], without_bawaslu_review=True)
        heading = _("Dilanjutkan tanpa kajian Bawaslu (batas waktu kajian %(date)s terlewati). Alasan: %(reason)s") % {
            "date": due.strftime("%d-%m-%Y") if due else "—",
            "reason": cleaned["reason"],
        }
        InternalNote.objects.create(case=case, author=_user(actor), body=heading)
        recipients += [*_supervisors(case, Role.BAWASLU_OFFICER), *_leads(case)]
        notice = _("Kasus %(case)s: Satgas melanjutkan tanpa kajian Bawaslu.") % {"case": case}
    elif move.action == "referred_up":
        agency = cleaned["agency"]
        case.referred_to, case.referred_at = agency, timezone.now()
        payload.update(to_agency=agency.code, referral_note=cleaned["referral_note"])
        InternalNote.objects.create(
            case=case,
            author=_user(actor),
            body=_("Dirujuk ke %(agency)s:") % {"agency": agency.name} + "\n" + cleaned["referral_note"],
        )
        recipients += _members(agency.pk, RECEIVING_ROLES)
        notice = _("Kasus %(case)s dirujuk ke instansi Anda untuk ditinjau.") % {"case": case}
    elif move.action == "referral_returned":
        agency = case.referred_to
        payload.update(from_agency=agency.code if agency else None, return_note=cleaned["return_note"])
        InternalNote.objects.create(
            case=case,
            author=_user(actor),
            body=_("Rujukan dikembalikan oleh %(agency)s:") % {"agency": agency.name if agency else "—"}
            + "\n"
            + cleaned["return_note"],
        )
        case.referred_to, case.referred_at = None, None
        recipients += _leads(case)
        notice = _("Kasus %(case)s: rujukan dikembalikan.") % {"case": case}
    elif move.action == "referral_withdrawn":
        agency = case.referred_to
        payload.update(from_agency=agency.code if agency else None, withdraw_reason=cleaned["withdraw_reason"])
        InternalNote.objects.create(
            case=case,
            author=_user(actor),
            body=_("Rujukan ke %(agency)s ditarik kembali:") % {"agency": agency.name if agency else "—"}
            + "\n"
            + cleaned["withdraw_reason"],
        )
        case.referred_to, case.referred_at = None, None
        recipients += [*_members(agency.pk, RECEIVING_ROLES), *_leads(case)] if agency else _leads(case)
        notice = _("Kasus %(case)s: rujukan ke instansi Anda ditarik kembali oleh pemilik kasus.") % {"case": case}
    elif move.action == "return_for_revision":
        payload["reason"] = cleaned["reason"]
        drafted = Recommendation.objects.filter(case=case).select_related("created_by").first()
        recipients += [case.assigned_to, drafted.created_by if drafted else None]
        notice = _("Kasus %(case)s: rekomendasi dikembalikan untuk perbaikan.") % {"case": case}

    if "explanation" in cleaned and move.action not in ("dismissed", "forwarded", "reopen"):
        payload["explanation"] = cleaned["explanation"]
    if to_state == S.AWAITING_DECISION:
        recipients += _members(case.agency_id, [Role.PPK])
        notice = _("Kasus %(case)s menunggu keputusan PPK.") % {"case": case}
    if to_state in Case.TERMINAL_STATES or move.action == "reopen":
        case.waiting_for_bawaslu = False
        case.bawaslu_due_date = None
    if from_state == S.VERIFICATION and not move.keeps_state:
        # Leaving verification ends a pending Bawaslu review request.
        case.waiting_for_bawaslu = False
        case.bawaslu_due_date = None

    case.status = to_state
    if not keep_deadline:
        deadlines.deadline_start(case, deadline_key, start=deadline_from)
    case.save()
    if from_state == S.RECOMMENDATION and to_state == S.AWAITING_DECISION:
        # Sending is when the letter takes its number of the agenda book (never a GET of the PDF).
        from netra.cases.letters import letter_number_take

        numbered = letter_number_take(case)
        if numbered is not None:
            payload.update(letter_number=numbered.letter_number, letter_date=numbered.letter_date)

    transition = None
    if move.public_note is not None:
        transition = Transition.objects.create(
            case=case,
            from_state=from_state,
            to_state=S.FORWARDED if extra_rows else to_state,
            actor=_user(actor),
            public_note=public_note,
        )
        for row in extra_rows:
            row.at = transition.at  # the same moment, after it (the timeline orders by time, then id)
            row.save()
    record(
        _audit_actor(actor),
        move.audit_action,
        case,
        move=move.action,
        from_state=from_state,
        to_state=to_state,
        via=via,
        note=note,
        **payload,
    )
    for decision in annulments:
        from netra.cases.control import LEGAL_BASIS, present

        annulment = ControlAction.objects.create(
            case=case,
            kind=ControlAction.Kind.ANNULMENT,
            date=deadlines.today(),
            reference=cleaned.get("reference", ""),
            text=cleaned["explanation"],
            decision=decision,
            legal_basis=cleaned.get("legal_basis") or str(LEGAL_BASIS[ControlAction.Kind.ANNULMENT]),
            created_by=_user(actor),
        )
        signals.case_control_action_recorded.send(
            sender=Case, case=case, control_action=present(annulment), actor=actor, via=via
        )
    recipients.append(case.assigned_to)
    people = _without(recipients, actor)
    if people:
        notify(people, kind=f"case.{move.action}", text=notice, case=case)

    moved = {
        "case": case,
        "action": move.action,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor,
        "via": via,
        "transition": transition,
    }
    # In the transaction (the webhook outbox writes here), then after commit (everything else).
    signals.case_transition_recorded.send(sender=Case, **moved)
    transaction.on_commit(lambda: signals.case_transitioned.send(sender=Case, **moved), robust=True)
    return case


# --- bulk actions (queue selections): each case through case_transition, one audit event each ----


def case_merge_many(*, cases: Iterable[Case], into: Case, actor, via: str = "web") -> list[Case]:
    """Merge every case of the selection into ``into``; all or nothing."""
    with transaction.atomic():
        return [
            case_transition(case=case, action="merged", actor=actor, data={"into_case": into.pk}, via=via)
            for case in cases
            if case.pk != into.pk
        ]


def case_dismiss_many(*, cases: Iterable[Case], actor, reason: str, explanation: str, via: str = "web") -> list[Case]:
    """Dismiss every case of the selection with the same reason; all or nothing."""
    with transaction.atomic():
        return [
            case_transition(
                case=case, action="dismissed", actor=actor, data={"reason": reason, "explanation": explanation}, via=via
            )
            for case in cases
        ]


# --- assignment, notes, messages, follow-up, BKN control actions -------------------------------

SATGAS_ROLES = frozenset({Role.SATGAS_OFFICER.value, Role.SATGAS_LEAD.value})
# RECEIVER: the agency a case is referred to notes its review while it holds the referral.
ACTING = frozenset({Role.SATGAS_OFFICER.value, Role.PPK.value, *SUPERVISING_ROLES, *RECEIVER})


def case_assign(*, case: Case, assignee: User | None, actor) -> Case:
    """Assign the case to a Satgas member of its agency (None: unassign).

    A lead assigns anyone of the agency's Satgas; an officer may only take a case for themselves
    (or give back their own).
    """
    with transaction.atomic():
        case = _locked(case)
        roles = _require_roles(actor, case, SATGAS_ROLES)
        if case.status in Case.TERMINAL_STATES:
            raise TransitionError("conflict", _("Kasus yang sudah berakhir tidak dapat ditugaskan."))
        actor_user = _user(actor)
        if Role.SATGAS_LEAD not in roles:
            own = actor_user is not None and (
                (assignee is not None and assignee.pk == actor_user.pk)
                or (assignee is None and case.assigned_to_id == actor_user.pk)
            )
            if not own:
                raise TransitionError("forbidden", _("Hanya Ketua Satgas yang dapat menugaskan petugas lain."))
        if assignee is not None and not actor_roles(assignee, case) & SATGAS_ROLES:
            raise TransitionError(
                "validation_error", fields={"assignee": [_("Petugas ini bukan anggota Satgas instansi kasus.")]}
            )
        previous = case.assigned_to_id
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to", "updated_at"])
        record(
            _audit_actor(actor),
            "case.assigned",
            case,
            assignee=assignee.get_username() if assignee else None,
            previous_assignee_id=previous,
        )
        if assignee is not None:
            notify(
                _without([assignee], actor),
                kind="case.assigned",
                text=_("Kasus %(case)s ditugaskan kepada Anda.") % {"case": case},
                case=case,
            )
        return case


def internal_note_add(*, case: Case, actor, body: str) -> InternalNote:
    """A note for staff only: never shown to a reporter."""
    body = _clean_text(body, "body")
    with transaction.atomic():
        case = _locked(case)
        _require_roles(actor, case, ACTING)
        note = InternalNote.objects.create(case=case, author=_user(actor), body=body)
        _touch(case)
        record(_audit_actor(actor), "case.note_added", case, note_id=note.pk)
        return note


def satgas_message_add(*, case: Case, actor, body: str, report: Report | None = None) -> list[Message]:
    """A message from the Satgas to the reporter(s); each reporter reads it on their status page.

    Without ``report`` every reporter of the case gets it (after a merge a case has several).
    """
    from netra.cases.selectors import reports_of_case

    body = _clean_text(body, "body", max_len=5000)
    with transaction.atomic():
        case = _locked(case)
        _require_roles(actor, case, SATGAS_ROLES)
        reports = list(reports_of_case(case)) if report is None else [report]
        if report is not None and (report.case is None or report.case.surviving_case().pk != case.pk):
            raise TransitionError("validation_error", fields={"report": [_("Laporan ini bukan bagian dari kasus.")]})
        messages = [
            Message.objects.create(case=case, report=r, sender=Message.Sender.SATGAS, author=_user(actor), body=body)
            for r in reports
        ]
        _touch(case)
        record(_audit_actor(actor), "case.message_sent", case, message_ids=[m.pk for m in messages])
        return messages


FOLLOW_UP_STATES = frozenset({S.DECIDED, S.ESCALATED, S.AWAITING_DECISION})


def followup_add(*, case: Case, actor, kind: str, text: str, date: datetime.date) -> FollowUp:
    """Record what happened after the decision (sanction carried out, objection, appeal)."""
    if kind not in FollowUp.Kind.values or kind == FollowUp.Kind.CLOSING:
        raise TransitionError(
            "validation_error", fields={"kind": [_("Pilihan %(value)s tidak dikenal.") % {"value": kind}]}
        )
    text = _clean_text(text, "text")
    if not isinstance(date, datetime.date):
        raise TransitionError("validation_error", fields={"date": [_("Wajib diisi.")]})
    with transaction.atomic():
        case = _locked(case)
        _require_roles(actor, case, SATGAS_ROLES | {Role.PPK.value})
        if case.status != S.DECIDED:
            raise TransitionError("conflict", _("Tindak lanjut dicatat setelah PPK memutuskan."))
        row = FollowUp.objects.create(case=case, kind=kind, text=text, date=date, created_by=_user(actor))
        _touch(case)
        record(_audit_actor(actor), "case.follow_up_added", case, follow_up_id=row.pk, kind=kind, date=date)
        return row


def control_action_add(
    *,
    case: Case,
    actor,
    kind: str,
    date: datetime.date | str | None = None,
    text: str = "",
    reference: str = "",
    data: Mapping | None = None,
    via: str = "web",
) -> ControlAction:
    """BKN's control action on an escalated case: warning, reprimand (letters to the PPK with a new
    deadline), blocking in SIASN and lifting it (Peraturan BKN 1/2023). ``data`` carries the other
    fields of the kind's form (``netra.cases.control.FORMS``); the annulment of an SK is the move
    ``annulled``. Announced to the PPK and the lead, in the timeline, the API and webhooks."""
    from netra.cases.control import FORMS, present

    if kind not in FORMS:
        raise TransitionError(
            "validation_error", fields={"kind": [_("Pilihan %(value)s tidak dikenal.") % {"value": str(kind)[:50]}]}
        )
    if data is not None and not isinstance(data, Mapping):
        raise TransitionError("validation_error", fields={"data": [_("Harus berupa objek.")]})
    fields = {"date": date, "text": text, "reference": reference, **dict(data or {})}
    with transaction.atomic():
        case = _locked(case)
        _require_roles(actor, case, frozenset({Role.BKN_SUPERVISOR.value}))
        if case.status != S.ESCALATED:
            raise TransitionError("conflict", _("Tindakan pengendalian BKN hanya untuk kasus yang dieskalasi."))
        form = FORMS[kind](data={k: v for k, v in fields.items() if v not in (None, "")}, case=case, actor=actor)
        if not form.is_valid():
            raise TransitionError("validation_error", fields={k: list(v) for k, v in form.errors.items()})
        cleaned = {name: value for name, value in form.cleaned_data.items() if value is not None}
        row = ControlAction.objects.create(case=case, kind=kind, created_by=_user(actor), **cleaned)
        return _control_action_recorded(case=case, row=row, actor=actor, via=via, present=present)


def _control_action_recorded(*, case: Case, row: ControlAction, actor, via: str, present) -> ControlAction:
    """Audit, notify the PPK and the lead, announce it (webhook outbox in the transaction)."""
    _touch(case)
    shown = present(row)
    record(
        _audit_actor(actor),
        "case.control_action_added",
        case,
        control_action_id=row.pk,
        kind=row.kind,
        via=via,
        reference=row.reference,
        ppk_deadline=shown["ppk_deadline"],
        siasn_reference=row.siasn_reference,
        blocking_scope=row.blocking_scope,
    )
    recipients = [*_members(case.agency_id, [Role.PPK]), *_leads(case)]
    notify(
        _without(recipients, actor),
        kind="case.control_action",
        text=_("Kasus %(case)s: BKN mencatat %(kind)s.") % {"case": case, "kind": row.get_kind_display()},
        case=case,
    )
    signals.case_control_action_recorded.send(sender=Case, case=case, control_action=shown, actor=actor, via=via)
    return row


# --- deadline notices (called by jobs.process_deadlines) ------------------------------------


def _deadline_people(case: Case) -> list[User]:
    if case.deadline_key == "decision":
        return [*_members(case.agency_id, [Role.PPK]), *_leads(case)]
    if case.assigned_to is not None:
        return [case.assigned_to]
    return _leads(case) or _members(case.agency_id, [Role.SATGAS_OFFICER])


def _due_text(case: Case) -> str:
    # The deadline job only picks cases with a running deadline (deadlines.open_cases).
    return case.due_date.strftime("%d-%m-%Y") if case.due_date else ""


def deadline_reminder_send(*, case: Case) -> None:
    notify(
        _deadline_people(case),
        kind="deadline.reminder",
        text=_("Kasus %(case)s: batas waktu %(date)s.") % {"case": case, "date": _due_text(case)},
        case=case,
    )


def _bawaslu_people(case: Case) -> list[User]:
    return _supervisors(case, Role.BAWASLU_OFFICER)


def bawaslu_reminder_send(*, case: Case) -> None:
    """Remind the Bawaslu office(s) in reach, once, that a kajian is due (the deadline job)."""
    notify(
        _bawaslu_people(case),
        kind="bawaslu.reminder",
        text=_("Kasus %(case)s: kajian Bawaslu ditunggu paling lambat %(date)s.")
        % {"case": case, "date": case.bawaslu_due_date.strftime("%d-%m-%Y") if case.bawaslu_due_date else ""},
        case=case,
    )


def bawaslu_overdue_send(*, case: Case) -> None:
    """A kajian passed its due date: audited once; Bawaslu and the Satgas are told (the deadline job)."""
    with transaction.atomic():
        record(None, "case.bawaslu_review_overdue", case, bawaslu_due_date=case.bawaslu_due_date)
        satgas = [case.assigned_to, *_leads(case)]
        notify(
            [*_bawaslu_people(case), *satgas],
            kind="bawaslu.overdue",
            text=_(
                "Kasus %(case)s: kajian Bawaslu melewati batas waktu %(date)s; "
                "Satgas dapat melanjutkan tanpa kajian Bawaslu."
            )
            % {"case": case, "date": case.bawaslu_due_date.strftime("%d-%m-%Y") if case.bawaslu_due_date else ""},
            case=case,
        )


def deadline_missed_send(*, case: Case) -> None:
    with transaction.atomic():
        record(None, "case.deadline_missed", case, deadline_key=case.deadline_key, due_date=case.due_date)
        notify(
            [*_deadline_people(case), *_leads(case)],
            kind="deadline.missed",
            text=_("Kasus %(case)s melewati batas waktu %(date)s.") % {"case": case, "date": _due_text(case)},
            case=case,
        )
        missed = {"case": case, "deadline_key": case.deadline_key, "due_date": case.due_date}
        signals.case_deadline_missed_recorded.send(sender=Case, **missed)
        transaction.on_commit(lambda: signals.case_deadline_missed.send(sender=Case, **missed), robust=True)
