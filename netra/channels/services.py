"""What every channel shares: the sender's hash, replies through the outbox, the report, the thread.

All intake goes through ``netra.cases.intake``. Nothing here logs an address, a number or a text.

Thread continuation: a receipt code is not a secret (it is printed, read out, photographed), so
a message quoting it joins the report's thread only when it comes **from the same sender**
(the keyed hash of the address or number recorded when the report came in) **or** quotes the
access key as well. Anything else — an unknown code, a known code from another sender without
the key — gets the same neutral reply, which says nothing about whether the code exists.
"""

from __future__ import annotations

import datetime
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from netra.audit.services import record
from netra.cases import intake
from netra.cases.models import Report
from netra.cases.nip import today_easternmost
from netra.catalog.models import Region
from netra.channels.models import Channel, ChannelReport, InboundMessage, OutboundMessage

CODE_RE = re.compile(r"NTR[\s\-_.]?[0-9A-Z]{4}[\s\-_.]?[0-9A-Z]{4}", re.IGNORECASE)
KEY_RE = re.compile(r"\b(?:[0-9A-Z]{4}[\s\-]?){6}[0-9A-Z]{4}\b", re.IGNORECASE)
CHANNEL_ACTOR = "channel"

CONTACT_LABEL = {Channel.EMAIL: "E-mail", Channel.WHATSAPP: "WhatsApp", Channel.SMS: "SMS"}


def sender_hash(channel: str, address: str) -> str:
    """A keyed hash of a normalised address: equal for the same sender, useless without SECRET_KEY."""
    normal = address.strip().lower()
    if channel != Channel.EMAIL:
        normal = re.sub(r"[^\d]", "", normal)
    return salted_hmac("netra.channels.sender", f"{channel}:{normal}", algorithm="sha256").hexdigest()


def claim(channel: str, external_id: str) -> InboundMessage | None:
    """The row that makes this provider message ours to process, or None when it was already seen."""
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(channel=channel, external_id=external_id[:255])
    except IntegrityError:
        return None


def reply(channel: str, address: str, body: str, *, subject: str = "", reply_from: str = "") -> OutboundMessage:
    """Queue a reply; the worker sends it (``netra.channels.outbox``). Never blocks intake."""
    return OutboundMessage.objects.create(
        channel=channel,
        address=address,
        body=body,
        subject=subject[:200],
        reply_from=reply_from,
        next_attempt_at=timezone.now(),
    )


# --- reading what a reporter wrote --------------------------------------------------------------


def receipt_codes(text: str) -> list[str]:
    return [code for raw in CODE_RE.findall(text or "") if (code := intake.normalize_receipt_code(raw))]


def access_keys(text: str) -> list[str]:
    # The receipt codes out first: their groups of four would run into the key's.
    return [m for m in KEY_RE.findall(CODE_RE.sub(" ", text or "")) if intake.normalize_access_key(m)]


_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        start=1,
    )
}


