"""Timetable entries: a group's subject, teacher and room at a weekday and lesson number,
from one date to another."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import StaffMember
from ejournal.audit.services import record
from ejournal.schedule import hooks, selectors
from ejournal.schedule.models import (
    Lesson,
    TimetableEntry,
    Weekday,
)
from ejournal.schedule.services._common import (
    MAX_LESSON_NUMBER,
    _band_for,
    _fmt_date,
    _year_of_group,
)
from ejournal.schedule.services.materialise import _protected_ids
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    School,
    StudyGroup,
    Subject,
)


def _validate_entry(
    *,
    school: School,
    weekday: int,
    number: int,
    group: StudyGroup,
    subject: Subject,
    teacher: StaffMember,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> None:
    errors = []
    if group.school_id != school.id:
        errors.append("Группа не найдена.")
    if subject.school_id != school.id:
        errors.append("Предмет не найден.")
    if teacher.school_id != school.id or not teacher.is_active:
        errors.append("Учитель не найден среди работающих сотрудников школы.")
    if weekday not in Weekday.values:
        errors.append("День недели должен быть от понедельника до субботы.")
    if not 1 <= number <= MAX_LESSON_NUMBER:
        errors.append(f"Номер урока должен быть от 1 до {MAX_LESSON_NUMBER}.")
    if errors:
        raise ValidationError(errors)
    year = _year_of_group(group)
    if not year.contains(valid_from):
        errors.append(
            f"Дата начала должна быть в учебном году {year} "
            f"({_fmt_date(year.start)}–{_fmt_date(year.end)})."
        )
    if valid_to is not None and valid_to < valid_from:
        errors.append("Дата окончания не может быть раньше даты начала.")
    if valid_to is not None and valid_to > year.end:
        errors.append(f"Дата окончания не может быть позже конца учебного года {year}.")
    band = _band_for(year, group)
    if band is not None and weekday > band.days_per_week:
        errors.append(
            f"У {group.school_class} класса {band.days_per_week}-дневная неделя: "
            f"урок в {Weekday(weekday).label} невозможен."
        )
    bells = selectors.BellTimes(school=school, start=valid_from, end=valid_from)
    shift = selectors.shift_of(group)
    if bells.schedule_for(None, shift) is None:
        errors.append(f"Сначала задайте расписание звонков {shift} смены (по умолчанию).")
    elif bells.times(None, shift, number) is None:
        errors.append(f"В расписании звонков {shift} смены нет {number} урока.")
    if errors:
        raise ValidationError(errors)


def _entry_dict(entry: TimetableEntry) -> dict:
    return {
        "weekday": entry.weekday,
        "number": entry.number,
        "group": entry.group_id,
        "subject": entry.subject_id,
        "teacher": entry.teacher_id,
        "room": entry.room,
        "valid_from": entry.valid_from,
        "valid_to": entry.valid_to,
    }


def _entry_conflicts(entry: TimetableEntry, *, exclude_ids: Iterable[int] = ()) -> list:
    year = entry.group.year
    others = [
        e
        for e in selectors.year_entries(school=entry.school, year=year)
        if e.pk != entry.pk and e.pk not in set(exclude_ids)
    ]
    group_ids = {e.group_id for e in others} | {entry.group_id}
    members = selectors.group_students(group_ids=group_ids, year=year)
    bells = selectors.BellTimes(school=entry.school, start=entry.valid_from, end=entry.valid_from)
    return selectors.slot_conflicts(
        entries=[*others, entry], members=members, bells=bells, only=entry
    )


def timetable_entry_create(
    *,
    school: School,
    actor,
    weekday: int,
    number: int,
    group: StudyGroup,
    subject: Subject,
    teacher: StaffMember,
    room: str = "",
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    allow_conflicts: bool = False,
) -> tuple[TimetableEntry, list]:
    """Add a weekly lesson. Teacher, room and student double bookings are refused unless
    ``allow_conflicts``; returns the entry and the conflicts it has."""
    _validate_entry(
        school=school,
        weekday=weekday,
        number=number,
        group=group,
        subject=subject,
        teacher=teacher,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    entry = TimetableEntry(
        school=school,
        weekday=weekday,
        number=number,
        group=group,
        subject=subject,
        teacher=teacher,
        room=room.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    with transaction.atomic():
        conflicts = _entry_conflicts(entry)
        if conflicts and not allow_conflicts:
            raise ValidationError([c.message for c in conflicts])
        entry.save()
        record(
            action="timetable_entry.created",
            actor=actor,
            school=school,
            obj=entry,
            after=_entry_dict(entry),
        )
    return entry, conflicts


def timetable_entry_update(
    *,
    entry: TimetableEntry,
    actor,
    effective_from: dt.date,
    weekday: int,
    number: int,
    subject: Subject,
    teacher: StaffMember,
    room: str = "",
    valid_to: dt.date | None = None,
    allow_conflicts: bool = False,
) -> tuple[TimetableEntry, list]:
    """Change a weekly lesson from ``effective_from`` on. Lessons before that date keep the
    old entry (it is closed the day before and a new entry takes over), so the history of
    what was planned stays true. Run ``lessons_materialise`` afterwards to follow it."""
    school = entry.school
    if effective_from < entry.valid_from:
        effective_from = entry.valid_from
    if entry.valid_to is not None and effective_from > entry.valid_to:
        raise ValidationError(
            f"Урок расписания действует только по {_fmt_date(entry.valid_to)}: "
            "изменение с более поздней даты невозможно."
        )
    _validate_entry(
        school=school,
        weekday=weekday,
        number=number,
        group=entry.group,
        subject=subject,
        teacher=teacher,
        valid_from=effective_from,
        valid_to=valid_to,
    )
    before = _entry_dict(entry)
    same = {
        "weekday": weekday,
        "number": number,
        "group": entry.group_id,
        "subject": subject.pk,
        "teacher": teacher.pk,
        "room": room.strip(),
        "valid_from": entry.valid_from,
        "valid_to": valid_to,
    }
    if same == before:
        return entry, []  # posted back unchanged: no split, nothing to write
    with transaction.atomic():
        split = effective_from > entry.valid_from
        target = TimetableEntry(school=school, group=entry.group) if split else entry
        target.weekday = weekday
        target.number = number
        target.subject = subject
        target.teacher = teacher
        target.room = room.strip()
        target.valid_from = effective_from
        target.valid_to = valid_to
        conflicts = _entry_conflicts(target, exclude_ids=[entry.pk])
        if conflicts and not allow_conflicts:
            raise ValidationError([c.message for c in conflicts])
        if split:
            entry.valid_to = effective_from - dt.timedelta(days=1)
            entry.save(update_fields=["valid_to"])
        target.save()
        record(
            action="timetable_entry.updated",
            actor=actor,
            school=school,
            obj=target,
            before=before,
            after={**_entry_dict(target), "replaces": entry.pk if split else None},
        )
    return target, conflicts


def timetable_entry_end(*, entry: TimetableEntry, actor, last_day: dt.date | None) -> None:
    """Stop a weekly lesson after ``last_day``; without a date, remove an entry that has
    never produced a lesson that happened or holds anything."""
    school = entry.school
    before = _entry_dict(entry)
    with transaction.atomic():
        if last_day is not None and last_day >= entry.valid_from:
            if entry.valid_to is not None and last_day > entry.valid_to:
                raise ValidationError(
                    f"Урок расписания и так действует только по {_fmt_date(entry.valid_to)}."
                )
            entry.valid_to = last_day
            entry.save(update_fields=["valid_to"])
            record(
                action="timetable_entry.ended",
                actor=actor,
                school=school,
                obj=entry,
                before=before,
                after=_entry_dict(entry),
            )
            return
        today = school_selectors.school_today(school)
        lessons = list(entry.lessons.all())
        ids = [lesson.id for lesson in lessons]
        protected = _protected_ids(ids) | hooks.lesson_ids_with_journal_data(ids)
        if any(lesson.date <= today for lesson in lessons) or protected:
            raise ValidationError(
                "По этому уроку расписания уже были уроки или в них есть записи: "
                "удалить его нельзя, укажите дату, по которую он действует."
            )
        Lesson.objects.filter(id__in=ids).delete()
        record(
            action="timetable_entry.deleted",
            actor=actor,
            school=school,
            obj=entry,
            before=before,
            after={"deleted_lessons": len(ids)},
        )
        entry.delete()
