"""What the notifications do when the journal or attestation tells them of changes
(``registry.MARKS_CHANGED`` and the others), after commit: they only put a task on the
queue, so the teacher's save never waits for (or fails because of) a notification."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ejournal.core import registry
from ejournal.notifications import tasks

logger = logging.getLogger(__name__)


def _enqueue(task_name: str, changes: Sequence[Mapping[str, Any]]) -> None:
    """One task for one change; one task for all the changes of a batch of cells."""
    try:
        if len(changes) == 1:
            getattr(tasks, task_name).enqueue(**changes[0])
        else:
            tasks.run_many.enqueue(task_name=task_name, payloads=[dict(c) for c in changes])
    except Exception:
        logger.exception("Не удалось поставить уведомления в очередь (%s)", task_name)


def marks_changed(changes: Sequence[registry.MarkChange]) -> None:
    _enqueue("on_mark_changed", changes)


def attendance_changed(changes: Sequence[registry.AttendanceChange]) -> None:
    _enqueue("on_attendance_changed", changes)


def homework_changed(changes: Sequence[registry.HomeworkChange]) -> None:
    _enqueue("on_homework_changed", changes)


def period_marks_changed(changes: Sequence[registry.PeriodMarkChange]) -> None:
    _enqueue("on_period_mark_changed", changes)


def corrections_decided(changes: Sequence[registry.CorrectionDecision]) -> None:
    _enqueue("on_correction_decided", changes)


def lessons_changed(changes: Sequence[registry.LessonChange]) -> None:
    _enqueue("on_lesson_changed", changes)
