"""What the schedule's writes share: limits, labels, the year and band of a group."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.core import registry
from ejournal.schedule import selectors
from ejournal.schedule.models import (
    Lesson,
    LessonStatus,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GradeBand,
    GroupKind,
    GroupMembership,
    School,
    StudyGroup,
)

MAX_LESSON_NUMBER = 12


MAX_MATERIALISE_DAYS = 400


def _fmt_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _lesson_label(lesson: Lesson) -> str:
    return f"{_fmt_date(lesson.date)}, {lesson.number} урок, {lesson.group} — {lesson.subject}"


def _year_of_group(group: StudyGroup) -> AcademicYear:
    return group.year


def _band_for(year: AcademicYear, group: StudyGroup) -> GradeBand | None:
    if group.school_class is None:
        return None
    grade = group.school_class.grade
    return next((b for b in year.bands.all() if b.covers(grade)), None)


def _students_on(group_ids: Iterable[int], day: dt.date) -> dict[int, set[int]]:
    groups = list(StudyGroup.objects.filter(id__in=list(group_ids)))
    class_of: dict[int, int | None] = {
        g.id: g.school_class_id for g in groups if g.kind == GroupKind.WHOLE_CLASS
    }
    result: dict[int, set[int]] = {g.id: set() for g in groups}
    by_class: dict[int | None, set[int]] = defaultdict(set)
    for class_id, student_id in ClassEnrollment.objects.filter(
        school_selectors.active_on(day), school_class_id__in=set(class_of.values())
    ).values_list("school_class_id", "student_id"):
        by_class[class_id].add(student_id)
    for gid, of_class in class_of.items():
        result[gid] = by_class[of_class]
    for gid, student_id in GroupMembership.objects.filter(
        school_selectors.active_on(day), group_id__in=[g for g in result if g not in class_of]
    ).values_list("group_id", "student_id"):
        result[gid].add(student_id)
    return result


def lesson_clashes(
    *,
    school: School,
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    group: StudyGroup | None = None,
    teacher_id: int | None = None,
    room: str = "",
    exclude_ids: Iterable[int] = (),
) -> list[str]:
    """Who or what would be in two places at once on ``day`` (Russian messages)."""
    others = list(
        selectors.lesson_queryset()
        .filter(
            school=school,
            date=day,
            status__in=selectors.ACTIVE_STATUSES,
            start_time__lt=end_time,
            end_time__gt=start_time,
        )
        .exclude(id__in=list(exclude_ids))
    )
    messages = []
    when = f"{_fmt_date(day)} {start_time:%H:%M}–{end_time:%H:%M}"
    members = _students_on({o.group_id for o in others} | ({group.id} if group else set()), day)
    for other in others:
        label = f"{other.number} урок, {other.group} — {other.subject}"
        if teacher_id and other.teacher_id == teacher_id:
            messages.append(
                f"Учитель {other.teacher.short_name} в это время ({when}) ведёт: {label}."
            )
        if room and other.room.strip().lower() == room.strip().lower():
            messages.append(f"Кабинет {room} в это время ({when}) занят: {label}.")
        if group is not None:
            if other.group_id == group.id:
                messages.append(f"У группы {group} в это время ({when}) уже есть урок: {label}.")
            elif members.get(group.id, set()) & members.get(other.group_id, set()):
                messages.append(
                    f"Ученики группы {group} в это время ({when}) на другом уроке: {label}."
                )
    return messages


def _lesson_dict(lesson: Lesson) -> dict:
    return {
        "date": lesson.date.isoformat(),
        "number": lesson.number,
        "start_time": lesson.start_time.strftime("%H:%M"),
        "end_time": lesson.end_time.strftime("%H:%M"),
        "room": lesson.room,
        "status": lesson.status,
        "teacher": lesson.teacher_id,
    }


def _require_changeable(lesson: Lesson, school: School, today: dt.date) -> None:
    if lesson.school_id != school.id:
        raise ValidationError("Урок не найден.")
    if lesson.status in (LessonStatus.CANCELLED, LessonStatus.MOVED):
        raise ValidationError(f"Урок уже {lesson.get_status_display()}.")
    if lesson.date < today:
        raise ValidationError("Прошедший урок изменить нельзя.")


def _times_for(school: School, group: StudyGroup, day: dt.date, number: int):
    bells = selectors.BellTimes(school=school, start=day, end=day)
    times = bells.times(day, selectors.shift_of(group), number)
    if times is None:
        raise ValidationError(f"В расписании звонков на {_fmt_date(day)} нет {number} урока.")
    return times


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError("Укажите причину.")
    return reason


def tell_lesson_changed(lesson: Lesson, what: str) -> None:
    """The families hear of a changed lesson after commit (``registry.LESSONS_CHANGED``)."""
    change = registry.LessonChange(school_id=lesson.school_id, lesson_id=lesson.pk, what=what)
    for listener in registry.LESSONS_CHANGED.providers():
        transaction.on_commit(functools.partial(listener, [change]))
