"""Restoring a backup: every checksum checked before anything is written, only into an
empty database, then compared with the manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.db import transaction
from django.utils import timezone

from ejournal.archive.backups.database import (
    CHUNK,
    FORMAT,
    MANIFEST,
    BackupError,
    Database,
    _sha_file,
    default_database,
    is_deployment_admin,
    postgres_digests,
    scratch_postgres,
    sqlite_digests,
    without_paths,
)
from ejournal.archive.models import Backup
from ejournal.audit import services as audit


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
