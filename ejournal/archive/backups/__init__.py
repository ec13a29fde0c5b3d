"""Consistent backups of the database and the stored files, and their verified restore
(001 §3.3, §4.2; SPEC R10.3).

A backup is one ``.tar.gz``: ``manifest.json`` (engine, per-table row counts and row
checksums, a SHA-256 per file), the database (SQLite through the online backup API, or a
``pg_dump`` custom-format dump taken in the same snapshot as the row checksums), and the
stored files under ``files/``. Restore checks every checksum before it writes anything,
writes only into an empty database and an empty files directory, and then compares the
restored rows and files with the manifest.

Split by subject: database (the engines, row checksums and dumps), create (writing a
backup), restore (reading, checking and restoring one).
"""

from ejournal.archive.backups.create import (
    backup_create,
    backup_write,
)
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
from ejournal.archive.backups.restore import (
    RestoreReport,
    _target_is_empty,
    backup_check,
    backup_restore,
    read_verified,
    restore_compare,
)

__all__ = [
    "BackupError",
    "CHUNK",
    "Database",
    "FORMAT",
    "MANIFEST",
    "_sha_file",
    "default_database",
    "is_deployment_admin",
    "postgres_digests",
    "scratch_postgres",
    "sqlite_digests",
    "without_paths",
    "backup_create",
    "backup_write",
    "RestoreReport",
    "_target_is_empty",
    "backup_check",
    "backup_restore",
    "read_verified",
    "restore_compare",
]
