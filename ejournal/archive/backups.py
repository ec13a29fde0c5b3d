"""Consistent backups of the database and the stored files, and their verified restore
(001 §3.3, §4.2; SPEC R10.3).

A backup is one ``.tar.gz``: ``manifest.json`` (engine, per-table row counts and row
checksums, a SHA-256 per file), the database (SQLite through the online backup API, or a
``pg_dump`` custom-format dump taken in the same snapshot as the row checksums), and the
stored files under ``files/``. Restore checks every checksum before it writes anything,
writes only into an empty database and an empty files directory, and then compares the
restored rows and files with the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ejournal.archive import conf
from ejournal.archive.models import Backup
from ejournal.audit import checkpoints as audit_checkpoints
from ejournal.audit import services as audit

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


# --- Database specs -----------------------------------------------------------------------


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


# --- Row checksums ------------------------------------------------------------------------


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


# --- Taking a backup ----------------------------------------------------------------------


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


def backup_write(*, directory: Path, db: Database | None = None) -> tuple[Path, dict]:
    """Write a backup archive into ``directory``; returns its path and manifest."""
    own = db is None  # the deployment's own database, whose audit chains are ours
    db = db or default_database()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    final = directory / f"ejournal-{stamp}-{secrets.token_hex(3)}.tar.gz"
    # The audit heads are taken before the dump, so the dump holds every event they name:
    # written down outside the database and into the manifest, a restore (or anyone with
    # the key) can check that no event was cut off the chains after this backup.
    audit_heads = [point.as_json() for point in audit_checkpoints.heads_signed()] if own else []
    if own:
        audit_checkpoints.checkpoint_write()
    with tempfile.TemporaryDirectory(prefix="ejournal-backup-") as tmp:
        workdir = Path(tmp)
        if db.engine == "sqlite":
            dump, tables = _dump_sqlite(db, workdir)
        else:
            dump, tables = _dump_postgres(db, workdir)
        files = {}
        stored = list(_stored_files(exclude=directory.resolve()))
        for rel, path in stored:
            files[rel] = {"sha256": _sha_file(path), "size": path.stat().st_size}
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": db.engine,
            "database": {
                "member": f"db/{dump.name}",
                "sha256": _sha_file(dump),
                "size": dump.stat().st_size,
            },
            "tables": tables,
            "files": files,
            "audit_heads": audit_heads,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        partial = final.with_suffix(".part")
        with tarfile.open(partial, "w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest_bytes)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(manifest_bytes))
            tar.add(dump, arcname=manifest["database"]["member"], recursive=False)
            for rel, path in stored:
                tar.add(path, arcname=f"files/{rel}", recursive=False)
        partial.rename(final)
    manifest["_manifest_sha256"] = hashlib.sha256(manifest_bytes).hexdigest()
    return final, manifest


def backup_create(*, actor=None, school=None, scheduled: bool = False, note: str = "") -> Backup:
    """Take a backup into the backup directory and record it in the register.

    ``actor`` is None for the server's command and the schedule; a person must be the
    deployment's administrator."""
    if actor is not None and not is_deployment_admin(actor):
        raise BackupError("Резервные копии всей системы делает только администратор сервера.")
    path, manifest = backup_write(directory=conf.backup_dir())
    now = timezone.now()
    with transaction.atomic():
        backup = Backup.objects.create(
            school=school,
            created_by=actor,
            created_at=now,
            scheduled=scheduled,
            engine=manifest["engine"],
            path=str(path),
            size=path.stat().st_size,
            sha256=_sha_file(path),
            manifest_sha256=manifest["_manifest_sha256"],
            tables=len(manifest["tables"]),
            rows=sum(t["rows"] for t in manifest["tables"].values()),
            files=len(manifest["files"]),
            note=note[:300],
            keep_until=conf.add_years(now.date(), conf.retention_years("backup")),
        )
        audit.record(
            action="archive.backup_created",
            actor=actor,
            school=school,
            obj=backup,
            after={"file": path.name, "sha256": backup.sha256, "size": backup.size},
        )
    return backup