def parse_date(text: str) -> datetime.date | None:
    """A date as people write it: "hari ini", "kemarin", 2024-11-20, 20-11-2024, 20/11/2024, 20 November 2024."""
    value = (text or "").strip().lower()
    today = today_easternmost()
    if "hari ini" in value or value == "tadi":
        return today
    if "kemarin lusa" in value:
        return today - datetime.timedelta(days=2)
    if "kemarin" in value:
        return today - datetime.timedelta(days=1)
    try:
        if m := re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", value):
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.search(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b", value):
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.search(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", value):
            return datetime.date(int(m[3]), _MONTHS[m[2]], int(m[1]))
    except ValueError:
        return None
    return None


def find_region(text: str) -> Region | None:
    """The kabupaten/kota (else province) whose name the text mentions, longest name first."""
    value = (text or "").lower()
    if not value:
        return None
    best = None
    for region in Region.objects.only("code", "name", "kind"):
        name = region.name.lower()
        for prefix in ("kabupaten ", "kab. ", "kota ", "provinsi "):
            name = name.removeprefix(prefix)
        if len(name) >= 4 and re.search(rf"\b{re.escape(name)}\b", value):
            rank = (region.kind != Region.Kind.PROVINCE, len(name))
            if best is None or rank > best[0]:
                best = (rank, region)
    return best[1] if best else None


def default_region_code() -> str:
    return settings.NETRA_CHANNEL_DEFAULT_REGION


# --- the report and its thread ------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one inbound message: the reply to send and, if any, the report it touched."""

    reply: str
    report: Report | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)


def receipt_text(receipt: intake.Receipt) -> str:
    return _(
        "Laporan Anda sudah kami terima.\n"
        "Kode laporan: %(code)s\n"
        "Kunci akses: %(key)s\n"
        "Simpan keduanya dan jangan bagikan kunci akses kepada siapa pun. Dengan keduanya Anda dapat "
        "melihat perkembangan laporan di situs Netra. Untuk menambah keterangan, balas dengan "
        "menyebut kode laporan."
    ) % {"code": receipt.receipt_code, "key": receipt.access_key}


def problems_text(error: intake.IntakeError) -> str:
    lines = [str(error.message)]
    for messages in error.fields.values():
        lines += [f"- {m}" for m in messages]
    return "\n".join(lines)


NEUTRAL_REPLY = gettext_lazy(
    "Pesan Anda belum dapat kami hubungkan dengan laporan mana pun. Jika Anda ingin menambah "
    "keterangan pada laporan Anda, kirim dari nomor atau alamat yang sama dengan kode laporan, atau "
    "sertakan kode laporan beserta kunci aksesnya. Untuk laporan baru, kirim uraian kejadian."
)


def submit(*, channel: str, address: str, data: dict, files: list, inbound: InboundMessage | None = None) -> Outcome:
    """A new report from a channel: through the one intake service, the sender's address as contact."""
    data = {**data, "contact": f"{CONTACT_LABEL[Channel(channel)]}: {address}"[:200]}
    try:
        receipt = intake.report_submit(data=data, files=files)
    except intake.IntakeError as error:
        return Outcome(reply=problems_text(error), problems=error.fields)
    with transaction.atomic():
        ChannelReport.objects.create(report=receipt.report, channel=channel, sender_hash=sender_hash(channel, address))
        if inbound is not None:
            InboundMessage.objects.filter(pk=inbound.pk).update(report=receipt.report)
        record(CHANNEL_ACTOR, "channel.report_received", obj=receipt.report, agency=None, channel=channel)
    return Outcome(reply=receipt_text(receipt), report=receipt.report)


def thread_report(*, channel: str, address: str, text: str) -> tuple[Report | None, bool]:
    """(the report a message quotes and may join, whether it quoted any code at all)."""
    codes = receipt_codes(text)
    if not codes:
        return None, False
    mine = sender_hash(channel, address)
    for code in codes:
        report = Report.objects.filter(receipt_code=code).first()
        origin = ChannelReport.objects.filter(report=report).first() if report else None
        if report is not None and origin is not None and hmac.compare_digest(origin.sender_hash, mine):
            return report, True
        for key in access_keys(text):
            if (found := intake.report_lookup(receipt_code=code, access_key=key)) is not None:
                return found, True
    return None, True


def continue_thread(*, report: Report, text: str, files: list) -> Outcome:
    """A later message quoting the code: a reporter message (and evidence) on that report."""
    body = text.strip()
    try:
        if files:
            intake.evidence_add(report=report, files=files)
        if body:
            intake.reporter_message_add(report=report, body=body)
    except intake.IntakeError as error:
        return Outcome(reply=problems_text(error), report=report, problems=error.fields)
    answer = _("Pesan Anda untuk laporan %(code)s sudah kami teruskan kepada Satgas.") % {"code": report.receipt_code}
    if intake.report_is_closed(report):
        answer += " " + _("Penanganan laporan ini sudah selesai; pesan Anda tetap dibaca Satgas.")
    return Outcome(reply=answer, report=report)


RETENTION_ACTOR = "system:retention"


def purge(*, older_than_days: int, now: datetime.datetime | None = None) -> dict[str, int]:
    """Retention hook: forget channel data older than the given age (``apply_retention`` calls this).

    Inbound ids, sender hashes and stale conversations go; replies already sent or given up lose
    their address and text (they normally have already). A report whose contact the retention run
    already removed (``Report.contact`` blank) also loses its sender hash at once: nothing links the
    number to the report any more. Audited like the other retention deletions: one event per case
    (the report ids) and one summary (the counts), never an address.
    """
    from netra.channels.models import Conversation

    cutoff = (now or timezone.now()) - datetime.timedelta(days=older_than_days)
    with transaction.atomic():
        origins = ChannelReport.objects.filter(created_at__lt=cutoff) | ChannelReport.objects.filter(report__contact="")
        by_case: dict[int | None, list[int]] = {}
        for report_id, case_id in origins.values_list("report_id", "report__case_id"):
            by_case.setdefault(case_id, []).append(report_id)
        counts = {
            "inbound": InboundMessage.objects.filter(received_at__lt=cutoff).delete()[0],
            "origins": ChannelReport.objects.filter(pk__in=origins.values("pk")).delete()[0],
            "conversations": Conversation.objects.filter(updated_at__lt=cutoff).delete()[0],
            "outbound": OutboundMessage.objects.filter(created_at__lt=cutoff).delete()[0],
        }
        from netra.cases.models import Case

        for case in Case.objects.filter(pk__in=[pk for pk in by_case if pk is not None]).order_by("pk"):
            record(RETENTION_ACTOR, "retention.channel_origin_removed", case, reports=sorted(by_case[case.pk]))
        if any(counts.values()):
            record(RETENTION_ACTOR, "retention.channel_data_removed", None, agency=None, days=older_than_days, **counts)
    return counts
