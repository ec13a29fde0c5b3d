"""The diary of a student for the student and their parents (``diary.selectors``).

Whose diary: ``diary.selectors.family_students`` — the user's own student record and
their children, in every school where they hold the role; anything else is 404. Each
read is recorded as a diary visit, as on the diary pages.
"""

from __future__ import annotations

import datetime as dt

from ninja import Router

from ejournal.accounts.permissions import deny
from ejournal.api.auth import ApiRequest
from ejournal.api.endpoints.common import (
    LESSON_RELATED,
    attachment_out,
    date_range,
    lesson_out,
    student_ref,
    today_of,
)
from ejournal.api.errors import error_responses
from ejournal.api.schemas import (
    AttendanceSummaryOut,
    DiaryHomeworkOut,
    DiaryLessonsOut,
    DiaryWeekOut,
    MarksPageOut,
)
from ejournal.diary import selectors as diary
from ejournal.diary import services as diary_services
from ejournal.diary.models import DiaryPage
from ejournal.journal import services as journal_services
from ejournal.journal.models import Attendance
from ejournal.schedule.models import Lesson

router = Router(tags=["Дневник (ученик и родитель)"])


def _student(request: ApiRequest, student_id: int):
    student = next((s for s in diary.family_students(request.user) if s.pk == student_id), None)
    if student is None:
        raise deny()
    return student


