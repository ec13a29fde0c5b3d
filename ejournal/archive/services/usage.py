"""The archive's usage log and the retention purge, which refuses to delete anything before
its term."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.archive.models import (
    ArchiveRecord,
    Backup,
    UsageEntry,
    UsageKind,
)
from ejournal.archive.services._common import REGISTER_KEEPERS, _ensure, _log_use
from ejournal.audit import services as audit


def usage_record(
    *, actor, school, backup: Backup | None, item: str, taken_by: str, purpose: str
) -> UsageEntry:
    """A line of the usage log: who took which backup or paper copy and why."""
    taken_by, purpose, item = (
        (taken_by or "").strip(),
        (purpose or "").strip(),
        (item or "").strip(),
    )
    errors = []
    if backup is None and not item:
        errors.append("Укажите, какая копия выдана.")
    if not taken_by:
        errors.append("Укажите, кто получил копию.")
    if not purpose:
        errors.append("Укажите цель выдачи.")
    if errors:
        raise ValidationError(errors)
    _ensure(actor, school, REGISTER_KEEPERS, "ведение журнала пользования копиями")
    with transaction.atomic():
        entry = _log_use(
            actor=actor,
            school=school,
            kind=UsageKind.BACKUP if backup else UsageKind.PAPER,
            item=str(backup) if backup else item,
            taken_by=taken_by,
            purpose=purpose,
            backup=backup,
        )
        audit.record(
            action="archive.usage_recorded",
            actor=actor,
            school=school,
            obj=entry,
            after={"item": entry.item, "taken_by": entry.taken_by, "purpose": entry.purpose},
        )
    return entry


def _refuse_early(keep_until: dt.date, today: dt.date, what: str) -> None:
    if today <= keep_until:
        raise ValidationError(
            f"{what} хранится до {keep_until:%d.%m.%Y} включительно: удалить раньше нельзя."
        )


def record_purge(*, actor, record: ArchiveRecord, today: dt.date) -> None:
    """Delete one archive record whose retention term is over (never earlier)."""
    _refuse_early(record.keep_until, today, f"Архивная запись «{record.title}»")
    name = record.pdf.name
    with transaction.atomic():
        audit.record(
            action="archive.record_purged",
            actor=actor,
            school=record.school,
            obj=record,
            before={
                "title": record.title,
                "pdf": record.pdf_sha256,
                "keep_until": record.keep_until,
            },
        )
        ArchiveRecord.objects.filter(pk=record.pk)._purge()
        transaction.on_commit(lambda: record.pdf.storage.delete(name) if name else None)


def backup_purge(*, actor, backup: Backup, today: dt.date) -> None:
    """Delete one backup (its register line stays, marked) whose term is over."""
    _refuse_early(backup.keep_until, today, str(backup))
    path = Path(backup.path)
    with transaction.atomic():
        audit.record(
            action="archive.backup_purged",
            actor=actor,
            school=backup.school_id,
            obj=backup,
            before={"file": path.name, "sha256": backup.sha256},
        )
        backup.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def purge_expired(*, actor, today: dt.date) -> tuple[int, int]:
    """Everything whose term is over: (archive records, backups) deleted."""
    records = list(ArchiveRecord.objects.filter(keep_until__lt=today).select_related("school"))
    backups = list(Backup.objects.filter(keep_until__lt=today))
    for record in records:
        record_purge(actor=actor, record=record, today=today)
    for backup in backups:
        backup_purge(actor=actor, backup=backup, today=today)
    return len(records), len(backups)
