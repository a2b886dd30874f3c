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
reordering breaks a hash or a sequence number that ``verify()`` recomputes. It cannot prove
anything about rows not yet sealed, nor stop someone able to rewrite the whole table and
recompute every hash; keeping the printed head (``seq`` and ``hash``) somewhere outside the
database closes that gap.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Subquery
from django.utils import timezone

from netra.bulk import update_by_id
from netra.turns import after_response, my_turn, writer_turn

from .models import AuditEvent, ChainHead

GENESIS_HASH = "0" * 64
SEAL_BATCH = 1000
# The turn an after-commit sealer claims (cache.add: one caller per interval gets True).
SEAL_TURN_KEY = "netra:audit:seal"


class ChainHeadMissing(Exception):
    """Sealed events exist but the chain head row is gone: the table was tampered with."""


def canonical(event: AuditEvent) -> bytes:
    """The deterministic serialisation an event's hash covers (everything but ``id``/``hash``)."""
    content = {
        "seq": event.seq,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "agency_id": event.agency_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def link_hash(previous_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(previous_hash.encode("ascii") + canonical(event)).hexdigest()


def pending_count() -> int:
    return AuditEvent.objects.filter(seq__isnull=True).count()


def seal(*, batch_size: int = SEAL_BATCH, wait: bool = True, max_batches: int | None = None) -> int:
    """Seal every committed, unsealed event; return how many were sealed.

    ``wait=False`` leaves at once when another sealer holds the chain head. That is safe: the
    holder checks for pending rows again after its commit, and a row whose committer found the
    head locked was committed before that check (the lock was still held), so the check sees it.
    """
    total, batches = 0, 0
    while max_batches is None or batches < max_batches:
        sealed = _seal_batch(batch_size, wait=wait)
        if not sealed:  # nothing pending, or another sealer is on it
            break
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


def _seal_batch(batch_size: int, *, wait: bool) -> int | None:
    # Cheap check without the lock: under load, an earlier sealer has usually taken our rows.
    if not AuditEvent.objects.filter(seq__isnull=True).exists():
        return 0
    with writer_turn(), transaction.atomic():
        head = _locked_head(wait=wait)
        if head is None:
            return None
        # Read after the lock: on PostgreSQL (READ COMMITTED) this statement sees everything the
        # previous lock holder committed, so no row is sealed twice (``seq`` is unique anyway).
        rows = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:batch_size])
        if not rows:
            return 0
        seq, previous = head.seq, head.hash
        for row in rows:
            seq += 1
            row.seq = seq
            row.hash = previous = link_hash(previous, row)
        _write_seals(rows)
        ChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=previous, sealed_at=timezone.now())
    return len(rows)


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

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(*, chunk_size: int = 2000) -> Verification:
    """Recompute the chain from the genesis hash up to the head; report the first bad row."""
    # The head is read first and only rows up to it are walked, so sealers running meanwhile
    # cannot make an intact chain look broken.
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    pending = pending_count()

    def broken(problem: str, event: AuditEvent | None = None) -> Verification:
        return Verification(
            checked=checked,
            head_seq=head_seq,
            head_hash=head_hash,
            pending=pending,
            problem=problem,
            bad_seq=event.seq if event else None,
            bad_id=event.pk if event else None,
        )

    expected, previous, checked = 1, GENESIS_HASH, 0
    sealed = AuditEvent.objects.filter(seq__isnull=False, seq__lte=head_seq).order_by("seq")
    for event in sealed.iterator(chunk_size=chunk_size):
        if event.seq != expected:
            last_missing = (event.seq or expected) - 1  # seq is not null here: filtered above
            return broken(f"nomor urut {expected} sampai {last_missing} hilang sebelum baris ini", event)
        if link_hash(previous, event) != event.hash:
            return broken("hash tidak cocok dengan isi baris dan hash sebelumnya", event)
        previous, expected, checked = event.hash, expected + 1, checked + 1

    if checked != head_seq:
        return broken(f"rantai berakhir di nomor urut {checked}, padahal ujung rantai mencatat {head_seq}")
    if previous != head_hash:
        return broken("hash baris terakhir berbeda dengan hash ujung rantai")
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
    return Verification(checked=checked, head_seq=head_seq, head_hash=head_hash, pending=pending)
