"""Bell schedules and the timetable grid of a class, with its rooms and teachers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from ejournal.accounts.models import StaffMember
from ejournal.schedule.models import (
    BellSchedule,
    BellScheduleDay,
    BellSlot,
    LessonStatus,
    TimetableEntry,
    Weekday,
)
from ejournal.school.models import (
    GroupKind,
    School,
    StudyGroup,
)

ACTIVE_STATUSES = (LessonStatus.PLANNED, LessonStatus.HELD)


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
