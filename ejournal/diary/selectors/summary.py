"""Upcoming homework, the student's summary (missed works, attendance), attachments and the
diary's activity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from ejournal.accounts.models import Student
from ejournal.diary.selectors.family import ABSENT_CODES, WRITTEN, belonging
from ejournal.diary.selectors.marks import PeriodChoice, period_choice
from ejournal.diary.selectors.week import DiaryHomework, DiaryMark, _mark
from ejournal.journal.models import (
    Attendance,
    Homework,
    Mark,
    Work,
)


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
