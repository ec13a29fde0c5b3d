"""Backups: a consistent archive of the database and stored files, restored into a fresh
database with every row and file compared by checksums; damaged archives are refused
without touching anything. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from ejournal.archive import backups, services
from ejournal.archive.models import Backup
from ejournal.archive.tests.conftest import ArchiveWorld
from ejournal.journal.models import Homework, HomeworkAttachment
from ejournal.schedule.models import Lesson
from ejournal.testing.world import build_world

PG_SERVER = {"host": "127.0.0.1", "port": "5432", "user": "postgres", "dbname": "postgres"}


def _live_digests() -> dict:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return backups.sqlite_digests(connection.connection)
    conn = backups.default_database().connect()
    try:
        return backups.postgres_digests(conn)
    finally:
        conn.close()


def _fresh_target(tmp_path, stack):
    """An empty database of the same engine as the default one."""
    if connection.vendor == "sqlite":
        return backups.Database("sqlite", path=str(tmp_path / "restored.sqlite3"))
    return stack.enter_context(
        backups.scratch_postgres(backups.default_database(), prefix="ejournal_archive_test")
    )


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): backups._sha_file(p) for p in root.rglob("*") if p.is_file()
    }


def _populate(media):
    world = build_world()
    arw = ArchiveWorld(world)
    arw.close_q2()
    services.archive_create(
        actor=world.users["deputy"], school_class=world.school_class, period=arw.q2
    )
    homework = Homework.objects.create(lesson=Lesson.objects.first(), text="Упражнение 5")
    attachment = HomeworkAttachment(
        homework=homework, original_name="задание.txt", content_type="text/plain", size=6
    )
    attachment.file.save("задание.txt", ContentFile("привет".encode()), save=True)
    return world


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trips_every_row_and_file(media, tmp_path):
    from contextlib import ExitStack

    _populate(media)
    before_rows = _live_digests()
    before_files = _files(Path(media))
    assert len(before_files) >= 3  # two archived PDFs and the attachment

    backup = backups.backup_create(actor=None, note="тест")
    assert Path(backup.path).is_file()
    assert backup.size == Path(backup.path).stat().st_size
    assert backup.rows == sum(t["rows"] for t in before_rows.values())
    assert backup.files == len(before_files)

    with ExitStack() as stack:
        target = _fresh_target(tmp_path, stack)
        files_dir = tmp_path / "restored-files"
        report = backups.backup_restore(
            archive=Path(backup.path), target=target, files_dir=files_dir
        )
        assert report.ok, report.problems
        if target.engine == "sqlite":
            import sqlite3

            restored = backups.sqlite_digests(sqlite3.connect(target.path))
        else:
            with target.connect() as conn:
                restored = backups.postgres_digests(conn)
    assert restored == before_rows
    assert _files(files_dir) == before_files


@pytest.mark.django_db(transaction=True)
def test_restore_check_is_recorded_in_the_register(media, world):
    backup = backups.backup_create(actor=None)
    assert backup.last_success_at is None
    report = backups.backup_check(backup=backup, actor=None)
    assert report.ok, report.problems
    backup.refresh_from_db()
    assert backup.last_check_ok is True
    assert backup.last_success_at is not None


def _corrupt_member(archive: Path, dest: Path) -> Path:
    """The same archive with one byte changed inside a stored file (valid gzip and tar)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        changed = False
        for member in src:
            data = src.extractfile(member).read()
            if member.name.startswith("files/") and not changed:
                data = bytes([data[0] ^ 1]) + data[1:]
                changed = True
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    assert changed
    return dest


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_corrupted_archive_and_touches_nothing(media, tmp_path):
    _populate(media)
    backup = backups.backup_create(actor=None)
    archive = Path(backup.path)
    tampered = _corrupt_member(archive, tmp_path / "tampered.tar.gz")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    flipped = tmp_path / "flipped.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    flipped.write_bytes(bytes(raw))

    target = tmp_path / "new.sqlite3"
    files_dir = tmp_path / "new-files"
    for bad, reason in (
        (tampered, "контрольная сумма не совпадает: files/"),
        (truncated, "архив повреждён"),
        (flipped, "Восстановление отклонено"),
    ):
        with pytest.raises(CommandError) as exc:
            call_command("restore", str(bad), database=str(target), files_dir=str(files_dir))
        assert "Восстановление отклонено, ничего не изменено" in str(exc.value)
        assert reason in str(exc.value)
        assert not target.exists()
        assert not files_dir.exists()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(media, tmp_path):
    build_world()
    backup = backups.backup_create(actor=None)
    target = tmp_path / "busy.sqlite3"
    import sqlite3

    conn = sqlite3.connect(target)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = target.read_bytes()
    engine_target = str(target) if connection.vendor == "sqlite" else "postgres://x@127.0.0.1/x"
    with pytest.raises(CommandError, match="Восстановление отклонено"):
        call_command("restore", backup.path, database=engine_target, files_dir=str(tmp_path / "f"))
    assert target.read_bytes() == before


