"""The journal's answers to the schedule's questions about lessons (schedule.hooks)."""

from __future__ import annotations

from collections.abc import Collection


def lesson_ids_with_journal_data(lesson_ids: Collection[int]) -> set[int]:
    from ejournal.journal.models import Attendance, Homework, LessonRecord, Mark, Work

    ids = set(lesson_ids)
    found = set(Work.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    found |= set(
        Mark.objects.filter(work__lesson_id__in=ids).values_list("work__lesson_id", flat=True)
    )
    found |= set(Attendance.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    found |= set(Homework.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True))
    found |= set(
        LessonRecord.objects.filter(lesson_id__in=ids)
        .exclude(topic="", comment="")
        .values_list("lesson_id", flat=True)
    )
    return found


def lesson_ids_documented(lesson_ids: Collection[int]) -> set[int]:
    from ejournal.journal.models import LessonRecord

    return set(
        LessonRecord.objects.filter(lesson_id__in=set(lesson_ids))
        .exclude(topic="")
        .values_list("lesson_id", flat=True)
    )


def register() -> None:
    from ejournal.schedule import hooks

    if lesson_ids_with_journal_data not in hooks.LESSON_DATA_CHECKS:
        hooks.LESSON_DATA_CHECKS.append(lesson_ids_with_journal_data)
    if lesson_ids_documented not in hooks.LESSON_DOCUMENTED_CHECKS:
        hooks.LESSON_DOCUMENTED_CHECKS.append(lesson_ids_documented)
