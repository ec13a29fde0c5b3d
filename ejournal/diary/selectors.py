"""What a student or a parent sees: read-only views of the journal for one student.

Every function takes a student the caller has already checked (``permissions``) and runs
a fixed number of queries, whatever the number of lessons, marks or classmates. Nothing is
cached: a mark saved by the teacher is in the next page load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, FilteredRelation, Q, Sum, Value

from ejournal.accounts.models import Role, StaffMember, Student, shown_name_sql
from ejournal.attestation.models import PeriodMark
from ejournal.core import rawsql
from ejournal.journal import averages
from ejournal.journal.models import (
    Attendance,
    Homework,
    HomeworkAttachment,
    LessonRecord,
    Mark,
    Work,
    WorkCategory,
    WorkType,
)
from ejournal.schedule.models import Lesson, LessonStatus, ScheduleChangeKind
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
)

WEEKDAYS = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
MONTHS = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]  # fmt: skip
ABSENT_CODES = ("n", "b", "up")
WRITTEN = (WorkCategory.WRITTEN, WorkCategory.CONTROL, WorkCategory.ESSAY, WorkCategory.PRACTICAL)


def day_title(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()].capitalize()}, {day.day} {MONTHS[day.month - 1]}"


def short_day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


# --- Whose diary ----------------------------------------------------------------------


STUDENT_COLUMNS = tuple(f.attname for f in Student._meta.concrete_fields)
SCHOOL_COLUMNS = tuple(f.attname for f in School._meta.concrete_fields)
# One id list (a UNION) instead of an OR of two subqueries: the OR made PostgreSQL read
# every student of the municipality; this reaches them by primary key.
FAMILY_STUDENTS_SQL = f"""
SELECT {rawsql.columns("s", STUDENT_COLUMNS)}, {rawsql.columns("sc", SCHOOL_COLUMNS)}
FROM accounts_student s JOIN school_school sc ON sc.id = s.school_id
WHERE s.id IN (
    SELECT o.id FROM accounts_student o
    WHERE o.user_id = %(user)s AND o.school_id IN (
        SELECT r.school_id FROM accounts_roleassignment r
        WHERE r.user_id = %(user)s AND r.active = %(true)s AND r.role = %(student)s)
    UNION
    SELECT sg.student_id FROM accounts_studentguardian sg
    JOIN accounts_guardian g ON g.id = sg.guardian_id
    JOIN accounts_student c ON c.id = sg.student_id
    WHERE g.user_id = %(user)s AND g.school_id = c.school_id AND c.school_id IN (
        SELECT r.school_id FROM accounts_roleassignment r
        WHERE r.user_id = %(user)s AND r.active = %(true)s AND r.role = %(parent)s))
ORDER BY s.birth_date, {shown_name_sql("s")}
"""  # noqa: S608 - the models' column names only


def family_students(user) -> list[Student]:
    """The students whose diary ``user`` may read, in any school (one query): their own
    student record where they hold an active student role, and the children they are a
    guardian of where they hold an active parent role in the child's school."""
    if not user.is_authenticated:
        return []
    params = {"user": user.pk, "true": True, "student": Role.STUDENT, "parent": Role.PARENT}
    students = []
    size = len(STUDENT_COLUMNS)
    for row in rawsql.fetch(FAMILY_STUDENTS_SQL, params):
        student = rawsql.instance(Student, STUDENT_COLUMNS, row[:size])
        student._state.fields_cache["school"] = rawsql.instance(School, SCHOOL_COLUMNS, row[size:])
        students.append(student)
    return students


# --- The student's lessons -------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    key: int
    date_from: dt.date
    date_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.date_from <= day and (self.date_to is None or day <= self.date_to)


@dataclass
class Belonging:
    """Which classes and groups the student was in, and when, within a date range."""

    classes: list[Span]
    groups: list[Span]
    # The whole-class groups of those classes (their lessons are the class's lessons).
    class_groups: set[int] = field(default_factory=set)

    def attends(self, lesson: Lesson) -> bool:
        group = lesson.group
        if group.kind == GroupKind.WHOLE_CLASS:
            return any(
                s.key == group.school_class_id and s.covers(lesson.date) for s in self.classes
            )
        return any(s.key == group.pk and s.covers(lesson.date) for s in self.groups)

    def group_ids(self) -> list[int]:
        """The groups whose lessons the student may attend. A plain ``group_id IN (…)``
        reaches the lessons through the (group, date) index; the OR across the joined
        group's kind and class it replaces made PostgreSQL read the school's whole week.
        """
        # -1 matches nothing but keeps the query (a constant query count).
        return sorted(self.class_groups | {s.key for s in self.groups}) or [-1]


