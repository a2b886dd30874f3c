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

Every outbound request goes through ``netra.outbound`` (SSRF guard, no redirects).
"""

from __future__ import annotations

import hashlib
import hmac
import json

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
