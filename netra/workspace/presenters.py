"""Shaping data for the workspace templates: tabs, query strings, the merged timeline."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.http import QueryDict
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from netra.cases.deadlines import bawaslu_status, deadline_status
from netra.cases.models import Case, Evidence, InternalNote, Recommendation
from netra.cases.reporter_data import ReporterField, visible_fields
from netra.cases.scope import memberships
from netra.cases.selectors import ACTIVE_STATES, NOT_LOADED, loaded_relation, reports_of_case
from netra.cases.services import SATGAS_ROLES
from netra.cases.workflow import EARLY, MOVES, available_moves
from netra.catalog.calendar import WorkingCalendar
from netra.catalog.models import ViolationGroup
from netra.orgs.models import Membership
from netra.orgs.roles import ACTING_ROLES, ROLES, effective_roles
from netra.workspace.forms import FollowUpForm, MessageForm

# How the audit log's actions read on the case timeline; unknown ones show their code.
EVENT_LABELS = {
    "case.received": _("Laporan diterima"),
    "case.link_archived": _("Tautan diarsipkan"),
    "case.link_archive_failed": _("Tautan gagal diarsipkan"),
    "case.transitioned": _("Status diubah"),
    "case.assigned": _("Petugas ditugaskan"),
    "case.merged": _("Kasus digabung"),
    "case.merged_into": _("Digabung ke kasus lain"),
    "case.dismissed": _("Dihentikan"),
    "case.reopened": _("Dibuka kembali"),
    "case.forwarded": _("Diteruskan"),
    "case.note_added": _("Catatan internal ditambahkan"),
    "case.message_sent": _("Pesan dikirim ke pelapor"),
    "case.follow_up_added": _("Tindak lanjut dicatat"),
    "case.bawaslu_review_requested": _("Kajian Bawaslu diminta"),
    "case.bawaslu_review_answered": _("Hasil kajian Bawaslu dicatat"),
    "case.bawaslu_review_skipped": _("Dilanjutkan tanpa kajian Bawaslu"),
    "case.bawaslu_review_overdue": _("Kajian Bawaslu melewati batas waktu"),
    "case.returned_for_revision": _("Rekomendasi dikembalikan untuk perbaikan"),
    "case.letter_numbered": _("Surat rekomendasi diberi nomor"),
    "case.control_action_added": _("Tindakan pengendalian BKN dicatat"),
    "case.control_action": _("Tindakan pengendalian BKN"),
    "case.deadline_missed": _("Tenggat terlewati"),
    "report.message_added": _("Pelapor mengirim pesan"),
    "report.evidence_added": _("Pelapor menambah bukti"),
    "case.referred": _("Dirujuk ke tingkat atas"),
    "case.referral_returned": _("Rujukan dikembalikan"),
    "case.referral_withdrawn": _("Rujukan ditarik kembali"),
    "case.imported": _("Diimpor dari register lama"),
}
# Events already shown as a state change (a Transition row): listed once, not twice.
TRANSITION_EVENTS = frozenset({"case.received", "case.transitioned"})


def query_without(params: QueryDict, *names: str) -> str:
    """The query string without some keys, for links that set them again (tabs, pages)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


@dataclass(frozen=True)
class Tab:
    code: str
    label: str | Promise
    count: int
    current: bool
    terminal: bool


def queue_tabs(counts: dict[str, int], *, current: str) -> list[Tab]:
    tabs = [Tab("active", _("Aktif"), counts["active"], current == "active", False)]
    for code, label in Case.Status.choices:
        tabs.append(Tab(code, label, counts.get(code, 0), current == code, code not in ACTIVE_STATES))
    tabs.append(Tab("all", _("Semua"), counts["all"], current == "all", True))
    return tabs


