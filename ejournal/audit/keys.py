"""The audit chain's keys, kept outside the database.

Each event is sealed with HMAC-SHA256 under a numbered key: whoever can write to the
database but does not hold the key cannot re-seal an edited, deleted or renumbered stretch
of the chain. Keys come from ``AUDIT_KEYS`` ("2:secret,1:older-secret" — every server of a
deployment gets the same value), else from the file ``AUDIT_KEY_FILE`` (one "version:secret"
a line), which is created with a first random key when missing. The highest version seals
new events; older versions stay to verify what they sealed (rotation: add a higher one).
Version 0 is the unkeyed SHA-256 of events written before the keys existed.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _parse(text: str, source: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        version, sep, secret = item.partition(":")
        if not sep or not version.strip().isdigit() or int(version) < 1 or len(secret) < 16:
            raise ImproperlyConfigured(
                f"{source}: ключ аудита записывается как «номер:секрет» (номер от 1, "
                "секрет не короче 16 символов)"
            )
        keys[int(version)] = secret.strip().encode("utf-8")
    return keys


def _file_keys(path: Path) -> dict[int, bytes]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(f"1:{secrets.token_urlsafe(32)}\n")
    return _parse(path.read_text(encoding="utf-8"), str(path))


@functools.cache
def _load(env_value: str, file_path: str) -> dict[int, bytes]:
    keys = _parse(env_value, "AUDIT_KEYS") if env_value else _file_keys(Path(file_path))
    if not keys:
        raise ImproperlyConfigured("Нет ни одного ключа журнала аудита (AUDIT_KEYS)")
    return keys


def all_keys() -> dict[int, bytes]:
    return _load(settings.AUDIT_KEYS, str(settings.AUDIT_KEY_FILE))


def current_version() -> int:
    return max(all_keys())


def key(version: int) -> bytes | None:
    return all_keys().get(version)
