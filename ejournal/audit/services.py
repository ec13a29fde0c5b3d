"""Writing and verifying the append-only audit trail."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from ejournal.audit import keys
from ejournal.audit.checkpoints import Checkpoint, checkpoints_read
from ejournal.audit.models import AuditChainHead, AuditEvent
from ejournal.core.request_context import current_request_meta

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"


def chain_for(school_id: int | None) -> str:
    return f"school:{school_id}" if school_id else GLOBAL_CHAIN


def _normalise(value: Any) -> Any:
    """Round-trip through JSON so the stored value is exactly what was hashed."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_digest(event: AuditEvent) -> str | None:
    """The event's seal under its key version; None when that key is not held."""
    content = {
        "chain": event.chain,
        "seq": event.seq,
        "school": event.school_id,
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "prev_hash": event.prev_hash,
    }
    if event.key_version:
        content["key_version"] = event.key_version
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if not event.key_version:
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
    secret = keys.key(event.key_version)
    if secret is None:
        return None
    return hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def record(
    *,
    action: str,
    actor: Any = None,
    school: Any = None,
    actor_role: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    ip: str | None = None,
    user_agent: str | None = None,
    batch: AuditBatch | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction of the change it records.

    ``obj`` fills ``object_type``/``object_id`` from a model instance. IP and user
    agent default to the current request's (set by middleware), if any: who sent the
    request is request context, not a choice of the caller. ``batch`` (from ``batch()``)
    holds the event back to be written with the other events of one write.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    meta = current_request_meta()
    school_id = getattr(school, "pk", school)
    actor_id = getattr(actor, "pk", actor)
    if actor is not None and getattr(actor, "is_anonymous", False):
        actor_id = None
    chain = chain_for(school_id)
    # No savepoint of its own: a failure here fails the change being recorded.
    with transaction.atomic(savepoint=False):
        head = batch.heads.get(chain) if batch is not None else None
        if head is None:
            head = _locked_head(chain)
            if batch is not None:
                batch.heads[chain] = head
        event = AuditEvent(
            chain=chain,
            seq=head.last_seq + 1,
            school_id=school_id,
            actor_id=actor_id,
            actor_role=actor_role or meta.get("role", ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id not in (None, "") else "",
            before=_normalise(before),
            after=_normalise(after),
            reason=reason or "",
            ip=ip if ip is not None else meta.get("ip"),
            user_agent=(user_agent if user_agent is not None else meta.get("user_agent", ""))[:400],
            created_at=timezone.now(),
            prev_hash=head.last_hash,
            key_version=keys.current_version(),
        )
        event.hash = event_digest(event) or ""
        if batch is not None:
            batch.events.append(event)  # written with the batch's other events, in one INSERT
        else:
            event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        if batch is None:
            AuditChainHead.objects.filter(pk=head.pk).update(
                last_seq=event.seq, last_hash=event.hash
            )
    return event


def _locked_head(chain: str) -> AuditChainHead:
    # Serialise appenders of one chain (a row lock on PostgreSQL; SQLite
    # transactions are already exclusive).
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.get_or_create(
            chain=chain, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


@dataclass
class AuditBatch:
    """The events of one all-or-nothing write, passed to ``record`` as ``batch=``: the
    chain heads it locked and its events not yet written. An event of the same chain
    recorded without ``batch=`` meanwhile takes a seq the batch holds: writing the batch
    then fails on the (chain, seq) key and the whole write rolls back."""

    heads: dict[str, AuditChainHead] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.events)
        for head in self.heads.values():
            AuditChainHead.objects.filter(pk=head.pk).update(
                last_seq=head.last_seq, last_hash=head.last_hash
            )


@contextlib.contextmanager
def batch() -> Iterator[AuditBatch]:
    """Many events of one all-or-nothing write (a batch of journal cells): each chain's
    head is locked once and written once at the end. Use only inside the transaction of
    that write, where any failure rolls the whole write back — an event rolled back alone
    (a caught error in a savepoint) would leave the cached head ahead of the chain. The
    events are written together at the end (their ids are set then); every ``record`` of
    the write must get the batch."""
    pending = AuditBatch()
    yield pending
    pending.flush()


@dataclass(frozen=True)
class ChainReport:
    chain: str
    checked: int
    ok: bool
    first_broken_seq: int | None = None
    problem: str = ""


def chain_verify(*, chain: str, checkpoints: list[Checkpoint] | None = None) -> ChainReport:
    """Walk a chain in order and name the first event whose link does not hold; then hold
    the chain against the heads written down outside the database (``checkpoints``, all of
    them by default): an event a checkpoint saw must still be there with the same seal."""
    if checkpoints is None:
        checkpoints = [c for c in checkpoints_read() if c.chain == chain]
    else:
        checkpoints = [c for c in checkpoints if c.chain == chain]
    seen = {c.seq: c for c in checkpoints}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                chain, checked, False, expected_seq, f"нет события №{expected_seq} (удалено)"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                chain, checked, False, event.seq, "ссылка на предыдущее событие не совпадает"
            )
        if not event.key_version:
            # Every event is sealed with a key (the older ones by migration 0003): an
            # unkeyed one was written by someone without the key.
            return ChainReport(
                chain, checked, False, event.seq, "событие не запечатано ключом аудита"
            )
        digest = event_digest(event)
        if digest is None:
            return ChainReport(
                chain, checked, False, event.seq, f"нет ключа аудита версии {event.key_version}"
            )
        if not hmac.compare_digest(digest, event.hash):
            return ChainReport(chain, checked, False, event.seq, "содержимое события изменено")
        point = seen.get(event.seq)
        if point is not None and point.hash != event.hash:
            return ChainReport(
                chain,
                checked,
                False,
                event.seq,
                f"событие не совпадает с контрольной точкой от {point.at:%d.%m.%Y %H:%M}",
            )
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(chain, checked, False, expected_seq, "последние события цепочки удалены")
    beyond = [c for c in checkpoints if c.seq >= expected_seq]
    if beyond:
        last = max(beyond, key=lambda c: c.seq)
        return ChainReport(
            chain,
            checked,
            False,
            expected_seq,
            f"последние события цепочки удалены: контрольная точка от {last.at:%d.%m.%Y %H:%M} "
            f"видела событие №{last.seq}",
        )
    return ChainReport(chain, checked, True)


def event_sealed(event: AuditEvent) -> bool:
    """Whether the event still carries its own seal (a key of the chain holds it)."""
    digest = event_digest(event) if event.key_version else None
    return digest is not None and hmac.compare_digest(digest, event.hash)


def link_find(*, chain: str, seq: int, hash_prefix: str) -> AuditEvent | None:
    """The sealed event at ``seq`` of ``chain`` whose hash begins with ``hash_prefix`` (a
    link printed on paper, e.g. on an archive copy), or None."""
    prefix = hash_prefix.strip().rstrip("…").lower()
    if len(prefix) < 8:
        return None
    event = AuditEvent.objects.filter(chain=chain, seq=seq).first()
    if event is None or not event.hash.startswith(prefix) or not event_sealed(event):
        return None
    return event


def events_naming(*, digest: str) -> list[AuditEvent]:
    """Sealed events that recorded ``digest`` (the SHA-256 of a file, e.g. an archived
    PDF) in their data: the file is the one the chain vouches for."""
    found = AuditEvent.objects.filter(after__icontains=digest.lower()).order_by("chain", "seq")
    return [event for event in found if event_sealed(event)]
