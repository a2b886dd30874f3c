"""One small adapter per provider format: verify the signature, parse, fetch media, send a reply.

* **WhatsApp Business Cloud API** (Meta): GET handshake (``hub.mode=subscribe``,
  ``hub.verify_token``, answer ``hub.challenge``); POSTs signed ``X-Hub-Signature-256:
  sha256=<HMAC-SHA256 of the raw body with the app secret>``; ``text``, ``image`` and
  ``document`` messages; media by id: ``GET {graph}/{media-id}`` → ``{"url": …}``, then that
  URL, both with the bearer token; replies ``POST {graph}/{phone-number-id}/messages``.
* **Generic JSON SMS gateway**: ``POST {"id", "from", "text"}`` signed ``X-Netra-Signature:
  sha256=<HMAC-SHA256 of the raw body with NETRA_SMS_SECRET>``; replies ``POST
  NETRA_SMS_SEND_URL {"to", "text"}`` signed the same way (most Android SMS gateways and
  aggregators can be set up to post and accept such JSON).
* **Twilio-format SMS webhook**: form-encoded posts signed ``X-Twilio-Signature`` (base64
  HMAC-SHA1 over the configured URL and the sorted parameters), ``MessageSid`` as the delivery
  key, media with basic auth, replies through the Messages REST resource.

Every outbound request goes through ``netra.outbound`` (SSRF guard, no redirects).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

from django.conf import settings

from netra import outbound
from netra.channels.chat import Incoming, MediaUnavailable
from netra.channels.models import Channel


class Refused(Exception):
    """The request is not from the provider (bad or missing signature) or not of its format."""


def _signature_ok(secret: str, body: bytes, header: str) -> bool:
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


MediaError = MediaUnavailable


# --- WhatsApp ------------------------------------------------------------------------------------


def whatsapp_handshake(params) -> str | None:
    """The challenge to answer, or None when the verify token is wrong."""
    token = settings.NETRA_WHATSAPP_VERIFY_TOKEN
    given = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and token and hmac.compare_digest(token, given):
        return params.get("hub.challenge", "")
    return None


def whatsapp_messages(body: bytes, signature: str) -> list[Incoming]:
    if not _signature_ok(settings.NETRA_WHATSAPP_APP_SECRET, body, signature):
        raise Refused
    try:
        payload = json.loads(body)
        changes = [c for entry in payload.get("entry", []) for c in entry.get("changes", [])]
    except (ValueError, AttributeError, TypeError):
        raise Refused from None
    messages = []
    for change in changes:
        value = change.get("value") or {}
        for item in value.get("messages") or []:  # "statuses" (delivery receipts) are not messages
            kind = item.get("type")
            text, media = "", []
            if kind == "text":
                text = (item.get("text") or {}).get("body", "")
            elif kind in ("image", "document"):
                part = item.get(kind) or {}
                text = part.get("caption", "")
                if part.get("id"):
                    media = [str(part["id"])]
            else:
                text = ""  # audio, stickers, locations…: answered with the current question
            if item.get("from") and item.get("id"):
                messages.append(
                    Incoming(
                        channel=Channel.WHATSAPP,
                        sender=str(item["from"]),
                        external_id=str(item["id"]),
                        text=str(text or ""),
                        media=media,
                    )
                )
    return messages


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.NETRA_WHATSAPP_ACCESS_TOKEN}"}


def whatsapp_media(media_id: str) -> tuple[bytes, str]:
    """The bytes of a media id (at most one byte over the evidence limit: the check then refuses)."""
    base = settings.NETRA_WHATSAPP_GRAPH_URL.rstrip("/")
    try:
        meta = outbound.fetch("GET", f"{base}/{media_id}", headers=_bearer(), max_body=64 * 1024)
        if meta.status != 200:
            raise MediaError(f"http_{meta.status}")
        info = json.loads(meta.body)
        limit = settings.NETRA_EVIDENCE_MAX_BYTES + 1
        answer = outbound.fetch("GET", str(info["url"]), headers=_bearer(), max_body=limit, timeout=30.0)
    except outbound.Failure as failure:
        raise MediaError(failure.category) from None
    except (ValueError, KeyError, TypeError):
        raise MediaError("bad_answer") from None
    if answer.status != 200:
        raise MediaError(f"http_{answer.status}")
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}.get(
        info.get("mime_type", ""), "bin"
    )
    return answer.body, f"whatsapp.{extension}"


def whatsapp_send(to: str, text: str) -> None:
    base = settings.NETRA_WHATSAPP_GRAPH_URL.rstrip("/")
    body = json.dumps(
        {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text[:4096]}}
    ).encode()
    answer = outbound.post(
        f"{base}/{settings.NETRA_WHATSAPP_PHONE_NUMBER_ID}/messages",
        body,
        {**_bearer(), "Content-Type": "application/json"},
    )
    if not 200 <= answer.status < 300:
        raise outbound.Failure(f"http_{answer.status}")


# --- SMS (generic JSON gateway) --------------------------------------------------------------------


def sms_messages(body: bytes, signature: str) -> list[Incoming]:
    if not _signature_ok(settings.NETRA_SMS_SECRET, body, signature):
        raise Refused
    try:
        payload = json.loads(body)
        return [
            Incoming(
                channel=Channel.SMS,
                sender=str(payload["from"]),
                external_id=str(payload["id"]),
                text=str(payload.get("text") or ""),
            )
        ]
    except (ValueError, KeyError, TypeError):
        raise Refused from None


def sms_send(to: str, text: str) -> None:
    body = json.dumps({"to": to, "text": text}).encode()
    answer = outbound.post(
        settings.NETRA_SMS_SEND_URL,
        body,
        {"Content-Type": "application/json", "X-Netra-Signature": sign(settings.NETRA_SMS_SECRET, body)},
    )
    if not 200 <= answer.status < 300:
        raise outbound.Failure(f"http_{answer.status}")


def no_media(media_id: str) -> tuple[bytes, str]:
    raise MediaError("no_media")


# --- SMS (Twilio webhook format) ---------------------------------------------------------------
# Inbound: form-encoded ``MessageSid``, ``From``, ``To``, ``Body``, ``NumMedia``, ``MediaUrl{n}``,
# ``MediaContentType{n}``; signed ``X-Twilio-Signature`` = base64(HMAC-SHA1(auth token, URL +
# every POST parameter sorted by name, name followed by value)). The URL is the one configured
# (NETRA_TWILIO_WEBHOOK_URL), since a proxy in front may rewrite the host or scheme. Replies:
# ``POST {api}/2010-04-01/Accounts/{sid}/Messages.json`` form ``To``, ``From``, ``Body``.

TWIML_EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
TWILIO_MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def twilio_signature(token: str, url: str, params) -> str:
    """Twilio's documented request signature (also used by the tests' fake to sign)."""
    data = url
    for name in sorted(set(params.keys())):
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in sorted(set(values)):
            data += name + value
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_messages(url_query: str, params, signature: str) -> list[Incoming]:
    """``params`` are the POST parameters (a QueryDict); ``url_query`` the request's query string."""
    token, url = settings.NETRA_TWILIO_AUTH_TOKEN, settings.NETRA_TWILIO_WEBHOOK_URL
    if not token or not url or not signature:
        raise Refused
    if url_query and "?" not in url:
        url = f"{url}?{url_query}"
    if not hmac.compare_digest(twilio_signature(token, url, params), signature.strip()):
        raise Refused
    sid, sender = params.get("MessageSid") or params.get("SmsSid"), params.get("From")
    if not sid or not sender:
        raise Refused
    try:
        count = min(int(params.get("NumMedia") or 0), 10)
    except ValueError:
        raise Refused from None
    media = []
    for n in range(count):
        media_url = params.get(f"MediaUrl{n}", "")
        if media_url:
            # The type travels with the id: the chat flow fetches again at KIRIM, in a later request.
            media.append(f"{params.get(f'MediaContentType{n}', '')}|{media_url}")
    return [
        Incoming(
            channel=Channel.SMS,
            sender=str(sender),
            external_id=str(sid),
            text=str(params.get("Body") or ""),
            media=media,
            reply_from=str(params.get("To") or ""),
        )
    ]