# --- Restoring ------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _refuse(reason: str) -> BackupError:
    return BackupError(f"Восстановление отклонено, ничего не изменено: {reason}")


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def read_verified(archive: Path) -> dict:
    """The manifest, after checking every member of the archive against it.

    Reads the whole archive and writes nothing; any damage is refused here.
    """
    if not archive.is_file():
        raise _refuse(f"файл архива не найден: {archive.name}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = member = tar.next()
            if member is None or member.name != MANIFEST:
                raise _refuse("в архиве нет описи (manifest.json) в начале")
            manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))  # type: ignore[union-attr]
            if manifest.get("format") != FORMAT:
                raise _refuse("неизвестный формат архива")
            expected = {manifest["database"]["member"]: manifest["database"]["sha256"]}
            expected |= {f"files/{rel}": meta["sha256"] for rel, meta in manifest["files"].items()}
            seen = set()
            for member in tar:
                if member is first:
                    continue
                if not _safe_member(member.name) or not member.isfile():
                    raise _refuse(f"недопустимый элемент архива: {member.name}")
                if member.name not in expected:
                    raise _refuse(f"элемент не указан в описи: {member.name}")
                digest = hashlib.sha256()
                handle = tar.extractfile(member)
                while block := handle.read(CHUNK):  # type: ignore[union-attr]
                    digest.update(block)
                if digest.hexdigest() != expected[member.name]:
                    raise _refuse(f"контрольная сумма не совпадает: {member.name}")
                seen.add(member.name)
            missing = sorted(set(expected) - seen)
            if missing:
                raise _refuse(f"в архиве нет файлов из описи: {', '.join(missing[:5])}")
    except BackupError:
        raise
    except (
        tarfile.TarError,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
    ) as exc:
        raise _refuse(f"архив повреждён или не является резервной копией ({exc})") from exc
    return manifest


def _target_is_empty(db: Database) -> bool:
    if db.engine == "sqlite":
        path = Path(db.path)
        if not path.exists() or path.stat().st_size == 0:
            return True
        conn = sqlite3.connect(path)
        try:
            count = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
            ).fetchone()[0]
        finally:
            conn.close()
        return count == 0
    conn = db.connect()
    try:
        count = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    finally:
        conn.close()
    return count == 0


def backup_restore(*, archive: Path, target: Database, files_dir: Path) -> RestoreReport:
    """Restore ``archive`` into an empty database and an empty files directory, then
    compare the restored rows and files with the manifest."""
    manifest = read_verified(archive)
    if manifest["engine"] != target.engine:
        raise _refuse(
            f"копия сделана для {manifest['engine']}, а база назначения — {target.engine}"
        )
    try:
        empty = _target_is_empty(target)
    except Exception as exc:
        raise _refuse(f"база назначения недоступна ({exc})") from exc
    if not empty:
        raise _refuse("база данных назначения не пуста; восстанавливать можно только в пустую")
    if files_dir.exists() and any(files_dir.iterdir()):
        raise _refuse(f"каталог файлов назначения не пуст: {files_dir}")

    db_member = manifest["database"]["member"]
    with (
        tempfile.TemporaryDirectory(prefix="ejournal-restore-") as tmp,
        tarfile.open(archive, "r:gz") as tar,
    ):
        # Unpack into a scratch directory first; the target gets the files only after the
        # database restored, so a failed restore leaves the files directory as it was.
        staged = Path(tmp) / "files"
        staged.mkdir()
        for member in tar:
            if member.name == MANIFEST or not member.isfile():
                continue
            source = tar.extractfile(member)
            if member.name == db_member:
                dest = Path(tmp) / PurePosixPath(db_member).name
            else:
                dest = staged / PurePosixPath(member.name).relative_to("files")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with dest.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)  # type: ignore[arg-type]
        dump = Path(tmp) / PurePosixPath(db_member).name
        if target.engine == "sqlite":
            Path(target.path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dump, target.path)
        else:
            _pg_restore(dump, target)
        shutil.copytree(staged, files_dir, dirs_exist_ok=True)
    return restore_compare(manifest=manifest, target=target, files_dir=files_dir)


