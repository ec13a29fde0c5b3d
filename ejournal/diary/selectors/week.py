"""The diary week: each day's lessons with topic, homework, marks and attendance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ejournal.accounts.models import Student
from ejournal.core import rawsql
from ejournal.diary.selectors.family import _person, day_title, short_day
from ejournal.diary.selectors.lessons import lessons_of_student
from ejournal.journal.models import (
    Attendance,
    Homework,
    HomeworkAttachment,
    Mark,
    WorkType,
)
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import (
    Subject,
)


@dataclass
class DiaryMark:
    value: str
    display: str
    numeric: int | None
    work_type: str
    work_short: str
    weight: Decimal
    title: str
    comment: str
    is_makeup: bool
    date: dt.date | None = None
    subject: str = ""
    # Row ids for the compatibility API (webapi), which names works and types by id.
    work_id: int = 0
    work_type_id: int = 0
    lesson_id: int = 0


@dataclass
class DiaryHomework:
    homework: Homework
    individual: bool
    attachments: list

    @property
    def text(self) -> str:
        return self.homework.text

    @property
    def due_date(self) -> dt.date | None:
        return self.homework.due_date


@dataclass
class DiaryLesson:
    lesson: Lesson
    teacher: str
    planned_teacher: str
    substituted: bool
    cancelled: bool
    moved_to: dt.date | None
    moved_from: dt.date | None
    extra: bool
    room_changed_from: str
    topic: str
    assigned: list[DiaryHomework] = field(default_factory=list)
    due: list[DiaryHomework] = field(default_factory=list)
    marks: list[DiaryMark] = field(default_factory=list)
    attendance: str = ""
    attendance_code: str = ""

    @property
    def changed(self) -> bool:
        return bool(
            self.substituted
            or self.cancelled
            or self.moved_to
            or self.moved_from
            or self.extra
            or self.room_changed_from
        )


@dataclass
class DiaryDay:
    date: dt.date
    title: str
    is_today: bool
    lessons: list[DiaryLesson]
    # Homework due this day with no lesson of its subject to hang on (e.g. it was cancelled).
    due_without_lesson: list[DiaryHomework] = field(default_factory=list)


@dataclass
class Week:
    start: dt.date
    end: dt.date
    today: dt.date
    days: list[DiaryDay]

    @property
    def previous(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def title(self) -> str:
        return f"{short_day(self.start)} — {short_day(self.end)} {self.end.year}"

    @property
    def is_current(self) -> bool:
        return self.start <= self.today <= self.end


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _mark(mark: Mark) -> DiaryMark:
    work = mark.work
    return DiaryMark(
        value=mark.value,
        display=mark.get_value_display(),
        numeric=mark.numeric,
        work_type=work.work_type.name,
        work_short=work.work_type.short_name,
        weight=work.work_type.weight,
        title=work.title,
        comment=mark.comment,
        is_makeup=mark.is_makeup,
        work_id=work.pk,
        work_type_id=work.work_type_id,
        lesson_id=work.lesson_id,
    )


# The columns ``_mark_row`` reads, in its order, and the tables they come from.
MARK_ROW_SQL = """
SELECT w.lesson_id, m.value, m.numeric, m.comment, m.is_makeup, w.id, w.title,
       w.work_type_id, t.name, t.short_name, t.weight{extra}
FROM journal_mark m
JOIN journal_work w ON w.id = m.work_id
JOIN journal_worktype t ON t.id = w.work_type_id
"""


WEEK_MARKS_SQL = (
    MARK_ROW_SQL.format(extra="")
    + """WHERE m.student_id = %s AND w.lesson_id {lessons}
ORDER BY w.position, w.id
"""
)


# The homework given at the week's lessons, and the homework due this week in the
# student's groups; individual tasks only when they name the student.
WEEK_HOMEWORK_SQL = """
SELECT h.id, h.lesson_id, h.text, h.due_date, h.is_individual, l.date, l.group_id,
       l.subject_id, sub.name, f.id, f.file, f.original_name, f.content_type, f.size
FROM journal_homework h
JOIN schedule_lesson l ON l.id = h.lesson_id
JOIN school_subject sub ON sub.id = l.subject_id
LEFT JOIN journal_homeworkattachment f ON f.homework_id = h.id
WHERE (h.lesson_id {lessons}
       OR (h.due_date BETWEEN %s AND %s AND l.group_id {groups}))
  AND (h.is_individual = %s OR EXISTS (
       SELECT 1 FROM journal_homework_students hs
       WHERE hs.homework_id = h.id AND hs.student_id = %s))
ORDER BY h.id, f.id
"""


MARK_DISPLAY = {value: str(label) for value, label in Mark._meta.get_field("value").flatchoices}


def _mark_row(row) -> DiaryMark:
    """A mark from (lesson, value, numeric, comment, make-up, work, title, type id, type
    name, type short name, weight) — the columns the diary's hand-written reads share."""
    lesson_id, value, numeric, comment, makeup, work_id, title, type_id = row[:8]
    type_name, type_short, weight = row[8:]
    return DiaryMark(
        value=value,
        display=MARK_DISPLAY.get(value, value),
        numeric=numeric,
        work_type=type_name,
        work_short=type_short,
        weight=rawsql.field_value(WorkType, "weight", weight),
        title=title,
        comment=comment,
        is_makeup=bool(makeup),
        work_id=work_id,
        work_type_id=type_id,
        lesson_id=lesson_id,
    )


