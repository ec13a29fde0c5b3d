"""Diary selectors' results in NetSchool's JSON shapes. Reads only, no rules of its own.

Ids: NetSchool has one kind of "assignment" and one kind of "attachment"; ejournal has
works (with marks) and homework, and homework and announcement attachments. They share
one id space by parity: works and homework attachments get even ids (2·pk), homework and
announcement attachments odd ones (2·pk + 1).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ejournal.diary import selectors as diary
from ejournal.journal.models import WorkType

# Homework has no work type in ejournal; NetSchool's clients need a type id for it.
HOMEWORK_TYPE_ID = 0
HOMEWORK_TYPE = {"id": HOMEWORK_TYPE_ID, "name": "Домашнее задание", "abbr": "ДЗ", "order": 0}
MAX_WEEKS = 6


def even(pk: int) -> int:
    return 2 * pk


def odd(pk: int) -> int:
    return 2 * pk + 1


def split(public_id: int) -> tuple[str, int]:
    """('even'|'odd', pk) of a public id."""
    return ("even", public_id // 2) if public_id % 2 == 0 else ("odd", (public_id - 1) // 2)


def date(day: dt.date | None) -> str | None:
    return f"{day:%Y-%m-%d}T00:00:00" if day else None


def hhmm(value: dt.time | None) -> str:
    return f"{value:%H:%M}" if value else ""


def local(value: dt.datetime, school) -> str:
    return value.astimezone(zoneinfo.ZoneInfo(school.time_zone)).strftime("%Y-%m-%dT%H:%M:%S")


def whole(weight: Decimal) -> int:
    return int(Decimal(weight).to_integral_value(rounding=ROUND_HALF_UP))


# --- Assignment types -----------------------------------------------------------------------


def assignment_types(school) -> list[dict[str, Any]]:
    types = [
        {"id": t.pk, "name": t.name, "abbr": t.short_name, "order": t.order + 1}
        for t in WorkType.objects.filter(school=school).order_by("order", "name", "pk")
    ]
    return [HOMEWORK_TYPE, *types]


# --- Diary --------------------------------------------------------------------------------


def mark_assignment(mark: diary.DiaryMark, day: dt.date, lesson_id: int) -> dict[str, Any]:
    return {
        "id": even(mark.work_id),
        "typeId": mark.work_type_id,
        "assignmentName": mark.title or mark.work_type,
        "dueDate": date(day),
        "weight": whole(mark.weight),
        "classMeetingId": lesson_id,
        "mark": {
            "assignmentId": even(mark.work_id),
            "mark": mark.numeric,
            # The debt dot: work owed to the teacher.
            "dutyMark": mark.value == "dot",
            # ejournal's special marks (н/а, зач, …) have no number: their text is here.
            "markText": mark.display,
        },
        "markComment": {"name": mark.comment} if mark.comment else None,
        "isMakeup": mark.is_makeup,
    }


def homework_assignment(item: diary.DiaryHomework, lesson) -> dict[str, Any]:
    homework = item.homework
    return {
        "id": odd(homework.pk),
        "typeId": HOMEWORK_TYPE_ID,
        "assignmentName": homework.text,
        "dueDate": date(homework.due_date or lesson.date),
        "weight": 0,
        "classMeetingId": lesson.pk,
        "mark": None,
        "markComment": None,
        "isIndividual": item.individual,
        "hasAttachments": bool(item.attachments),
    }


def lesson(item: diary.DiaryLesson) -> dict[str, Any]:
    row = item.lesson
    return {
        "classmeetingId": row.pk,
        "day": date(row.date),
        "number": row.number,
        "relay": 1,
        "startTime": hhmm(row.start_time),
        "endTime": hhmm(row.end_time),
        "subjectName": row.subject.name,
        "room": row.room or None,
        "teacherName": item.teacher,
        "lessonTheme": item.topic,
        "isCancelled": item.cancelled,
        "attendance": item.attendance or None,
        "assignments": [mark_assignment(m, row.date, row.pk) for m in item.marks]
        + [homework_assignment(h, row) for h in item.assigned],
    }


def week_days(student, start: dt.date, end: dt.date, today: dt.date) -> list[diary.DiaryDay]:
    """The diary's days in [start, end] (at most ``MAX_WEEKS`` weeks, nine queries each)."""
    days: list[diary.DiaryDay] = []
    monday = diary.week_start(start)
    for _ in range(MAX_WEEKS):
        if monday > end:
            break
        week = diary.student_week(student, monday, today)
        days.extend(d for d in week.days if start <= d.date <= end)
        monday += dt.timedelta(days=7)
    return days


def diary_week(student, start: dt.date, end: dt.date, today: dt.date) -> dict[str, Any]:
    days = week_days(student, start, end, today)
    return {
        "weekStart": date(start),
        "weekEnd": date(end),
        "weekDays": [
            {"date": date(d.date), "lessons": [lesson(item) for item in d.lessons]} for d in days
        ],
        "laAssigns": [],
        "termName": "",
        "className": "",
    }


def past_mandatory(student, today: dt.date) -> list[dict[str, Any]]:
    """Debt dots and written works missed and not made up, as the diary summary lists them."""
    summary = diary.student_summary(student, today)
    items = []
    for mark in summary.debts:
        item = mark_assignment(mark, mark.date, mark.lesson_id)  # type: ignore[arg-type]
        item["subjectName"] = mark.subject
        items.append(item)
    for work in summary.missed_works:
        items.append(
            {
                "id": even(work.work_id),
                "typeId": work.work_type_id,
                "assignmentName": work.title or work.work_type,
                "dueDate": date(work.date),
                "weight": 0,
                "classMeetingId": work.lesson_id,
                "mark": None,
                "markComment": None,
                "subjectName": work.subject,
            }
        )
    return items


# --- Announcements, attachments, school --------------------------------------------------


def attachment(pk_public: int, name: str) -> dict[str, Any]:
    return {"id": pk_public, "originalFileName": name, "description": None}


def announcement(item, authors: dict, school) -> dict[str, Any]:
    author = authors.get(item.created_by_id)
    name = author.get_full_name() or author.username if author else ""
    return {
        "id": item.pk,
        "name": item.title,
        "description": item.body,
        "postDate": local(item.created_at, school),
        "deleteDate": date(item.publish_until),
        "author": {"id": author.pk if author else 0, "fio": name, "nickName": name},
        "em": None,
        "recipientInfo": None,
        "attachments": [attachment(odd(a.pk), a.original_name) for a in item.attachments.all()],
    }


def school_card(school, deputies: list[str]) -> dict[str, Any]:
    return {
        "commonInfo": {
            "schoolName": school.short_name,
            "fullSchoolName": school.name,
            "about": "",
            "status": "",
        },
        "contactInfo": {
            "juridicalAddress": school.address,
            "postAddress": school.address,
            "phones": school.phone,
            "email": school.email,
            "web": school.website,
            "fax": "",
        },
        "managementInfo": {
            "director": school.director_name,
            "principalUVR": ", ".join(deputies),
            "principalAHC": "",
            "principalIT": "",
        },
    }
