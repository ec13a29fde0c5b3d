"""Tools to see who holds the database's write lock, and for how long.

On SQLite the whole site has one write lock: every transaction takes it at BEGIN
(``transaction_mode = IMMEDIATE``) and keeps it to COMMIT, and a statement outside a
transaction takes it for that statement. A long job that renders a PDF, hashes passwords
or writes a file while it holds the lock makes every other save wait, then fail with
«database is locked» after the busy timeout. The tests and ``bench/write_lock.py`` use these.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextlib.contextmanager
def file_database(directory: Path) -> Iterator[None]:
    """On SQLite, move this thread's test database into a file for the duration, with its
    current contents: two connections to the in-memory test database share one cache, in
    which a blocked writer fails at once instead of waiting on the busy timeout, so only a
    file shows the locking a server has. Other threads connect to the file too (they read
    the same settings). Nothing changes on PostgreSQL."""
    settings_dict = connection.settings_dict
    memory_name = str(settings_dict["NAME"])
    if connection.vendor != "sqlite" or not (
        memory_name == ":memory:" or "mode=memory" in memory_name
    ):
        yield
        return
    connection.ensure_connection()
    # The in-memory database lives while a connection to it is open: keep this one.
    keeper = connection.connection
    path = directory / "school.sqlite3"
    copy = sqlite3.connect(path)
    keeper.backup(copy)
    copy.close()
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = memory_name
        connection.connection = keeper


@dataclass
class SlowPart:
    """Holds a job's slow step (rendering, hashing, writing a file) open until ``release``
    (or, once, ``hold`` seconds), then lets it run for real: while it is held, another connection
    saves, and the save must not wait for the job."""

    hold: float = 5.0
    inside: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def wrap(self, fn: Callable) -> Callable:
        def slowed(*args, **kwargs):
            self.inside.set()
            if not self.released.wait(timeout=self.hold):
                self.released.set()  # held once: the job's later steps run at full speed
            return fn(*args, **kwargs)

        return slowed

    def release(self) -> None:
        self.released.set()


@dataclass
class WriteLockTimer:
    """The write-lock holds of one connection: each transaction from BEGIN to COMMIT or
    ROLLBACK, each write statement outside a transaction by itself (seconds)."""

    holds: list[float] = field(default_factory=list)
    _began: float | None = None

    @property
    def longest(self) -> float:
        return max(self.holds, default=0.0)

    @contextlib.contextmanager
    def watch(self, conn=connection) -> Iterator[WriteLockTimer]:
        conn.ensure_connection()
        originals = {
            name: getattr(conn, name)
            for name in ("_start_transaction_under_autocommit", "_commit", "_rollback")
        }

        def begin():
            self._began = time.perf_counter()
            originals["_start_transaction_under_autocommit"]()

        def end(name):
            def finish():
                try:
                    originals[name]()
                finally:
                    if self._began is not None:
                        self.holds.append(time.perf_counter() - self._began)
                        self._began = None

            return finish

        def statement(execute, sql, params, many, context):
            if self._began is not None or not sql.lstrip().upper().startswith(WRITES):
                return execute(sql, params, many, context)
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.holds.append(time.perf_counter() - started)

        conn._start_transaction_under_autocommit = begin
        conn._commit = end("_commit")
        conn._rollback = end("_rollback")
        try:
            with conn.execute_wrapper(statement):
                yield self
        finally:
            for name, original in originals.items():
                setattr(conn, name, original)