def belonging(student: Student, start: dt.date, end: dt.date) -> Belonging:
    """One query: the class enrollments (with their whole-class groups) and the group
    memberships overlapping [start, end], as one UNION ALL."""
    enrollments = (
        ClassEnrollment.objects.filter(school_selectors.overlapping(start, end), student=student)
        .annotate(
            whole=FilteredRelation(
                "school_class__groups",
                condition=Q(school_class__groups__kind=GroupKind.WHOLE_CLASS),
            ),
            row_kind=Value("c"),
            group_id=F("whole__id"),
        )
        .values_list("row_kind", "school_class_id", "date_from", "date_to", "group_id")
        .order_by()
    )
    memberships = (
        GroupMembership.objects.filter(school_selectors.overlapping(start, end), student=student)
        .annotate(row_kind=Value("g"), whole_id=F("group_id"))
        .values_list("row_kind", "group_id", "date_from", "date_to", "whole_id")
        .order_by()
    )
    classes: list[Span] = []
    groups: list[Span] = []
    class_groups: set[int] = set()
    for kind, key, date_from, date_to, group_id in enrollments.union(memberships, all=True):
        span = Span(key, date_from, date_to)
        if kind == "g":
            groups.append(span)
            continue
        if span not in classes:
            classes.append(span)
        if group_id is not None:
            class_groups.add(group_id)
    return Belonging(classes, groups, class_groups)


# The student's lessons in a date range: the spans of their class enrollments (as the
# class's whole-class group) and of their other groups come first, and each reaches its
# group's lessons of those days through the (group, date) index. With each lesson come
# its subject, teachers, topic, the student's own attendance, the dates it was moved to
# or from and its changes.
LESSONS_SQL = """
SELECT l.id, l.date, l.number, l.start_time, l.end_time, l.group_id, l.subject_id,
       l.planned_teacher_id, l.actual_teacher_id, l.room, l.status, l.moved_from_id,
       l.moved_to_id, l.school_id,
       g.kind, g.school_class_id, g.name, sub.name, sub.short_name,
       pt.last_name, pt.first_name, pt.patronymic,
       st.last_name, st.first_name, st.patronymic,
       r.id, r.topic, a.code, a.late_minutes, mt.date, mf.date,
       (SELECT COUNT(*) FROM schedule_schedulechange c
        WHERE c.new_lesson_id = l.id AND c.kind = %(extra)s),
       (SELECT c.before FROM schedule_schedulechange c
        WHERE c.lesson_id = l.id AND c.kind = %(room)s ORDER BY c.created_at, c.id LIMIT 1)
FROM (
    SELECT w.id AS group_id, e.date_from, e.date_to
    FROM school_classenrollment e
    JOIN school_studygroup w ON w.school_class_id = e.school_class_id AND w.kind = %(whole)s
    WHERE e.student_id = %(student)s AND e.date_from <= %(end)s
      AND (e.date_to IS NULL OR e.date_to >= %(start)s)
    UNION ALL
    SELECT m.group_id, m.date_from, m.date_to
    FROM school_groupmembership m
    JOIN school_studygroup mg ON mg.id = m.group_id AND mg.kind <> %(whole)s
    WHERE m.student_id = %(student)s AND m.date_from <= %(end)s
      AND (m.date_to IS NULL OR m.date_to >= %(start)s)
) span
JOIN schedule_lesson l ON l.group_id = span.group_id
     AND l.date BETWEEN %(start)s AND %(end)s
     AND l.date >= span.date_from AND (span.date_to IS NULL OR l.date <= span.date_to)
JOIN school_studygroup g ON g.id = l.group_id
JOIN school_subject sub ON sub.id = l.subject_id
LEFT JOIN accounts_staffmember pt ON pt.id = l.planned_teacher_id
LEFT JOIN accounts_staffmember st ON st.id = l.actual_teacher_id
LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
LEFT JOIN journal_attendance a ON a.lesson_id = l.id AND a.student_id = %(student)s
LEFT JOIN schedule_lesson mt ON mt.id = l.moved_to_id
LEFT JOIN schedule_lesson mf ON mf.id = l.moved_from_id
WHERE l.school_id = %(school)s
ORDER BY l.date, l.number, l.start_time, l.id
"""
LESSON_COLUMNS = (
    "id", "date", "number", "start_time", "end_time", "group_id", "subject_id",
    "planned_teacher_id", "actual_teacher_id", "room", "status", "moved_from_id",
    "moved_to_id", "school_id",
)  # fmt: skip
STAFF_NAMES = ("id", "last_name", "first_name", "patronymic")


