"""What the endpoints share: shaping rows and checking date ranges."""

from __future__ import annotations

import datetime as dt

from ejournal.api.errors import ApiError
from ejournal.core.dates import EARLIEST, LATEST, RANGE_MESSAGE
from ejournal.diary import selectors as diary_selectors
from ejournal.school.selectors import school_today


def date_range(
    date_from: dt.date | None, date_to: dt.date | None, *, today: dt.date, max_days: int
) -> tuple[dt.date, dt.date]:
    """The asked range, by default the current week; at most ``max_days`` days long."""
    for given in (date_from, date_to):
        if given is not None and not EARLIEST <= given <= LATEST:
            raise ApiError(422, "invalid", RANGE_MESSAGE)
    start = date_from or diary_selectors.week_start(date_to or today)
    end = date_to or start + dt.timedelta(days=6)
    if end < start:
        raise ApiError(422, "invalid", "Дата окончания раньше даты начала.")
    if (end - start).days + 1 > max_days:
        raise ApiError(422, "invalid", f"Период не длиннее {max_days} дней.")
    return start, end


def person(staff) -> str:
    return staff.short_name if staff else ""


def student_ref(student) -> dict:
    # full_name is the code name for a pseudonymised student (accounts.PersonName).
    return {"id": student.pk, "name": student.full_name}


def lesson_out(lesson) -> dict:
    record = getattr(lesson, "record", None)
    group = lesson.group
    school_class = group.school_class if group.school_class_id else None
    return {
        "id": lesson.pk,
        "date": lesson.date,
        "number": lesson.number,
        "start_time": f"{lesson.start_time:%H:%M}",
        "end_time": f"{lesson.end_time:%H:%M}",
        "status": lesson.status,
        "group": {"id": group.pk, "name": group.name},
        "class_name": str(school_class) if school_class else None,
        "subject": {"id": lesson.subject_id, "name": lesson.subject.name},
        "teacher": person(lesson.teacher),
        "planned_teacher": person(lesson.planned_teacher),
        "substituted": lesson.is_substituted,
        "room": lesson.room,
        "topic": record.topic if record else "",
    }


LESSON_RELATED = (
    "group__school_class",
    "subject",
    "planned_teacher",
    "actual_teacher",
    "record",
)


def attachment_out(attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


def today_of(school) -> dt.date:
    return school_today(school)
