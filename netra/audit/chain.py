"""Sealing and verifying the audit hash chain.

Why sealing is separate from recording: ``record()`` runs inside every intake and workflow
transaction. If it took the chain lock there, every such transaction in the country would queue
behind the previous one until it committed. Instead ``record()`` only INSERTs an unsealed row,
and ``seal()`` runs after commit in its own short transaction: it locks the one ``ChainHead``
row, numbers the unsealed rows it can see in id order, hashes them onto the chain and advances
the head. After a commit nobody queues for that lock: a committer that finds it taken leaves at
once, and the holder, which checks again after its own commit, seals that row in its next batch.

Sealing after every commit cost each intake about as much as the intake itself (a second
transaction; on SQLite a second write lock), so committers seal in turns: at most one process
per ``NETRA_AUDIT_SEAL_INTERVAL`` seconds (default 1) wins a cheap, non-blocking cache claim and
seals the whole backlog; the others return at once. The bound: under traffic an event is sealed
within about that interval of its commit (by a later committer); once traffic stops, within a
second by the scheduler's sealing tick (``manage.py scheduler``) or ``seal_audit --loop``.

A row whose transaction commits after a row with a higher id was sealed gets a later ``seq``:
the chain order is ``seq``, never ``id``. Rows whose after-commit seal never ran (a crash right
after commit) are sealed by ``manage.py seal_audit``.

What the chain proves: any change to a sealed row, any deleted or inserted sealed row and any
reordering breaks a hash or a sequence number that ``verify()`` recomputes. Rows not written by
``record()`` carry no valid MAC (its key is outside the database, ``netra.audit.keys``): sealing
refuses them (``refused``, logged, reported by ``verify()``) instead of chaining them in, and
``verify()`` checks the MAC of every sealed row too. Cutting rows off the end and rewinding the
head to match is caught by ``verify(expect=…)`` with a head published earlier
(``netra.audit.head``): the chain must still contain that ``seq`` with that hash.
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from netra.bulk import update_by_id
from netra.turns import after_response, my_turn, writer_turn

from . import keys
from .models import AuditEvent, ChainHead

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
SEAL_BATCH = 1000
# The turn an after-commit sealer claims (cache.add: one caller per interval gets True).
SEAL_TURN_KEY = "netra:audit:seal"


class ChainHeadMissing(Exception):
    """Sealed events exist but the chain head row is gone: the table was tampered with."""


def canonical(event: AuditEvent, *, with_seq: bool = True) -> bytes:
    """The deterministic serialisation an event's hash covers (everything but ``id``/``hash``/``mac``).

    Without ``seq``: what the row's MAC covers (``record()`` writes it before the row has a seq,
    and before the database has read the payload back: PostgreSQL's jsonb gives ``1e20`` back
    as an integer and ``-0.0`` as ``0.0``, so integral floats are compared as the integers jsonb
    makes of them).
    """
    content = {
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload if with_seq else _jsonb_numbers(event.payload),
    }
    if with_seq:
        content["seq"] = event.seq
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _jsonb_numbers(value):
    if isinstance(value, float) and value.is_integer():
        return int(Decimal(repr(value)))  # what jsonb stores for the text json.dumps wrote
    if isinstance(value, dict):
        return {key: _jsonb_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonb_numbers(item) for item in value]
    return value


def link_hash(previous_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(previous_hash.encode("ascii") + canonical(event)).hexdigest()


def row_mac(event: AuditEvent) -> str:
    """The HMAC ``record()`` attaches to a row (``netra.audit.keys``, key outside the database)."""
    return keys.sign(keys.ROW, canonical(event, with_seq=False))


def mac_ok(event: AuditEvent) -> bool:
    return keys.check(keys.ROW, canonical(event, with_seq=False), event.mac)


def pending_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True, refused=False).count()


def refused_ids() -> list[int]:
    """Rows sealing refused (no valid MAC: not written by ``record()``), oldest first."""
    return list(AuditEvent.objects.filter(refused=True).order_by("id").values_list("id", flat=True))


def seal(*, batch_size: int = SEAL_BATCH, wait: bool = True, max_batches: int | None = None) -> int:
    """Seal every committed, unsealed event; return how many were sealed.

    ``wait=False`` leaves at once when another sealer holds the chain head. That is safe: the
    holder checks for pending rows again after its commit, and a row whose committer found the
    head locked was committed before that check (the lock was still held), so the check sees it.
    """
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        done = _seal_batch(batch_size, wait=wait)
        if done is None or done == (0, 0):  # another sealer is on it, or nothing pending
            break
        sealed, _refused = done
        total, batches = total + sealed, batches + 1
    return total


def seal_after_commit() -> None:
    # Registered by record() with on_commit(robust=True): a failure here is logged, never raised
    # into the request whose data has already committed. Committers never queue behind each
    # other for the chain head; the seal runs after the committing request's answer went out; the
    # bound keeps one request from sealing for everyone forever under sustained load (the next
    # committer or seal_audit takes over).
    if my_turn(SEAL_TURN_KEY, settings.NETRA_AUDIT_SEAL_INTERVAL):
        after_response(lambda: seal(wait=False, max_batches=10))


def _seal_batch(batch_size: int, *, wait: bool) -> tuple[int, int] | None:
    """Seal one batch; ``(sealed, refused)``, or ``None`` when another sealer holds the head."""
    # Cheap check without the lock: under load, an earlier sealer has usually taken our rows.
    if not AuditEvent.objects.filter(seq__isnull=True, refused=False).exists():
        return (0, 0)
    with writer_turn(), transaction.atomic():
        head = _locked_head(wait=wait)
        if head is None:
            return None
        # Read after the lock: on PostgreSQL (READ COMMITTED) this statement sees everything the
        # previous lock holder committed, so no row is sealed twice (``seq`` is unique anyway).
        rows = list(AuditEvent.objects.filter(seq__isnull=True, refused=False).order_by("id")[:batch_size])
        if not rows:
            return (0, 0)
        genuine: list[AuditEvent] = []
        forged: list[AuditEvent] = []
        for row in rows:
            (genuine if mac_ok(row) else forged).append(row)
        replayed = _replays(genuine)
        if replayed:
            genuine = [row for row in genuine if row not in replayed]
            forged += replayed
        if forged:
            forged_ids = [row.pk for row in forged]
            # Written around record() (raw SQL, a restored dump, a wrong key, a copy of a genuine
            # row): never chained in as genuine. Kept, unsealed, as evidence; verify_audit names them.
            update_by_id(AuditEvent, ["refused"], [(pk, True) for pk in forged_ids], only_where_null="seq")
            logger.error("audit: sealing refused %d event(s) without a valid HMAC: ids %s", len(forged), forged_ids)
        seq, previous = head.seq, head.hash
        for row in genuine:
            seq += 1
            row.seq = seq
            row.hash = previous = link_hash(previous, row)
        if genuine:
            _write_seals(genuine)
            ChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=previous, sealed_at=timezone.now())
    return (len(genuine), len(forged))


def _replays(rows: list[AuditEvent]) -> list[AuditEvent]:
    """Rows that repeat the MAC of a sealed row or of an earlier row of the batch (a copied row).

    Genuine MACs are unique: each covers its own timestamp to the microsecond. One query per
    batch, on the (action, created_at) index over the batch's time span (about a second).
    """
    seen: set[str] = set()
    repeats = []
    for row in rows:
        if row.mac in seen:
            repeats.append(row)
        seen.add(row.mac)
    if rows:
        twins = set(
            AuditEvent.objects.filter(
                action__in={row.action for row in rows},
                created_at__gte=min(row.created_at for row in rows),
                created_at__lte=max(row.created_at for row in rows),
                seq__isnull=False,
                mac__in=seen,
            ).values_list("mac", flat=True)
        )
        repeats += [row for row in rows if row.mac in twins and row not in repeats]
    return repeats


def _write_seals(rows: list[AuditEvent]) -> None:
    # Sealing is the one UPDATE the log allows; the model's manager refuses all others. One
    # statement per batch (netra.bulk): this runs after every commit.
    update_by_id(AuditEvent, ["seq", "hash"], [(row.pk, row.seq, row.hash) for row in rows], only_where_null="seq")


def _locked_head(*, wait: bool) -> ChainHead | None:
    """The chain head, locked; ``None`` when ``wait`` is off and another sealer holds it."""
    head = ChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    if head is not None:
        return head
    if ChainHead.objects.filter(pk=1).exists():
        return None  # skipped: locked by another sealer
    # First seal ever (or a test database flushed between tests): create the genesis head.
    if AuditEvent.objects.filter(seq__isnull=False).exists():
        raise ChainHeadMissing("audit chain head is missing while sealed events exist")
    ChainHead.objects.get_or_create(pk=1)  # two first sealers: the loser reads the winner's row
    return ChainHead.objects.select_for_update().get(pk=1)


@dataclass(frozen=True)
class Verification:
    checked: int  # sealed events whose hash was recomputed
    head_seq: int
    head_hash: str
    pending: int  # events not sealed yet (not covered by the chain)
    problem: str = ""  # empty when the chain is intact
    bad_seq: int | None = None
    bad_id: int | None = None
    refused: int = 0  # rows sealing refused (no valid MAC); each one is a problem

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(*, chunk_size: int = 2000, expect: Iterable[tuple[int, str]] = ()) -> Verification:
    """Recompute the chain from the genesis hash up to the head; report the first bad row.

    ``expect``: heads published earlier (``seq``, ``hash``; ``netra.audit.head``). The chain must
    still contain each: a shorter chain was cut and its head rewound; another hash at that
    ``seq`` means history was rewritten from there on.
    """
    # The head is read first and only rows up to it are walked, so sealers running meanwhile
    # cannot make an intact chain look broken.
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    pending = pending_count()
    refused = refused_ids()
    published = dict(expect)

    def broken(problem: str, event: AuditEvent | None = None, *, bad_id: int | None = None) -> Verification:
        return Verification(
            checked=checked,
            head_seq=head_seq,
            head_hash=head_hash,
            pending=pending,
            problem=problem,
            bad_seq=event.seq if event else None,
            bad_id=event.pk if event else bad_id,
            refused=len(refused),
        )

    expected, previous, checked = 1, GENESIS_HASH, 0
    sealed = AuditEvent.objects.filter(seq__isnull=False, seq__lte=head_seq).order_by("seq")
    for event in sealed.iterator(chunk_size=chunk_size):
        if event.seq != expected:
            last_missing = (event.seq or expected) - 1  # seq is not null here: filtered above
            return broken(f"nomor urut {expected} sampai {last_missing} hilang sebelum baris ini", event)
        if link_hash(previous, event) != event.hash:
            return broken("hash tidak cocok dengan isi baris dan hash sebelumnya", event)
        if not mac_ok(event):
            return broken("HMAC baris tidak ada atau salah: baris ini tidak ditulis lewat record()", event)
        if published and published.get(event.seq, event.hash) != event.hash:
            return broken(
                f"hash baris ini berbeda dengan ujung #{event.seq} yang pernah diterbitkan: riwayat ditulis ulang",
                event,
            )
        previous, expected, checked = event.hash, expected + 1, checked + 1

    if checked != head_seq:
        return broken(f"rantai berakhir di nomor urut {checked}, padahal ujung rantai mencatat {head_seq}")
    if previous != head_hash:
        return broken("hash baris terakhir berbeda dengan hash ujung rantai")
    if published and (highest := max(published)) > head_seq:
        return broken(
            f"rantai dipotong: ujung #{highest} pernah diterbitkan, kini ujung rantai #{head_seq} "
            f"({highest - head_seq} entri terakhir hilang dan ujung rantai diputar mundur)"
        )
    # One statement, one snapshot: a sealer commits its rows and the head together, so a sealed
    # row beyond the head as it is now can only have been written by hand.
    head_now = ChainHead.objects.filter(pk=1).values("seq")
    beyond = (
        AuditEvent.objects.filter(seq__isnull=False)
        .annotate(head=Subquery(head_now[:1]))
        .filter(models.Q(head__isnull=True) | models.Q(seq__gt=F("head")))
        .order_by("seq")
        .first()
    )
    if beyond is not None:
        return broken("baris bernomor urut melewati ujung rantai (disisipkan di luar penyegelan)", beyond)
    # A MAC twice: a genuine row copied (record() never writes the same MAC twice).
    twice = (
        AuditEvent.objects.filter(seq__isnull=False)
        .values("mac")
        .annotate(rows=models.Count("id"), copy=models.Max("seq"))
        .filter(rows__gt=1)
        .order_by("copy")
        .first()
    )
    if twice is not None:
        copy = AuditEvent.objects.get(seq=twice["copy"])
        return broken("baris ini salinan baris lain yang sudah disegel (HMAC yang sama dua kali)", copy)
    # Not chained yet: every pending row must carry record()'s MAC; refused rows are forgeries.
    forged = refused + [
        event.pk for event in AuditEvent.objects.filter(seq__isnull=True, refused=False) if not mac_ok(event)
    ]
    if forged:
        shown = ", ".join(str(pk) for pk in sorted(forged)[:20]) + (" …" if len(forged) > 20 else "")
        return broken(
            f"{len(forged)} entri tanpa HMAC yang sah (tidak ditulis lewat record(); "
            f"penyegelan menolaknya): id {shown}",
            bad_id=min(forged),
        )
    return Verification(checked=checked, head_seq=head_seq, head_hash=head_hash, pending=pending)