def _week_marks(student: Student, lesson_ids: list[int]) -> dict[int, list[DiaryMark]]:
    marks: dict[int, list[DiaryMark]] = defaultdict(list)
    sql, ids = rawsql.in_list(lesson_ids)
    for row in rawsql.fetch(WEEK_MARKS_SQL.format(lessons=sql), [student.pk, *ids]):
        marks[row[0]].append(_mark_row(row))
    return marks


HOMEWORK_COLUMNS = ("id", "lesson_id", "text", "due_date", "is_individual")


ATTACHMENT_COLUMNS = ("id", "homework_id", "file", "original_name", "content_type", "size")


def _week_homework(
    student: Student, lesson_ids: list[int], group_ids: set[int], start: dt.date, end: dt.date
) -> list[DiaryHomework]:
    """The week's homework in id order, each with its lesson (date, group, subject)."""
    lessons_sql, ids = rawsql.in_list(lesson_ids)
    groups_sql, groups = rawsql.in_list(sorted(group_ids))
    rows = rawsql.fetch(
        WEEK_HOMEWORK_SQL.format(lessons=lessons_sql, groups=groups_sql),
        [*ids, start, end, *groups, False, student.pk],
    )
    found: dict[int, DiaryHomework] = {}
    subjects: dict[int, Subject] = {}
    for row in rows:
        hw_id = row[0]
        given = found.get(hw_id)
        if given is None:
            homework = rawsql.instance(Homework, HOMEWORK_COLUMNS, row[:5])
            lesson_date, group_id, subject_id, subject_name = row[5:9]
            if subject_id not in subjects:
                subjects[subject_id] = rawsql.instance(
                    Subject, ("id", "name"), (subject_id, subject_name)
                )
            lesson = rawsql.instance(
                Lesson, ("id", "date", "group_id", "subject_id"),
                (homework.lesson_id, lesson_date, group_id, subject_id),
            )  # fmt: skip
            lesson._state.fields_cache["subject"] = subjects[subject_id]
            homework._state.fields_cache["lesson"] = lesson
            given = found[hw_id] = DiaryHomework(homework, homework.is_individual, [])
        if row[9] is not None:
            given.attachments.append(
                rawsql.instance(HomeworkAttachment, ATTACHMENT_COLUMNS, (row[9], hw_id, *row[10:]))
            )
    return list(found.values())


def student_week(student: Student, day: dt.date, today: dt.date) -> Week:
    """Monday to Saturday around ``day`` (Sunday only when it has lessons). Three queries:
    the lessons (with their changes and the student's attendance), the student's marks,
    the homework."""
    start = week_start(day)
    end = start + dt.timedelta(days=6)
    lessons = lessons_of_student(student, start, end)
    ids = [lesson.pk for lesson in lessons]
    marks = _week_marks(student, ids)

    assigned, due = defaultdict(list), defaultdict(list)
    lesson_ids = set(ids)
    for given in _week_homework(student, ids, {lesson.group_id for lesson in lessons}, start, end):
        hw = given.homework
        if hw.lesson_id in lesson_ids:
            assigned[hw.lesson_id].append(given)
        if hw.due_date and start <= hw.due_date <= end:
            due[(hw.due_date, hw.lesson.group_id, hw.lesson.subject_id)].append(given)

    by_day: dict[dt.date, list[DiaryLesson]] = defaultdict(list)
    for lesson in lessons:
        code = lesson.attendance_code  # type: ignore[attr-defined]
        row = Attendance(code=code, late_minutes=lesson.attendance_late) if code else None  # type: ignore[attr-defined]
        record = getattr(lesson, "record", None)
        room_from = lesson.room_before  # type: ignore[attr-defined]
        item = DiaryLesson(
            lesson=lesson,
            teacher=_person(lesson.teacher),
            planned_teacher=_person(lesson.planned_teacher),
            substituted=lesson.is_substituted,
            cancelled=lesson.status == LessonStatus.CANCELLED,
            moved_to=lesson.moved_to_date,  # type: ignore[attr-defined]
            moved_from=lesson.moved_from_date,  # type: ignore[attr-defined]
            extra=lesson.is_extra,  # type: ignore[attr-defined]
            room_changed_from=room_from if room_from != lesson.room else "",
            topic=record.topic if record else "",
            assigned=assigned.get(lesson.pk, []),
            marks=marks.get(lesson.pk, []),
            attendance=str(_attendance_display(row)) if row else "",
            attendance_code=code or "",
        )
        # Homework due today belongs to the first lesson of its subject and group that day.
        key = (lesson.date, lesson.group_id, lesson.subject_id)
        if key in due and lesson.status != LessonStatus.CANCELLED:
            item.due = due.pop(key)
        by_day[lesson.date].append(item)

    leftover: dict[dt.date, list[DiaryHomework]] = defaultdict(list)
    for (due_day, _group, _subject), items in due.items():
        leftover[due_day].extend(items)
    # Sunday is shown only when there is something on it, or when it is today.
    show_sunday = by_day.get(end) or leftover.get(end) or end == today
    last = end if show_sunday else end - dt.timedelta(days=1)
    days: list[DiaryDay] = []
    current = start
    while current <= last:
        entry = DiaryDay(current, day_title(current), current == today, by_day.get(current, []))
        entry.due_without_lesson = leftover.get(current, [])
        days.append(entry)
        current += dt.timedelta(days=1)
    return Week(start, end, today, days)


def _attendance_display(row: Attendance) -> str:
    display = row.get_code_display()
    if row.late_minutes:
        display = f"{display} {row.late_minutes} мин"
    return display
