"""Dated changes of single lessons: cancel, move, change the room, add an extra lesson."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import StaffMember
from ejournal.audit.services import record
from ejournal.schedule import hooks
from ejournal.schedule.models import (
    Lesson,
    LessonStatus,
    ScheduleChange,
    ScheduleChangeKind,
)
from ejournal.schedule.services._common import (
    _lesson_dict,
    _require_changeable,
    _require_reason,
    _times_for,
    lesson_clashes,
    tell_lesson_changed,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    School,
    StudyGroup,
    Subject,
)


def schedule_change_cancel(*, school: School, lesson: Lesson, actor, reason: str) -> ScheduleChange:
    reason = _require_reason(reason)
    _require_changeable(lesson, school, school_selectors.school_today(school))
    if hooks.lesson_ids_with_journal_data([lesson.id]):
        raise ValidationError("В журнале урока уже есть записи: отменить его нельзя.")
    with transaction.atomic():
        before = _lesson_dict(lesson)
        lesson.status = LessonStatus.CANCELLED
        lesson.save(update_fields=["status", "updated_at"])
        change = ScheduleChange.objects.create(
            school=school,
            kind=ScheduleChangeKind.CANCEL,
            lesson=lesson,
            before=before,
            after=_lesson_dict(lesson),
            reason=reason,
            created_by=actor,
        )
        record(
            action="lesson.cancelled",
            actor=actor,
            school=school,
            obj=lesson,
            before=before,
            after=change.after,
            reason=reason,
        )
        tell_lesson_changed(lesson, "урок отменён")
    return change


def schedule_change_move(
    *,
    school: School,
    lesson: Lesson,
    actor,
    day: dt.date,
    number: int,
    room: str,
    reason: str,
) -> ScheduleChange:
    """Move a lesson to another date, number or room: the original stays as «перенесён»
    pointing at the new lesson, so the diary shows both."""
    reason = _require_reason(reason)
    today = school_selectors.school_today(school)
    _require_changeable(lesson, school, today)
    if day < today:
        raise ValidationError("Перенести урок можно только на сегодня или на будущую дату.")
    if (day, number) == (lesson.date, lesson.number):
        raise ValidationError("Укажите другую дату или другой номер урока.")
    if hooks.lesson_ids_with_journal_data([lesson.id]):
        raise ValidationError("В журнале урока уже есть записи: перенести его нельзя.")
    room = room.strip() if room is not None else lesson.room
    start_time, end_time = _times_for(school, lesson.group, day, number)
    clashes = lesson_clashes(
        school=school,
        day=day,
        start_time=start_time,
        end_time=end_time,
        group=lesson.group,
        teacher_id=lesson.teacher_id,
        room=room,
        exclude_ids=[lesson.id],
    )
    if clashes:
        raise ValidationError(clashes)
    with transaction.atomic():
        before = _lesson_dict(lesson)
        new = Lesson.objects.create(
            school=school,
            date=day,
            number=number,
            start_time=start_time,
            end_time=end_time,
            group=lesson.group,
            subject=lesson.subject,
            planned_teacher=lesson.planned_teacher,
            actual_teacher=lesson.actual_teacher,
            room=room,
            moved_from=lesson,
        )
        lesson.status = LessonStatus.MOVED
        lesson.moved_to = new
        lesson.save(update_fields=["status", "moved_to", "updated_at"])
        change = ScheduleChange.objects.create(
            school=school,
            kind=ScheduleChangeKind.MOVE,
            lesson=lesson,
            new_lesson=new,
            before=before,
            after=_lesson_dict(new),
            reason=reason,
            created_by=actor,
        )
        record(
            action="lesson.moved",
            actor=actor,
            school=school,
            obj=lesson,
            before=before,
            after={**(change.after or {}), "new_lesson": new.pk},
            reason=reason,
        )
        tell_lesson_changed(
            new, f"урок перенесён с {lesson.date:%d.%m} ({lesson.number} урок) на этот день"
        )
    return change


def schedule_change_room(
    *, school: School, lesson: Lesson, actor, room: str, reason: str
) -> ScheduleChange:
    reason = _require_reason(reason)
    _require_changeable(lesson, school, school_selectors.school_today(school))
    room = room.strip()
    if not room:
        raise ValidationError("Укажите кабинет.")
    if room == lesson.room:
        raise ValidationError("Урок уже проходит в этом кабинете.")
    clashes = lesson_clashes(
        school=school,
        day=lesson.date,
        start_time=lesson.start_time,
        end_time=lesson.end_time,
        room=room,
        exclude_ids=[lesson.id],
    )
    if clashes:
        raise ValidationError(clashes)
    with transaction.atomic():
        before = _lesson_dict(lesson)
        lesson.room = room
        lesson.save(update_fields=["room", "updated_at"])
        change = ScheduleChange.objects.create(
            school=school,
            kind=ScheduleChangeKind.ROOM,
            lesson=lesson,
            before=before,
            after=_lesson_dict(lesson),
            reason=reason,
            created_by=actor,
        )
        record(
            action="lesson.room_changed",
            actor=actor,
            school=school,
            obj=lesson,
            before=before,
            after=change.after,
            reason=reason,
        )
        old_room = before.get("room") or "—"
        tell_lesson_changed(lesson, f"кабинет {room} вместо {old_room}")
    return change


def schedule_change_extra(
    *,
    school: School,
    actor,
    group: StudyGroup,
    subject: Subject,
    teacher: StaffMember,
    day: dt.date,
    number: int,
    room: str,
    reason: str,
) -> ScheduleChange:
    """An extra lesson outside the weekly timetable."""
    reason = _require_reason(reason)
    errors = []
    if group.school_id != school.id:
        errors.append("Группа не найдена.")
    if subject.school_id != school.id:
        errors.append("Предмет не найден.")
    if teacher.school_id != school.id or not teacher.is_active:
        errors.append("Учитель не найден среди работающих сотрудников школы.")
    if errors:
        raise ValidationError(errors)
    if day < school_selectors.school_today(school):
        raise ValidationError("Дополнительный урок можно назначить на сегодня или позже.")
    if not group.year.contains(day):
        raise ValidationError(f"Дата должна быть в учебном году {group.year}.")
    start_time, end_time = _times_for(school, group, day, number)
    room = room.strip()
    clashes = lesson_clashes(
        school=school,
        day=day,
        start_time=start_time,
        end_time=end_time,
        group=group,
        teacher_id=teacher.id,
        room=room,
    )
    if clashes:
        raise ValidationError(clashes)
    with transaction.atomic():
        lesson = Lesson.objects.create(
            school=school,
            date=day,
            number=number,
            start_time=start_time,
            end_time=end_time,
            group=group,
            subject=subject,
            planned_teacher=teacher,
            room=room,
        )
        change = ScheduleChange.objects.create(
            school=school,
            kind=ScheduleChangeKind.EXTRA,
            lesson=lesson,
            new_lesson=lesson,
            after=_lesson_dict(lesson),
            reason=reason,
            created_by=actor,
        )
        record(
            action="lesson.extra_added",
            actor=actor,
            school=school,
            obj=lesson,
            after=change.after,
            reason=reason,
        )
        tell_lesson_changed(lesson, "дополнительный урок")
    return change
