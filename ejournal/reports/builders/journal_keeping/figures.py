"""The figures of «Заполнение журнала» per course: lessons, topics, homework, attendance,
marks on time and late, pupils with too few marks, period marks, corrections."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ejournal.accounts.models import StaffMember
from ejournal.attestation.models import PeriodMark
from ejournal.attestation.selectors import settings_of
from ejournal.journal import rules
from ejournal.journal.averages import required_marks
from ejournal.journal.models import (
    Attendance,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    LessonRecord,
    Mark,
    WorkType,
)
from ejournal.reports import academic
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    ClassEnrollment,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    TeachingLoad,
)

LIVE = (LessonStatus.PLANNED, LessonStatus.HELD)


@dataclass
class Keeping:
    """The figures of one course, or a sum of courses (per teacher, per class, per week)."""

    lessons: int = 0
    without_topic: int = 0
    without_homework: int = 0
    attendance_unmarked: int = 0
    marks: int = 0
    late_marks: int = 0
    student_lessons: int = 0  # Σ over lessons of the students of the group
    too_few_marks: int = 0
    period_marks: int = 0
    deviating: int = 0
    open_corrections: int = 0

    def add(self, other: Keeping) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def density(self) -> Decimal | None:
        """Marks per student per lesson."""
        if not self.student_lessons:
            return None
        return academic.two_places(Decimal(self.marks) / self.student_lessons)

    @property
    def remarks(self) -> int:
        return (
            self.without_topic
            + self.without_homework
            + self.attendance_unmarked
            + self.late_marks
            + self.too_few_marks
            + self.deviating
            + self.open_corrections
        )


@dataclass
class Course:
    group: StudyGroup
    subject_id: int
    subject_name: str
    teacher: StaffMember
    figures: Keeping = field(default_factory=Keeping)


@dataclass
class KeepingReport:
    start: dt.date
    end: dt.date
    courses: list[Course]
    weeks: dict[dt.date, Keeping]
    total: Keeping

    def by_teacher(self) -> list[tuple[StaffMember, Keeping]]:
        rows: dict[int, tuple[StaffMember, Keeping]] = {}
        for course in self.courses:
            rows.setdefault(course.teacher.pk, (course.teacher, Keeping()))[1].add(course.figures)
        return sorted(rows.values(), key=lambda r: (r[0].last_name, r[0].first_name))

    def by_class(self) -> list[tuple[str, Keeping]]:
        rows: dict[str, tuple[tuple, Keeping]] = {}
        for course in self.courses:
            school_class = course.group.school_class
            name = str(school_class) if school_class else course.group.name
            order = (school_class.grade, school_class.letter) if school_class else (99, name)
            rows.setdefault(name, (order, Keeping()))[1].add(course.figures)
        return [
            (name, figures) for name, (_, figures) in sorted(rows.items(), key=lambda r: r[1][0])
        ]


def journal_keeping(
    *,
    school,
    year,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    teacher: StaffMember | None = None,
    school_class: SchoolClass | None = None,
    classes=None,
    subject=None,
) -> KeepingReport:
    """The figures of the lessons in [start, end] that already took place by ``today``."""
    last = min(end, today)
    teacher_of = Coalesce("actual_teacher_id", "planned_teacher_id")
    lessons = Lesson.objects.filter(
        school=school, date__range=(start, last), status__in=LIVE, group__year=year
    ).annotate(teacher_ref=teacher_of)
    if teacher is not None:
        lessons = lessons.filter(teacher_ref=teacher.pk)
    if school_class is not None:
        lessons = lessons.filter(group__school_class=school_class)
    if classes is not None:
        lessons = lessons.filter(group__school_class__in=classes)
    if subject is not None:
        lessons = lessons.filter(subject=subject)
    rows = list(
        lessons.annotate(
            has_topic=Exists(LessonRecord.objects.filter(lesson=OuterRef("pk"), topic__gt="")),
            has_homework=Exists(Homework.objects.filter(lesson=OuterRef("pk"))),
            has_attendance=Exists(Attendance.objects.filter(lesson=OuterRef("pk"))),
        ).values_list(
            "pk",
            "group_id",
            "subject_id",
            "teacher_ref",
            "date",
            "status",
            "has_topic",
            "has_homework",
            "has_attendance",
        )
    )
    group_ids = {r[1] for r in rows}
    groups = {
        g.pk: g for g in StudyGroup.objects.filter(pk__in=group_ids).select_related("school_class")
    }
    staff = {s.pk: s for s in StaffMember.objects.filter(pk__in={r[3] for r in rows})}
    subjects = dict(school.subjects.filter(pk__in={r[2] for r in rows}).values_list("pk", "name"))
    members = group_members(groups.values(), last)
    courses: dict[tuple[int, int, int], Course] = {}
    weeks: dict[dt.date, Keeping] = defaultdict(Keeping)
    lesson_course: dict[int, tuple[int, int, int]] = {}
    lesson_week: dict[int, dt.date] = {}
    for pk, group_id, subject_id, teacher_id, day, status, topic, homework, attendance in rows:
        key = (group_id, subject_id, teacher_id)
        if key not in courses:
            courses[key] = Course(
                groups[group_id], subject_id, subjects[subject_id], staff[teacher_id]
            )
        figures = Keeping(
            lessons=1,
            without_topic=int(not topic),
            without_homework=int(not homework),
            attendance_unmarked=int(status == LessonStatus.PLANNED and not attendance),
            student_lessons=len(members.get(group_id, ())),
        )
        courses[key].figures.add(figures)
        week = day - dt.timedelta(days=day.weekday())
        weeks[week].add(figures)
        lesson_course[pk] = key
        lesson_week[pk] = week
    _marks(school, start, last, lessons, lesson_course, lesson_week, courses, weeks, groups)
    _too_few(school, year, last, courses, members)
    _period_marks(school, start, end, courses, members)
    _corrections(school, courses)
    total = Keeping()
    for course in courses.values():
        total.add(course.figures)
    ordered = sorted(
        courses.values(),
        key=lambda c: (c.teacher.last_name, c.teacher.first_name, c.group.name, c.subject_name),
    )
    return KeepingReport(start, end, ordered, dict(sorted(weeks.items())), total)


def group_members(groups, day: dt.date) -> dict[int, set[int]]:
    """Students of each group on ``day`` (two queries: class enrollments, memberships)."""
    by_class: dict[int, set[int]] = defaultdict(set)
    class_ids = {g.school_class_id for g in groups if g.kind == "class"}
    for class_id, sid in ClassEnrollment.objects.filter(
        school_selectors.active_on(day), school_class_id__in=class_ids
    ).values_list("school_class_id", "student_id"):
        by_class[class_id].add(sid)
    result: dict[int, set[int]] = defaultdict(set)
    others = [g.pk for g in groups if g.kind != "class"]
    for group_id, sid in GroupMembership.objects.filter(
        school_selectors.active_on(day), group_id__in=others
    ).values_list("group_id", "student_id"):
        result[group_id].add(sid)
    for group in groups:
        if group.kind == "class":
            result[group.pk] = by_class.get(group.school_class_id, set())
    return result


def _marks(
    school, start, last, lessons, lesson_course, lesson_week, courses, weeks, groups
) -> None:
    """Marks and late marks (three queries: counts, late candidates, approved corrections;
    plus the settings and work types)."""
    settings = rules.settings_for(school)
    tz = zoneinfo.ZoneInfo(school.time_zone)
    types = {t.pk: t for t in WorkType.objects.filter(school=school)}
    corrected = set(
        CorrectionRequest.objects.filter(
            school=school,
            kind=CorrectionKind.MARK,
            status=CorrectionStatus.APPROVED,
            lesson__date__range=(start, last),
        ).values_list("work_id", "student_id")
    )
    lesson_ids = lessons.values("pk")
    counted: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for lesson_id, n in (
        Mark.objects.filter(work__lesson__in=lesson_ids)
        .values_list("work__lesson_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counted[lesson_id][0] = n
    grade_of = {
        key: (groups[key[0]].school_class.grade if groups[key[0]].school_class_id else 5)
        for key in courses
    }
    windows = {
        (type_id, grade): rules.mark_window_days(work_type=t, grade=grade, settings=settings)
        for type_id, t in types.items()
        for grade in set(grade_of.values())
    }
    # Only marks entered at least the shortest window after their lesson can be late
    # (UTC midnight of that day is not later than the school's midnight east of UTC).
    shortest = min(windows.values(), default=0)
    candidates = (
        Mark.objects.filter(work__lesson__in=lesson_ids)
        .annotate(
            earliest_late=ExpressionWrapper(
                F("work__lesson__date") + dt.timedelta(days=shortest),
                output_field=DateTimeField(),
            )
        )
        .filter(created_at__gte=F("earliest_late"))
        .values_list(
            "work__lesson_id",
            "work_id",
            "student_id",
            "work__work_type_id",
            "created_at",
            "work__lesson__date",
        )
    )
    for lesson_id, work_id, student_id, type_id, created_at, day in candidates:
        days = windows[(type_id, grade_of[lesson_course[lesson_id]])]
        if (
            created_at.astimezone(tz).date() > day + dt.timedelta(days=days)
            and (work_id, student_id) not in corrected
        ):
            counted[lesson_id][1] += 1
    for lesson_id, (n, late) in counted.items():
        for figures in (courses[lesson_course[lesson_id]].figures, weeks[lesson_week[lesson_id]]):
            figures.marks += n
            figures.late_marks += late


def _too_few(school, year, last, courses, members) -> None:
    """Students below the attestation minimum in the period containing ``last``."""
    if not courses:
        return
    periods = academic.Periods.of(year)
    settings = settings_of(school.pk)
    hours: dict[tuple[int, int], Decimal] = {}
    for group_id, subject_id, value in TeachingLoad.objects.filter(
        group_id__in={k[0] for k in courses}
    ).values_list("group_id", "subject_id", "hours_per_week"):
        hours[(group_id, subject_id)] = max(hours.get((group_id, subject_id), Decimal(0)), value)
    period_of = {}
    for group_id, subject_id, _ in courses:
        group = courses[next(k for k in courses if k[:2] == (group_id, subject_id))].group
        grade = group.school_class.grade if group.school_class_id else 5
        period_of[(group_id, subject_id)] = periods.at(grade, last)
    chosen = [p for p in period_of.values() if p is not None]
    if not chosen:
        return
    unique = list({p.pk: p for p in chosen}.values())
    bucket = Case(
        *[When(work__lesson__date__range=(p.start, p.end), then=Value(p.pk)) for p in unique],
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        Mark.objects.filter(
            work__lesson__group_id__in={k[0] for k in courses},
            work__lesson__date__range=(min(p.start for p in unique), last),
            numeric__isnull=False,
        )
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .annotate(bucket=bucket)
        .values_list("work__lesson__group_id", "work__lesson__subject_id", "student_id", "bucket")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, int, int], int] = {}
    for group_id, subject_id, student_id, period_id, n in rows:
        period = period_of.get((group_id, subject_id))
        if period is not None and period.pk == period_id:
            counts[(group_id, subject_id, student_id)] = n
    seen: set[tuple[int, int]] = set()
    for key, course in courses.items():
        if key[:2] in seen:
            continue  # a course taught by two teachers is counted once, for the first
        seen.add(key[:2])
        need = required_marks(
            hours_per_week=hours.get(key[:2]),
            per_1h=settings.min_marks_1h,
            per_2h=settings.min_marks_2h,
            per_3h=settings.min_marks_3h,
        )
        course.figures.too_few_marks = sum(
            1 for sid in members.get(key[0], ()) if counts.get((key[0], key[1], sid), 0) < need
        )


def _period_marks(school, start, end, courses, members) -> None:
    """Period marks entered in the range by the course's teacher (one query)."""
    by_user: dict[int, list[Course]] = defaultdict(list)
    for course in courses.values():
        if course.teacher.user_id:
            by_user[course.teacher.user_id].append(course)
    rows = PeriodMark.objects.filter(
        school=school,
        entered_at__date__range=(start, end),
        entered_by_id__in=list(by_user),
    ).values_list("entered_by_id", "subject_id", "student_id", "needs_review")
    for user_id, subject_id, student_id, review in rows:
        for course in by_user[user_id]:
            if course.subject_id == subject_id and student_id in members.get(course.group.pk, ()):
                course.figures.period_marks += 1
                course.figures.deviating += int(review)
                break


def _corrections(school, courses) -> None:
    """Requests waiting for the deputy, by the lesson's course (one query)."""
    rows = (
        CorrectionRequest.objects.filter(school=school, status=CorrectionStatus.PENDING)
        .annotate(teacher_ref=Coalesce("lesson__actual_teacher_id", "lesson__planned_teacher_id"))
        .values_list("lesson__group_id", "lesson__subject_id", "teacher_ref")
    )
    for key in rows:
        if key in courses:
            courses[key].figures.open_corrections += 1
