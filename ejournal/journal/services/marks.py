"""Marks: set, change or clear one pupil's mark for a work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ejournal.accounts.models import Student
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal.models import (
    NUMERIC_MARKS,
    Attendance,
    Mark,
    Work,
)
from ejournal.journal.services._common import (
    JournalConflict,
    JournalRefusal,
    SaveBatch,
    _audit_view,
    _check_version,
    _closed,
    _ensure_member,
    _ensure_writer,
    _memo,
    _now,
    _settings,
    _tell,
    lesson_grade,
)
from ejournal.journal.services.parsing import parse_mark


@overload
def mark_snapshot(mark: Mark) -> dict[str, Any]: ...


@overload
def mark_snapshot(mark: None) -> None: ...


@overload
def mark_snapshot(mark: Mark | None) -> dict[str, Any] | None: ...


def mark_snapshot(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {
        "value": mark.value,
        "display": mark.get_value_display(),
        "comment": mark.comment,
        "version": mark.version,
        "is_makeup": mark.is_makeup,
    }


@dataclass(frozen=True)
class MarkResult:
    mark: Mark | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def mark_set(
    *,
    actor,
    staff,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None = None,
    expected_version: int | None,
    batch: SaveBatch | None = None,
) -> MarkResult:
    """Put, change or clear one mark; ``value`` is what the teacher typed."""
    lesson = work.lesson
    _ensure_writer(staff, lesson, batch)
    parsed = parse_mark(value)
    refusal = rules.mark_refusal(
        lesson=lesson,
        grade=lesson_grade(lesson),
        work_type=work.work_type,
        settings=_settings(lesson, batch),
        now=_now(lesson),
        closed=_closed(lesson, batch),
    )
    if refusal:
        raise JournalRefusal(refusal)
    _ensure_member(lesson, student, batch)
    return _apply_mark(
        actor=actor,
        work=work,
        student=student,
        value=parsed,
        comment=comment,
        expected_version=expected_version,
        batch=batch,
    )


def _apply_mark(
    *,
    actor,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None,
    expected_version: int | None,
    reason: str = "",
    batch: SaveBatch | None = None,
) -> MarkResult:
    # A savepoint lets a caller catch a conflict and go on; a batch of cells never does
    # (any refusal rolls the whole batch back), so it saves two statements per cell.
    with transaction.atomic(savepoint=batch is None):
        return _apply_mark_in_transaction(
            actor=actor,
            work=work,
            student=student,
            value=value,
            comment=comment,
            expected_version=expected_version,
            reason=reason,
            batch=batch,
        )


def _apply_mark_in_transaction(
    *,
    actor,
    work: Work,
    student: Student,
    value: str | None,
    comment: str | None,
    expected_version: int | None,
    reason: str,
    batch: SaveBatch | None,
) -> MarkResult:
    lesson = work.lesson
    key = (work.pk, student.pk)
    if batch is not None and key in batch.marks:
        existing = batch.marks[key]  # read and locked with the batch's other cells
    else:
        existing = Mark.objects.select_for_update().filter(work=work, student=student).first()
    # No comment given: a changed value keeps the comment the mark had.
    comment = (existing.comment if existing and comment is None else comment or "").strip()
    if len(comment) > 500:
        raise ValidationError("Комментарий к отметке — не длиннее 500 символов.")
    before = mark_snapshot(existing)
    _check_version(existing.version if existing else None, expected_version, before)

    if value is None:
        if existing is None:
            return MarkResult(None, None, None)
        existing.delete()
        mark, after = None, None
    else:
        is_makeup = student.pk in _memo(
            lesson,
            "absent",
            lambda: set(
                Attendance.objects.filter(lesson=lesson, code__in=["n", "b", "up"]).values_list(
                    "student_id", flat=True
                )
            ),
            batch,
        )
        if existing is None:
            try:
                with transaction.atomic():
                    mark = Mark.objects.create(
                        work=work,
                        student=student,
                        value=value,
                        numeric=NUMERIC_MARKS.get(value),
                        comment=comment,
                        is_makeup=is_makeup,
                        created_by=actor,
                        updated_by=actor,
                    )
            except IntegrityError:
                # Someone created it between our read and our insert.
                raise JournalConflict(
                    mark_snapshot(Mark.objects.filter(work=work, student=student).first())
                ) from None
        else:
            if existing.value == value and existing.comment == comment:
                return MarkResult(existing, before, before)
            existing.value = value
            existing.numeric = NUMERIC_MARKS.get(value)
            existing.comment = comment
            existing.is_makeup = is_makeup
            existing.version += 1
            existing.updated_by = actor
            existing.save()
            mark = existing
        after = mark_snapshot(mark)
    if batch is not None and key in batch.marks:
        batch.marks[key] = mark
    audit.record(
        action="mark.deleted" if after is None else ("mark.updated" if before else "mark.created"),
        actor=actor,
        school=lesson.school_id,
        object_type="journal.mark",
        object_id=f"{work.pk}:{student.pk}",
        before=_audit_view(before, work, student),
        after=_audit_view(after, work, student),
        reason=reason,
        batch=batch.audit if batch else None,
    )
    change = registry.MarkChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        work_id=work.pk,
        student_id=student.pk,
        before=before,
        after=after,
    )
    _tell(registry.MARKS_CHANGED, change, batch)
    return MarkResult(mark, before, after)
