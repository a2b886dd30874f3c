"""Webhook subscriptions: subscribe, unsubscribe, target checks and signatures.

A delivery body is canonical JSON (sorted keys, no spaces, UTF-8), and
``X-Netra-Signature: sha256=<hex HMAC-SHA256(secret, body)>`` signs exactly those bytes.
"""

import hashlib
import hmac
import json
import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netra import outbound
from netra.audit.services import record
from netra.sharing.models import ApiToken, WebhookDelivery, WebhookSubscription

EVENTS = tuple(WebhookSubscription.Event.values)
MAX_SUBSCRIPTIONS_PER_AGENCY = 20
SIGNATURE_HEADER = "X-Netra-Signature"
EVENT_ID_HEADER = "X-Netra-Event-Id"


class SubscriptionError(Exception):
    def __init__(self, fields: dict[str, list[str]], code: str = "validation_error"):
        super().__init__(fields)
        self.fields = fields
        self.code = code
        self.message = _("Langganan webhook tidak valid.")


def canonical_body(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (docs/integration.md); used by our own tests."""
    return hmac.compare_digest(sign(secret, body), signature or "")


_PROBLEMS = {
    outbound.INVALID_URL: lambda: _("Harus alamat web lengkap yang diawali http:// atau https://."),
    outbound.DNS_FAILED: lambda: _("Nama host tidak dapat ditemukan."),
    outbound.ADDRESS_REFUSED: lambda: _("Alamat harus dapat dijangkau dari internet (bukan alamat lokal atau privat)."),
}


def target_problem(url: str, *, resolver: outbound.Resolver | None = None) -> str | None:
    """Why ``url`` cannot be a webhook target (a sentence for the tenant), or None.

    Targets must resolve to public addresses only (``netra.outbound``; networks listed in
    ``NETRA_OUTBOUND_ALLOWED_NETWORKS`` excepted): a token holder must not make Netra call into its
    own network (SSRF). Checked at subscription for a clear answer; each delivery is checked again
    by the guard on the very address it connects to.
    """
    try:
        parts = urlsplit(url)
        if parts.username or parts.password:
            return _("Alamat tidak boleh memuat nama pengguna atau kata sandi.")
    except ValueError:
        return _PROBLEMS[outbound.INVALID_URL]()
    category = outbound.check(url, resolver)
    return _PROBLEMS[category]() if category else None


def subscribe(
    *, token: ApiToken, url: str, events: list[str], resolver: outbound.Resolver | None = None
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``url`` for the token's agency; return the subscription and its signing secret."""
    fields: dict[str, list[str]] = {}
    url = (url or "").strip()
    if problem := target_problem(url, resolver=resolver):
        fields["url"] = [problem]
    events = list(dict.fromkeys(events or []))
    if not events:
        fields["events"] = [_("Pilih paling sedikit satu peristiwa.")]
    elif unknown := [e for e in events if e not in EVENTS]:
        fields["events"] = [
            _("Peristiwa tidak dikenal: %(names)s. Pilihan: %(choices)s.")
            % {"names": ", ".join(map(str, unknown)), "choices": ", ".join(EVENTS)}
        ]
    if fields:
        raise SubscriptionError(fields)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        live = WebhookSubscription.objects.filter(agency_id=token.agency_id, deleted_at__isnull=True)
        if live.count() >= MAX_SUBSCRIPTIONS_PER_AGENCY:
            raise SubscriptionError(
                {"url": [_("Paling banyak %(max)d langganan per instansi.") % {"max": MAX_SUBSCRIPTIONS_PER_AGENCY}]},
                code="conflict",
            )
        subscription = WebhookSubscription.objects.create(
            agency_id=token.agency_id, role=token.role, token=token, url=url, events=events, secret=secret
        )
        record(token, "webhook.subscribed", obj=subscription, url=url, events=events)
    return subscription, secret


def unsubscribe(*, subscription: WebhookSubscription, actor, audit: bool = True) -> bool:
    """Stop a subscription and cancel what it still had to deliver; False if already stopped."""
    with transaction.atomic():
        stopped = WebhookSubscription.objects.filter(pk=subscription.pk, deleted_at__isnull=True).update(
            active=False, deleted_at=timezone.now()
        )
        if not stopped:
            return False
        WebhookDelivery.objects.filter(subscription=subscription, status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.CANCELLED
        )
        if audit:
            record(actor, "webhook.unsubscribed", obj=subscription, url=subscription.url)
    return True


def live_subscriptions(agency_id: int):
    return WebhookSubscription.objects.filter(agency_id=agency_id, deleted_at__isnull=True)