def _twilio_auth() -> dict[str, str]:
    pair = f"{settings.NETRA_TWILIO_ACCOUNT_SID}:{settings.NETRA_TWILIO_AUTH_TOKEN}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def twilio_media(media_id: str) -> tuple[bytes, str]:
    """A Twilio media URL's bytes (basic auth); its one redirect (to the media store) without auth."""
    content_type, _sep, url = media_id.partition("|")
    limit = settings.NETRA_EVIDENCE_MAX_BYTES + 1
    try:
        answer = outbound.fetch("GET", url, headers=_twilio_auth(), max_body=limit, timeout=30.0)
        if answer.status in (301, 302, 303, 307, 308) and answer.location.startswith(("https://", "http://")):
            answer = outbound.fetch("GET", answer.location, max_body=limit, timeout=30.0)
    except outbound.Failure as failure:
        raise MediaError(failure.category) from None
    if answer.status != 200:
        raise MediaError(f"http_{answer.status}")
    return answer.body, f"sms.{TWILIO_MEDIA_TYPES.get(content_type, 'bin')}"


def twilio_send(to: str, text: str, from_number: str) -> None:
    base = settings.NETRA_TWILIO_API_URL.rstrip("/")
    body = urlencode({"To": to, "From": from_number, "Body": text[:1600]}).encode()
    answer = outbound.post(
        f"{base}/2010-04-01/Accounts/{settings.NETRA_TWILIO_ACCOUNT_SID}/Messages.json",
        body,
        {**_twilio_auth(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    if not 200 <= answer.status < 300:
        raise outbound.Failure(f"http_{answer.status}")
