"""What every journal write shares: its errors, the batch of cells, who may write,
membership, versions and closed periods."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ejournal.accounts.models import Student
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal.models import (
    JournalSettings,
    Mark,
    Work,
)
from ejournal.schedule.models import Lesson
from ejournal.schedule.permissions import keeps_journal_of, lesson_closed_refusal
from ejournal.school import selectors as school_selectors
from ejournal.school.models import SchoolClass


class JournalRefusal(ValidationError):
    """A rule forbids the write; ``correctable`` says a correction request is the way."""

    def __init__(self, refusal: rules.Refusal):
        super().__init__(refusal.message)
        self.correctable = refusal.correctable


class JournalConflict(Exception):
    """Someone else changed the record since the teacher loaded it."""

    def __init__(self, current: dict[str, Any] | None):
        self.current = current
        value = (current or {}).get("display") or "пусто"
        super().__init__(
            f"Запись уже изменена другим пользователем (сейчас: {value}). "
            "Проверьте текущее значение и повторите."
        )


# ``expected_version`` for a write that must not check versions (approved corrections).
ANY_VERSION = -1


def lesson_grade(lesson: Lesson) -> int:
    """The grade whose rules apply: the class's, or for a cross-class stream the lowest
    grade among its members on the lesson date (the strictest window)."""
    group = lesson.group
    if group.school_class_id:
        return group.school_class.grade  # type: ignore[union-attr]
    grades = SchoolClass.objects.filter(
        school_selectors.active_on(lesson.date, "enrollments__"),
        enrollments__student__group_memberships__group=group,
    ).values_list("grade", flat=True)
    return min(grades, default=5)


def _ensure_writer(staff, lesson: Lesson, batch: SaveBatch | None = None) -> None:
    """The one rule (ejournal.schedule.permissions), enforced here too: a caller that
    skipped the page's or the API's check still cannot write."""
    who = _memo(
        lesson,
        f"writer:{getattr(staff, 'pk', None)}",
        lambda: keeps_journal_of(staff, lesson),
        batch,
    )
    if not who:
        raise ValidationError(
            "Вносить записи по этому уроку может только учитель, который его ведёт "
            "(или назначенный на замену)."
        )
    closed = lesson_closed_refusal(lesson)
    if closed:
        raise JournalRefusal(rules.Refusal(closed))


@dataclass
class SaveBatch:
    """One all-or-nothing save of many cells (``journal_cells_save``), handed to each
    cell's write as ``batch=``. The facts every cell of a lesson needs — window settings,
    closed periods, members on the lesson date — are read once per lesson; the marks of
    the batch are read and locked in one query; its audit events are written together;
    the apps above hear of all its changes in one call per kind, after commit."""

    audit: audit.AuditBatch
    facts: dict[tuple[int, str], Any] = field(default_factory=dict)
    # The marks of the mark cells by (work, student), None where there is no mark yet.
    marks: dict[tuple[int, int], Mark | None] = field(default_factory=dict)
    changes: dict[registry.ExtensionPoint[Any], list[Any]] = field(default_factory=dict)


def _memo_forget(lesson: Lesson, key: str, batch: SaveBatch | None) -> None:
    if batch is not None:
        batch.facts.pop((lesson.pk, key), None)


def _lock_batch_marks(batch: SaveBatch, changes) -> None:
    wanted: dict[int, set[int]] = defaultdict(set)
    for change in changes:
        if change.kind == "mark" and change.work is not None:
            wanted[change.work.pk].add(change.student.pk)
    if not wanted:
        return
    where = Q()
    for work_id, student_ids in wanted.items():
        where |= Q(work_id=work_id, student_id__in=student_ids)
    locked: dict[tuple[int, int], Mark | None] = {
        (work_id, student_id): None
        for work_id, student_ids in wanted.items()
        for student_id in student_ids
    }
    for mark in Mark.objects.select_for_update().filter(where).order_by("pk"):
        locked[(mark.work_id, mark.student_id)] = mark
    batch.marks = locked


def _memo(lesson: Lesson, key: str, compute, batch: SaveBatch | None):
    if batch is None:
        return compute()
    if (lesson.pk, key) not in batch.facts:
        batch.facts[(lesson.pk, key)] = compute()
    return batch.facts[(lesson.pk, key)]


def _tell(point: registry.ExtensionPoint[Any], change: Any, batch: SaveBatch | None) -> None:
    """The apps above hear of the change after commit (a rolled-back write tells nobody);
    a batch tells them of all its changes at once."""
    if batch is not None:
        batch.changes.setdefault(point, []).append(change)
    else:
        _tell_after_commit(point, [change])


def _tell_after_commit(point: registry.ExtensionPoint[Any], changes: list[Any]) -> None:
    for listener in point.providers():
        transaction.on_commit(functools.partial(listener, changes))


def _members_on_lesson_date(lesson: Lesson) -> tuple[set[int], set[int]]:
    """The group's members on the lesson date, and those of them enrolled in the school."""
    members = set(
        school_selectors.students_of_group_on(group=lesson.group, day=lesson.date).values_list(
            "pk", flat=True
        )
    )
    return members, school_selectors.students_enrolled_on(student_ids=members, day=lesson.date)


def _ensure_member(lesson: Lesson, student: Student, batch: SaveBatch | None = None) -> None:
    members, enrolled = _memo(lesson, "members", lambda: _members_on_lesson_date(lesson), batch)
    if student.pk not in members:
        # Not named: any id of the school may be sent here, and the answer must not say
        # whose it is to someone who does not teach them.
        raise ValidationError(
            f"Ученик № {student.pk} не учится в группе «{lesson.group}» на дату урока "
            f"{rules.fmt(lesson.date)}."
        )
    if student.pk not in enrolled:
        raise ValidationError(
            f"{student.short_name} не числится в школе на дату урока {rules.fmt(lesson.date)} "
            "(выбыл или ещё не зачислен): записи о нём не вносятся."
        )


def _settings(lesson: Lesson, batch: SaveBatch | None = None) -> JournalSettings:
    return _memo(lesson, "settings", lambda: rules.settings_for(lesson.school), batch)


def _now(lesson: Lesson) -> dt.datetime:
    return rules.school_now(lesson.school)


def _closed(lesson: Lesson, batch: SaveBatch | None = None) -> list[rules.ClosedRange]:
    return _memo(
        lesson,
        "closed",
        lambda: rules.closed_ranges(school_id=lesson.school_id, grade=lesson_grade(lesson)),
        batch,
    )


def _check_version(current_version: int | None, expected: int | None, current: Any) -> None:
    if expected == ANY_VERSION:
        return
    if (expected or None) != current_version:
        raise JournalConflict(current)


def _audit_view(snapshot, work: Work, student: Student):
    if snapshot is None:
        return None
    return {**snapshot, "work": work.pk, "student": student.pk, "lesson": work.lesson_id}


@dataclass(frozen=True)
class CellChange:
    """One cell the teacher typed: a mark of a work, or a lesson's attendance.

    ``work`` None on a mark cell means the lesson's default work, created with the first
    mark. ``comment`` None keeps the mark's current comment.
    """

    kind: str  # "mark" or "attendance"
    lesson: Lesson
    student: Student
    value: str | None
    expected_version: int | None
    work: Work | None = None
    comment: str | None = None


@dataclass(frozen=True)
class CellSaved:
    change: CellChange
    work: Work | None
    snapshot: dict[str, Any] | None


class CellError(Exception):
    """A cell of a batch failed; nothing of the batch was saved."""

    def __init__(self, index: int, error: Exception):
        self.index = index
        self.error = error
        super().__init__(str(error))