def lessons_of_student(student: Student, start: dt.date, end: dt.date) -> list[Lesson]:
    """The student's lessons in [start, end] in timetable order (one query), each with its
    group, subject, teachers and record, and as attributes the student's attendance code
    and late minutes, the dates it was moved to or from, whether it was added as an extra
    lesson (``is_extra``) and the room before its first room change (``room_before``)."""
    rows = rawsql.fetch(
        LESSONS_SQL,
        {
            "student": student.pk,
            "school": student.school_id,
            "start": start,
            "end": end,
            "whole": GroupKind.WHOLE_CLASS,
            "extra": ScheduleChangeKind.EXTRA,
            "room": ScheduleChangeKind.ROOM,
        },
    )
    subjects: dict[int, Subject] = {}
    staff: dict[int, StaffMember] = {}

    def teacher(pk, names):
        if pk is None:
            return None
        if pk not in staff:
            staff[pk] = rawsql.instance(StaffMember, STAFF_NAMES, (pk, *names))
        return staff[pk]

    lessons = []
    seen: set[int] = set()
    for row in rows:
        if row[0] in seen:  # two spans of one group covering the day (overlapping data)
            continue
        seen.add(row[0])
        lesson = rawsql.instance(Lesson, LESSON_COLUMNS, row[:14])
        kind, class_id, group_name, subject_name, subject_short = row[14:19]
        cache = lesson._state.fields_cache
        cache["group"] = rawsql.instance(
            StudyGroup, ("id", "name", "kind", "school_class_id"),
            (lesson.group_id, group_name, kind, class_id),
        )  # fmt: skip
        if lesson.subject_id not in subjects:
            subjects[lesson.subject_id] = rawsql.instance(
                Subject, ("id", "name", "short_name"),
                (lesson.subject_id, subject_name, subject_short),
            )  # fmt: skip
        cache["subject"] = subjects[lesson.subject_id]
        cache["planned_teacher"] = teacher(lesson.planned_teacher_id, row[19:22])
        cache["actual_teacher"] = teacher(lesson.actual_teacher_id, row[22:25])
        record_id, topic = row[25:27]
        cache["record"] = (
            rawsql.instance(
                LessonRecord, ("id", "lesson_id", "topic"), (record_id, lesson.pk, topic)
            )
            if record_id is not None
            else None
        )
        lesson.attendance_code, lesson.attendance_late = row[27], row[28]  # type: ignore[attr-defined]
        lesson.moved_to_date = rawsql.to_date(row[29])  # type: ignore[attr-defined]
        lesson.moved_from_date = rawsql.to_date(row[30])  # type: ignore[attr-defined]
        lesson.is_extra = bool(row[31])  # type: ignore[attr-defined]
        lesson.room_before = (rawsql.to_json(row[32]) or {}).get("room", "")  # type: ignore[attr-defined]
        lessons.append(lesson)
    return lessons


# --- Week ------------------------------------------------------------------------------


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


def _person(staff) -> str:
    return staff.short_name if staff else ""


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


# --- Periods ---------------------------------------------------------------------------


@dataclass
class PeriodChoice:
    year: AcademicYear | None
    school_class: SchoolClass | None
    periods: list[StudyPeriod]
    period: StudyPeriod | None


def period_choice(student: Student, today: dt.date, period_id: int | None) -> PeriodChoice:
    """The student's year, class and study periods, and the chosen (else current) period."""
    year = school_selectors.year_on(school=student.school, day=today)
    if year is None:
        return PeriodChoice(None, None, [], None)
    enrollment = (
        ClassEnrollment.objects.filter(student=student, school_class__year=year)
        .filter(date_from__lte=max(today, year.start))
        .select_related("school_class")
        .order_by("-date_from")
        .first()
    )
    if enrollment is None:
        return PeriodChoice(year, None, [], None)
    school_class = enrollment.school_class
    periods = school_selectors.periods_for_grade(year=year, grade=school_class.grade)
    chosen = next((p for p in periods if p.pk == period_id), None)
    if chosen is None:
        started = [p for p in periods if p.start <= today]
        chosen = started[-1] if started else (periods[0] if periods else None)
    return PeriodChoice(year, school_class, periods, chosen)


