"""The journal's answers to the schedule's questions about lessons (schedule.hooks,
through ``registry.LESSONS_WITH_JOURNAL_DATA`` and ``registry.LESSONS_DOCUMENTED``)."""

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
