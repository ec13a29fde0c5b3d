"""Questions the schedule asks about lessons that only the journal can answer.

The journal app registers its answers here (in its ``AppConfig.ready``), so the schedule
never imports the journal:

    from ejournal.schedule import hooks
    hooks.LESSON_DATA_CHECKS.append(lesson_ids_with_journal_data)
    hooks.LESSON_DOCUMENTED_CHECKS.append(lesson_ids_documented)

Each callable takes a collection of lesson ids and returns the subset (a set) for which the
answer is yes. Each must run a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from ejournal.schedule.models import Lesson, LessonStatus

LessonIdCheck = Callable[[Collection[int]], set[int]]

# A lesson has journal data (topic, homework, works, marks, attendance): materialisation
# must never delete, move or re-teacher it.
LESSON_DATA_CHECKS: list[LessonIdCheck] = []

# A lesson is documented (the substitution log's «урок оформлен»). A held lesson always is.
LESSON_DOCUMENTED_CHECKS: list[LessonIdCheck] = []


def lesson_ids_with_journal_data(lesson_ids: Collection[int]) -> set[int]:
    ids = set(lesson_ids)
    found: set[int] = set()
    if not ids:
        return found
    for check in LESSON_DATA_CHECKS:
        found |= set(check(ids)) & ids
    return found


def lesson_ids_documented(lesson_ids: Collection[int]) -> set[int]:
    ids = set(lesson_ids)
    if not ids:
        return set()
    found = set(
        Lesson.objects.filter(id__in=ids, status=LessonStatus.HELD).values_list("id", flat=True)
    )
    for check in LESSON_DOCUMENTED_CHECKS:
        found |= set(check(ids)) & ids
    return found
