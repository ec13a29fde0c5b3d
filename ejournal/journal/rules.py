"""The windows of R3.7: when a mark, attendance, topic or homework may still be entered.

Pure functions over a lesson, its grade and the school's settings; each refusal is a
Russian sentence the teacher sees before typing and gets back if they try anyway.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from ejournal.core import rawsql, registry
from ejournal.journal.models import JournalSettings, WorkCategory, WorkType
from ejournal.schedule.models import Lesson, LessonStatus

CONTROL_WINDOW_DAYS = 3
ESSAY_WINDOW_DAYS = 10


def settings_for(school) -> JournalSettings:
    """The school's windows, created with the defaults on first use (read by hand: every
    journal page and save asks)."""
    settings = rawsql.first(JournalSettings, "t.school_id = %s", [school.pk])
    if settings is None:
        settings, _ = JournalSettings.objects.get_or_create(school=school)
    return settings


def school_now(school) -> dt.datetime:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(school.time_zone))


def fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def no_marks_reason(*, grade: int, subject) -> str | None:
    """Grade 1 and «безотметочные» subjects accept no marks at all (000 §3.11)."""
    if grade == 1:
        return "В 1 классе отметки не выставляются: обучение безотметочное."
    if subject.is_no_mark:
        return f"По предмету «{subject.name}» обучение безотметочное: отметки не выставляются."
    return None


def mark_window_days(*, work_type: WorkType, grade: int, settings: JournalSettings) -> int:
    if work_type.mark_window_days is not None:
        return work_type.mark_window_days
    if work_type.category == WorkCategory.CONTROL:
        return CONTROL_WINDOW_DAYS
    if work_type.category == WorkCategory.ESSAY:
        return ESSAY_WINDOW_DAYS
    return settings.marks_window_days_primary if grade <= 4 else settings.marks_window_days_basic


def ordinary_window_days(*, grade: int, settings: JournalSettings) -> int:
    return settings.marks_window_days_primary if grade <= 4 else settings.marks_window_days_basic


@dataclass(frozen=True)
class Refusal:
    message: str
    # True when the teacher may ask the deputy for a correction instead.
    correctable: bool = False


@dataclass(frozen=True)
class ClosedRange:
    """Dates of a closed study period: ordinary edits stop, corrections still work."""

    start: dt.date
    end: dt.date
    name: str


def closed_ranges(*, school_id: int, grade: int) -> list[ClosedRange]:
    """Closed periods come from period closing, an app above this one
    (``registry.CLOSED_PERIODS``). Callers load the ranges once per page or write and
    pass them to the checks below."""
    ranges: list[ClosedRange] = []
    for provider in registry.CLOSED_PERIODS.providers():
        ranges.extend(provider(school_id, grade))
    return ranges


def closed_refusal(lesson: Lesson, closed: Sequence[ClosedRange]) -> Refusal | None:
    for period in closed:
        if period.start <= lesson.date <= period.end:
            return Refusal(
                f"Период «{period.name}» закрыт: изменения вносятся только через запрос "
                "на исправление заместителю директора.",
                correctable=True,
            )
    return None


def _common(lesson: Lesson, today: dt.date) -> Refusal | None:
    if lesson.status == LessonStatus.CANCELLED:
        return Refusal("Урок отменён: записи в журнал по нему не вносятся.")
    if lesson.date > today:
        return Refusal("Урок ещё не прошёл: заполнить его можно в день урока.")
    return None


def mark_refusal(
    *,
    lesson: Lesson,
    grade: int,
    work_type: WorkType,
    settings: JournalSettings,
    now: dt.datetime,
    closed: Sequence[ClosedRange] = (),
) -> Refusal | None:
    reason = no_marks_reason(grade=grade, subject=lesson.subject)
    if reason:
        return Refusal(reason)
    common = _common(lesson, now.date()) or closed_refusal(lesson, closed)
    if common:
        return common
    days = mark_window_days(work_type=work_type, grade=grade, settings=settings)
    deadline = lesson.date + dt.timedelta(days=days)
    if now.date() > deadline:
        return Refusal(
            f"Срок выставления отметок за работу «{work_type.name}» истёк {fmt(deadline)} "
            f"({days} дн. после урока). Подайте запрос на исправление заместителю директора.",
            correctable=True,
        )
    return None


def attendance_refusal(
    *,
    lesson: Lesson,
    settings: JournalSettings,
    now: dt.datetime,
    closed: Sequence[ClosedRange] = (),
) -> Refusal | None:
    common = _common(lesson, now.date()) or closed_refusal(lesson, closed)
    if common:
        return common
    deadline = lesson.date + dt.timedelta(days=settings.attendance_window_days)
    if now.date() > deadline:
        when = (
            f"только в день урока ({fmt(lesson.date)})"
            if settings.attendance_window_days == 0
            else f"до {fmt(deadline)}"
        )
        return Refusal(
            f"Посещаемость отмечается {when}. Подайте запрос на исправление.", correctable=True
        )
    return None


def topic_refusal(
    *,
    lesson: Lesson,
    grade: int,
    settings: JournalSettings,
    now: dt.datetime,
    closed: Sequence[ClosedRange] = (),
) -> Refusal | None:
    if lesson.status == LessonStatus.CANCELLED:
        return Refusal("Урок отменён: записи в журнал по нему не вносятся.")
    locked = closed_refusal(lesson, closed)
    if locked:
        return locked
    if lesson.date > now.date():
        return None  # a topic may be planned ahead
    deadline = lesson.date + dt.timedelta(days=ordinary_window_days(grade=grade, settings=settings))
    if now.date() > deadline:
        return Refusal(
            f"Тему урока можно было изменить до {fmt(deadline)}. Подайте запрос на исправление.",
            correctable=True,
        )
    return None


def homework_deadline(
    *, lesson: Lesson, settings: JournalSettings, tz: dt.tzinfo | None
) -> dt.datetime:
    end = dt.datetime.combine(lesson.date, lesson.end_time, tzinfo=tz)
    return end + dt.timedelta(minutes=settings.homework_window_minutes)


def homework_refusal(
    *,
    lesson: Lesson,
    settings: JournalSettings,
    now: dt.datetime,
    closed: Sequence[ClosedRange] = (),
) -> Refusal | None:
    """Homework may be posted in advance, and until 90 minutes after the lesson ends."""
    if lesson.status == LessonStatus.CANCELLED:
        return Refusal("Урок отменён: домашнее задание к нему не задаётся.")
    locked = closed_refusal(lesson, closed)
    if locked:
        return locked
    deadline = homework_deadline(lesson=lesson, settings=settings, tz=now.tzinfo)
    if now > deadline:
        return Refusal(
            f"Домашнее задание можно было задать или изменить до {deadline:%H:%M} "
            f"{fmt(lesson.date)} ({settings.homework_window_minutes} минут после урока). "
            "Подайте запрос на исправление.",
            correctable=True,
        )
    return None
