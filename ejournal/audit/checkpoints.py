"""Checkpoints: each chain's head written down outside the database, signed.

The keyed chain stops anyone without the key from re-sealing a rewritten stretch, but
not from cutting the chain's last events off and moving the head back. So the heads are
written, now and then (``manage.py audit_checkpoint``, the scheduler every hour, every
backup's manifest, the archive copies), to an append-only file apart from the database:
``audit_verify`` then requires every event a checkpoint saw to be there, sealed the same.
A line is signed with the audit key (HMAC), so a forged line is told from a real one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ejournal.audit import keys
from ejournal.audit.models import AuditChainHead

FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: dt.datetime
    key_version: int
    mac: str

    def as_json(self) -> dict:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.isoformat(),
            "key_version": self.key_version,
            "mac": self.mac,
        }


def _mac(version: int, chain: str, seq: int, head: str, at: str) -> str | None:
    secret = keys.key(version)
    if secret is None:
        return None
    message = f"{chain}|{seq}|{head}|{at}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def heads_signed() -> list[Checkpoint]:
    """Every chain's head now, signed with the current key (for a backup's manifest or a
    printed copy as well as the file)."""
    version = keys.current_version()
    at = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    points = []
    for head in AuditChainHead.objects.order_by("chain"):
        if not head.last_seq:
            continue
        mac = _mac(version, head.chain, head.last_seq, head.last_hash, at.isoformat()) or ""
        points.append(Checkpoint(head.chain, head.last_seq, head.last_hash, at, version, mac))
    return points


def checkpoint_write() -> list[Checkpoint]:
    """Append the heads that moved since their last checkpoint; returns what was written."""
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    latest: dict[str, int] = {}
    for point in checkpoints_read():
        if point.seq >= latest.get(point.chain, 0):
            latest[point.chain] = point.seq
    fresh = [p for p in heads_signed() if p.seq > latest.get(p.chain, 0)]
    if fresh:
        with path.open("a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            for point in fresh:
                fh.write(json.dumps(point.as_json(), ensure_ascii=False) + "\n")
    return fresh


def parse(lines: list[str]) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints whose signature holds, and a Russian message per line that does not."""
    good: list[Checkpoint] = []
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            point = Checkpoint(
                chain=str(data["chain"]),
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                at=dt.datetime.fromisoformat(data["at"]),
                key_version=int(data["key_version"]),
                mac=str(data["mac"]),
            )
        except (ValueError, KeyError, TypeError):
            bad.append(f"строка {number}: не читается")
            continue
        expected = _mac(point.key_version, point.chain, point.seq, point.hash, data["at"])
        if expected is None:
            bad.append(f"строка {number}: нет ключа аудита версии {point.key_version}")
        elif not hmac.compare_digest(expected, point.mac):
            bad.append(f"строка {number}: подпись не сходится (строка подделана)")
        else:
            good.append(point)
    return good, bad


def checkpoints_read() -> list[Checkpoint]:
    path = checkpoint_file()
    if not path.exists():
        return []
    return parse(path.read_text(encoding="utf-8").splitlines())[0]


def checkpoint_problems() -> list[str]:
    path = checkpoint_file()
    if not path.exists():
        return []
    return parse(path.read_text(encoding="utf-8").splitlines())[1]
