"""A course's plan and its items; which item a lesson covers and the topic it suggests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Exists, F, OuterRef, Q, Subquery

from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.schedule.models import Lesson, LessonStatus, ScheduleChange, ScheduleChangeKind
from ejournal.school.models import (
    StudyGroup,
)

# A lesson replaced by a moved copy is counted once, at its new date.
LIVE_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)


DOCUMENTED = Q(status=LessonStatus.HELD, record__topic__gt="")


NO_TOPIC = Q(record__isnull=True) | Q(record__topic="")


def _extra_lesson():
    """Lessons added by hand outside the timetable (make-ups for cancelled ones)."""
    return Exists(
        ScheduleChange.objects.filter(kind=ScheduleChangeKind.EXTRA, new_lesson=OuterRef("pk"))
    )


def plan_with_items(*, plan_id: int) -> ThematicPlan | None:
    return (
        ThematicPlan.objects.filter(pk=plan_id)
        .select_related("school", "year", "subject", "group__school_class", "owner")
        .first()
    )


def items_of(plan: ThematicPlan) -> list[PlanItem]:
    return list(PlanItem.objects.filter(plan=plan).order_by("number"))


def plans_by_course(
    plans: Iterable[ThematicPlan], groups: Iterable[StudyGroup], subject_ids: Iterable[int]
) -> dict[tuple[int, int], ThematicPlan]:
    """(group id, subject id) → the plan that group follows: its own, else its grade's."""
    own: dict[tuple, ThematicPlan] = {(p.group_id, p.subject_id): p for p in plans if p.group_id}
    by_grade: dict[tuple, ThematicPlan] = {
        (p.year_id, p.grade, p.subject_id): p for p in plans if p.grade
    }
    subject_ids = set(subject_ids)
    result = {}
    for group in groups:
        grade = _grade_of(group)
        for subject_id in subject_ids:
            plan = own.get((group.id, subject_id)) or by_grade.get(
                (group.year_id, grade, subject_id)
            )
            if plan is not None:
                result[(group.id, subject_id)] = plan
    return result


def _grade_of(group: StudyGroup) -> int | None:
    """The grade of a group's class (None for streams); needs ``school_class`` joined."""
    school_class = group.school_class if group.school_class_id else None
    return school_class.grade if school_class is not None else None


def _plan_q(*, group_id: int, subject_id: int) -> Q:
    group = StudyGroup.objects.filter(pk=group_id)
    return Q(subject_id=subject_id) & (
        Q(group_id=group_id)
        | Q(
            group__isnull=True,
            year_id=Subquery(group.values("year_id")[:1]),
            grade=Subquery(group.values("school_class__grade")[:1]),
        )
    )


def plan_for_course(*, group: StudyGroup, subject_id: int) -> ThematicPlan | None:
    """The group's own plan for the subject, else the grade plan it shares (one query)."""
    return (
        ThematicPlan.objects.filter(_plan_q(group_id=group.id, subject_id=subject_id))
        .select_related("owner")
        .order_by(F("group_id").asc(nulls_last=True))
        .first()
    )


def item_for_hour(items: Sequence[PlanItem], hour: int) -> PlanItem | None:
    """The item covering plan hour ``hour`` (1-based) of items in order."""
    if hour < 1:
        return None
    end = 0
    for item in items:
        end += item.hours
        if hour <= end:
            return item
    return None


def documented_lessons(*, group_id: int, subject_id: int):
    return Lesson.objects.filter(DOCUMENTED, group_id=group_id, subject_id=subject_id)


def suggested_topic(lesson: Lesson) -> PlanItem | None:
    """The plan item a lesson should take its topic from, for pre-filling the journal.

    It is the item covering hour k+1, where k is the number of documented lessons of the
    same group and subject before this one (date, number, id order) — so documenting the
    lesson makes it the (k+1)-th and it covers exactly that hour. Items of several hours
    are suggested for that many lessons in a row. None for a cancelled or moved lesson,
    when no plan applies, or when the plan is exhausted. Two queries.
    """
    if lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED):
        return None
    before = (
        documented_lessons(group_id=lesson.group_id, subject_id=lesson.subject_id)
        .filter(
            Q(date__lt=lesson.date)
            | Q(date=lesson.date, number__lt=lesson.number)
            | Q(date=lesson.date, number=lesson.number, pk__lt=lesson.pk)
        )
        .count()
    )
    items = list(
        PlanItem.objects.filter(
            plan__in=ThematicPlan.objects.filter(
                _plan_q(group_id=lesson.group_id, subject_id=lesson.subject_id)
            )
        )
        .annotate(own=Q(plan__group_id=lesson.group_id))
        .order_by("number")
    )
    if any(i.own for i in items):
        items = [i for i in items if i.own]
    return item_for_hour(items, before + 1)


def suggested_topics(lessons: Iterable[Lesson]) -> dict[int, PlanItem | None]:
    """``suggested_topic`` for many lessons at once (a week of a journal, a teacher's
    day): lesson id → plan item. Four queries whatever the number of lessons."""
    import bisect

    lessons = list(lessons)
    if not lessons:
        return {}
    group_ids = {lesson.group_id for lesson in lessons}
    subject_ids = {lesson.subject_id for lesson in lessons}
    groups = list(StudyGroup.objects.filter(pk__in=group_ids).select_related("school_class"))
    grades = {g for g in (_grade_of(group) for group in groups) if g is not None}
    plans = list(
        ThematicPlan.objects.filter(
            Q(group_id__in=group_ids) | Q(group__isnull=True, grade__in=grades),
            year_id__in={group.year_id for group in groups},
            subject_id__in=subject_ids,
        )
    )
    by_course = plans_by_course(plans, groups, subject_ids)
    items: dict[int, list[PlanItem]] = defaultdict(list)
    for plan_item in PlanItem.objects.filter(
        plan_id__in={p.id for p in by_course.values()}
    ).order_by("plan_id", "number"):
        items[plan_item.plan_id].append(plan_item)
    documented: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for group_id, subject_id, day, number, pk in (
        Lesson.objects.filter(DOCUMENTED, group_id__in=group_ids, subject_id__in=subject_ids)
        .order_by("date", "number", "pk")
        .values_list("group_id", "subject_id", "date", "number", "pk")
    ):
        documented[(group_id, subject_id)].append((day, number, pk))
    result: dict[int, PlanItem | None] = {}
    for lesson in lessons:
        key = (lesson.group_id, lesson.subject_id)
        plan = by_course.get(key)
        if plan is None or lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED):
            result[lesson.pk] = None
            continue
        before = bisect.bisect_left(documented[key], (lesson.date, lesson.number, lesson.pk))
        result[lesson.pk] = item_for_hour(items[plan.id], before + 1)
    return result
