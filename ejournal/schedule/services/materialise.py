"""Dated lessons made from the timetable; lessons with journal data are never deleted,
moved or re-teachered."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ejournal.audit.services import record
from ejournal.schedule import hooks, selectors
from ejournal.schedule.models import (
    Lesson,
    LessonStatus,
    ScheduleChange,
    Substitution,
    TimetableEntry,
)
from ejournal.schedule.services._common import MAX_MATERIALISE_DAYS, _fmt_date
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    School,
    StudyGroup,
    Subject,
)


@dataclass
class MaterialiseResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    kept: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"Создано уроков: {self.created}, изменено: {self.updated}, "
            f"удалено: {self.deleted}, оставлено без изменений из-за записей: {len(self.kept)}."
        )


_LESSON_FIELDS = (
    "number",
    "start_time",
    "end_time",
    "group_id",
    "subject_id",
    "planned_teacher_id",
    "room",
    "timetable_entry_id",
)


def _protected_ids(lesson_ids: Iterable[int]) -> set[int]:
    """Lessons a person changed by hand (substituted, moved, cancelled, room changed)."""
    ids = list(lesson_ids)
    if not ids:
        return set()
    subst = Substitution.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True)
    changed = ScheduleChange.objects.filter(lesson_id__in=ids).values_list("lesson_id", flat=True)
    return set(subst) | set(changed)


def _off_days(days_off: list[DayOff], grade: int | None) -> set[dt.date]:
    dates: set[dt.date] = set()
    for d in days_off:
        covers = (
            d.grade_from <= grade <= d.grade_to if grade else d.grade_from <= 1 and d.grade_to >= 11
        )
        if covers:
            day = d.start
            while day <= d.end:
                dates.add(day)
                day += dt.timedelta(days=1)
    return dates


@dataclass(slots=True)
class _Row:
    """An existing lesson as materialisation compares it."""

    id: int
    date: dt.date
    status: str
    number: int
    start_time: dt.time
    end_time: dt.time
    group_id: int
    subject_id: int
    planned_teacher_id: int
    room: str
    timetable_entry_id: int

    @property
    def fields(self) -> tuple:
        return (
            self.number,
            self.start_time,
            self.end_time,
            self.group_id,
            self.subject_id,
            self.planned_teacher_id,
            self.room,
            self.timetable_entry_id,
        )


def _desired_lessons(
    *,
    entries: list[TimetableEntry],
    years: dict[int, AcademicYear],
    bells: selectors.BellTimes,
    start: dt.date,
    end: dt.date,
) -> tuple[dict[tuple[int, dt.date], tuple], set[str]]:
    """The lessons the timetable wants in [start, end], keyed by (entry, date), and the
    bell times it lacks for them."""
    off_cache: dict[tuple[int, int | None], set[dt.date]] = {}
    missing_bells: set[str] = set()
    desired: dict[tuple[int, dt.date], tuple] = {}
    for entry in entries:
        year = years[entry.group.year_id]
        school_class = entry.group.school_class
        grade = school_class.grade if school_class is not None else None
        if grade is not None:
            band = next((b for b in year.bands.all() if b.covers(grade)), None)
            days_per_week = band.days_per_week if band else 5
        else:
            days_per_week = max([b.days_per_week for b in year.bands.all()] or [5])
        if entry.weekday > days_per_week:
            continue
        off_key = (year.id, grade)
        if off_key not in off_cache:
            off_cache[off_key] = _off_days(list(year.days_off.all()), grade)
        off = off_cache[off_key]
        first = max(start, entry.valid_from, year.start)
        last = min(end, entry.valid_to or end, year.end)
        day = first + dt.timedelta(days=(entry.weekday - first.isoweekday()) % 7)
        shift = selectors.shift_of(entry.group)
        while day <= last:
            if day not in off:
                times = bells.times(day, shift, entry.number)
                if times is None:
                    schedule = bells.schedule_for(day, shift)
                    missing_bells.add(
                        f"Нет времени {entry.number} урока в расписании звонков «{schedule}»."
                        if schedule
                        else f"Не задано расписание звонков {shift} смены."
                    )
                else:
                    desired[(entry.id, day)] = (
                        entry.number,
                        times[0],
                        times[1],
                        entry.group_id,
                        entry.subject_id,
                        entry.teacher_id,
                        entry.room,
                        entry.id,
                    )
            day += dt.timedelta(days=7)
    return desired, missing_bells


def _match_existing(
    *, school: School, start: dt.date, end: dt.date, desired: dict[tuple[int, dt.date], tuple]
) -> tuple[list[tuple[_Row, tuple]], dict[tuple[int, dt.date], tuple], list[_Row]]:
    """The existing lessons against the wanted ones: (lesson, wanted fields) pairs that
    differ, the wanted lessons to create, and the lessons no entry wants any more."""
    # Plain rows, not model instances: a year of a school is tens of thousands of lessons.
    existing: dict[tuple[int, dt.date], _Row] = {}
    for values in Lesson.objects.filter(
        school=school, date__range=(start, end), timetable_entry__isnull=False
    ).values_list("id", "date", "status", *_LESSON_FIELDS):
        row = _Row(*values)
        existing[(row.timetable_entry_id, row.date)] = row
    matched_updates: list[tuple[_Row, tuple]] = []
    to_create: dict[tuple[int, dt.date], tuple] = {}
    for key, want in desired.items():
        found = existing.pop(key, None)
        if found is None:
            to_create[key] = want
        elif found.fields != want:
            matched_updates.append((found, want))
    # A lesson whose entry no longer wants it may still be wanted on the same date by the
    # entry that replaced it (same group and subject): that is a move, not delete + create.
    wanted_by_slot: dict[tuple, list[tuple[int, dt.date]]] = defaultdict(list)
    for key, want in to_create.items():
        wanted_by_slot[(want[3], want[4], key[1])].append(key)
    orphans: list[_Row] = []
    for row in existing.values():
        slot = (row.group_id, row.subject_id, row.date)
        if wanted_by_slot.get(slot):
            key = wanted_by_slot[slot].pop(0)
            matched_updates.append((row, to_create.pop(key)))
        else:
            orphans.append(row)
    return matched_updates, to_create, orphans


def lessons_materialise(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    actor=None,
    today: dt.date | None = None,
) -> MaterialiseResult:
    """Create the school's lessons of [start, end] from the timetable; idempotent.

    Holidays, non-working days and weekdays beyond a grade band's week are skipped. On a
    re-run after a timetable edit, future lessons that nobody touched and that have no
    journal data are moved (re-numbered, re-teachered, re-roomed) or deleted to follow the
    timetable; lessons with journal data or changed by hand are never touched, and each is
    reported instead. Past lessons are history and are never changed.
    """
    if end < start:
        raise ValidationError("Дата окончания не может быть раньше даты начала.")
    if (end - start).days > MAX_MATERIALISE_DAYS:
        raise ValidationError("Слишком длинный период: не больше одного учебного года.")
    today = today or school_selectors.school_today(school)
    result = MaterialiseResult()
    years = {
        y.id: y
        for y in AcademicYear.objects.filter(
            school=school, start__lte=end, end__gte=start
        ).prefetch_related("bands", "days_off")
    }
    entries = list(
        TimetableEntry.objects.filter(
            school=school, group__year_id__in=list(years), valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .select_related("group", "group__school_class", "subject", "teacher")
    )
    bells = selectors.BellTimes(school=school, start=start, end=end)

    desired, missing_bells = _desired_lessons(
        entries=entries, years=years, bells=bells, start=start, end=end
    )
    result.problems = sorted(missing_bells)

    matched_updates, to_create, orphans = _match_existing(
        school=school, start=start, end=end, desired=desired
    )

    future_ids = [row.id for row, _ in matched_updates if row.date > today] + [
        row.id for row in orphans if row.date > today
    ]
    protected = _protected_ids(future_ids)
    with_data = hooks.lesson_ids_with_journal_data(future_ids)

    updates: list[Lesson] = []
    now = timezone.now()
    kept: list[tuple[_Row, str]] = []
    for row, want in matched_updates:
        if row.date <= today:
            continue
        times_only = (row.fields[0], *row.fields[3:]) == (want[0], *want[3:])
        untouchable = row.status != LessonStatus.PLANNED or row.id in protected
        if times_only or not (untouchable or row.id in with_data):
            lesson = Lesson(id=row.id, **dict(zip(_LESSON_FIELDS, want, strict=True)))
            lesson.updated_at = now
            updates.append(lesson)
        else:
            why = "в журнале есть записи" if row.id in with_data else "урок изменён вручную"
            kept.append(
                (
                    row,
                    f"{why}, урок не изменён по новому расписанию — "
                    "перенесите его вручную, если нужно.",
                )
            )
    deletions: list[int] = []
    for row in orphans:
        if row.date <= today:
            continue
        if row.status == LessonStatus.PLANNED and not (row.id in protected or row.id in with_data):
            deletions.append(row.id)
        else:
            why = "в журнале есть записи" if row.id in with_data else "урок изменён вручную"
            kept.append((row, f"урока больше нет в расписании, но {why} — урок сохранён."))
    if kept:
        group_names = dict(
            StudyGroup.objects.filter(id__in={r.group_id for r, _ in kept}).values_list(
                "id", "name"
            )
        )
        subject_names = dict(
            Subject.objects.filter(id__in={r.subject_id for r, _ in kept}).values_list("id", "name")
        )
        for row, text in sorted(kept, key=lambda item: (item[0].date, item[0].number)):
            result.kept.append(
                f"{_fmt_date(row.date)}, {row.number} урок, {group_names[row.group_id]} — "
                f"{subject_names[row.subject_id]}: {text}"
            )

    new_lessons = [
        Lesson(
            school=school,
            date=day,
            number=want[0],
            start_time=want[1],
            end_time=want[2],
            group_id=want[3],
            subject_id=want[4],
            planned_teacher_id=want[5],
            room=want[6],
            timetable_entry_id=want[7],
        )
        for (_entry_id, day), want in sorted(to_create.items(), key=lambda kv: kv[0][1])
    ]
    with transaction.atomic():
        if deletions:
            Lesson.objects.filter(id__in=deletions).delete()
        if updates:
            Lesson.objects.bulk_update(updates, [*_LESSON_FIELDS, "updated_at"], batch_size=500)
        Lesson.objects.bulk_create(new_lessons, batch_size=1000)
        result.created = len(new_lessons)
        result.updated = len(updates)
        result.deleted = len(deletions)
        record(
            action="lessons.materialised",
            actor=actor,
            school=school,
            object_type="schedule.lesson",
            after={
                "start": start,
                "end": end,
                "created": result.created,
                "updated": result.updated,
                "deleted": result.deleted,
                "kept": result.kept[:100],
                "problems": result.problems,
            },
        )
    return result


def materialise_after_edit(*, school: School, actor, from_day: dt.date) -> MaterialiseResult:
    """Follow a timetable edit: re-run materialisation over the future lessons already made."""
    today = school_selectors.school_today(school)
    start = max(from_day, today + dt.timedelta(days=1))
    last = (
        Lesson.objects.filter(school=school, timetable_entry__isnull=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if last is None or last < start:
        return MaterialiseResult()
    return lessons_materialise(school=school, start=start, end=last, actor=actor, today=today)
