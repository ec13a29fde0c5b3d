"""Request and response shapes of the REST API (dates and times in ISO 8601).

Students are shown by ``name`` only: the full name, or the code name (кодовое имя) for a
pseudonymised student; surnames are never sent separately.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

# --- Common ---------------------------------------------------------------------------------


# Lesson times are the school's local wall-clock time, "ЧЧ:ММ" (ISO 8601 without an offset;
# JSON Schema's "time" format would demand one).
LocalTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["09:00"])]


class Ref(Schema):
    id: int
    name: str


class StudentRef(Schema):
    id: int
    name: str = Field(description="ФИО или кодовое имя ученика, которому оно присвоено")


# --- Me, schools ----------------------------------------------------------------------------


class MembershipOut(Schema):
    school_id: int | None
    municipality_id: int | None
    title: str
    roles: list[str]


class ChildOut(Schema):
    id: int
    name: str
    school_id: int
    school: str
    class_name: str | None
    is_self: bool


class TokenInfo(Schema):
    prefix: str
    scope: str
    expires_at: dt.datetime


class MeOut(Schema):
    id: int
    username: str
    name: str
    current_school_id: int | None
    roles: list[str] = Field(description="роли в текущей школе")
    memberships: list[MembershipOut]
    students: list[ChildOut] = Field(description="чьи дневники доступны: свой или детей")
    token: TokenInfo | None


class SchoolOut(Schema):
    id: int
    name: str
    short_name: str
    address: str
    phone: str
    email: str
    website: str
    time_zone: str


class YearOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date


class PeriodOut(Schema):
    id: int
    number: int
    name: str
    kind: str
    start: dt.date
    end: dt.date


class BandOut(Schema):
    id: int
    name: str
    grade_from: int
    grade_to: int
    days_per_week: int
    periods: list[PeriodOut]


# --- Classes --------------------------------------------------------------------------------


class ClassOut(Schema):
    id: int
    name: str
    grade: int
    letter: str
    year_id: int
    homeroom_teacher: str | None
    room: str
    shift: int


class ClassPage(Schema):
    items: list[ClassOut]
    next_cursor: str | None


class StudentOut(Schema):
    id: int
    name: str
    pseudonymised: bool


class StudentPage(Schema):
    items: list[StudentOut]
    next_cursor: str | None


# --- Lessons and the journal ------------------------------------------------------------


class LessonOut(Schema):
    id: int
    date: dt.date
    number: int
    start_time: LocalTime
    end_time: LocalTime
    status: str
    group: Ref
    class_name: str | None
    subject: Ref
    teacher: str
    planned_teacher: str
    substituted: bool
    room: str
    topic: str


class TimetableEntryOut(Schema):
    id: int
    weekday: int = Field(description="1 — понедельник … 6 — суббота")
    number: int
    group: Ref
    class_name: str | None
    subject: Ref
    teacher: str
    room: str
    valid_from: dt.date
    valid_to: dt.date | None


class TimetablePage(Schema):
    items: list[TimetableEntryOut]
    next_cursor: str | None


class LessonPage(Schema):
    items: list[LessonOut]
    next_cursor: str | None


class JournalOut(Schema):
    kind: str = Field(description="own, homeroom или school")
    group: Ref
    class_name: str | None
    subject: Ref
    teacher: str | None


class WorkTypeOut(Schema):
    id: int
    name: str
    short_name: str
    category: str
    weight: str
    mark_window_days: int | None


class WorkOut(Schema):
    id: int
    work_type: WorkTypeOut
    title: str


class MarkOut(Schema):
    work_id: int
    student_id: int
    value: str
    display: str
    comment: str
    is_makeup: bool
    version: int


class AttendanceOut(Schema):
    student_id: int
    code: str
    display: str
    late_minutes: int | None
    version: int


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class HomeworkOut(Schema):
    id: int
    lesson_id: int
    text: str
    due_date: dt.date | None
    individual: bool
    student_ids: list[int]
    attachments: list[AttachmentOut]
    version: int


class LessonDetailOut(LessonOut):
    writable: bool
    comment: str
    record_version: int | None
    students: list[StudentRef]
    works: list[WorkOut]
    marks: list[MarkOut]
    attendance: list[AttendanceOut]
    homework: list[HomeworkOut]


class TopicIn(Schema):
    topic: str = Field("", max_length=500)
    comment: str = Field("", max_length=5000)
    version: int | None = Field(None, description="версия записи, которую видел учитель")


class TopicOut(Schema):
    topic: str
    comment: str
    version: int


class WorkIn(Schema):
    work_type_id: int
    title: str = Field("", max_length=300)


class MarkIn(Schema):
    student_id: int
    work_id: int | None = Field(None, description="нет — первая работа урока («Ответ на уроке»)")
    value: str | None = Field(
        None, max_length=20, description="1–5, н/а, осв, зач, незач, «.»; пусто — удалить"
    )
    comment: str | None = Field(None, max_length=500, description="нет — оставить прежний")
    version: int | None = Field(None, description="версия отметки, которую видел учитель")


class MarksIn(Schema):
    items: list[MarkIn] = Field(..., min_length=1, max_length=500)


class MarkSaved(Schema):
    student_id: int
    work_id: int
    mark: MarkOut | None


class MarksOut(Schema):
    items: list[MarkSaved]


class AttendanceIn(Schema):
    student_id: int
    value: str | None = Field(None, max_length=10, description="н, б, уп, оп10; пусто — был")
    version: int | None = None


class AttendanceListIn(Schema):
    items: list[AttendanceIn] = Field(..., min_length=1, max_length=500)


class AttendanceSaved(Schema):
    student_id: int
    attendance: AttendanceOut | None


class AttendanceListOut(Schema):
    items: list[AttendanceSaved]


class HomeworkIn(Schema):
    text: str = Field(..., max_length=5000)
    due_date: dt.date | None = None
    student_ids: list[int] = Field(default_factory=list, max_length=200)
    version: int | None = None


# --- Diary ------------------------------------------------------------------------------------


class DiaryMarkOut(Schema):
    value: str
    display: str
    numeric: int | None
    work_type: str
    weight: str
    title: str
    comment: str
    is_makeup: bool
    date: dt.date | None


class DiaryHomeworkOut(Schema):
    id: int
    subject: str
    text: str
    due_date: dt.date | None
    lesson_date: dt.date
    individual: bool
    attachments: list[AttachmentOut]


class DiaryLessonOut(Schema):
    lesson_id: int
    number: int
    start_time: LocalTime
    end_time: LocalTime
    subject: str
    teacher: str
    room: str
    topic: str
    cancelled: bool
    substituted: bool
    moved_to: dt.date | None
    moved_from: dt.date | None
    marks: list[DiaryMarkOut]
    attendance: str = Field(description="Н, Б, УП, ОП 10 мин или пусто")
    attendance_code: str
    homework_assigned: list[DiaryHomeworkOut]
    homework_due: list[DiaryHomeworkOut]


class DiaryDayOut(Schema):
    date: dt.date
    lessons: list[DiaryLessonOut]
    homework_due_without_lesson: list[DiaryHomeworkOut]


class DiaryWeekOut(Schema):
    student: StudentRef
    start: dt.date
    end: dt.date
    days: list[DiaryDayOut]


class PeriodRef(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date


class RatingOut(Schema):
    position: int | None
    total: int


class SubjectMarksOut(Schema):
    subject_id: int
    subject: str
    average: str | None
    period_mark: str | None
    rating: RatingOut
    marks: list[DiaryMarkOut]


class MarksPageOut(Schema):
    student: StudentRef
    period: PeriodRef | None
    periods: list[PeriodRef]
    overall_average: str | None
    overall_rating: RatingOut
    subjects: list[SubjectMarksOut]


class AttendanceCountsOut(Schema):
    absent: int
    ill: int
    excused: int
    late: int
    missed: int


class AbsenceOut(Schema):
    lesson_id: int
    date: dt.date
    number: int
    subject: str
    code: str
    display: str


class MissedWorkOut(Schema):
    date: dt.date
    subject: str
    work_type: str
    title: str


class AttendanceSummaryOut(Schema):
    student: StudentRef
    period: PeriodRef | None
    period_counts: AttendanceCountsOut
    year_counts: AttendanceCountsOut
    absences: list[AbsenceOut] = Field(description="пропуски и опоздания выбранного периода")
    debts: list[DiaryMarkOut] = Field(description="точки (долги) за год")
    missed_works: list[MissedWorkOut]


class DiaryLessonsOut(Schema):
    student: StudentRef
    items: list[LessonOut]


# --- Messaging --------------------------------------------------------------------------------


class ConversationOut(Schema):
    id: int
    subject: str
    last_message_at: dt.datetime
    unread: int
    participants: list[str]


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageOut(Schema):
    id: int
    sender: str
    body: str = Field(description="очищенный HTML")
    created_at: dt.datetime
    student: str | None
    attachments: list[AttachmentOut]


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str = Field(description="очищенный HTML")
    audience: str
    grade: int | None
    class_name: str | None
    publish_from: dt.date
    publish_until: dt.date | None
    attachments: list[AttachmentOut]


class AnnouncementPage(Schema):
    items: list[AnnouncementOut]
    next_cursor: str | None
