"""Intake: the one service every face calls to take in a report (web form, public API, agency API).

Validation lives here and only here. Nothing about the request (IP address, user agent, headers)
reaches this module: callers pass the data and the files, nothing else.
"""

import contextlib
import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.cases import evidence as evidence_files
from netra.cases import filers, lookups, opening
from netra.cases.models import Case, Evidence, Message, Report, ReporterSubmission
from netra.cases.nip import nip_errors, normalize_nip, today_easternmost
from netra.catalog.models import Region
from netra.orgs.models import Agency

DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 10_000
MESSAGE_MAX = 5_000
LINKS_MAX, LINK_MAX_CHARS = 10, 2_000
TEXT_LIMITS = {"subject_name": 200, "subject_position": 200, "subject_agency": 200, "location": 300, "contact": 200}

# Crockford base32: no I, L, O, U — nothing a reporter can misread when copying the code by hand.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_PREFIX = opening.RECEIPT_PREFIX
RECEIPT_ATTEMPTS = 5  # draws of a new code when one is already taken
_RECEIPT_RE = re.compile(rf"^{RECEIPT_PREFIX}-[{RECEIPT_ALPHABET}]{{4}}-[{RECEIPT_ALPHABET}]{{4}}$")
_TYPING_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Compared against when a code is unknown, so an unknown code costs about what a wrong key does.
_DUMMY_HASH = hashlib.sha256(b"netra: no such receipt").hexdigest()

REPORTER_ACTOR = opening.REPORTER_ACTOR
PEMDA_KINDS = lookups.PEMDA_KINDS


class IntakeError(ValidationError):
    """The submission was refused. ``fields`` maps a field name to its Indonesian messages, all at once.

    ``code`` is the API error code: ``validation_error``, or ``payload_too_large`` /
    ``unsupported_media_type`` when every problem is a file of that kind.
    """

    def __init__(self, fields: Mapping[str, list[str]], *, code: str = "validation_error", message: str = ""):
        self.fields = {name: [str(m) for m in messages] for name, messages in fields.items() if messages}
        super().__init__({name: list(messages) for name, messages in self.fields.items()})
        self.code = code
        self.message = message or _("Data laporan belum lengkap atau belum benar. Periksa isian yang ditandai.")


class SubmissionReused(IntakeError):
    """The submission key (a form's token, an API Idempotency-Key) came with a different report.

    ``report`` is the one first stored under that key.
    """

    def __init__(self, report: Report):
        message = _("Kunci pengiriman ini sudah dipakai untuk laporan lain. Gunakan kunci baru untuk laporan baru.")
        super().__init__({"idempotency_key": [message]}, code="idempotency_key_reused", message=message)
        self.report = report


@dataclass(frozen=True)
class Receipt:
    """What the reporter gets back. ``access_key`` exists only here: the database keeps its hash.

    ``replayed``: the same submission (by its key) was already stored; ``report`` is that first one
    and ``access_key`` is empty unless the caller could derive it again (``access_key_for``).
    """

    receipt_code: str
    access_key: str
    report: Report
    replayed: bool = False

    @property
    def case(self) -> Case:
        """The report's case; opened now when it was left to a batch (``netra.cases.opening``)."""
        return opening.open_report(self.report)


# --- settings ---------------------------------------------------------------------------------


def max_evidence_files() -> int:
    return evidence_files.max_files()


def max_evidence_bytes() -> int:
    return evidence_files.max_bytes()


def evidence_problems(upload) -> list[str]:
    """Cheap checks of one file (size, type by content) for faces that stage uploads."""
    return evidence_files.problems(upload)


# --- receipt code and access key --------------------------------------------------------------


