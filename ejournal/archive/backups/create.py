"""Writing a backup: the dump, the stored files and the manifest in one archive."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from ejournal.archive import conf
from ejournal.archive.backups.database import (
    FORMAT,
    MANIFEST,
    BackupError,
    Database,
    _dump_postgres,
    _dump_sqlite,
    _sha_file,
    _stored_files,
    default_database,
    is_deployment_admin,
)
from ejournal.archive.models import Backup
from ejournal.audit import checkpoints as audit_checkpoints
from ejournal.audit import services as audit


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
