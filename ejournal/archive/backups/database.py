"""The database behind a backup: its engine, the row checksums of every table, and its
dump; what backups share."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = 1


MANIFEST = "manifest.json"


CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the user (Russian)."""


def is_deployment_admin(user) -> bool:
    """The deployment's administrator (a Django superuser): the only person who takes and
    checks backups of the whole deployment. A school's administrator is not one: a backup
    holds every school's data (issue #22)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_superuser
    )


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/:]+/)*([^\s'\"/:]+)")


def without_paths(text: str) -> str:
    """A message for a page: every absolute server path cut to its last part (the server's
    layout is nobody's business but its administrator's)."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1), text)


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Database:
    """Where a database lives: an SQLite file, or a PostgreSQL connection."""

    engine: str  # "sqlite" | "postgresql"
    path: str = ""  # SQLite
    params: dict = field(default_factory=dict)  # PostgreSQL: host, port, user, password, dbname

    @classmethod
    def parse(cls, target: str) -> Database:
        """``postgres://user@host:port/name``, ``sqlite:///path`` or a plain file path."""
        if target.startswith(("postgres://", "postgresql://")):
            import dj_database_url

            return cls.from_settings(dj_database_url.parse(target))
        if target.startswith("sqlite:///"):
            target = target[len("sqlite:///") :]
        return cls("sqlite", path=str(Path(target).resolve()))

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> Database:
        """From a Django ``DATABASES`` entry of PostgreSQL."""
        return cls(
            "postgresql",
            params={
                "host": s.get("HOST") or "",
                "port": str(s.get("PORT") or ""),
                "user": s.get("USER") or "",
                "password": s.get("PASSWORD") or "",
                "dbname": s["NAME"],
            },
        )

    def with_dbname(self, name: str) -> Database:
        return Database(self.engine, params={**self.params, "dbname": name})

    def connect(self):
        import psycopg

        return psycopg.connect(**{k: v for k, v in self.params.items() if v}, autocommit=True)

    def cli_args(self) -> tuple[list[str], dict[str, str]]:
        p = self.params
        args = []
        for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
            if p.get(key):
                args += [flag, p[key]]
        env = {**os.environ}
        if p.get("password"):
            env["PGPASSWORD"] = p["password"]
        return args, env


def default_database() -> Database:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return Database("sqlite", path=str(s["NAME"]))
    return Database.from_settings(s)


def sqlite_digests(conn: sqlite3.Connection) -> dict[str, dict]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    result = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        columns = [
            '"' + row[1].replace('"', '""') + '"'
            for row in conn.execute(f"PRAGMA table_info({quoted})")
        ]
        # quote() gives each value's SQL text, untouched by a connection's type converters.
        values = ", ".join(f"quote({c})" for c in columns)
        digest, rows = hashlib.sha256(), 0
        query = f"SELECT {values} FROM {quoted} ORDER BY {', '.join(columns)}"  # noqa: S608
        for row in conn.execute(query):
            digest.update(repr(row).encode("utf-8"))
            digest.update(b"\n")
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def postgres_digests(conn) -> dict[str, dict]:
    """Per table of the public schema: rows and a checksum of their text form."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    result = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        digest, rows = hashlib.sha256(), 0
        cursor = conn.execute(f"SELECT t::text FROM public.{quoted} AS t ORDER BY 1")  # noqa: S608
        for (text,) in cursor:
            digest.update(text.encode("utf-8"))
            digest.update(b"\n")
            rows += 1
        result[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).resolve()


def _stored_files(exclude: Path) -> Iterator[tuple[str, Path]]:
    root = _media_root()
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        # A backup directory inside the files directory is never backed up into itself.
        dirnames[:] = sorted(d for d in dirnames if (here / d).resolve() != exclude)
        for name in sorted(filenames):
            path = here / name
            yield path.relative_to(root).as_posix(), path


def _dump_sqlite(db: Database, workdir: Path) -> tuple[Path, dict]:
    target = workdir / "db.sqlite3"
    dest = sqlite3.connect(target)
    try:
        if connection.vendor == "sqlite" and db.path == str(connection.settings_dict["NAME"]):
            # The online backup API copies a consistent state, even while others write;
            # inside an open transaction it would wait for its own lock forever.
            if connection.in_atomic_block:
                raise BackupError("Резервная копия не делается внутри незавершённой транзакции.")
            connection.ensure_connection()
            connection.connection.backup(dest)
        else:
            source = sqlite3.connect(db.path)
            source.backup(dest)
            source.close()
        tables = sqlite_digests(dest)
    finally:
        dest.close()
    return target, tables


def _dump_postgres(db: Database, workdir: Path) -> tuple[Path, dict]:
    target = workdir / "db.dump"
    conn = db.connect()
    try:
        # One snapshot for the dump and for the checksums, so they describe the same data.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        args, env = db.cli_args()
        result = subprocess.run(  # noqa: S603
            [
                shutil.which("pg_dump") or "/usr/bin/pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                db.params["dbname"],
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump завершился с ошибкой: {result.stderr.strip()}")
        tables = postgres_digests(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return target, tables


class scratch_postgres:  # noqa: N801 - used as a context manager
    """A uniquely named empty PostgreSQL database on the server of ``base``, dropped on exit."""

    def __init__(self, base: Database, prefix: str = "ejournal_restore_check"):
        self.server = base.with_dbname("postgres")
        self.name = f"{prefix}_{secrets.token_hex(4)}"

    def __enter__(self) -> Database:
        with self.server.connect() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.server.with_dbname(self.name)

    def __exit__(self, *exc) -> None:
        with self.server.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
