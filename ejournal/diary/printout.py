"""The weekly printout for families without internet: one A4 page per student (Typst)."""

from __future__ import annotations

import datetime as dt

from ejournal.audit import services as audit
from ejournal.core.pdf import render_typst
from ejournal.diary import selectors
from ejournal.journal.models import AttendanceCode
from ejournal.people.services import printed_names
from ejournal.school.models import SchoolClass
from ejournal.school.selectors import school_today

SHORT_DAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]


def _lesson_row(item: selectors.DiaryLesson) -> dict:
    notes = []
    if item.cancelled:
        notes.append("урок отменён")
    if item.moved_to:
        notes.append(f"перенесён на {item.moved_to:%d.%m}")
    if item.substituted:
        notes.append(f"замена: {item.teacher}")
    if item.room_changed_from:
        notes.append(f"каб. {item.lesson.room}")
    homework = [hw.text + (" (индивидуально)" if hw.individual else "") for hw in item.assigned]
    marks = []
    for m in item.marks:
        text = m.display
        if m.work_short:
            text += f" ({m.work_short})"
        marks.append(text)
    return {
        "number": item.lesson.number,
        "subject": item.lesson.subject.name,
        "note": ", ".join(notes),
        "topic": item.topic,
        "marks": ", ".join(marks),
        "attendance": item.attendance,
        "homework": "; ".join(homework),
    }


def attendance_line(absences: int, lates: int) -> str:
    """«Пропущено уроков: 1, опозданий: 2» — a late arrival is not an absence."""
    parts = []
    if absences:
        parts.append(f"пропущено уроков: {absences}")
    if lates:
        parts.append(f"опозданий: {lates}")
    return "За неделю " + ", ".join(parts) if parts else ""


def weekly_sheets(*, school_class: SchoolClass, students, day: dt.date) -> dict:
    today = school_today(school_class.school)
    sheets = []
    start = selectors.week_start(day)
    students = list(students)
    # A pseudonymised student is printed by code, and the copy carries the order (001 §6.3.5).
    names = printed_names(students)
    for student in students:
        week = selectors.student_week(student, day, today)
        codes = [lesson.attendance_code for d in week.days for lesson in d.lessons]
        absences = sum(1 for code in codes if code and code != AttendanceCode.LATE)
        lates = sum(1 for code in codes if code == AttendanceCode.LATE)
        sheets.append(
            {
                "student": names[student.pk].name,
                "order_note": names[student.pk].order_note,
                "class_name": str(school_class),
                "homeroom": (
                    school_class.homeroom_teacher.short_name
                    if school_class.homeroom_teacher
                    else ""
                ),
                "attendance": attendance_line(absences, lates),
                "days": [
                    {
                        "title": f"{SHORT_DAYS[d.date.weekday()]}, {d.date:%d.%m}",
                        "lessons": [_lesson_row(item) for item in d.lessons],
                    }
                    for d in week.days
                    if d.date.weekday() < 6 or d.lessons
                ],
            }
        )
    return {
        "school": school_class.school.short_name,
        "week": f"{start:%d.%m.%Y} — {start + dt.timedelta(days=5):%d.%m.%Y}",
        "printed": f"{today:%d.%m.%Y}",
        "sheets": sheets,
    }


def weekly_pdf(*, actor, school_class: SchoolClass, students, day: dt.date) -> bytes:
    students = list(students)
    data = weekly_sheets(school_class=school_class, students=students, day=day)
    # Printing personal data is recorded like any other disclosure.
    audit.record(
        action="diary.weekly_printed",
        actor=actor,
        school=school_class.school_id,
        object_type="school.schoolclass",
        object_id=school_class.pk,
        after={"week": data["week"], "students": [s.pk for s in students]},
    )
    return render_typst("diary/weekly.typ", data)