def case_url_maker(name: str = "workspace:case"):
    """``pk -> reverse(name, args=[pk])`` reversing once: a list page's rows then cost a string
    join each, not a resolver walk (20 to 40 µs a row)."""
    sentinel = 987654321987
    head, tail = reverse(name, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{head}{int(pk)}{tail}"


def mark_attention(cases) -> None:
    """Give each case ``attention_code`` and ``deadline_state`` for the templates."""
    calendar = WorkingCalendar()
    for case in cases:
        state = deadline_status(case, calendar=calendar)
        case.deadline_state = state
        case.bawaslu_state = bawaslu_status(case, calendar=calendar)
        if state in ("overdue", "due_soon"):
            case.attention_code = state
        elif case.status == Case.Status.RECEIVED:
            case.attention_code = "new"
        else:
            case.attention_code = "open" if case.status in ACTIVE_STATES else "done"


class DayLabels:
    """``value|date:"j M Y"``, each day formatted once: a datetime is read in the current time zone
    first, as the template's ``date`` filter does (a Django date format costs ~20 µs a value)."""

    def __init__(self) -> None:
        self._days: dict[datetime.date, str] = {}

    def __call__(self, value: datetime.date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        label = self._days.get(value)
        if label is None:
            label = self._days[value] = formats.date_format(value, "j M Y")
        return label

    def minute(self, value: datetime.datetime | None) -> str:
        """``value|date:"j M Y H:i"``."""
        if value is None:
            return ""
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{self(local)} {local.hour:02d}:{local.minute:02d}"

    def formatted(self, value, date_format: str) -> str:
        """``value|date:date_format`` for the two formats the case page uses (another: Django's)."""
        if date_format == "j M Y":
            return self(value)
        if date_format == "j M Y H:i":
            return self.minute(value)
        if value is None:
            return ""
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, date_format)


def _blocktranslate(message: str, **values) -> SafeString:
    """``{% blocktranslate with … %}``: the translation as it is, its values escaped."""
    return mark_safe(gettext(message) % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


def _subjects(case) -> list:
    """The case's subjects as listed with it (``selectors.listed_subjects``), else as prefetched."""
    listed = getattr(case, "listed_subjects", None)
    return listed if listed is not None else list(case.subjects.all())


def _row_cells(case, agency_fallback: str) -> dict:
    """What a queue row and a home panel row both show of a case (``queue_rows``, ``panel_rows``)."""
    return {
        "number": case.number or str(case.pk),
        "url": case.page_url,
        "control_action": case.has_control_action,
        "referred_to": case.referred_to.name if case.referred_to else "",
        "referral_label": _blocktranslate("dirujuk: %(agency)s", agency=case.referred_to.name)
        if case.referred_to
        else "",
        "status": case.status,
        "status_label": case.get_status_display(),
        "region": case.region.name,
        "agency": str(case.agency) if case.agency else agency_fallback,
    }


def _deadline_prefixes() -> dict[str, str]:
    """The deadline's prefix by its state, as ``_deadline.html`` writes it."""
    return {"overdue": gettext("Lewat") + " · ", "due_soon": gettext("Segera") + " · "}


def queue_rows(cases, *, selected=frozenset()) -> list[dict]:
    """What each queue row shows, as plain strings in one pass (``_queue_list.html`` reads keys: no
    filter, include or translation per row; ~0.4 ms a row before). ``cases``: the page's rows with
    ``mark_attention``, ``page_url``, ``duplicate_count`` and ``triage.mark_clusters`` done."""
    day = DayLabels()
    cluster_url = case_url_maker("workspace:triage_cluster")
    triase_nasional = str(_("Triase nasional"))
    prefix = _deadline_prefixes()
    rows = []
    for case in cases:
        assignee = case.assigned_to
        top = case.triage_top
        bawaslu = case.bawaslu_state
        bawaslu_label: str
        if bawaslu == "overdue":
            bawaslu_label = _blocktranslate("Kajian Bawaslu lewat (%(date)s)", date=day(case.bawaslu_due_date))
        elif bawaslu:
            bawaslu_label = _blocktranslate("Menunggu kajian Bawaslu s.d. %(date)s", date=day(case.bawaslu_due_date))
        else:
            bawaslu_label = ""
        rows.append(
            _row_cells(case, triase_nasional)
            | {
                "pk": str(case.pk),
                "attention": case.attention_code,
                "selected": case.pk in selected,
                "select_label": _blocktranslate("Pilih %(number)s", number=case.number),
                "cluster_url": cluster_url(case.triage_cluster) if case.triage_cluster_size else "",
                "cluster_label": _blocktranslate("klaster %(n)s laporan", n=case.triage_cluster_size)
                if case.triage_cluster_size
                else "",
                "duplicate_label": _blocktranslate("mungkin duplikat (%(n)s)", n=case.duplicate_count)
                if case.duplicate_count
                else "",
                "triage": f"{top['label']} · {top['percent']}%" if top else "",
                "subjects": [{"name": str(subject), "position": subject.position} for subject in _subjects(case)],
                "preview": case.preview,
                "bawaslu": bawaslu,
                "bawaslu_label": bawaslu_label,
                "due": day(case.due_date) if case.due_date else "",
                "deadline_state": case.deadline_state or "ok",
                "deadline_prefix": prefix.get(case.deadline_state, ""),
                "assignee": (assignee.get_full_name() or assignee.username) if assignee else "",
                "incident": day(case.incident_date),
                "received": day(case.created_at),
            }
        )
    return rows


def panel_rows(cases, *, control_actions: bool = False) -> list[dict]:
    """What each row of a home panel shows (``queue.html``), as ``queue_rows``: ``cases`` carry
    ``panel_due``, ``panel_state``, ``page_url`` (``views.waiting_panels``); ``control_actions``:
    the PPK's panel, which lists each control action's kind instead of the flags."""
    day = DayLabels()
    triase_nasional = str(_("Triase nasional"))
    prefix = _deadline_prefixes()
    rows = []
    for case in cases:
        names = [conditional_escape(str(subject)) for subject in _subjects(case)]
        rows.append(
            _row_cells(case, triase_nasional)
            | {
                "state": case.panel_state,
                "control_kinds": [item.get_kind_display() for item in case.control_actions.all()]
                if control_actions
                else [],
                "subjects": mark_safe(", ".join(names)),  # noqa: S308 -- each name escaped
                "due": day(case.panel_due) if case.panel_due else "",
                "deadline_prefix": prefix.get(case.panel_state, ""),
            }
        )
    return rows


def assignee_choices(user):
    """Officers the user may hand a case to: Satgas of the agencies where the user acts."""
    officer_roles = [Membership.Role.SATGAS_OFFICER, Membership.Role.SATGAS_LEAD]
    agencies = Membership.objects.filter(user=user, active=True, role__in=sorted(ACTING_ROLES)).values("agency_id")
    members = Membership.objects.filter(active=True, agency__active=True, role__in=officer_roles, user__is_active=True)
    if not user.is_superuser:
        members = members.filter(agency_id__in=agencies)
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def may_act(user) -> bool:
    """Whether the user has any role that acts on cases (an observer only reads)."""
    if user.is_superuser:
        return True
    return any(m.role in ACTING_ROLES for m in memberships(user))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str  # "transition" or "event"
    title: str
    actor: str
    detail: str = ""
    # No staff member did it (the reporter submitting, writing, adding evidence; the system): its
    # minute can name the reporter, so it shows as ``reporter_time_format`` allows.
    by_reporter: bool = False
    # A step of a case imported from an earlier register: dated by the register's day, no actor.
    imported: bool = False


def timeline(case: Case, events, *, transitions=None) -> list[TimelineEntry]:
    """State changes (with who made them) and the other audited events, oldest first.

    ``transitions``: the case's transitions, oldest first, with their actor (else read here)."""
    entries = []
    labels = dict(Case.Status.choices)
    if transitions is None:
        transitions = case.transitions.select_related("actor").order_by("at", "pk")
    for step in transitions:
        entries.append(
            TimelineEntry(
                at=step.at,
                kind="transition",
                title=(f"{labels.get(step.from_state, '')} → " if step.from_state else "")
                + str(labels.get(step.to_state, step.to_state)),
                actor=(
                    str(_("Diimpor dari register lama"))
                    if step.imported
                    else _actor_name(step.actor)
                    if step.actor
                    else str(_("Sistem / pelapor"))
                ),
                detail=step.public_note,
                by_reporter=step.actor is None and not step.imported,
                imported=step.imported,
            )
        )
    for event in events:
        if event.action in TRANSITION_EVENTS:
            continue
        entries.append(
            TimelineEntry(
                at=event.created_at,
                kind="event",
                title=str(EVENT_LABELS.get(event.action, event.action)),
                actor=_actor_name(event.actor) if event.actor else event.actor_label,
                detail=_event_detail(event),
                by_reporter=event.actor is None,
            )
        )
    return sorted(entries, key=lambda e: e.at)


def _event_detail(event) -> str:
    """What staff read under an event: the lead's reason, the question to Bawaslu, "on its behalf"."""
    payload = event.payload or {}
    if event.action == "case.returned_for_revision":
        return str(_("Alasan: %(reason)s") % {"reason": payload.get("reason", "")})
    if event.action == "case.bawaslu_review_requested" and payload.get("question"):
        return str(_("Pertanyaan: %(question)s") % {"question": payload["question"]})
    if event.action == "case.bawaslu_review_answered" and payload.get("on_behalf_of_bawaslu"):
        return str(
            _("Dicatat Satgas atas nama Bawaslu. Alasan: %(reason)s") % {"reason": payload.get("on_behalf_reason", "")}
        )
    if event.action == "case.bawaslu_review_skipped":
        return str(
            _("Batas waktu kajian %(date)s terlewati. Alasan: %(reason)s")
            % {"date": payload.get("bawaslu_due_date") or "—", "reason": payload.get("reason", "")}
        )
    if event.action == "case.control_action_added" and payload.get("kind"):
        from netra.cases.models import ControlAction

        kind = dict(ControlAction.Kind.choices).get(payload["kind"], payload["kind"])
        return " · ".join(
            str(part) for part in (kind, payload.get("reference"), payload.get("siasn_reference")) if part
        )
    if event.action == "case.referred":
        return str(
            _("Ke %(agency)s: %(note)s")
            % {"agency": payload.get("to_agency", ""), "note": payload.get("referral_note", "")}
        )
    if event.action == "case.referral_returned":
        return str(payload.get("return_note", ""))
    if event.action == "case.referral_withdrawn":
        return str(
            _("Dari %(agency)s: %(reason)s")
            % {"agency": payload.get("from_agency", ""), "reason": payload.get("withdraw_reason", "")}
        )
    if payload.get("letter_number"):
        return str(_("Nomor surat rekomendasi: %(number)s") % {"number": payload["letter_number"]})
    return ""


def _actor_name(user) -> str:
    return user.get_full_name() or user.get_username()


def find_move_states(action: str) -> frozenset[str]:
    """The states the workflow table allows ``action`` from (for any role)."""
    return frozenset().union(*(move.from_states for move in MOVES if move.action == action))


def case_extras(case: Case, user, *, reports=None, evidence=None, notes=None, follow_ups=None) -> dict:
    """The parts of the case page that act: moves from the workflow table, notes, form targets.

    ``reports`` / ``evidence`` / ``notes`` / ``follow_ups``: the lists the page already read (else
    they are read here); decisions are read only if the case has some (``has_decisions``, read
    with the case by ``selectors.case_page_for``; unknown: read)."""
    if reports is None:
        reports = list(reports_of_case(case).order_by("submitted_at", "pk"))
    acting = may_act(user)
    moves = available_moves(case, user)
    recommendation = loaded_relation(case, "recommendation")  # read with the case on its page
    if recommendation is NOT_LOADED:
        recommendation = (
            Recommendation.objects.filter(case=case).select_related("sanction_category", "suggested_category").first()
        )
    return {
        "moves": moves,
        # A duplicate can be merged into this case only from the states the workflow merges from.
        "mergeable_states": sorted(find_move_states("merged")),
        "may_merge_away": any(move.action == "merged" for move in moves),
        "notes": list(InternalNote.objects.filter(case=case).select_related("author").order_by("created_at", "pk"))
        if notes is None
        else notes,
        "assignees": assignee_choices(user) if acting else [],
        "message_url": reverse("workspace:message", args=[case.pk]) if acting else None,
        "note_url": reverse("workspace:note", args=[case.pk]) if acting else None,
        "assign_url": reverse("workspace:assign", args=[case.pk]) if acting else None,
        "merge_url": reverse("workspace:merge", args=[case.pk]) if acting else None,
        "recommendation": recommendation,
        "decisions": list(case.decisions.select_related("sanction_type", "sanction_type__category"))
        if getattr(case, "has_decisions", True)
        else [],
        "follow_ups": list(case.follow_ups.all()) if follow_ups is None else follow_ups,
        "followup_url": reverse("workspace:followup", args=[case.pk])
        if acting and case.status == Case.Status.DECIDED
        else None,
        "followup_form": FollowUpForm(),
        # Reporter messages: on a merged case the officer chooses one reporter or all.
        "message_form": MessageForm(reports=reports, viewer=user, case=case),
        "evidence_rows": evidence_rows(case, evidence),
        "recommendation_violations": violation_names(recommendation.violations) if recommendation else [],
    }


# --- evidence and catalogue names on the case page ----------------------------------------------

KIND_NAMES = {
    "image/jpeg": (_("Foto"), "JPEG"),
    "image/png": (_("Foto"), "PNG"),
    "image/webp": (_("Foto"), "WebP"),
    "video/mp4": (_("Video"), "MP4"),
    "application/pdf": (_("Dokumen"), "PDF"),
}


@dataclass(frozen=True)
class EvidenceRow:
    item: Evidence
    name: str  # "Foto 1", "Video 1", "Dokumen 2": there is no original file name by design
    kind: str  # "JPEG"
    dimensions: str  # width x height in pixels for a photo, else ""
    url: str  # the viewer's address of the file (``?unduh=1`` downloads it)
    # As the case page shows them (Django's filters, computed here once: a filter costs 10-20 µs).
    size: str = ""  # ``|filesizeformat``
    hash_short: str = ""  # the stored SHA-256 ``|truncatechars:17``
    uploaded: str = ""  # who uploaded it and the day: "Pelapor, 3 Nov 2024"


def _dimensions(item: Evidence) -> str:
    from PIL import Image, UnidentifiedImageError

    if not item.content_type.startswith("image/") or not item.file.name:
        return ""
    try:
        with default_storage.open(item.file.name, "rb") as handle, Image.open(handle) as image:
            return f"{image.width}\N{MULTIPLICATION SIGN}{image.height}"  # the header only: Pillow reads lazily
    except (OSError, UnidentifiedImageError):
        return ""


def evidence_rows(case: Case, items=None) -> list[EvidenceRow]:
    """The case's evidence, each with a readable, sanitised name: kind and number, format, pixels."""
    from django.template.defaultfilters import filesizeformat
    from django.utils.text import Truncator

    counters: dict[str, int] = {}
    rows = []
    day = DayLabels()
    if items is None:
        items = Evidence.objects.filter(case=case).order_by("uploaded_at", "pk")
    for item in items:
        lazy_noun, fmt = KIND_NAMES.get(item.content_type, (_("Berkas"), item.content_type.split("/")[-1].upper()))
        noun = str(lazy_noun)  # translated once, not at each use
        counters[noun] = counters.get(noun, 0) + 1
        url = reverse("workspace:evidence", args=[case.pk, item.pk])
        rows.append(
            EvidenceRow(
                item,
                f"{noun} {counters[noun]}",
                fmt,
                _dimensions(item),
                url,
                size=filesizeformat(item.size),
                hash_short=Truncator(item.sha256_stored).chars(17),
                uploaded=f"{item.get_uploaded_by_display()}, {day(item.uploaded_at)}",
            )
        )
    return rows


def violation_names(codes) -> list[str]:
    """Catalogue names for violation group codes, in the given order (an unknown code as itself)."""
    names = dict(ViolationGroup.objects.filter(code__in=list(codes)).values_list("code", "name_id"))
    return [names.get(code, code) for code in codes]


@dataclass(frozen=True)
class ReporterView:
    """What the case page shows of one report's reporter: only what ``netra.cases.reporter_data`` allows."""

    label: str  # the receipt code for the owning Satgas, else "#1", "#2"… (order of submission)
    contact: str  # "" when there is none or the user may not see it
    time_format: str  # the "date" filter format of the submission time
    submitted: str = ""  # the submission time in that format


def reporter_time_format(case: Case, user) -> str:
    """The "date" filter format of times the reporter made (submission, their messages, their
    timeline entries): to the minute for whom ``netra.cases.reporter_data`` shows SUBMITTED_TIME,
    else the day."""
    return "j M Y H:i" if ReporterField.SUBMITTED_TIME in visible_fields(user, case) else "j M Y"


def present_reporters(reports, case: Case, user) -> None:
    """Give each report ``shown`` (a ReporterView); the template reads reporter data only there.

    Also, formatted once for the page: each report's ``incident_label`` and, for the messages of
    its ``thread`` (if read), ``at_label`` (staff's to the minute, the reporter's as
    ``reporter_time_format``)."""
    allowed = visible_fields(user, case)
    time_format = "j M Y H:i" if ReporterField.SUBMITTED_TIME in allowed else "j M Y"
    day = DayLabels()
    for index, report in enumerate(reports, start=1):
        report.shown = ReporterView(
            label=report.receipt_code if ReporterField.RECEIPT_CODE in allowed else f"#{index}",
            contact=report.contact if ReporterField.CONTACT in allowed else "",
            time_format=time_format,
            submitted=day.formatted(report.submitted_at, time_format),
        )
        report.incident_label = day(report.incident_date)
        for message in getattr(report, "thread", ()):
            message.at_label = (
                day.minute(message.created_at)
                if message.sender == "satgas"
                else day.formatted(message.created_at, time_format)
            )


# The queue's bulk tools (the queue and the cluster page).
BULK_MOVES = {"merge": "merged", "dismiss": "dismissed"}


def bulk_tools(user) -> dict[str, bool]:
    """Which bulk tools the user's roles may use, asked of the workflow table (merge, dismiss
    from triage) and of the assignment rule (Satgas only). Each case is still checked on its own."""
    if user.is_superuser:
        return {"assign": True, "merge": True, "dismiss": True, "any": True}
    roles: set[str] = set()
    for membership in memberships(user):
        if membership.role in ROLES:
            roles |= effective_roles(membership.role)
    held = frozenset(roles)
    tools = {
        name: any(move.action == action and move.from_states & EARLY and move.allows(held) for move in MOVES)
        for name, action in BULK_MOVES.items()
    }
    tools["assign"] = bool(held & SATGAS_ROLES)
    tools["any"] = any(tools.values())
    return tools