def _average(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _mark(m: diary.DiaryMark) -> dict:
    return {
        "value": m.value,
        "display": m.display,
        "numeric": m.numeric,
        "work_type": m.work_type,
        "weight": str(m.weight),
        "title": m.title,
        "comment": m.comment,
        "is_makeup": m.is_makeup,
        "date": m.date,
    }


def _homework(h: diary.DiaryHomework) -> dict:
    hw = h.homework
    return {
        "id": hw.pk,
        "subject": hw.lesson.subject.name,
        "text": hw.text,
        "due_date": hw.due_date,
        "lesson_date": hw.lesson.date,
        "individual": h.individual,
        "attachments": [attachment_out(a) for a in h.attachments],
    }


def _period(p) -> dict | None:
    if p is None:
        return None
    return {"id": p.pk, "name": p.name, "start": p.start, "end": p.end}


@router.get(
    "/students/{student_id}/diary",
    response={200: DiaryWeekOut, **error_responses()},
    summary="Неделя дневника (по умолчанию текущая)",
)
def week(request: ApiRequest, student_id: int, date: dt.date | None = None):
    student = _student(request, student_id)
    today = today_of(student.school)
    data = diary.student_week(student, date or today, today)
    diary_services.visit_record(user=request.user, student=student, page=DiaryPage.WEEK)
    return {
        "student": student_ref(student),
        "start": data.start,
        "end": data.end,
        "days": [
            {
                "date": day.date,
                "lessons": [
                    {
                        "lesson_id": item.lesson.pk,
                        "number": item.lesson.number,
                        "start_time": f"{item.lesson.start_time:%H:%M}",
                        "end_time": f"{item.lesson.end_time:%H:%M}",
                        "subject": item.lesson.subject.name,
                        "teacher": item.teacher,
                        "room": item.lesson.room,
                        "topic": item.topic,
                        "cancelled": item.cancelled,
                        "substituted": item.substituted,
                        "moved_to": item.moved_to,
                        "moved_from": item.moved_from,
                        "marks": [_mark(m) for m in item.marks],
                        "attendance": item.attendance,
                        "attendance_code": item.attendance_code,
                        "homework_assigned": [_homework(h) for h in item.assigned],
                        "homework_due": [_homework(h) for h in item.due],
                    }
                    for item in day.lessons
                ],
                "homework_due_without_lesson": [_homework(h) for h in day.due_without_lesson],
            }
            for day in data.days
        ],
    }


@router.get(
    "/students/{student_id}/marks",
    response={200: MarksPageOut, **error_responses()},
    summary="Отметки по предметам за учебный период",
)
def marks(request: ApiRequest, student_id: int, period_id: int | None = None):
    student = _student(request, student_id)
    page = diary.marks_page(student, today_of(student.school), period_id)
    diary_services.visit_record(user=request.user, student=student, page=DiaryPage.MARKS)
    return {
        "student": student_ref(student),
        "period": _period(page.choice.period),
        "periods": [_period(p) for p in page.choice.periods],
        "overall_average": _average(page.overall_average),
        "overall_rating": {
            "position": page.overall_rating.position,
            "total": page.overall_rating.total,
        },
        "subjects": [
            {
                "subject_id": s.subject_id,
                "subject": s.subject,
                "average": _average(s.average),
                "period_mark": s.period_mark.get_value_display() if s.period_mark else None,
                "rating": {"position": s.rating.position, "total": s.rating.total},
                "marks": [_mark(m) for m in s.marks],
            }
            for s in page.subjects
        ],
    }


@router.get(
    "/students/{student_id}/homework",
    response={200: list[DiaryHomeworkOut], **error_responses()},
    summary="Домашние задания на ближайшие 60 дней",
)
def homework(request: ApiRequest, student_id: int):
    student = _student(request, student_id)
    items = diary.upcoming_homework(student, today_of(student.school))
    diary_services.visit_record(user=request.user, student=student, page=DiaryPage.HOMEWORK)
    return [_homework(h) for h in items]


def _counts(c: diary.AttendanceCounts) -> dict:
    return {
        "absent": c.absent,
        "ill": c.ill,
        "excused": c.excused,
        "late": c.late,
        "missed": c.missed,
    }


@router.get(
    "/students/{student_id}/attendance",
    response={200: AttendanceSummaryOut, **error_responses()},
    summary="Посещаемость за период и за год, долги и пропущенные работы",
)
def attendance(request: ApiRequest, student_id: int, period_id: int | None = None):
    student = _student(request, student_id)
    summary = diary.student_summary(student, today_of(student.school), period_id)
    diary_services.visit_record(user=request.user, student=student, page=DiaryPage.SUMMARY)
    period = summary.choice.period
    absences = []
    if period is not None:
        rows = (
            Attendance.objects.filter(
                student=student, lesson__date__range=(period.start, period.end)
            )
            .select_related("lesson__subject")
            .order_by("lesson__date", "lesson__number", "pk")
        )
        absences = [
            {
                "lesson_id": a.lesson_id,
                "date": a.lesson.date,
                "number": a.lesson.number,
                "subject": a.lesson.subject.name,
                "code": a.code,
                "display": journal_services.attendance_snapshot(a)["display"],
            }
            for a in rows
        ]
    return {
        "student": student_ref(student),
        "period": _period(period),
        "period_counts": _counts(summary.period_attendance),
        "year_counts": _counts(summary.year_attendance),
        "absences": absences,
        "debts": [_mark(m) for m in summary.debts],
        "missed_works": [
            {"date": w.date, "subject": w.subject, "work_type": w.work_type, "title": w.title}
            for w in summary.missed_works
        ],
    }


@router.get(
    "/students/{student_id}/lessons",
    response={200: DiaryLessonsOut, **error_responses()},
    summary="Расписание ученика за период (по умолчанию текущая неделя)",
)
def lessons(
    request, student_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
):
    student = _student(request, student_id)
    start, end = date_range(date_from, date_to, today=today_of(student.school), max_days=31)
    found = diary.lessons_of_student(student, start, end)
    # The diary selector joins what the diary needs; the class name needs one more join.
    by_id = {
        lesson.pk: lesson
        for lesson in Lesson.objects.filter(pk__in=[x.pk for x in found]).select_related(
            *LESSON_RELATED
        )
    }
    return {
        "student": student_ref(student),
        "items": [lesson_out(by_id[x.pk]) for x in found],
    }