# --- Marks and rating ------------------------------------------------------------------


@dataclass
class TrendPoint:
    date: dt.date
    average: Decimal


@dataclass
class Rating:
    position: int | None
    total: int

    @property
    def display(self) -> str:
        return f"{self.position} из {self.total}" if self.position else "—"


@dataclass
class SubjectMarks:
    subject_id: int
    subject: str
    marks: list[DiaryMark]
    average: Decimal | None
    period_mark: PeriodMark | None
    rating: Rating
    trend: list[TrendPoint]

    @property
    def average_display(self) -> str:
        return averages.display_average(self.average)


@dataclass
class MarksPage:
    choice: PeriodChoice
    subjects: list[SubjectMarks]
    overall_average: Decimal | None
    overall_rating: Rating
    year_marks: dict[int, PeriodMark]

    @property
    def overall_display(self) -> str:
        return averages.display_average(self.overall_average)


def _trend(marks: list[DiaryMark]) -> list[TrendPoint]:
    """The weighted average after each day with numeric marks."""
    points: list[TrendPoint] = []
    total = weights = Decimal(0)
    for mark in marks:
        if mark.numeric is None:
            continue
        total += mark.numeric * mark.weight
        weights += mark.weight
        point = TrendPoint(mark.date, total / weights)  # type: ignore[arg-type]
        if points and points[-1].date == mark.date:
            points[-1] = point
        else:
            points.append(point)
    return points


def rank(mine: Decimal | None, everyone: list[Decimal]) -> Rating:
    """Position by average: 1 + the number of classmates strictly above (ties share)."""
    if mine is None:
        return Rating(None, len(everyone))
    return Rating(1 + sum(1 for a in everyone if a > mine), len(everyone))


def groups_of_students(student_ids: list[int], start: dt.date, end: dt.date) -> list[int]:
    """The groups whose lessons any of the students could attend within [start, end]: the
    whole-class groups of their classes and their own groups (one query)."""
    overlapping = school_selectors.overlapping(start, end)
    classes = (
        ClassEnrollment.objects.filter(overlapping, student_id__in=student_ids)
        .filter(school_class__groups__kind=GroupKind.WHOLE_CLASS)
        .values_list("school_class__groups__id")
        .order_by()
    )
    groups = (
        GroupMembership.objects.filter(overlapping, student_id__in=student_ids)
        .values_list("group_id")
        .order_by()
    )
    return sorted(row[0] for row in classes.union(groups)) or [-1]


def class_averages(
    student_ids: list[int], start: dt.date, end: dt.date
) -> dict[int, dict[int, Decimal]]:
    """student → subject → weighted average over [start, end] (two queries: the students'
    groups, then the sums).

    Summed in the database: Σ(mark × weight) and Σ(weight) per student and subject (a
    class's period is thousands of marks but only hundreds of sums); the exact quotient
    is the one ``averages.weighted_average`` gives.
    """
    weight = F("work__work_type__weight")
    rows = (
        Mark.objects.filter(
            student_id__in=student_ids,
            numeric__isnull=False,
            # Through the lessons of their groups (index on group and date): from the
            # students' side PostgreSQL read every mark of their year to keep a period.
            work__lesson__group_id__in=groups_of_students(student_ids, start, end),
            work__lesson__date__range=(start, end),
        )
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list("student_id", "work__lesson__subject_id")
        .annotate(
            total=Sum(
                F("numeric") * weight, output_field=DecimalField(max_digits=12, decimal_places=1)
            ),
            weights=Sum(weight, output_field=DecimalField(max_digits=12, decimal_places=1)),
        )
        .order_by()
    )
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for student_id, subject_id, total, weights in rows:
        if weights:
            result[student_id][subject_id] = Decimal(total) / Decimal(weights)
    return result


def overall(per_subject: dict[int, Decimal]) -> Decimal | None:
    """The overall average: the mean of the subject averages (each subject counts once)."""
    if not per_subject:
        return None
    return sum(per_subject.values(), Decimal(0)) / len(per_subject)


