"""Bell schedules: the lesson times of each day, and retiming the lessons when they change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.audit.services import record
from ejournal.schedule import selectors
from ejournal.schedule.models import (
    BellSchedule,
    BellScheduleDay,
    BellScheduleKind,
    BellSlot,
    Lesson,
)
from ejournal.schedule.services._common import MAX_LESSON_NUMBER
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    School,
)


def _parse_slots(slots: Iterable[tuple[int, dt.time, dt.time]]) -> list[tuple]:
    rows = sorted(slots, key=lambda s: s[0])
    if not rows:
        raise ValidationError("Укажите время хотя бы одного урока.")
    errors = []
    seen = set()
    previous_end = None
    for number, start, end in rows:
        if not 1 <= number <= MAX_LESSON_NUMBER:
            errors.append(f"Номер урока должен быть от 1 до {MAX_LESSON_NUMBER}.")
        if number in seen:
            errors.append(f"{number} урок указан дважды.")
        seen.add(number)
        if end <= start:
            errors.append(f"{number} урок: окончание должно быть позже начала.")
        if previous_end is not None and start < previous_end:
            errors.append(f"{number} урок начинается раньше, чем закончился предыдущий.")
        previous_end = end
    if errors:
        raise ValidationError(errors)
    return rows


def bell_schedule_save(
    *,
    school: School,
    actor,
    name: str,
    shift: int,
    kind: str,
    is_default: bool,
    slots: Iterable[tuple[int, dt.time, dt.time]],
    bell_schedule: BellSchedule | None = None,
) -> BellSchedule:
    """Create a bell schedule variant or replace an existing one's name and times.

    Lessons keep their stored times; those on future dates that follow this variant are
    re-timed so that a lesson's times always follow the bell schedule of its date.
    """
    name = name.strip()
    if not name:
        raise ValidationError("Укажите название расписания звонков.")
    if shift not in (1, 2):
        raise ValidationError("Смена должна быть 1 или 2.")
    if kind not in BellScheduleKind.values:
        raise ValidationError("Неизвестный вид расписания звонков.")
    rows = _parse_slots(slots)
    if bell_schedule is not None and bell_schedule.school_id != school.id:
        raise ValidationError("Расписание звонков не найдено.")
    clash = BellSchedule.objects.filter(school=school, name=name)
    if bell_schedule is not None:
        clash = clash.exclude(pk=bell_schedule.pk)
    if clash.exists():
        raise ValidationError(f"Расписание звонков «{name}» уже есть.")
    with transaction.atomic():
        before = None
        if bell_schedule is None:
            bell_schedule = BellSchedule(school=school)
        else:
            before = _bell_dict(bell_schedule)
            wanted = {
                "name": name,
                "shift": shift,
                "kind": kind,
                "is_default": is_default,
                "slots": [[n, s.isoformat(), e.isoformat()] for n, s, e in sorted(rows)],
            }
            if wanted == before:
                return bell_schedule  # posted back unchanged: nothing to write
        if is_default:
            BellSchedule.objects.filter(school=school, shift=shift, is_default=True).exclude(
                pk=bell_schedule.pk
            ).update(is_default=False)
        bell_schedule.name = name
        bell_schedule.shift = shift
        bell_schedule.kind = kind
        bell_schedule.is_default = is_default
        bell_schedule.save()
        bell_schedule.slots.all().delete()
        BellSlot.objects.bulk_create(
            BellSlot(bell_schedule=bell_schedule, number=n, start_time=s, end_time=e)
            for n, s, e in rows
        )
        today = school_selectors.school_today(school)
        retimed = lessons_retime(school=school, start=today + dt.timedelta(days=1))
        record(
            action="bell_schedule.saved",
            actor=actor,
            school=school,
            obj=bell_schedule,
            before=before,
            after={**_bell_dict(bell_schedule), "retimed_lessons": retimed},
        )
    return bell_schedule


def _bell_dict(bell_schedule: BellSchedule) -> dict:
    return {
        "name": bell_schedule.name,
        "shift": bell_schedule.shift,
        "kind": bell_schedule.kind,
        "is_default": bell_schedule.is_default,
        "slots": [
            [s.number, s.start_time.isoformat(), s.end_time.isoformat()]
            for s in bell_schedule.slots.order_by("number")
        ],
    }


def bell_day_set(
    *, school: School, actor, day: dt.date, shift: int, bell_schedule: BellSchedule | None
) -> int:
    """Pick the bell schedule variant of a date for a shift (None: back to the default).
    Re-times that day's lessons of the shift; returns how many lessons changed."""
    if shift not in (1, 2):
        raise ValidationError("Смена должна быть 1 или 2.")
    if bell_schedule is not None:
        if bell_schedule.school_id != school.id:
            raise ValidationError("Расписание звонков не найдено.")
        if bell_schedule.shift != shift:
            raise ValidationError(
                f"Вариант «{bell_schedule}» относится к {bell_schedule.shift} смене."
            )
    with transaction.atomic():
        old = BellScheduleDay.objects.filter(school=school, date=day, shift=shift).first()
        before = {"bell_schedule": old.bell_schedule_id} if old else None
        if bell_schedule is None:
            BellScheduleDay.objects.filter(school=school, date=day, shift=shift).delete()
        else:
            BellScheduleDay.objects.update_or_create(
                school=school, date=day, shift=shift, defaults={"bell_schedule": bell_schedule}
            )
        retimed = lessons_retime(school=school, start=day, end=day)
        record(
            action="bell_day.set",
            actor=actor,
            school=school,
            object_type="schedule.bellscheduleday",
            object_id=f"{day.isoformat()}:{shift}",
            before=before,
            after={
                "date": day,
                "shift": shift,
                "bell_schedule": bell_schedule.pk if bell_schedule else None,
                "retimed_lessons": retimed,
            },
        )
    return retimed


def lessons_retime(*, school: School, start: dt.date, end: dt.date | None = None) -> int:
    """Make stored lesson times follow the bell schedule variant of each lesson's date.
    Times are not journal data, so every lesson of the range follows, whatever its state."""
    bells = selectors.BellTimes(school=school, start=start, end=end)
    lessons = Lesson.objects.filter(school=school, date__gte=start).select_related(
        "group__school_class"
    )
    if end is not None:
        lessons = lessons.filter(date__lte=end)
    changed = []
    for lesson in lessons.only(
        "id", "date", "number", "start_time", "end_time", "group__school_class__shift"
    ):
        times = bells.times(lesson.date, selectors.shift_of(lesson.group), lesson.number)
        if times and times != (lesson.start_time, lesson.end_time):
            lesson.start_time, lesson.end_time = times
            changed.append(lesson)
    Lesson.objects.bulk_update(changed, ["start_time", "end_time"], batch_size=500)
    return len(changed)
