"""A batch of journal grid cells saved at once (the keyboard grid's save)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.audit import services as audit
from ejournal.journal.services._common import (
    CellChange,
    CellError,
    CellSaved,
    JournalConflict,
    SaveBatch,
    _ensure_writer,
    _lock_batch_marks,
    _tell_after_commit,
)
from ejournal.journal.services.attendance import attendance_set, attendance_snapshot
from ejournal.journal.services.marks import mark_set
from ejournal.journal.services.works import lesson_default_work


def journal_cells_save(*, actor, staff, changes: list[CellChange]) -> list[CellSaved]:
    """Apply several cells all-or-nothing: a refusal or a conflict in any cell rolls
    back every cell of the batch (and its audit events and notifications)."""
    if not changes:
        raise ValidationError("Нет изменений для сохранения.")
    if len(changes) > 500:
        raise ValidationError("За один раз можно сохранить не больше 500 ячеек.")
    saved: list[CellSaved] = []
    with transaction.atomic(), audit.batch() as audit_batch:
        batch = SaveBatch(audit=audit_batch)
        _lock_batch_marks(batch, changes)
        for index, change in enumerate(changes):
            try:
                saved.append(_cell_save(actor=actor, staff=staff, change=change, batch=batch))
            except (ValidationError, JournalConflict) as exc:
                raise CellError(index, exc) from exc
        for point, told in batch.changes.items():
            _tell_after_commit(point, told)
    return saved


def _cell_save(*, actor, staff, change: CellChange, batch: SaveBatch) -> CellSaved:
    lesson = change.lesson
    if change.kind == "attendance":
        row = attendance_set(
            actor=actor,
            staff=staff,
            lesson=lesson,
            student=change.student,
            value=change.value,
            expected_version=change.expected_version,
            batch=batch,
        )
        return CellSaved(change, None, attendance_snapshot(row))
    if change.kind != "mark":
        raise ValidationError("Неизвестный вид ячейки.")
    work = change.work
    if work is None:
        _ensure_writer(staff, lesson, batch)
        work = lesson_default_work(actor=actor, staff=staff, lesson=lesson, batch=batch)
    elif work.lesson_id != lesson.pk:
        raise ValidationError("Работа относится к другому уроку.")
    # No comment in the cell: mark_set keeps the comment the mark already has.
    result = mark_set(
        actor=actor,
        staff=staff,
        work=work,
        student=change.student,
        value=change.value,
        comment=change.comment,
        expected_version=change.expected_version,
        batch=batch,
    )
    return CellSaved(change, work, result.after)
