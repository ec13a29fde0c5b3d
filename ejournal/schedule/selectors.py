"""Reads of bell schedules, timetables and lessons. Each function runs a fixed number of
queries whatever the size of the school."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from ejournal.accounts.http import AuthedRequest
from ejournal.accounts.models import Role, StaffMember
from ejournal.schedule import hooks
from ejournal.schedule.models import (
    BellSchedule,
    BellScheduleDay,
    BellSlot,
    Lesson,
    LessonStatus,
    ScheduleChange,
    Substitution,
    TimetableEntry,
    Weekday,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
    StudyGroup,
    TeachingLoad,
)

ACTIVE_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)


# --- Bell schedule -----------------------------------------------------------


def bell_schedules(*, school: School) -> list[BellSchedule]:
    return list(
        BellSchedule.objects.filter(school=school)
        .prefetch_related(Prefetch("slots", queryset=BellSlot.objects.order_by("number")))
        .order_by("shift", "-is_default", "name")
    )


def bell_days(*, school: School, start: dt.date, end: dt.date) -> QuerySet[BellScheduleDay]:
    return (
        BellScheduleDay.objects.filter(school=school, date__range=(start, end))
        .select_related("bell_schedule")
        .order_by("date", "shift")
    )


class BellTimes:
    """Lesson times of a school for any date: the variant chosen for the date and shift,
    else the shift's default variant. Loads everything in three queries."""

    def __init__(self, *, school: School, start: dt.date | None = None, end: dt.date | None = None):
        self.schedules = {s.id: s for s in bell_schedules(school=school)}
        self.slots: dict[int, dict[int, tuple[dt.time, dt.time]]] = {
            s.id: {slot.number: (slot.start_time, slot.end_time) for slot in s.slots.all()}
            for s in self.schedules.values()
        }
        self.default: dict[int, int] = {
            s.shift: s.id for s in self.schedules.values() if s.is_default
        }
        days = BellScheduleDay.objects.filter(school=school)
        if start is not None:
            days = days.filter(date__gte=start)
        if end is not None:
            days = days.filter(date__lte=end)
        self.by_day: dict[tuple[dt.date, int], int] = {
            (d, shift): sid for d, shift, sid in days.values_list("date", "shift", "bell_schedule")
        }

    def schedule_for(self, day: dt.date | None, shift: int) -> BellSchedule | None:
        sid = self.by_day.get((day, shift)) if day else None
        sid = sid or self.default.get(shift)
        return self.schedules.get(sid) if sid else None

    def times(self, day: dt.date | None, shift: int, number: int) -> tuple[dt.time, dt.time] | None:
        schedule = self.schedule_for(day, shift)
        if schedule is None:
            return None
        return self.slots[schedule.id].get(number)


def shift_of(group: StudyGroup) -> int:
    """Streams without a class study in the first shift."""
    return group.school_class.shift if group.school_class is not None else 1


# --- Timetable grids ----------------------------------------------------------


@dataclass
class Grid:
    """Timetable as weekday × lesson number; each cell holds the entries of that slot."""

    weekdays: list[tuple[int, str]]
    numbers: list[int]
    cells: dict[tuple[int, int], list[TimetableEntry]] = field(default_factory=dict)

    def rows(self) -> list[tuple[int, list[list[TimetableEntry]]]]:
        return [(n, [self.cells.get((wd, n), []) for wd, _ in self.weekdays]) for n in self.numbers]


