"""The audit log's HMAC keys: kept outside the database, so a database writer cannot forge them.

``NETRA_AUDIT_KEY`` (env) is the master key; empty, it is derived from ``SECRET_KEY`` with its
own salt (and ``SECRET_KEY_FALLBACKS`` are tried when checking). Give the audit log its own key
in production: then ``SECRET_KEY`` can rotate without every old row failing its check. When the
audit key itself rotates, put the old one in ``NETRA_AUDIT_OLD_KEYS``: rows and published heads
signed with it still verify; new ones are signed with the current key.

Two keys are derived from each master key, one per purpose: a row's MAC (written by
``record()``, checked by sealing and verification) and a published chain head's signature.
"""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

ROW = "netra.audit.row.v1"
HEAD = "netra.audit.head.v1"


def keys(purpose: str) -> tuple[bytes, ...]:
    """The keys for ``purpose``, current first."""
    if settings.NETRA_AUDIT_KEY:
        masters = (settings.NETRA_AUDIT_KEY, *settings.NETRA_AUDIT_OLD_KEYS)
    else:
        masters = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _derive(purpose, tuple(masters))


@lru_cache(maxsize=16)
def _derive(purpose: str, masters: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(hmac.new(master.encode(), purpose.encode(), hashlib.sha256).digest() for master in masters)


def sign(purpose: str, message: bytes) -> str:
    return hmac.new(keys(purpose)[0], message, hashlib.sha256).hexdigest()


def check(purpose: str, message: bytes, mac: str) -> bool:
    if not mac:
        return False
    return any(hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), mac) for key in keys(purpose))
