"""An iCalendar (RFC 5545) feed: the family's lessons and homework due dates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from ejournal.accounts.models import Student
from ejournal.diary import selectors
from ejournal.schedule.models import LessonStatus
from ejournal.school.selectors import school_today

PAST_DAYS, FUTURE_DAYS = 14, 42


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def _utc(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> str:
    moment = dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def family_calendar(students: Iterable[Student], now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ejournal//Дневник//RU",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Дневник",
    ]
    for student in students:
        tz = zoneinfo.ZoneInfo(student.school.time_zone)
        today = school_today(student.school)
        start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
        lessons = selectors.lessons_of_student(student, start, end)
        for lesson in lessons:
            if lesson.status == LessonStatus.MOVED:
                continue
            summary = f"{lesson.subject.name} ({student.given_name})"
            if lesson.status == LessonStatus.CANCELLED:
                summary = f"Отменён: {summary}"
            details = [f"{lesson.number}-й урок", f"учитель {lesson.teacher.short_name}"]
            if lesson.is_substituted:
                details.append(f"замена (по расписанию — {lesson.planned_teacher.short_name})")
            record = getattr(lesson, "record", None)
            if record and record.topic:
                details.append(f"тема: {record.topic}")
            lines += [
                "BEGIN:VEVENT",
                f"UID:lesson-{lesson.pk}-{student.pk}@ejournal",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_utc(lesson.date, lesson.start_time, tz)}",
                f"DTEND:{_utc(lesson.date, lesson.end_time, tz)}",
                f"SUMMARY:{_escape(summary)}",
                f"DESCRIPTION:{_escape('; '.join(details))}",
            ]
            if lesson.room:
                lines.append(f"LOCATION:{_escape('каб. ' + lesson.room)}")
            if lesson.status == LessonStatus.CANCELLED:
                lines.append("STATUS:CANCELLED")
            lines.append("END:VEVENT")
        for item in selectors.upcoming_homework(student, start, days=PAST_DAYS + FUTURE_DAYS):
            hw = item.homework
            if hw.due_date is None:
                continue
            lines += [
                "BEGIN:VEVENT",
                f"UID:homework-{hw.pk}-{student.pk}@ejournal",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{hw.due_date:%Y%m%d}",
                f"DTEND;VALUE=DATE:{hw.due_date + dt.timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_escape(f'Д/з: {hw.lesson.subject.name} ({student.given_name})')}",
                f"DESCRIPTION:{_escape(hw.text)}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    return "\r\n".join(folded) + "\r\n"