def entries_on(*, school: School, day: dt.date) -> QuerySet[TimetableEntry]:
    """Timetable entries valid on ``day`` (the week containing it is what the grid shows)."""
    return (
        TimetableEntry.objects.filter(school=school, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("group", "group__school_class", "subject", "teacher")
        .order_by("weekday", "number", "group__name")
    )


def timetable_grid(
    *,
    school: School,
    day: dt.date,
    group_ids: Iterable[int] | None = None,
    teacher: StaffMember | None = None,
    room: str | None = None,
    days_per_week: int = 6,
) -> Grid:
    qs = entries_on(school=school, day=day)
    if group_ids is not None:
        qs = qs.filter(group_id__in=list(group_ids))
    if teacher is not None:
        qs = qs.filter(teacher=teacher)
    if room is not None:
        qs = qs.filter(room=room)
    entries = list(qs)
    weekdays = [(wd.value, wd.label) for wd in Weekday if wd.value <= days_per_week]
    if any(e.weekday == Weekday.SATURDAY for e in entries) and len(weekdays) < 6:
        weekdays.append((Weekday.SATURDAY.value, Weekday.SATURDAY.label))
    top = max([e.number for e in entries] + [6])
    grid = Grid(weekdays=weekdays, numbers=list(range(1, top + 1)))
    for e in entries:
        grid.cells.setdefault((e.weekday, e.number), []).append(e)
    return grid


def class_group_ids(*, school_class_id: int) -> list[int]:
    """Every group a class's timetable shows: the class, its subgroups, and streams its
    students attend."""
    return list(
        StudyGroup.objects.filter(
            Q(school_class_id=school_class_id)
            | Q(
                kind__in=[GroupKind.STREAM, GroupKind.INDIVIDUAL],
                memberships__student__enrollments__school_class_id=school_class_id,
            )
        )
        .distinct()
        .values_list("id", flat=True)
    )


def rooms_of(*, school: School) -> list[str]:
    return sorted(
        set(
            TimetableEntry.objects.filter(school=school)
            .exclude(room="")
            .values_list("room", flat=True)
            .distinct()
        ),
        key=lambda r: (len(r), r),
    )


def teachers_of(*, school: School) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(school=school, is_active=True).order_by(
        "last_name", "first_name"
    )


# --- Timetable conflicts ------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    kind: str  # teacher, room, student, group, hours
    message: str


Span = tuple[dt.date, dt.date]
Members = dict[int, dict[int, list[Span]]]


def group_students(*, group_ids: Iterable[int], year: AcademicYear) -> Members:
    """Who is in each group during the year, with the dated spans of membership (two
    queries): group id → student id → [(from, to)]. A student who moved from 7А to 7Б is in
    both, on different dates."""
    groups = list(StudyGroup.objects.filter(id__in=list(group_ids)))
    class_of: dict[int, int | None] = {
        g.id: g.school_class_id for g in groups if g.kind == GroupKind.WHOLE_CLASS
    }
    result: Members = {g.id: defaultdict(list) for g in groups}
    by_class: dict[int | None, dict[int, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for class_id, student_id, date_from, date_to in ClassEnrollment.objects.filter(
        school_selectors.overlapping(year.start, year.end),
        school_class_id__in=set(class_of.values()),
    ).values_list("school_class_id", "student_id", "date_from", "date_to"):
        by_class[class_id][student_id].append((date_from, date_to or dt.date.max))
    for gid, of_class in class_of.items():
        result[gid] = by_class[of_class]
    others = [g.id for g in groups if g.id not in class_of]
    for gid, student_id, date_from, date_to in GroupMembership.objects.filter(
        school_selectors.overlapping(year.start, year.end), group_id__in=others
    ).values_list("group_id", "student_id", "date_from", "date_to"):
        result[gid][student_id].append((date_from, date_to or dt.date.max))
    return result


def shared_students(members: Members, a: TimetableEntry, b: TimetableEntry) -> set[int]:
    """Students in both entries' groups on some day when both entries are valid."""
    start = max(a.valid_from, b.valid_from)
    end = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
    in_a = members.get(a.group_id, {})
    in_b = members.get(b.group_id, {})
    shared = set()
    for student_id in in_a.keys() & in_b.keys():
        for a_from, a_to in in_a[student_id]:
            for b_from, b_to in in_b[student_id]:
                if max(a_from, b_from, start) <= min(a_to, b_to, end):
                    shared.add(student_id)
    return shared


def _slot_span(entry: TimetableEntry, bells: BellTimes) -> tuple:
    """What an entry occupies on its weekday: real times when the bell schedule knows them,
    else its shift and number."""
    shift = shift_of(entry.group)
    times = bells.times(None, shift, entry.number)
    if times:
        return ("t", times[0], times[1])
    return ("n", shift, entry.number)


def _spans_overlap(a: tuple, b: tuple) -> bool:
    if a[0] == "t" and b[0] == "t":
        return a[1] < b[2] and b[1] < a[2]
    if a[0] == "n" and b[0] == "n":
        return a == b
    return False


def _validity_overlaps(a: TimetableEntry, b: TimetableEntry) -> bool:
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def describe_entry(e: TimetableEntry) -> str:
    room = f", каб. {e.room}" if e.room else ""
    return f"{e.group} — {e.subject}, {e.teacher.short_name}{room}"


def slot_conflicts(
    *,
    entries: list[TimetableEntry],
    members: Members,
    bells: BellTimes,
    only: TimetableEntry | None = None,
) -> list[Conflict]:
    """Teacher, room, group and student double bookings among ``entries``; with ``only``,
    just those involving that entry."""
    conflicts: list[Conflict] = []
    by_weekday: dict[int, list[tuple[TimetableEntry, tuple]]] = defaultdict(list)
    for e in entries:
        by_weekday[e.weekday].append((e, _slot_span(e, bells)))
    for weekday, items in sorted(by_weekday.items()):
        items.sort(key=lambda item: (item[0].number, item[0].group.name))
        day = Weekday(weekday).label
        for i, (a, span_a) in enumerate(items):
            for b, span_b in items[i + 1 :]:
                if only is not None and only not in (a, b):
                    continue
                if not (_spans_overlap(span_a, span_b) and _validity_overlaps(a, b)):
                    continue
                when = f"{day}, {a.number} урок" + (
                    f" и {b.number} урок" if a.number != b.number else ""
                )
                pair = f"{describe_entry(a)} и {describe_entry(b)}"
                if a.teacher_id == b.teacher_id:
                    conflicts.append(
                        Conflict(
                            "teacher",
                            f"Учитель {a.teacher.short_name} ведёт два урока одновременно "
                            f"({when}): {pair}",
                        )
                    )
                if a.room and a.room.strip().lower() == b.room.strip().lower():
                    conflicts.append(
                        Conflict(
                            "room",
                            f"Кабинет {a.room} занят двумя уроками одновременно ({when}): {pair}",
                        )
                    )
                if a.group_id == b.group_id:
                    conflicts.append(
                        Conflict(
                            "group",
                            f"У группы {a.group} два урока одновременно ({when}): {pair}",
                        )
                    )
                else:
                    shared = shared_students(members, a, b)
                    if shared:
                        conflicts.append(
                            Conflict(
                                "student",
                                f"Ученики ({len(shared)}) должны быть на двух уроках "
                                f"одновременно ({when}): {pair}",
                            )
                        )
    return conflicts


def _fmt_hours(value) -> str:
    text = f"{value:g}" if isinstance(value, float) else format(value.normalize(), "f")
    return text.replace(".", ",")


def hours_conflicts(
    *, entries: list[TimetableEntry], loads: list[TeachingLoad], day: dt.date
) -> list[Conflict]:
    """Weekly lessons in the timetable (valid on ``day``) against the teaching load."""
    from decimal import Decimal

    counted: dict[tuple[int, int, int], int] = defaultdict(int)
    names: dict[tuple[int, int, int], str] = {}
    for e in entries:
        if e.valid_from <= day and (e.valid_to is None or day <= e.valid_to):
            key = (e.group_id, e.subject_id, e.teacher_id)
            counted[key] += 1
            names[key] = f"{e.group}, {e.subject} ({e.teacher.short_name})"
    planned: dict[tuple[int, int, int], Decimal] = {}
    for load in loads:
        key = (load.group_id, load.subject_id, load.teacher_id)
        planned[key] = load.hours_per_week
        names[key] = f"{load.group}, {load.subject} ({load.teacher.short_name})"
    conflicts = []
    for key in sorted(set(counted) | set(planned), key=lambda k: names[k]):
        have = counted.get(key, 0)
        if key not in planned:
            conflicts.append(
                Conflict(
                    "hours",
                    f"{names[key]}: в расписании {have} ч в неделю, в тарификации такой "
                    f"нагрузки нет.",
                )
            )
        elif Decimal(have) != planned[key]:
            conflicts.append(
                Conflict(
                    "hours",
                    f"{names[key]}: в расписании {have} ч в неделю, "
                    f"по тарификации {_fmt_hours(planned[key])} ч.",
                )
            )
    return conflicts


def year_entries(*, school: School, year: AcademicYear) -> list[TimetableEntry]:
    return list(
        TimetableEntry.objects.filter(school=school, group__year=year, valid_from__lte=year.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year.start))
        .select_related("group", "group__school_class", "subject", "teacher")
    )


def timetable_conflicts(
    *, school: School, year: AcademicYear, day: dt.date | None = None
) -> list[Conflict]:
    """Every conflict of a year's timetable, in Russian, for the deputy."""
    day = day or school_selectors.day_in_year(
        year=year, today=school_selectors.school_today(school)
    )
    entries = year_entries(school=school, year=year)
    bells = BellTimes(school=school, start=day, end=day)
    members = group_students(group_ids={e.group_id for e in entries}, year=year)
    loads = list(
        TeachingLoad.objects.filter(group__year=year, group__school=school).select_related(
            "group", "subject", "teacher"
        )
    )
    return slot_conflicts(entries=entries, members=members, bells=bells) + hours_conflicts(
        entries=entries, loads=loads, day=day
    )


# --- Lessons -----------------------------------------------------------------


def lesson_queryset() -> QuerySet[Lesson]:
    return Lesson.objects.select_related(
        "group",
        "group__school_class",
        "subject",
        "planned_teacher",
        "actual_teacher",
        "substitution",
    )


def teaching_q(staff: StaffMember) -> Q:
    """Lessons a staff member actually teaches: their own unless substituted, and the
    ones they substitute."""
    return Q(actual_teacher=staff) | Q(actual_teacher__isnull=True, planned_teacher=staff)


def lessons_of_teacher(
    *, staff: StaffMember, start: dt.date, end: dt.date, active_only: bool = True
) -> QuerySet[Lesson]:
    qs = lesson_queryset().filter(teaching_q(staff), date__range=(start, end))
    if active_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    return qs.order_by("date", "start_time", "number")


def lessons_of_day(*, school: School, day: dt.date) -> QuerySet[Lesson]:
    return lesson_queryset().filter(school=school, date=day).order_by("start_time", "group__name")


@dataclass
class DayGrid:
    """One day of the school: a row per class (or stream), a column per lesson number."""

    numbers: list[int]
    rows: list[tuple[str, list[list[Lesson]]]]
    changed: list[Lesson]


def day_grid(*, school: School, day: dt.date) -> DayGrid:
    lessons = list(lessons_of_day(school=school, day=day))
    numbers = list(range(1, max([lsn.number for lsn in lessons] + [6]) + 1))
    by_row: dict[tuple, dict[int, list[Lesson]]] = defaultdict(lambda: defaultdict(list))
    for lesson in lessons:
        cls = lesson.group.school_class
        key = (
            (cls.grade, cls.letter, str(cls)) if cls else (99, lesson.group.name, lesson.group.name)
        )
        by_row[key][lesson.number].append(lesson)
    rows = [
        (key[2], [cells.get(n, []) for n in numbers])
        for key, cells in sorted(by_row.items(), key=lambda kv: kv[0][:2])
    ]
    changed = [
        lsn
        for lsn in lessons
        if lsn.is_substituted
        or lsn.status in (LessonStatus.CANCELLED, LessonStatus.MOVED)
        or lsn.moved_from_id
        or lsn.timetable_entry_id is None
    ]
    return DayGrid(numbers=numbers, rows=rows, changed=changed)


def lessons_of_groups(
    *, group_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[Lesson]:
    return (
        lesson_queryset()
        .filter(group_id__in=list(group_ids), date__range=(start, end))
        .order_by("date", "start_time")
    )


def group_ids_of_student(*, student_id: int, start: dt.date, end: dt.date) -> set[int]:
    """Groups a student belongs to at some time in [start, end]: the whole-class groups of
    their classes and their subgroups, streams and individual groups (two queries)."""
    class_ids = ClassEnrollment.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values("school_class_id")
    whole = StudyGroup.objects.filter(
        kind=GroupKind.WHOLE_CLASS, school_class_id__in=class_ids
    ).values_list("id", flat=True)
    others = GroupMembership.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("group_id", flat=True)
    return set(whole) | set(others)


def lessons_of_student(*, student_id: int, start: dt.date, end: dt.date) -> list[Lesson]:
    """A student's lessons in a date range, only on dates they were in each group — the
    diary's week view reads this (with cancelled and moved lessons, to show the change)."""
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    enrollments = ClassEnrollment.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("school_class_id", "date_from", "date_to")
    class_spans = defaultdict(list)
    for class_id, date_from, date_to in enrollments:
        class_spans[class_id].append((date_from, date_to))
    for group_id, class_id in StudyGroup.objects.filter(
        kind=GroupKind.WHOLE_CLASS, school_class_id__in=list(class_spans)
    ).values_list("id", "school_class_id"):
        spans[group_id].extend(class_spans[class_id])
    for group_id, date_from, date_to in GroupMembership.objects.filter(
        school_selectors.overlapping(start, end), student_id=student_id
    ).values_list("group_id", "date_from", "date_to"):
        spans[group_id].append((date_from, date_to))
    lessons = lessons_of_groups(group_ids=list(spans), start=start, end=end)
    return [
        lesson
        for lesson in lessons
        if any(
            a <= lesson.date and (b is None or lesson.date <= b) for a, b in spans[lesson.group_id]
        )
    ]


def changes_of_groups(
    *, group_ids: Iterable[int], start: dt.date, end: dt.date
) -> QuerySet[ScheduleChange]:
    """Schedule changes that touch the groups' lessons in a date range (for the diary)."""
    ids = list(group_ids)
    return (
        ScheduleChange.objects.filter(
            Q(lesson__group_id__in=ids, lesson__date__range=(start, end))
            | Q(new_lesson__group_id__in=ids, new_lesson__date__range=(start, end))
        )
        .select_related("lesson", "lesson__subject", "new_lesson", "created_by")
        .order_by("lesson__date", "lesson__number")
    )


def recent_changes(*, school: School, limit: int = 50) -> QuerySet[ScheduleChange]:
    return (
        ScheduleChange.objects.filter(school=school)
        .select_related("lesson", "lesson__group", "lesson__subject", "new_lesson", "created_by")
        .order_by("-created_at")[:limit]
    )


@dataclass
class TodayLesson:
    number: int
    start_time: dt.time
    end_time: dt.time
    group: str
    subject: str
    room: str
    is_substitution: bool
    lesson_id: int


def today_lessons(*, staff: StaffMember, day: dt.date) -> list[TodayLesson]:
    lessons = lessons_of_teacher(staff=staff, start=day, end=day)
    return [
        TodayLesson(
            number=lesson.number,
            start_time=lesson.start_time,
            end_time=lesson.end_time,
            group=str(lesson.group),
            subject=str(lesson.subject),
            room=lesson.room,
            is_substitution=lesson.actual_teacher_id == staff.id and lesson.is_substituted,
            lesson_id=lesson.id,
        )
        for lesson in lessons
    ]


def start_page_block(request: AuthedRequest, role: str) -> dict:
    """For the teacher's start page (``registry.START_PAGE_BLOCKS``): today's lessons."""
    ctx = request.ctx
    if role != Role.TEACHER or not ctx.staff or not ctx.school:
        return {}
    day = school_selectors.school_today(ctx.school)
    return {"today_lessons": today_lessons(staff=ctx.staff, day=day)}


# --- Substitution log ---------------------------------------------------------


@dataclass
class SubstitutionRow:
    substitution: Substitution
    documented: bool


def substitution_log(*, school: School, start: dt.date, end: dt.date) -> list[SubstitutionRow]:
    """Журнал замещения уроков for a date range."""
    rows = list(
        Substitution.objects.filter(school=school, lesson__date__range=(start, end))
        .select_related(
            "lesson",
            "lesson__group",
            "lesson__subject",
            "absent_teacher",
            "substitute",
            "created_by",
        )
        .order_by("lesson__date", "lesson__start_time", "lesson__group__name")
    )
    documented = hooks.lesson_ids_documented([r.lesson_id for r in rows])
    return [SubstitutionRow(r, r.lesson_id in documented) for r in rows]
