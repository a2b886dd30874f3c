"""E-mail intake: mailboxes polled over IMAP by the worker (``NETRA_INTAKE_MAILBOXES``).

Each mailbox: ``{"name", "host", "port", "user", "password", "folder" (INBOX), "tls" (true),
"region_code" (optional: the region of reports that name none), "reply_from" (optional)}``.
IMAP over TLS (``IMAP4_SSL``, certificate verified); plain IMAP only when ``"tls": false`` and the
host is 127.0.0.1 / ::1 (tests), anything else is refused.

One unseen mail → one report (the text without quoted replies and signature becomes the
description, attachments become evidence through the same checks and cleaning as the form), or
a reporter message when it quotes a receipt code (subject or body) and comes from the same address
(or quotes the access key too). The Message-ID is the unique key: a mail fetched twice (the
\\Seen flag lost, two workers) is processed once. Every mail is answered by e-mail via the outbox.
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from netra.cases import intake
from netra.cases.nip import today_easternmost
from netra.channels import services
from netra.channels.models import Channel

logger = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MAX_FETCH_PER_POLL = 50

_QUOTE_HEADERS = re.compile(
    r"^(On .+ wrote:|Pada .+ menulis:|-{2,}\s*Original Message\s*-{2,}|-{2,}\s*Pesan Asli\s*-{2,}|From: .+|Dari: .+)\s*$",
    re.IGNORECASE,
)


def strip_reply(text: str) -> str:
    """The new text of a mail: quoted lines (``>``), the "On … wrote:" tail and the signature go."""
    kept = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.rstrip() in ("-- ", "--") or _QUOTE_HEADERS.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = re.sub(r"<[^>]+>", " ", content)
    return str(content)


def _attachments(message: EmailMessage) -> list[ContentFile]:
    files = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            files.append(ContentFile(data, name=part.get_filename() or "lampiran"))
    return files


def _external_id(message: EmailMessage, raw: bytes) -> str:
    message_id = str(message.get("Message-ID", "")).strip()
    return message_id[:255] if message_id else "sha256:" + hashlib.sha256(raw).hexdigest()


def _incident_date(text: str, message: EmailMessage) -> datetime.date:
    if found := services.parse_date(text):
        return found
    try:
        return parsedate_to_datetime(str(message["Date"])).date()
    except (TypeError, ValueError):
        return today_easternmost()


def handle_mail(raw: bytes, mailbox: dict) -> bool:
    """Process one raw mail; False when it was already processed (or carries no sender)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return False
    _name, address = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))
    if "@" not in address:
        return False
    inbound = services.claim(Channel.EMAIL, _external_id(message, raw))
    if inbound is None:
        return False
    try:
        subject = str(message.get("Subject", ""))
        text = strip_reply(_text_of(message))
        files = _attachments(message)
        if services.receipt_codes(f"{subject}\n{text}"):
            report, _quoted = services.thread_report(channel=Channel.EMAIL, address=address, text=f"{subject}\n{text}")
            if report is None:
                answer = str(services.NEUTRAL_REPLY)
            else:
                answer = services.continue_thread(report=report, text=text, files=files).reply
        else:
            region = services.find_region(f"{subject}\n{text}")
            code = region.code if region else (mailbox.get("region_code") or services.default_region_code())
            description = text if len(text) >= intake.DESCRIPTION_MIN or not subject else f"{subject}\n\n{text}"
            data = {
                "description": description,
                "incident_date": _incident_date(text, message).isoformat(),
                "region_code": code or "",
            }
            outcome = services.submit(channel=Channel.EMAIL, address=address, data=data, files=files, inbound=inbound)
            answer = outcome.reply
            if outcome.report is None and "region_code" in outcome.problems:
                answer += "\n" + _("Sebutkan nama kabupaten/kota tempat kejadian dalam e-mail Anda.")
        reply_subject = _("Laporan Netra") if not subject else f"Re: {subject}"
        services.reply(Channel.EMAIL, address, answer, subject=reply_subject, reply_from=mailbox.get("reply_from", ""))
    except BaseException:
        inbound.delete()
        raise
    return True


def connect(mailbox: dict) -> imaplib.IMAP4:
    host, tls = mailbox["host"], mailbox.get("tls", True)
    if tls:
        return imaplib.IMAP4_SSL(host, int(mailbox.get("port", 993)), ssl_context=ssl.create_default_context())
    if host not in LOOPBACK:
        raise ImproperlyConfigured("NETRA_INTAKE_MAILBOXES: plain IMAP is allowed only to 127.0.0.1")
    return imaplib.IMAP4(host, int(mailbox.get("port", 143)))


def poll(mailbox: dict) -> int:
    """Fetch the unseen mails of one mailbox, process each, mark it seen; the number processed."""
    done = 0
    client = connect(mailbox)
    try:
        client.login(mailbox["user"], mailbox["password"])
        client.select(mailbox.get("folder", "INBOX"))
        _status, data = client.uid("SEARCH", "UNSEEN")
        for uid in (data[0] or b"").decode().split()[:MAX_FETCH_PER_POLL]:
            _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is None:
                continue
            if handle_mail(raw, mailbox):
                done += 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return done


def poll_all(mailboxes: list[dict]) -> dict[str, int]:
    counts = {}
    for mailbox in mailboxes:
        name = mailbox.get("name") or mailbox.get("user", "?")
        try:
            counts[name] = poll(mailbox)
        except (imaplib.IMAP4.error, OSError):
            logger.warning("channels: mailbox %s could not be polled; next tick retries", name)
            counts[name] = -1
    return counts
