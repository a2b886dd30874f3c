"""Publishing the chain head, so that cutting rows off the end of the chain is noticed.

Someone able to write the database can delete the last events and rewind ``ChainHead``; the
shorter chain still verifies on its own. A head kept outside the database closes that gap:
``verify_audit --expect-head`` checks that the chain still contains it.

The scheduler publishes the head every ``NETRA_AUDIT_HEAD_MINUTES`` when it moved: a log line
(logger ``netra.audit.head``) and a line appended to ``NETRA_AUDIT_HEAD_FILE`` (``var/`` by
default); ``manage.py audit_head`` prints it on demand. An agency keeps these lines (mail, its
own archive). A line is signed with an HMAC whose key is outside the database
(``netra.audit.keys``), so this installation can later tell its own published heads from
invented ones::

    NETRA-AUDIT-HEAD v1 seq=1234 hash=<64 hex> at=2026-12-01T21:00:00Z sig=<64 hex>
"""

import logging
import re
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from . import keys
from .chain import GENESIS_HASH
from .models import ChainHead

logger = logging.getLogger(__name__)

PLAIN_RE = re.compile(r"^(?P<seq>\d+):(?P<hash>[0-9a-f]{64})$")
SIGNED_RE = re.compile(
    r"^NETRA-AUDIT-HEAD v1 seq=(?P<seq>\d+) hash=(?P<hash>[0-9a-f]{64}) at=(?P<at>\S+) sig=(?P<sig>[0-9a-f]{64})$"
)


class BadHead(ValueError):
    """An ``--expect-head`` value that is neither ``SEQ:HASH`` nor a correctly signed line."""


def _message(seq: int, hash_: str, at: str) -> bytes:
    return f"v1|{seq}|{hash_}|{at}".encode("ascii")


def signed_line(seq: int, hash_: str, at: datetime | None = None) -> str:
    stamp = (at or timezone.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = keys.sign(keys.HEAD, _message(seq, hash_, stamp))
    return f"NETRA-AUDIT-HEAD v1 seq={seq} hash={hash_} at={stamp} sig={sig}"


def current() -> tuple[int, str]:
    head = ChainHead.objects.filter(pk=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def current_line() -> str:
    return signed_line(*current())


def parse_expected(text: str) -> tuple[int, str]:
    """``(seq, hash)`` from ``SEQ:HASH`` or a signed line; a signed line's signature must hold."""
    text = text.strip()
    if plain := PLAIN_RE.match(text.lower()):
        return int(plain["seq"]), plain["hash"]
    if signed := SIGNED_RE.match(text):
        seq, hash_ = int(signed["seq"]), signed["hash"]
        if not keys.check(keys.HEAD, _message(seq, hash_, signed["at"]), signed["sig"]):
            raise BadHead("tanda tangan baris ujung rantai tidak sah (bukan terbitan instalasi ini, atau diubah)")
        return seq, hash_
    raise BadHead("ujung rantai harus berbentuk NOMOR:HASH atau baris NETRA-AUDIT-HEAD yang ditandatangani")


def publish() -> str:
    """Log the signed current head and append it to ``NETRA_AUDIT_HEAD_FILE``; return the line."""
    line = current_line()
    logger.info("%s", line)
    path = settings.NETRA_AUDIT_HEAD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as file:
        file.write(line + "\n")
    return line