# The student's marks of a period with their lessons' dates and subjects.
PERIOD_MARKS_SQL = (
    MARK_ROW_SQL.format(extra=", l.date, l.subject_id, sub.name")
    + """JOIN schedule_lesson l ON l.id = w.lesson_id
JOIN school_subject sub ON sub.id = l.subject_id
WHERE m.student_id = %s AND l.date BETWEEN %s AND %s AND l.status <> %s
ORDER BY l.date, l.number, w.position, w.id
"""
)


def marks_page(student: Student, today: dt.date, period_id: int | None) -> MarksPage:
    choice = period_choice(student, today, period_id)
    period = choice.period
    if period is None or choice.school_class is None:
        return MarksPage(choice, [], None, Rating(None, 0), {})
    by_subject: dict[int, list[DiaryMark]] = defaultdict(list)
    names: dict[int, str] = {}
    params = [student.pk, period.start, period.end, LessonStatus.CANCELLED]
    for row in rawsql.fetch(PERIOD_MARKS_SQL, params):
        item = _mark_row(row[:11])
        item.date, subject_id, item.subject = row[11:]
        names[subject_id] = item.subject
        by_subject[subject_id].append(item)
    period_marks = list(
        PeriodMark.objects.filter(student=student, year=choice.year).select_related("subject")
    )
    this_period = {m.subject_id: m for m in period_marks if m.period_id == period.pk}
    year_marks = {m.subject_id: m for m in period_marks if m.kind == "year"}
    for m in this_period.values():
        names.setdefault(m.subject_id, m.subject.name)

    rating_day = min(max(today, period.start), period.end)
    classmates = list(
        school_selectors.students_of_class_on(
            school_class=choice.school_class, day=rating_day
        ).values_list("pk", flat=True)
    )
    if student.pk not in classmates:
        classmates.append(student.pk)
    averages_by_student = class_averages(classmates, period.start, period.end)
    mine = averages_by_student.get(student.pk, {})

    subjects = []
    for subject_id in sorted(names, key=lambda pk: names[pk]):
        everyone = [a[subject_id] for a in averages_by_student.values() if subject_id in a]
        marks = by_subject.get(subject_id, [])
        subjects.append(
            SubjectMarks(
                subject_id=subject_id,
                subject=names[subject_id],
                marks=marks,
                average=mine.get(subject_id),
                period_mark=this_period.get(subject_id),
                rating=rank(mine.get(subject_id), everyone),
                trend=_trend(marks),
            )
        )
    overall_everyone = [o for a in averages_by_student.values() if (o := overall(a)) is not None]
    my_overall = overall(mine)
    return MarksPage(choice, subjects, my_overall, rank(my_overall, overall_everyone), year_marks)


# --- Homework, debts, attendance -------------------------------------------------------


def upcoming_homework(student: Student, today: dt.date, days: int = 60) -> list[DiaryHomework]:
    """Homework due from today on, by due date (three queries)."""
    where = belonging(student, today, today)
    rows = (
        Homework.objects.filter(due_date__range=(today, today + dt.timedelta(days=days)))
        .filter(lesson__group_id__in=where.group_ids())
        .filter(Q(is_individual=False) | Q(students=student))
        .distinct()
        .select_related("lesson__subject")
        .prefetch_related("attachments")
        .order_by("due_date", "lesson__subject__name", "pk")
    )
    return [DiaryHomework(hw, hw.is_individual, list(hw.attachments.all())) for hw in rows[:200]]


@dataclass
class MissedWork:
    date: dt.date
    subject: str
    work_type: str
    title: str
    attendance: str
    work_id: int = 0
    work_type_id: int = 0
    lesson_id: int = 0


@dataclass
class AttendanceCounts:
    absent: int = 0
    ill: int = 0
    excused: int = 0
    late: int = 0

    @property
    def missed(self) -> int:
        return self.absent + self.ill + self.excused


@dataclass
class Summary:
    choice: PeriodChoice
    debts: list[DiaryMark]
    missed_works: list[MissedWork]
    period_attendance: AttendanceCounts
    year_attendance: AttendanceCounts


def _count(counts: AttendanceCounts, code: str) -> None:
    name = {"n": "absent", "b": "ill", "up": "excused", "op": "late"}[code]
    setattr(counts, name, getattr(counts, name) + 1)


