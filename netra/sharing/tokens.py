"""API tokens: issue, look up, revoke.

Format: ``ntr_<prefix>_<secret>`` — ``prefix`` is 8 lower-case base32 characters kept in clear
to tell tokens apart (lists, audit log), ``secret`` is 32 random bytes (URL-safe base64). The
database keeps SHA-256(token) only; the token itself is shown once, when it is issued.
"""

import base64
import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from netra.audit.services import record
from netra.orgs.models import Agency, Membership
from netra.sharing import webhooks
from netra.sharing.models import ApiToken

TOKEN_PREFIX = "ntr"  # noqa: S105 (a label, not a secret)
_TOKEN_RE = re.compile(r"^ntr_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$")
# last_used_at is written at most this often per token: reading the API must not mean writing.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # exists only here


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _new_prefix() -> str:
    return base64.b32encode(secrets.token_bytes(5)).decode().lower()  # 8 chars, 40 bits


def issue_token(*, agency: Agency, role: str, name: str, created_by=None) -> IssuedToken:
    """Create a token for ``agency`` acting in ``role``; the plaintext is returned only here."""
    if role not in Membership.Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        for _attempt in range(5):
            prefix = _new_prefix()
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        token = ApiToken.objects.create(
            agency=agency,
            role=role,
            name=name.strip()[:100] or prefix,
            prefix=prefix,
            token_hash=hash_token(plaintext),
            created_by=created_by,
        )
        record(created_by, "api_token.created", obj=token, prefix=prefix, role=role)
    return IssuedToken(token=token, plaintext=plaintext)


def revoke_token(*, token: ApiToken, revoked_by=None) -> ApiToken:
    """Revoke a token (its next call answers 401) and stop the webhooks it created."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save(update_fields=["revoked_at", "revoked_by"])
        # A leaked token may have subscribed a URL of its own: its subscriptions end with it.
        stopped = [
            sub.pk
            for sub in token.webhook_subscriptions.filter(deleted_at__isnull=True)
            if webhooks.unsubscribe(subscription=sub, actor=revoked_by, audit=False)
        ]
        record(revoked_by, "api_token.revoked", obj=token, prefix=token.prefix, webhook_subscription_ids=stopped)
    return token


def find_token(plaintext: str) -> ApiToken | None:
    """The live token for a presented string, or None (unknown, malformed or revoked alike)."""
    plaintext = (plaintext or "").strip()
    if not _TOKEN_RE.match(plaintext):
        return None
    token = (
        ApiToken.objects.select_related("agency")
        .filter(token_hash=hash_token(plaintext), revoked_at__isnull=True, agency__active=True)
        .first()
    )
    return token


def touch(token: ApiToken) -> None:
    """Record use, at most once per TOUCH_INTERVAL (a conditional UPDATE: no lock, no read)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - TOUCH_INTERVAL).update(last_used_at=now)
    token.last_used_at = now