def new_receipt_code() -> str:
    # 40 random bits, 5 per character: the same as 8 draws from the 32 symbols, in one call.
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    chars = "".join(RECEIPT_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"{RECEIPT_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalize_receipt_code(value: str) -> str:
    """What a reporter typed → the canonical ``NTR-XXXX-XXXX`` (or "" when it cannot be one)."""
    raw = re.sub(r"[\s\-_.]", "", str(value or "")).upper()
    if raw.startswith(RECEIPT_PREFIX):
        raw = raw[len(RECEIPT_PREFIX) :]
    raw = raw.translate(_TYPING_FIXES)
    code = f"{RECEIPT_PREFIX}-{raw[:4]}-{raw[4:]}"
    return code if len(raw) == 8 and _RECEIPT_RE.match(code) else ""


# The access key: 140 random bits as 28 Crockford base32 symbols, shown in 7 groups of 4
# (XXXX-XXXX-…), read back with or without dashes or spaces, in any case, with O/I/L taken for 0/1.
ACCESS_KEY_CHARS, ACCESS_KEY_GROUP = 28, 4
_ACCESS_KEY_BITS = ACCESS_KEY_CHARS * 5
_ACCESS_KEY_V2 = b"netra.access-key.v2:"


def _format_access_key(value: int) -> str:
    chars = "".join(RECEIPT_ALPHABET[(value >> shift) & 31] for shift in range(_ACCESS_KEY_BITS - 5, -1, -5))
    return "-".join(chars[i : i + ACCESS_KEY_GROUP] for i in range(0, ACCESS_KEY_CHARS, ACCESS_KEY_GROUP))


def new_access_key() -> str:
    return _format_access_key(int.from_bytes(secrets.token_bytes(18), "big") >> (144 - _ACCESS_KEY_BITS))


def access_key_for(idempotency_key: str) -> str:
    """The access key of a public API report sent with this Idempotency-Key (the same one each time).

    So a retry of the same request can be answered with the same key, which the database cannot
    give (it keeps a hash). The Idempotency-Key is therefore as secret as the access key itself.
    """
    digest = salted_hmac("netra.access-key.idempotent", idempotency_key, algorithm="sha256").digest()
    return _format_access_key(int.from_bytes(digest, "big") >> (256 - _ACCESS_KEY_BITS))


def normalize_access_key(value: str) -> str:
    """A key as typed → its 28 symbols (or "" when it is not a key of the grouped format)."""
    raw = re.sub(r"[\s\-_.]", "", str(value or "")).upper().translate(_TYPING_FIXES)
    return raw if len(raw) == ACCESS_KEY_CHARS and all(c in RECEIPT_ALPHABET for c in raw) else ""


def hash_access_key(access_key: str) -> str:
    # A key of 140 random bits cannot be brute-forced; a slow password hash would add nothing.
    if canonical := normalize_access_key(access_key):
        return hashlib.sha256(_ACCESS_KEY_V2 + canonical.encode()).hexdigest()
    # Keys handed out before the grouped format (``token_urlsafe(20)``): hashed as given.
    return hashlib.sha256(str(access_key).strip().encode()).hexdigest()


def submission_key(scope: str, token: str) -> str:
    """The stored form of a submission's single-use token: a keyed hash, never the token itself."""
    return salted_hmac("netra.submission", f"{scope}:{token}", algorithm="sha256").hexdigest()


# --- validation -------------------------------------------------------------------------------


def _text(data: Mapping, name: str, errors: dict, *, max_len: int, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Harus berupa teks."))
        return ""
    # NUL cannot be stored by PostgreSQL and has no place in a report.
    value = value.replace("\x00", "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("Wajib diisi."))
    elif len(value) > max_len:
        errors.setdefault(name, []).append(
            _("Terlalu panjang: paling banyak %(max)d karakter (sekarang %(count)d).")
            % {"max": max_len, "count": len(value)}
        )
    return value


INCIDENT_REASON_MAX = 2_000
# The error code (api.md shape) when the only problem is an old incident date without its reason.
REASON_REQUIRED = "incident_date_reason_required"


def _incident_date(data: Mapping, errors: dict, *, past_allowed: bool = False) -> datetime.date | None:
    """The incident date: not in the future, not older than NETRA_MAX_INCIDENT_AGE_DAYS — unless
    ``past_allowed`` (agency and staff filings), where an older date needs ``incident_date_reason``."""
    value = data.get("incident_date")
    if value in (None, ""):
        errors["incident_date"] = [_("Wajib diisi.")]
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    elif not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            errors["incident_date"] = [_("Tanggal tidak dikenali. Gunakan format TTTT-BB-HH, misalnya 2024-11-20.")]
            return None
    today = today_easternmost()
    max_age = settings.NETRA_MAX_INCIDENT_AGE_DAYS
    if value > today:
        errors["incident_date"] = [_("Tanggal kejadian tidak boleh di masa depan.")]
    elif (today - value).days > max_age and past_allowed:
        if not _text(data, "incident_date_reason", errors, max_len=INCIDENT_REASON_MAX) and not errors.get(
            "incident_date_reason"
        ):
            errors["incident_date_reason"] = [
                _(
                    "Tanggal kejadian lebih dari %(days)d hari yang lalu: tuliskan alasannya (misalnya temuan "
                    "Bawaslu yang baru diproses atau kasus pindahan dari masa SBT)."
                )
                % {"days": max_age}
            ]
    elif (today - value).days > max_age:
        errors["incident_date"] = [
            _("Tanggal kejadian terlalu lama: paling lama %(days)d hari sebelum hari ini.") % {"days": max_age}
        ]
    return value


def _links(data: Mapping, errors: dict) -> list[str]:
    value = data.get("links") or []
    if isinstance(value, str) or not isinstance(value, Sequence):
        errors["links"] = [_("Harus berupa daftar tautan.")]
        return []
    links, problems = [], []
    check = URLValidator(schemes=["http", "https"])
    for position, link in enumerate(value, start=1):
        if not isinstance(link, str):
            problems.append(_("Tautan ke-%(n)d harus berupa teks.") % {"n": position})
            continue
        link = link.replace("\x00", "").strip()
        if not link:
            continue
        if len(link) > LINK_MAX_CHARS:
            problems.append(
                _("Tautan ke-%(n)d terlalu panjang (paling banyak %(max)d karakter).")
                % {"n": position, "max": LINK_MAX_CHARS}
            )
            continue
        try:
            check(link)
        except ValidationError:
            problems.append(_("Tautan ke-%(n)d bukan alamat web yang diawali http:// atau https://.") % {"n": position})
            continue
        links.append(link)
    if len(links) > LINKS_MAX:
        problems.insert(0, _("Paling banyak %(max)d tautan (ada %(count)d).") % {"max": LINKS_MAX, "count": len(links)})
    if problems:
        errors["links"] = problems
    return links


def _clean_report(data: Mapping, errors: dict, *, past_allowed: bool = False) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "description": _text(data, "description", errors, max_len=DESCRIPTION_MAX, required=True)
    }
    length = len(cleaned["description"])
    if 0 < length < DESCRIPTION_MIN:
        errors.setdefault("description", []).append(
            _("Uraian terlalu pendek: paling sedikit %(min)d karakter (sekarang %(count)d).")
            % {"min": DESCRIPTION_MIN, "count": length}
        )
    cleaned["incident_date"] = _incident_date(data, errors, past_allowed=past_allowed)
    cleaned["incident_date_reason"] = ""
    if past_allowed and cleaned["incident_date"] and "incident_date_reason" not in errors:
        age = (today_easternmost() - cleaned["incident_date"]).days
        if age > settings.NETRA_MAX_INCIDENT_AGE_DAYS:  # kept only where it explains something
            cleaned["incident_date_reason"] = _text(data, "incident_date_reason", errors, max_len=INCIDENT_REASON_MAX)
    for name, max_len in TEXT_LIMITS.items():
        cleaned[name] = _text(data, name, errors, max_len=max_len)

    region_code = _text(data, "region_code", errors, max_len=10, required=True)
    cleaned["region"] = None
    if region_code and "region_code" not in errors:
        cleaned["region"] = lookups.region(region_code)
        if cleaned["region"] is None:
            errors["region_code"] = [_("Kode wilayah %(code)s tidak dikenal.") % {"code": region_code}]

    nip = normalize_nip(_text(data, "subject_nip", errors, max_len=40))
    if nip and (problems := nip_errors(nip)):
        errors.setdefault("subject_nip", []).extend(problems)
    cleaned["subject_nip"] = nip or None

    cleaned["links"] = _links(data, errors)

    election_code = _text(data, "election", errors, max_len=40)
    cleaned["election"] = None
    if election_code:
        cleaned["election"] = lookups.election(election_code)
        if cleaned["election"] is None:
            errors["election"] = [_("Pemilihan %(code)s tidak dikenal.") % {"code": election_code}]
    return cleaned


def report_problems(data: Mapping) -> dict[str, list[str]]:
    """Every problem :func:`report_submit` would refuse ``data`` for (files aside), storing nothing:
    for a face that must show them together with its own questions."""
    errors: dict[str, list[str]] = {}
    _clean_report(data, errors)
    return errors


def _clean_files(files: Sequence, errors: dict, codes: set, *, already: int = 0) -> list:
    files = list(files)
    if already + len(files) > max_evidence_files():
        errors["files"] = [
            _("Terlalu banyak berkas: paling banyak %(max)d bukti per laporan.") % {"max": max_evidence_files()}
        ]
        codes.add("validation_error")
        return []
    clean = []
    for upload in files:
        try:
            clean.append(evidence_files.clean(upload))
        except evidence_files.FileRejected as rejected:
            errors.setdefault("files", []).append(rejected.message)
            codes.add(rejected.code)
    return clean


def _raise_if(errors: dict, file_codes: set) -> None:
    if not errors:
        return
    code = "validation_error"
    if set(errors) == {"files"} and len(file_codes) == 1:
        code = next(iter(file_codes))  # e.g. payload_too_large → 413 on the API
    raise IntakeError(errors, code=code)


# --- routing ----------------------------------------------------------------------------------


def route(region: Region) -> Agency | None:
    """The agency that owns a new case in ``region``: its pemda, else the BKN regional office, else triage.

    Read from a per-process table refreshed every minute (``netra.cases.lookups``).
    """
    return lookups.owning_agency(region)


# --- services ---------------------------------------------------------------------------------


def _store(clean_files: list) -> list[tuple]:
    """Write the files before the transaction: a crash then leaves only unreferenced files."""
    stored: list[tuple] = []
    try:
        for clean in clean_files:
            stored.append((clean, clean.store()))
    except Exception:
        _discard(stored)  # e.g. the disk filled up at the second file: the first goes too
        raise
    return stored


def _discard(stored: list[tuple]) -> None:
    from django.core.files.storage import default_storage

    for _clean, name in stored:
        default_storage.delete(name)


def report_submit(
    *,
    data: Mapping,
    files: Sequence = (),
    source: str = Case.Source.PUBLIC_REPORT,
    source_reference: str = "",
    actor=None,
    agency: Agency | None = None,
    key: str | None = None,
    access_key: str | None = None,
) -> Receipt:
    """Validate and store a report with its evidence; its case (state ``received``) is opened.

    A public report of text and links is accepted alone and its case opened by the next batch
    (``netra.cases.opening``; ``Receipt.case`` opens it at once when asked); anything else is
    opened in the same transaction. Raises IntakeError with every problem at once. ``actor`` is
    the staff user or agency token user for non-public sources (None for the public);
    ``agency`` overrides the routing.

    ``key`` (from :func:`submission_key`) makes the submission idempotent: a second one with the
    same key stores nothing and returns the first report (``Receipt.replayed``), or raises
    SubmissionReused when it differs. It is a column of the accepting INSERT with a unique index,
    so two at once make one report. ``access_key`` replaces the random key (``access_key_for``).
    """
    if source not in Case.Source.values:
        raise ValueError(f"unknown source {source!r}")
    errors: dict[str, list[str]] = {}
    file_codes: set[str] = set()
    # Agencies and staff may file incidents older than the public limit, with a reason.
    cleaned = _clean_report(data, errors, past_allowed=actor is not None)
    clean_files = _clean_files(files, errors, file_codes)
    if set(errors) == {"incident_date_reason"}:
        raise IntakeError(errors, code=REASON_REQUIRED)
    _raise_if(errors, file_codes)
    # Agency filing (issue #10 finding 2): the source fits the filer, the region is in its reach.
    if refused := filers.filing_problems(actor=actor, source=source, region=cleaned["region"], owner=agency):
        raise IntakeError(refused, code="forbidden", message=_("Instansi Anda tidak dapat mengajukan kasus ini."))
    if key and clean_files and (first := Report.objects.filter(submission_key=key).first()):
        return _replayed(first, cleaned, access_key)  # before storing the files again

    owner = agency if agency is not None else opening.ROUTE
    # A public report of text and links is accepted alone; its case is opened by a batch.
    defer = (
        source == Case.Source.PUBLIC_REPORT
        and actor is None
        and agency is None  # a batch routes by region: an explicit owner is honoured at once
        and not clean_files
        and opening.defer_opening()
    )
    # Only the public reporter gets an access key: an agency-filed case has no reporter channel,
    # so no status page or reporter message can be opened with it ("" matches no key's hash).
    access_key = (access_key or new_access_key()) if source == Case.Source.PUBLIC_REPORT and actor is None else ""
    stored = _store(clean_files)
    try:
        for attempt in range(RECEIPT_ATTEMPTS):
            receipt_code = new_receipt_code()
            try:
                # Deferred: one INSERT, committed on its own (autocommit: no BEGIN and COMMIT
                # round trips) and taking no writer turn: SQLite holds its lock only inside that
                # statement, in C, while a turn would also be held through the ORM's Python.
                # Else the report and its case in one transaction, in the writers' turn.
                turn = contextlib.nullcontext() if defer else opening.writer_turn()
                one_transaction = contextlib.nullcontext() if defer else transaction.atomic()
                with turn, one_transaction:
                    report = _accept(cleaned, receipt_code=receipt_code, access_key=access_key, key=key)
                    if not defer:
                        opening.open_cases(
                            [report],
                            source=source,
                            source_reference=source_reference,
                            agency=owner,
                            actor=actor,
                            stored=stored,
                        )
                break
            except IntegrityError:
                if key and (first := Report.objects.filter(submission_key=key).first()):
                    _discard(stored)
                    stored = []
                    return _replayed(first, cleaned, access_key)
                # A receipt code already taken (about one in a million at a million reports):
                # the whole transaction is tried again with a new code. Cheaper than a savepoint
                # around every report's INSERT, which cost two more statements each time.
                if attempt == RECEIPT_ATTEMPTS - 1 or not Report.objects.filter(receipt_code=receipt_code).exists():
                    raise
    except BaseException:
        _discard(stored)
        raise
    if defer:
        transaction.on_commit(opening.open_after_commit, robust=True)  # runs now: the report has committed
    return Receipt(receipt_code=report.receipt_code, access_key=access_key, report=report)


def _replayed(report: Report, cleaned: dict, access_key: str | None) -> Receipt:
    """The receipt of a submission already stored under its key (or SubmissionReused)."""
    if not _same_submission(report, cleaned):
        raise SubmissionReused(report)
    # The key is given back only when the caller derived it and it is this report's.
    key = access_key if access_key and hash_access_key(access_key) == report.access_key_hash else ""
    return Receipt(receipt_code=report.receipt_code, access_key=key, report=report, replayed=True)


def _same_submission(report: Report, cleaned: dict) -> bool:
    subject = _subject(cleaned)
    return (
        report.description == cleaned["description"]
        and report.incident_date == cleaned["incident_date"]
        and report.region_id == (cleaned["region"].pk if cleaned["region"] else None)
        and report.election_id == (cleaned["election"].pk if cleaned["election"] else None)
        and report.location == cleaned["location"]
        and list(report.links) == list(cleaned["links"])
        and report.contact == cleaned["contact"]
        and dict(report.subject) == subject
    )


def _subject(cleaned: dict) -> dict:
    subject = {
        "name": cleaned["subject_name"],
        "nip": cleaned["subject_nip"] or "",
        "position": cleaned["subject_position"],
        "agency": cleaned["subject_agency"],
    }
    return {name: value for name, value in subject.items() if value}


def _accept(cleaned: dict, *, receipt_code: str, access_key: str, key: str | None = None) -> Report:
    """The report row alone: everything its case will be opened from."""
    return Report.objects.create(
        description=cleaned["description"],
        incident_date=cleaned["incident_date"],
        location=cleaned["location"],
        links=cleaned["links"],
        contact=cleaned["contact"],
        region=cleaned["region"],
        election=cleaned["election"],
        subject=_subject(cleaned),
        receipt_code=receipt_code,
        access_key_hash=hash_access_key(access_key) if access_key else "",
        submission_key=key or None,
        incident_date_reason=cleaned.get("incident_date_reason", ""),
    )


def report_exists(*, key: str) -> bool:
    """Whether a report was already accepted under this submission key."""
    return Report.objects.filter(submission_key=key).exists()


def report_lookup(*, receipt_code: str, access_key: str) -> Report | None:
    """The report for a code + key, or None for an unknown code or a wrong/missing key alike."""
    code = normalize_receipt_code(receipt_code)
    report = Report.objects.select_related("case").filter(receipt_code=code).first() if code else None
    stored_hash = report.access_key_hash if report else _DUMMY_HASH
    given_hash = hash_access_key((access_key or "").strip())
    if not hmac.compare_digest(given_hash, stored_hash) or report is None or not stored_hash:
        return None
    return report


def evidence_add(*, report: Report, files: Sequence) -> list[Evidence]:
    """The reporter hands in more evidence later; the count limit spans the whole report."""
    return evidence_add_once(report=report, files=files)[0]


def evidence_add_once(*, report: Report, files: Sequence, key: str | None = None) -> tuple[list[Evidence], bool]:
    """:func:`evidence_add` under a single-use ``key`` (:func:`submission_key`, scoped to the
    report): a second upload with the same key stores nothing and returns the first one's rows.
    Returns (rows, replayed)."""
    files = list(files)
    if not files:
        return [], False
    if key and (done := _followup(key)) is not None:
        return list(Evidence.objects.filter(pk__in=done.evidence_ids).order_by("pk")), True
    errors: dict[str, list[str]] = {}
    file_codes: set[str] = set()
    clean_files = _clean_files(files, errors, file_codes, already=report.evidence.count())
    _raise_if(errors, file_codes)
    stored = _store(clean_files)
    try:
        with opening.writer_turn(), transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            # Under the report's lock: a twin upload waits here, then finds the first one's record.
            if key and (done := _followup(key)) is not None:
                _discard(stored)
                return list(Evidence.objects.filter(pk__in=done.evidence_ids).order_by("pk")), True
            # Counted again under the lock: two uploads at once must not pass the limit together.
            if locked.evidence.count() + len(stored) > max_evidence_files():
                raise IntakeError(
                    {
                        "files": [
                            _("Terlalu banyak berkas: paling banyak %(max)d bukti per laporan.")
                            % {"max": max_evidence_files()}
                        ]
                    }
                )
            case = opening.opened_case(locked).surviving_case()
            rows = opening.evidence_rows(stored, case=case, report=locked, uploaded_by=Evidence.UploadedBy.REPORTER)
            Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
            if key:
                ReporterSubmission.objects.create(
                    key=key, report=locked, kind=ReporterSubmission.Kind.EVIDENCE, evidence_ids=[r.pk for r in rows]
                )
            record(
                REPORTER_ACTOR,
                "report.evidence_added",
                obj=case,
                report_id=report.pk,
                evidence_ids=[r.pk for r in rows],
            )
    except BaseException:
        _discard(stored)
        raise
    return rows, False


def _followup(key: str) -> ReporterSubmission | None:
    return ReporterSubmission.objects.filter(key=key).first()


def reporter_message_add(*, report: Report, body: str) -> Message:
    return reporter_message_add_once(report=report, body=body)[0]


def reporter_message_add_once(*, report: Report, body: str, key: str | None = None) -> tuple[Message, bool]:
    """A message from the reporter; under a single-use ``key`` a second send with the same key
    stores nothing and returns the first message (a different text under the same key raises
    SubmissionReused). Returns (message, replayed). A message to a closed case is kept (Satgas
    still read it); the caller tells the reporter that it does not reopen the case."""
    errors: dict[str, list[str]] = {}
    text = _text({"body": body}, "body", errors, max_len=MESSAGE_MAX, required=True)
    _raise_if(errors, set())
    with opening.writer_turn(), transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if key and (done := _followup(key)) is not None and done.message is not None:
            if done.message.body != text:
                raise SubmissionReused(report)
            return done.message, True
        case = opening.opened_case(locked).surviving_case()
        message = Message.objects.create(case=case, report=report, sender=Message.Sender.REPORTER, body=text)
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
        if key:
            ReporterSubmission.objects.create(
                key=key, report=locked, kind=ReporterSubmission.Kind.MESSAGE, message=message
            )
        record(REPORTER_ACTOR, "report.message_added", obj=case, report_id=report.pk, message_id=message.pk)
    return message, False


def report_is_closed(report: Report) -> bool:
    """Whether the report's case has ended (closed, dismissed, merged away or forwarded out)."""
    case = Case.objects.filter(reports__pk=report.pk).first()
    return case is not None and case.surviving_case().status in {str(s) for s in Case.TERMINAL_STATES}


# What happens next, in plain words, for the reporter's status page (issue #17).
_NEXT_STEP: dict[str, Any] = {
    Case.Status.RECEIVED: _("Satgas akan membaca laporan Anda dan memeriksa apakah bisa ditindaklanjuti."),
    Case.Status.CHECKING: _(
        "Satgas sedang memeriksa kelengkapan laporan. Mungkin Satgas mengirim pertanyaan di bawah."
    ),
    Case.Status.VERIFICATION: _("Satgas sedang memastikan kebenaran laporan, misalnya dengan mengecek bukti."),
    Case.Status.EXAMINATION: _("Pihak yang dilaporkan sedang dimintai keterangan."),
    Case.Status.RECOMMENDATION: _("Satgas sedang menyusun rekomendasi untuk pejabat yang berwenang."),
    Case.Status.AWAITING_DECISION: _("Pejabat yang berwenang (PPK) sedang memutuskan tindak lanjutnya."),
    Case.Status.ESCALATED: _("Kasus ini diteruskan ke BKN untuk diputuskan."),
    Case.Status.DECIDED: _("Keputusan sudah dijatuhkan; tinggal pelaksanaannya."),
}
_OUTCOME: dict[str, Any] = {
    Case.Status.CLOSED: _("Penanganan laporan ini sudah selesai."),
    Case.Status.DECIDED: _("Pelanggaran terbukti dan keputusan sudah dijatuhkan kepada ASN yang dilaporkan."),
    Case.Status.MERGED: _(
        "Laporan Anda digabung dengan laporan lain tentang kejadian yang sama; penanganannya berlanjut bersama."
    ),
    Case.Status.FORWARDED: _("Laporan Anda diteruskan ke lembaga lain yang berwenang: %(to)s."),
}
_DISMISSED_BECAUSE = {
    "not_asn": _("Penanganan dihentikan: orang yang dilaporkan bukan ASN."),
    "insufficient_evidence": _("Penanganan dihentikan: bukti belum cukup untuk ditindaklanjuti."),
    "not_a_violation": _("Penanganan dihentikan: perbuatan yang dilaporkan bukan pelanggaran netralitas."),
    "out_of_scope": _("Penanganan dihentikan: laporan ini di luar kewenangan Satgas."),
    "not_proven": _("Penanganan dihentikan: setelah diperiksa, pelanggaran tidak terbukti."),
    "duplicate": _("Penanganan dihentikan: kejadian yang sama sudah dilaporkan dan ditangani."),
}


def _outcome(case: Case) -> str:
    if case.status == Case.Status.DISMISSED:
        return str(_DISMISSED_BECAUSE.get(case.dismissal_reason, _("Penanganan laporan ini dihentikan.")))
    if case.status == Case.Status.FORWARDED:
        to = case.forwarded_to_external or (case.agency.name if case.agency else "")
        return str(_OUTCOME[Case.Status.FORWARDED]) % {"to": to}
    return str(_OUTCOME.get(case.status, ""))


def report_status(report: Report) -> dict:
    """What the reporter may see: state, public timeline and the conversation. No staff names."""
    from netra.cases.selectors import public_timeline

    case = report.case.surviving_case() if report.case is not None else None
    if case is None:  # accepted, its case not opened yet: to the reporter it is received
        received = {"status": Case.Status.RECEIVED, "label": str(Case.Status.RECEIVED.label), "at": report.submitted_at}
        status, label, timeline = received["status"], received["label"], [{**received, "note": ""}]
    else:
        status, label, timeline = case.status, str(case.get_status_display()), public_timeline(cast(Case, report.case))
    messages: list[dict[str, Any]] = [
        {"from": message.sender, "body": message.body, "at": message.created_at}
        for message in report.messages.order_by("created_at", "pk")
    ]
    return {
        "receipt_code": report.receipt_code,
        "status": status,
        "status_label": label,
        "submitted_at": report.submitted_at,
        "timeline": timeline,
        "messages": messages,
    }


def report_status_page(report: Report) -> dict:
    """:func:`report_status` and what the reporter's own page adds (issue #17): the outcome and
    the next step in plain words, the agency handling it (never a person), the reporter's
    evidence, and the messages newest first with unanswered Satgas replies marked new."""
    status = report_status(report)
    case = report.case.surviving_case() if report.case is not None else None
    messages = status["messages"]
    # "New": a Satgas message after the reporter's last word (nothing is kept about who read what).
    last_own = max((m["at"] for m in messages if m["from"] == Message.Sender.REPORTER), default=None)
    return {
        **status,
        "newest_first": [
            {**m, "new": m["from"] != Message.Sender.REPORTER and (last_own is None or m["at"] > last_own)}
            for m in reversed(messages)
        ],
        "handled_by": case.agency.name if case is not None and case.agency else "",
        "next_step": str(_NEXT_STEP.get(str(status["status"]), ""))
        if status["status"] not in Case.TERMINAL_STATES
        else "",
        "outcome": _outcome(case) if case is not None else "",
        "evidence": [
            {"content_type": e.content_type, "size": e.size, "at": e.uploaded_at}
            for e in Evidence.objects.filter(report=report, uploaded_by=Evidence.UploadedBy.REPORTER).order_by("pk")
        ],
    }
