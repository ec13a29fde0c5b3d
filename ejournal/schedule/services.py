"""Writes of the schedule: bell schedules, timetable entries, lesson materialisation,
dated schedule changes and substitutions. Every function validates, runs in one
transaction and records its audit event in it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ejournal.accounts.models import StaffMember
from ejournal.audit.services import record
from ejournal.schedule import hooks, selectors
from ejournal.schedule.models import (
    BellSchedule,
    BellScheduleDay,
    BellScheduleKind,
    BellSlot,
    Lesson,
    LessonStatus,
    ScheduleChange,
    ScheduleChangeKind,
    Substitution,
    TimetableEntry,
    Weekday,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    DayOff,
    GradeBand,
    GroupKind,
    GroupMembership,
    School,
    StudyGroup,
    Subject,
)

MAX_LESSON_NUMBER = 12
MAX_MATERIALISE_DAYS = 400


def _fmt_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _lesson_label(lesson: Lesson) -> str:
    return f"{_fmt_date(lesson.date)}, {lesson.number} урок, {lesson.group} — {lesson.subject}"


# --- Bell schedule -----------------------------------------------------------


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


# --- Timetable ---------------------------------------------------------------


def _year_of_group(group: StudyGroup) -> AcademicYear:
    return group.year


def _band_for(year: AcademicYear, group: StudyGroup) -> GradeBand | None:
    if group.school_class is None:
        return None
    grade = group.school_class.grade
    return next((b for b in year.bands.all() if b.covers(grade)), None)


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


# --- Materialisation ---------------------------------------------------------


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


# --- Dated changes ---------------------------------------------------------------


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
    return change


# --- Substitutions ---------------------------------------------------------------


def _check_substitute(
    *, school: School, lesson: Lesson, substitute: StaffMember, busy_ids: Iterable[int] = ()
) -> None:
    if lesson.school_id != school.id:
        raise ValidationError("Урок не найден.")
    if substitute.school_id != school.id or not substitute.is_active:
        raise ValidationError("Заменяющий учитель не найден среди работающих сотрудников.")
    if lesson.status not in selectors.ACTIVE_STATUSES:
        raise ValidationError(f"{_lesson_label(lesson)}: урок {lesson.get_status_display()}.")
    if substitute.id == lesson.planned_teacher_id:
        raise ValidationError(
            f"{_lesson_label(lesson)}: заменяющий совпадает с учителем по расписанию."
        )
    clashes = lesson_clashes(
        school=school,
        day=lesson.date,
        start_time=lesson.start_time,
        end_time=lesson.end_time,
        teacher_id=substitute.id,
        exclude_ids=[lesson.id, *busy_ids],
    )
    if clashes:
        raise ValidationError(clashes)


def substitution_assign(
    *, school: School, lesson: Lesson, substitute: StaffMember, reason: str, actor
) -> Substitution:
    """Замена: the substitute teaches and keeps the journal of this lesson only."""
    reason = _require_reason(reason)
    _check_substitute(school=school, lesson=lesson, substitute=substitute)
    with transaction.atomic():
        return _substitution_save(
            school=school, lesson=lesson, substitute=substitute, reason=reason, actor=actor
        )


def _substitution_save(*, school, lesson, substitute, reason, actor) -> Substitution:
    existing = Substitution.objects.filter(lesson=lesson).first()
    before = {"substitute": existing.substitute_id, "reason": existing.reason} if existing else None
    if existing:
        existing.substitute = substitute
        existing.reason = reason
        existing.created_by = actor
        existing.save(update_fields=["substitute", "reason", "created_by"])
        substitution = existing
    else:
        substitution = Substitution.objects.create(
            school=school,
            lesson=lesson,
            absent_teacher=lesson.planned_teacher,
            substitute=substitute,
            reason=reason,
            created_by=actor,
        )
    lesson.actual_teacher = substitute
    lesson.save(update_fields=["actual_teacher", "updated_at"])
    record(
        action="substitution.assigned",
        actor=actor,
        school=school,
        obj=substitution,
        before=before,
        after={
            "lesson": lesson.pk,
            "absent_teacher": lesson.planned_teacher_id,
            "substitute": substitute.pk,
            "reason": reason,
        },
        reason=reason,
    )
    return substitution


def substitutions_assign_day(
    *,
    school: School,
    absent_teacher: StaffMember,
    day: dt.date,
    assignments: dict[int, StaffMember],
    reason: str,
    actor,
) -> list[Substitution]:
    """Substitutes for an absent teacher's lessons of one day, all or nothing.
    ``assignments`` maps lesson id → substitute; lessons not in it keep their teacher."""
    reason = _require_reason(reason)
    if absent_teacher.school_id != school.id:
        raise ValidationError("Учитель не найден.")
    if not assignments:
        raise ValidationError("Выберите заменяющего хотя бы для одного урока.")
    lessons = {
        lesson.id: lesson
        for lesson in selectors.lesson_queryset().filter(
            school=school, date=day, planned_teacher=absent_teacher, id__in=list(assignments)
        )
    }
    if set(lessons) != set(assignments):
        raise ValidationError("Урок не найден среди уроков учителя в этот день.")
    errors: list[str] = []
    for lesson_id, substitute in assignments.items():
        # The other lessons of this same day move away from the absent teacher together.
        try:
            _check_substitute(school=school, lesson=lessons[lesson_id], substitute=substitute)
        except ValidationError as exc:
            errors.extend(exc.messages)
    # One substitute cannot take two of these lessons at the same time.
    by_sub: dict[int, list[Lesson]] = defaultdict(list)
    for lesson_id, substitute in assignments.items():
        by_sub[substitute.id].append(lessons[lesson_id])
    for group in by_sub.values():
        group.sort(key=lambda lesson: lesson.start_time)
        for a, b in zip(group, group[1:], strict=False):
            if b.start_time < a.end_time:
                errors.append(
                    f"Заменяющий назначен на два урока одновременно: {_lesson_label(a)} "
                    f"и {_lesson_label(b)}."
                )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return [
            _substitution_save(
                school=school,
                lesson=lessons[lesson_id],
                substitute=substitute,
                reason=reason,
                actor=actor,
            )
            for lesson_id, substitute in sorted(
                assignments.items(), key=lambda kv: lessons[kv[0]].start_time
            )
        ]


def substitution_cancel(*, school: School, substitution: Substitution, actor) -> None:
    if substitution.school_id != school.id:
        raise ValidationError("Замена не найдена.")
    lesson = substitution.lesson
    if hooks.lesson_ids_with_journal_data([lesson.id]):
        raise ValidationError(
            "Заменяющий учитель уже заполнил журнал урока: замену отменить нельзя."
        )
    with transaction.atomic():
        before = {
            "lesson": lesson.pk,
            "absent_teacher": substitution.absent_teacher_id,
            "substitute": substitution.substitute_id,
            "reason": substitution.reason,
        }
        lesson.actual_teacher = None
        lesson.save(update_fields=["actual_teacher", "updated_at"])
        record(
            action="substitution.cancelled",
            actor=actor,
            school=school,
            obj=substitution,
            before=before,
        )
        substitution.delete()
