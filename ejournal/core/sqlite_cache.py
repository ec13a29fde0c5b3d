"""A Django cache in a small SQLite file of its own, shared by every process of the machine.

The rate limits count here when there is no Redis: a per-process memory cache would give
each gunicorn worker its own counters (five wrong codes allowed once per worker), and the
main database would put a write for every counted request behind its single writer.
A file of its own has its own write lock, and ``incr`` is one atomic ``UPDATE … RETURNING``
so two workers never lose a count.

    CACHES = {"ratelimit": {"BACKEND": "ejournal.core.sqlite_cache.SQLiteCache",
                            "LOCATION": "/var/lib/ejournal/ratelimit.sqlite3"}}
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache ("
    " key TEXT PRIMARY KEY, value, expires REAL NOT NULL) WITHOUT ROWID"
)
# One in this many writes also sweeps the expired rows.
_SWEEP_EVERY = 200


class SQLiteCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.path = Path(location)
        self._local = threading.local()
        self._writes = 0

    # --- connection ---------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            # Switching to WAL answers "locked" at once, without waiting, while another
            # process opens the same new file: try again for a moment.
            for attempt in range(50):
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute(_SCHEMA)
                    break
                except sqlite3.OperationalError:
                    if attempt == 49:
                        raise
                    time.sleep(0.05)
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def close(self, **kwargs: Any) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- values -----------------------------------------------------------------
    @staticmethod
    def _dump(value: Any) -> Any:
        # Integers stay integers so that incr() can add in SQL; anything else is pickled.
        return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(raw: Any) -> Any:
        return raw if isinstance(raw, int) else pickle.loads(raw)  # noqa: S301 - our own rows

    def _expires(self, timeout: Any) -> float:
        seconds = self.get_backend_timeout(timeout)
        return float("inf") if seconds is None else seconds

    def _sweep(self, db: sqlite3.Connection) -> None:
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    # --- the cache API ---------------------------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        self._sweep(db)
        cursor = db.execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires"
            " WHERE cache.expires <= ?",
            (key, self._dump(value), self._expires(timeout), time.time()),
        )
        return cursor.rowcount == 1

    def get(self, key, default=None, version=None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute("SELECT value FROM cache WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return default if row is None else self._load(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        self._sweep(db)
        db.execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, self._dump(value), self._expires(timeout)),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        cursor = self._db().execute(
            "UPDATE cache SET expires = ? WHERE key = ? AND expires > ?",
            (self._expires(timeout), key, time.time()),
        )
        return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(
                "UPDATE cache SET value = value + ? WHERE key = ? AND expires > ?"
                " AND typeof(value) = 'integer' RETURNING value",
                (delta, key, time.time()),
            )
            .fetchone()
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute("SELECT 1 FROM cache WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return row is not None

    def clear(self) -> None:
        self._db().execute("DELETE FROM cache")