@pytest.mark.django_db(transaction=True)
def test_backup_command_records_the_register(media, capsys):
    build_world()
    call_command("backup", note="перед обновлением", check=True)
    backup = Backup.objects.get()
    assert backup.note == "перед обновлением"
    assert backup.last_success_at is not None
    assert "Проверка восстановлением пройдена" in capsys.readouterr().out


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_server():
    try:
        import psycopg

        psycopg.connect(**PG_SERVER, connect_timeout=3).close()
    except Exception as exc:  # no server here
        if os.environ.get("CI") or os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail(f"PostgreSQL на 127.0.0.1:5432 недоступен: {exc}")
        pytest.skip(f"PostgreSQL на 127.0.0.1:5432 недоступен: {exc}")
    return backups.Database("postgresql", params=dict(PG_SERVER))


PG_SCHEMA = """
CREATE TABLE school (id bigserial PRIMARY KEY, name text NOT NULL, data jsonb, logo bytea);
CREATE TABLE mark (
    id bigserial PRIMARY KEY,
    school_id bigint REFERENCES school(id),
    value varchar(8),
    weight numeric(3,1),
    at timestamptz,
    note text
);
INSERT INTO school (name, data, logo) VALUES
    ('СОШ №1', '{"город": "Ключи", "n": [1, 2]}', '\\x00ff10'),
    ('Школа «Ромашка»', NULL, NULL);
INSERT INTO mark (school_id, value, weight, at, note)
    SELECT 1 + (g % 2), (g % 5 + 1)::text, 1.5, '2026-11-05 09:00+03'::timestamptz
           + g * interval '1 hour', CASE WHEN g % 3 = 0 THEN NULL ELSE 'тема ' || g END
    FROM generate_series(1, 250) AS g;
"""


def test_postgresql_backup_restore_round_trip_and_refusal(settings, tmp_path):
    server = _pg_server()
    media = tmp_path / "files"
    (media / "archive").mkdir(parents=True)
    (media / "archive" / "журнал.pdf").write_bytes(b"%PDF-1.7 test")
    (media / "homework.txt").write_text("домашнее задание")
    settings.MEDIA_ROOT = media
    with backups.scratch_postgres(server, prefix="ejournal_archive_src") as source:
        with source.connect() as conn:
            conn.execute(PG_SCHEMA)
            source_digests = backups.postgres_digests(conn)
        archive, manifest = backups.backup_write(directory=tmp_path / "backups", db=source)
        assert manifest["engine"] == "postgresql"
        assert manifest["tables"]["mark"]["rows"] == 250

        with backups.scratch_postgres(server, prefix="ejournal_archive_dst") as target:
            # A damaged archive is refused and the empty target stays empty.
            damaged = tmp_path / "damaged.tar.gz"
            raw = bytearray(archive.read_bytes())
            raw[len(raw) // 2] ^= 0xFF
            damaged.write_bytes(bytes(raw))
            with pytest.raises(backups.BackupError, match="ничего не изменено"):
                backups.backup_restore(archive=damaged, target=target, files_dir=tmp_path / "never")
            assert backups._target_is_empty(target)
            assert not (tmp_path / "never").exists()

            report = backups.backup_restore(
                archive=archive, target=target, files_dir=tmp_path / "restored"
            )
            assert report.ok, report.problems
            assert report.rows == 252
            with target.connect() as conn:
                assert backups.postgres_digests(conn) == source_digests
            assert _files(tmp_path / "restored") == _files(media)

            # A second restore into the now filled database is refused.
            with pytest.raises(backups.BackupError, match="не пуста"):
                backups.backup_restore(archive=archive, target=target, files_dir=tmp_path / "again")


def test_sqlite_gzip_damage_is_named_in_russian(tmp_path):
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(gzip.compress(b"not a tar"))
    with pytest.raises(backups.BackupError, match="архив повреждён|нет описи"):
        backups.read_verified(bad)


@pytest.mark.parametrize("role", ["admin", "deputy", "operator", "director"])
def test_no_school_role_takes_or_checks_a_backup_of_the_deployment(world, role):
    # Issue #22: a backup holds every school; the service refuses a school's staff even
    # when a view forgot to.
    with pytest.raises(backups.BackupError, match="администратор сервера"):
        backups.backup_create(actor=world.users[role], school=world.school)
    backup = Backup.objects.create(
        created_at=timezone.now(),
        engine="sqlite",
        path="/srv/ejournal/backups/x.tar.gz",
        size=1,
        sha256="0" * 64,
        manifest_sha256="0" * 64,
        keep_until="2031-01-01",
    )
    with pytest.raises(backups.BackupError, match="администратор сервера"):
        backups.backup_check(backup=backup, actor=world.users[role])
    assert Backup.objects.count() == 1
    backup.refresh_from_db()
    assert backup.last_check_at is None


def test_messages_for_pages_carry_no_server_paths():
    message = backups.without_paths(
        "файл архива не найден: /srv/ejournal/backups/x.tar.gz; [Errno 2] '/tmp/a/b.db'"
    )
    assert message == "файл архива не найден: x.tar.gz; [Errno 2] 'b.db'"
    assert backups.without_paths("5 / 2, 10/11, 5А/6Б, https://example.ru/a") == (
        "5 / 2, 10/11, 5А/6Б, https://example.ru/a"
    )