def _pg_restore(dump: Path, target: Database) -> None:
    args, env = target.cli_args()
    result = subprocess.run(  # noqa: S603
        [
            shutil.which("pg_restore") or "/usr/bin/pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            target.params["dbname"],
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore завершился с ошибкой: {result.stderr.strip()}")


def restore_compare(*, manifest: dict, target: Database, files_dir: Path) -> RestoreReport:
    if target.engine == "sqlite":
        conn = sqlite3.connect(target.path)
        try:
            tables = sqlite_digests(conn)
        finally:
            conn.close()
    else:
        conn = target.connect()
        try:
            tables = postgres_digests(conn)
        finally:
            conn.close()
    problems = []
    for name, meta in sorted(manifest["tables"].items()):
        got = tables.get(name)
        if got is None:
            problems.append(f"таблица {name} не восстановлена")
        elif got["rows"] != meta["rows"]:
            problems.append(f"таблица {name}: строк {got['rows']} вместо {meta['rows']}")
        elif got["sha256"] != meta["sha256"]:
            problems.append(f"таблица {name}: содержимое строк не совпадает")
    for rel, meta in sorted(manifest["files"].items()):
        path = files_dir / rel
        if not path.is_file():
            problems.append(f"файл {rel} не восстановлен")
        elif _sha_file(path) != meta["sha256"]:
            problems.append(f"файл {rel}: контрольная сумма не совпадает")
    return RestoreReport(
        tables=len(manifest["tables"]),
        rows=sum(t["rows"] for t in manifest["tables"].values()),
        files=len(manifest["files"]),
        problems=problems,
    )


def backup_check(*, backup: Backup, actor=None) -> RestoreReport:
    """Restore a registered backup into a throwaway database and directory, compare it
    with its manifest, and record the result in the register (whose pages show the
    message, so it carries no server paths)."""
    if actor is not None and not is_deployment_admin(actor):
        raise BackupError("Проверять резервные копии может только администратор сервера.")
    archive = Path(backup.path)
    report: RestoreReport | None = None
    message = ""
    try:
        if archive.is_file() and _sha_file(archive) != backup.sha256:
            raise _refuse("контрольная сумма архива не совпадает с реестром")
        with tempfile.TemporaryDirectory(prefix="ejournal-check-") as tmp:
            if backup.engine == "sqlite":
                report = backup_restore(
                    archive=archive,
                    target=Database("sqlite", path=str(Path(tmp) / "check.sqlite3")),
                    files_dir=Path(tmp) / "files",
                )
            else:
                with scratch_postgres(default_database()) as target:
                    report = backup_restore(
                        archive=archive, target=target, files_dir=Path(tmp) / "files"
                    )
    except BackupError as exc:
        message = without_paths(str(exc))
    ok = report is not None and report.ok
    if report is not None and not report.ok:
        message = without_paths("; ".join(report.problems))
    now = timezone.now()
    with transaction.atomic():
        backup.last_check_at = now
        backup.last_check_ok = ok
        backup.last_check_message = message[:2000]
        fields = ["last_check_at", "last_check_ok", "last_check_message"]
        if ok:
            backup.last_success_at = now
            fields.append("last_success_at")
        backup.save(update_fields=fields)
        audit.record(
            action="archive.backup_checked",
            actor=actor,
            school=backup.school_id,
            obj=backup,
            after={"ok": ok, "message": message[:500]},
        )
    if report is None:
        return RestoreReport(0, 0, 0, [message])
    return report


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
