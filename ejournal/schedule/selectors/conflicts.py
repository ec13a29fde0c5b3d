"""The timetable's checks: a teacher, a room or a student in two places at once, and hours
against the curriculum."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from ejournal.schedule.models import (
    TimetableEntry,
    Weekday,
)
from ejournal.schedule.selectors.timetable import BellTimes, shift_of
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