def student_summary(student: Student, today: dt.date, period_id: int | None = None) -> Summary:
    """Debt dots and missed written works of the year, and attendance (period and year)."""
    choice = period_choice(student, today, period_id)
    year = choice.year
    if year is None:
        return Summary(choice, [], [], AttendanceCounts(), AttendanceCounts())
    span = (year.start, year.end)
    debts = []
    for mark in (
        Mark.objects.filter(student=student, value="dot", work__lesson__date__range=span)
        .select_related("work__work_type", "work__lesson__subject")
        .order_by("work__lesson__date", "work__lesson__number")
    ):
        item = _mark(mark)
        item.date = mark.work.lesson.date
        item.subject = mark.work.lesson.subject.name
        debts.append(item)

    absences = Attendance.objects.filter(
        student=student, code__in=ABSENT_CODES, lesson__date__range=span
    )
    missed = []
    for work in (
        Work.objects.filter(
            lesson_id__in=absences.values("lesson_id"), work_type__category__in=WRITTEN
        )
        .exclude(
            pk__in=Mark.objects.filter(student=student, numeric__isnull=False).values("work_id")
        )
        .select_related("lesson__subject", "work_type")
        .order_by("lesson__date", "lesson__number")
    ):
        missed.append(
            MissedWork(
                work.lesson.date,
                work.lesson.subject.name,
                work.work_type.name,
                work.title,
                "",
                work_id=work.pk,
                work_type_id=work.work_type_id,
                lesson_id=work.lesson_id,
            )
        )

    period_counts, year_counts = AttendanceCounts(), AttendanceCounts()
    period = choice.period
    for code, day in Attendance.objects.filter(
        student=student, lesson__date__range=span
    ).values_list("code", "lesson__date"):
        _count(year_counts, code)
        if period and period.start <= day <= period.end:
            _count(period_counts, code)
    return Summary(choice, debts, missed, period_counts, year_counts)


def attachment_for_student(student: Student, attachment_id: int):
    """The homework attachment if the student was given that homework, else None."""
    from ejournal.journal.models import HomeworkAttachment

    attachment = (
        HomeworkAttachment.objects.select_related("homework__lesson__group")
        .filter(pk=attachment_id, homework__lesson__school_id=student.school_id)
        .first()
    )
    if attachment is None:
        return None
    homework = attachment.homework
    lesson = homework.lesson
    if not belonging(student, lesson.date, lesson.date).attends(lesson):
        return None
    if homework.is_individual and not homework.students.filter(pk=student.pk).exists():
        return None
    return attachment


def homework_for_student(student: Student, homework_ids) -> list[Homework]:
    """The homework among ``homework_ids`` the student was given, with attachments
    prefetched (four queries): the rules of ``attachment_for_student`` for many at once."""
    rows = list(
        Homework.objects.filter(pk__in=list(homework_ids), lesson__school_id=student.school_id)
        .select_related("lesson__group", "lesson__subject")
        .prefetch_related("attachments")
        .order_by("pk")
    )
    if not rows:
        return []
    dates = [hw.lesson.date for hw in rows]
    where = belonging(student, min(dates), max(dates))
    individual = set(
        Homework.students.through.objects.filter(
            homework_id__in=[hw.pk for hw in rows if hw.is_individual], student=student
        ).values_list("homework_id", flat=True)
    )
    return [
        hw
        for hw in rows
        if where.attends(hw.lesson) and (not hw.is_individual or hw.pk in individual)
    ]


# --- Activity (for the control reports) -------------------------------------------------


@dataclass
class Activity:
    user_id: int
    username: str
    visits: int
    last_visit: dt.datetime


def diary_activity(*, school, start: dt.datetime, end: dt.datetime) -> list[Activity]:
    """Who opened the diaries of the school's students in [start, end), and how often
    (one query; reports on parents' and students' activity build on it)."""
    from django.db.models import Count, Max

    from ejournal.diary.models import DiaryVisit

    rows = (
        DiaryVisit.objects.filter(school=school, visited_at__gte=start, visited_at__lt=end)
        .values("user_id", "user__username")
        .annotate(visits=Count("id"), last_visit=Max("visited_at"))
        .order_by("-visits", "user__username")
    )
    return [Activity(r["user_id"], r["user__username"], r["visits"], r["last_visit"]) for r in rows]
