"""The short chat flow of SMS and WhatsApp, in Indonesian: what happened → where → when → send.

"BATAL" cancels at any step. State is one ``Conversation`` row keyed by the sender's hash; its
answers (text, media ids) stay there only until the report is sent or cancelled. A message that
quotes a receipt code is never a new conversation: it continues that report's thread (or gets
the neutral reply, ``netra.channels.services``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from netra.cases import evidence as evidence_files
from netra.cases import intake
from netra.channels import services
from netra.channels.models import Conversation

Step = Conversation.Step
CANCEL_WORDS = {"batal", "stop", "berhenti"}
SEND_WORDS = {"kirim", "ya", "y", "ok", "oke"}
MAX_MEDIA = 5


@dataclass
class Incoming:
    """One message from a chat provider, already verified and parsed by its adapter."""

    channel: str
    sender: str  # the number; never logged, kept only in Report.contact and pending replies
    external_id: str
    text: str = ""
    media: list[str] | None = None  # provider media ids (WhatsApp); fetched through ``fetch_media``
    reply_from: str = ""  # Twilio: our number the reporter wrote to (the reply's From)


class MediaUnavailable(Exception):
    """A provider's media could not be fetched (the text is a category, never an address)."""


FetchMedia = Callable[[str], tuple[bytes, str]]  # media id -> (bytes, file name)


def _ask(step: str) -> str:
    return {
        Step.WHAT: _(
            "Terima kasih telah menghubungi Netra. Ceritakan apa yang terjadi: siapa ASN-nya, apa yang "
            "dilakukannya. Anda boleh mengirim foto atau dokumen. Balas BATAL untuk membatalkan."
        ),
        Step.WHERE: _("Di mana kejadiannya? Sebutkan tempat dan kabupaten/kotanya."),
        Step.WHEN: _("Kapan kejadiannya? Misalnya: hari ini, kemarin, atau 20-11-2024."),
        Step.CONFIRM: _("Balas KIRIM untuk mengirim laporan, atau BATAL untuk membatalkan."),
    }[Step(step)]


def _files(media_ids: list[str], fetch_media: FetchMedia):
    from django.core.files.base import ContentFile

    files = []
    for media_id in media_ids:
        data, name = fetch_media(media_id)
        files.append(ContentFile(data, name=name))
    return files


def _media_problems(media_ids: list[str], fetch_media: FetchMedia) -> list[str]:
    """Each new file checked (type, size, and cleaned once) on arrival: the reporter hears at once."""
    try:
        uploads = _files(media_ids, fetch_media)
    except MediaUnavailable:
        return [_("Berkas Anda tidak dapat kami ambil. Coba kirim lagi.")]
    problems = []
    for upload in uploads:
        try:
            evidence_files.clean(upload)
        except evidence_files.FileRejected as rejected:
            problems.append(rejected.message)
    return problems


def process(message: Incoming, fetch_media: FetchMedia) -> bool:
    """Claim, handle and queue the reply of one message; False for a redelivery (nothing done).

    A failure releases the claim so the provider's retry is processed again.
    """
    inbound = services.claim(message.channel, message.external_id)
    if inbound is None:
        return False
    try:
        answer = handle(message, fetch_media)
        services.reply(message.channel, message.sender, answer, reply_from=message.reply_from)
    except BaseException:
        inbound.delete()
        raise
    return True


def handle(message: Incoming, fetch_media: FetchMedia) -> str:
    """Process one verified incoming chat message; return the reply text (queued by the caller)."""
    text = (message.text or "").strip()
    media = list(message.media or [])
    sender = services.sender_hash(message.channel, message.sender)
    conversation = Conversation.objects.filter(channel=message.channel, sender_hash=sender).first()

    if services.receipt_codes(text) and (conversation is None or conversation.step == Step.WHAT):
        report, _quoted = services.thread_report(channel=message.channel, address=message.sender, text=text)
        if report is None:
            return str(services.NEUTRAL_REPLY)
        try:
            files = _files(media, fetch_media)
        except MediaUnavailable:
            return _("Berkas Anda tidak dapat kami ambil. Coba kirim lagi.")
        return services.continue_thread(report=report, text=text, files=files).reply

    if text.lower() in CANCEL_WORDS:
        if conversation is not None:
            conversation.delete()
        return _("Laporan dibatalkan. Tidak ada yang disimpan. Kirim pesan lagi kapan saja untuk mulai dari awal.")

    if conversation is None:
        conversation = Conversation(channel=message.channel, sender_hash=sender, answers={})
    answers = conversation.answers
    warnings = []
    if media:
        problems = _media_problems(media, fetch_media)
        if problems:
            warnings += problems
        else:
            answers["media"] = (answers.get("media", []) + media)[:MAX_MEDIA]

    step = conversation.step
    if step == Step.WHAT:
        if text:
            answers["description"] = (answers.get("description", "") + "\n" + text).strip()
        if len(answers.get("description", "")) >= intake.DESCRIPTION_MIN:
            step = Step.WHERE
        elif text or not media:
            warnings.append(
                _("Ceritakan sedikit lebih lengkap (paling sedikit %(min)d karakter).")
                % {"min": intake.DESCRIPTION_MIN}
            )
    elif step == Step.WHERE and text:
        region = services.find_region(text)
        code = region.code if region else services.default_region_code()
        if code:
            answers["location"], answers["region_code"] = text[:300], code
            step = Step.WHEN
        else:
            warnings.append(_("Kabupaten/kota itu belum kami kenali. Tulis nama kabupaten/kotanya, misalnya Katingan."))
    elif step == Step.WHEN and text:
        date = services.parse_date(text)
        if date is None:
            warnings.append(_("Tanggal itu belum kami pahami."))
        else:
            answers["incident_date"] = date.isoformat()
            step = Step.CONFIRM
    elif step == Step.CONFIRM and text.lower() in SEND_WORDS:
        return _send(message, conversation, fetch_media)

    conversation.step, conversation.answers = step, answers
    conversation.save()
    return "\n".join([*map(str, warnings), _ask(step)])


def _send(message: Incoming, conversation: Conversation, fetch_media: FetchMedia) -> str:
    answers = conversation.answers
    data = {
        "description": answers.get("description", ""),
        "location": answers.get("location", ""),
        "region_code": answers.get("region_code", ""),
        "incident_date": answers.get("incident_date", ""),
    }
    try:
        files = _files(answers.get("media", []), fetch_media)
    except MediaUnavailable:
        return _("Berkas Anda tidak dapat kami ambil saat ini. Balas KIRIM lagi sebentar lagi, atau BATAL.")
    outcome = services.submit(channel=message.channel, address=message.sender, data=data, files=files)
    if outcome.report is not None:
        with transaction.atomic():
            conversation.delete()
    return outcome.reply
