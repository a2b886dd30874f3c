"""The one-time receipt: how the page after the report form's redirect shows code + key once.

The report form answers its POST with a redirect (Post/Redirect/Get) to ``/lapor/terkirim/<id>/``,
``<id>`` being 192 random bits made for this one receipt. The access key waits for that GET in the
cache, for at most ``STASH_SECONDS``:

- under a keyed hash of ``<id>`` (the cache never holds the id itself), and
- masked with a pad derived from ``<id>`` and SECRET_KEY (HMAC-SHA512, one pad per receipt, used
  once), so a dump of the cache — a Redis snapshot, a database cache table — shows no key; only
  the browser that holds the redirect URL can unmask it;
- removed by the first view: the page is shown once. A reload of that URL, the Back button or
  someone reading the browser history later gets "already sent with code …", never the key.

Why not a signed+encrypted value in the URL or a cookie: the key would then sit in the browser
history (or outlive the page) for as long as the URL does and could be shown again and again;
the server-side stash is gone after one view and expires on its own when never viewed.
Why not the database: the key must never be stored in clear, and a pending-receipt table would
link a browser's moment of submission to a report for longer than a page view.

A replay of the form (a reload of the POST on a stuck connection, "resubmit" after Back) carries
the same submission token: ``view_for_form`` finds the receipt not yet viewed, so a reporter whose
first answer was lost still gets their key once.
"""

import base64
import json
import secrets

from django.core.cache import cache
from django.utils.crypto import salted_hmac

STASH_SECONDS = 60 * 60  # a receipt not viewed within the hour is not shown any more
_PREFIX = "netra:portal:receipt:"


def _slot(kind: str, secret: str) -> str:
    return _PREFIX + kind + ":" + salted_hmac("netra.portal.receipt-slot", f"{kind}:{secret}").hexdigest()


def _mask(secret: str, data: bytes) -> bytes:
    pad = salted_hmac("netra.portal.receipt-pad", secret, algorithm="sha512").digest()
    if len(data) > len(pad):
        raise ValueError("too long to mask")
    return bytes(a ^ b for a, b in zip(data, pad, strict=False))


def _seal(secret: str, value: dict) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.b64encode(_mask(secret, raw)).decode()


def _open(secret: str, sealed: str | None) -> dict | None:
    if not sealed:
        return None
    try:
        return json.loads(_mask(secret, base64.b64decode(sealed)))
    except ValueError:
        return None


def stash(*, receipt_code: str, access_key: str, form_token: str = "") -> str:
    """Keep code + key for one view; return the receipt's id for the redirect URL."""
    view_id = secrets.token_urlsafe(24)
    cache.set(_slot("view", view_id), _seal(view_id, {"c": receipt_code, "k": access_key}), STASH_SECONDS)
    if form_token:
        cache.set(_slot("form", form_token), _seal(form_token, {"v": view_id}), STASH_SECONDS)
    return view_id


def take(view_id: str) -> tuple[str, str] | None:
    """(receipt code, access key) for the first view; (code, "") for a later one; None when unknown."""
    slot = _slot("view", view_id)
    value = _open(view_id, cache.get(slot))
    if value is None:
        return None
    # cache.add is atomic: of two views at once, exactly one shows the key.
    if value.get("k") and cache.add(slot + ":shown", 1, STASH_SECONDS):
        cache.set(slot, _seal(view_id, {"c": value["c"]}), STASH_SECONDS)
        return value["c"], value["k"]
    return value["c"], ""


def view_for_form(form_token: str) -> str | None:
    """The receipt id of a form's submission whose key has not been shown yet, else None."""
    value = _open(form_token, cache.get(_slot("form", form_token)))
    view_id = value.get("v") if value else None
    if not view_id:
        return None
    pending = _open(view_id, cache.get(_slot("view", view_id)))
    return view_id if pending and pending.get("k") else None
