"""Questions the schedule asks about lessons that only the journal can answer.

The journal sits above the schedule, so its answers come through the registry
(``registry.LESSONS_WITH_JOURNAL_DATA``, ``registry.LESSONS_DOCUMENTED``): each returns
the subset of the given lesson ids for which the answer is yes.
"""

from __future__ import annotations

from collections.abc import Collection

from ejournal.core import registry
from ejournal.schedule.models import Lesson, LessonStatus


def lesson_ids_with_journal_data(lesson_ids: Collection[int]) -> set[int]:
    ids = set(lesson_ids)
    found: set[int] = set()
    if not ids:
        return found
    for check in registry.LESSONS_WITH_JOURNAL_DATA.providers():
        found |= set(check(ids)) & ids
    return found


def lesson_ids_documented(lesson_ids: Collection[int]) -> set[int]:
    ids = set(lesson_ids)
    if not ids:
        return set()
    found = set(
        Lesson.objects.filter(id__in=ids, status=LessonStatus.HELD).values_list("id", flat=True)
    )
    for check in registry.LESSONS_DOCUMENTED.providers():
        found |= set(check(ids)) & ids
    return found
