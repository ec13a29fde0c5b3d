"""Attendance: absences, lates and their reasons; the homeroom teacher's weekly check."""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ejournal.accounts.models import Student
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal.models import (
    Attendance,
    AttendanceCode,
    Mark,
)
from ejournal.journal.permissions import can_set_absence_reason
from ejournal.journal.services._common import (
    JournalConflict,
    JournalRefusal,
    SaveBatch,
    _check_version,
    _closed,
    _ensure_member,
    _ensure_writer,
    _memo_forget,
    _now,
    _settings,
    _tell,
)
from ejournal.journal.services.parsing import parse_attendance
from ejournal.schedule.models import Lesson
from ejournal.school import selectors as school_selectors
from ejournal.school.models import SchoolClass


@overload
def attendance_snapshot(row: Attendance) -> dict[str, Any]: ...


@overload
def attendance_snapshot(row: None) -> None: ...


@overload
def attendance_snapshot(row: Attendance | None) -> dict[str, Any] | None: ...


def attendance_snapshot(row: Attendance | None) -> dict[str, Any] | None:
    if row is None:
        return None
    display = row.get_code_display()
    if row.late_minutes:
        display = f"{display} {row.late_minutes} мин"
    return {
        "code": row.code,
        "late_minutes": row.late_minutes,
        "display": display,
        "version": row.version,
    }


def attendance_set(
    *,
    actor,
    staff,
    lesson: Lesson,
    student: Student,
    value: str | None,
    expected_version: int | None,
    batch: SaveBatch | None = None,
) -> Attendance | None:
    """The subject teacher marks presence: «н», «б», «уп», «оп10», or empty (present)."""
    _ensure_writer(staff, lesson, batch)
    code, minutes = parse_attendance(value)
    refusal = rules.attendance_refusal(
        lesson=lesson,
        settings=_settings(lesson, batch),
        now=_now(lesson),
        closed=_closed(lesson, batch),
    )
    if refusal:
        raise JournalRefusal(refusal)
    _ensure_member(lesson, student, batch)
    return _apply_attendance(
        actor=actor,
        lesson=lesson,
        student=student,
        code=code,
        late_minutes=minutes,
        expected_version=expected_version,
        batch=batch,
    )


HOMEROOM_REASON_WINDOW_DAYS = 14


def attendance_set_reason(
    *, actor, staff, lesson: Lesson, student: Student, value: str, expected_version: int | None
) -> Attendance | None:
    """The homeroom teacher sets why a student was absent (Б, УП, or back to Н)."""
    school_class = school_selectors.class_of_student_on(student=student, day=lesson.date)
    if not can_set_absence_reason(staff, school_class):
        raise ValidationError("Причину пропуска указывает классный руководитель ученика.")
    code, _ = parse_attendance(value)
    if code not in (AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED):
        raise ValidationError("Классный руководитель указывает причину пропуска: Н, Б или УП.")
    existing = Attendance.objects.filter(lesson=lesson, student=student).first()
    if existing is None or existing.code == AttendanceCode.LATE:
        raise ValidationError("Причину можно указать только для отмеченного пропуска урока.")
    today = _now(lesson).date()
    if (today - lesson.date).days > HOMEROOM_REASON_WINDOW_DAYS:
        raise JournalRefusal(
            rules.Refusal(
                f"Причину пропуска можно указать в течение {HOMEROOM_REASON_WINDOW_DAYS} дней "
                "после урока. Позже её исправляют через запрос на исправление, который "
                "подаёт учитель, проводивший урок.",
                correctable=False,
            )
        )
    return _apply_attendance(
        actor=actor,
        lesson=lesson,
        student=student,
        code=code,
        late_minutes=None,
        expected_version=expected_version,
        verified=True,
    )


@transaction.atomic
def _apply_attendance(
    *,
    actor,
    lesson: Lesson,
    student: Student,
    code: str | None,
    late_minutes: int | None,
    expected_version: int | None,
    reason: str = "",
    verified: bool = False,
    batch: SaveBatch | None = None,
) -> Attendance | None:
    existing = Attendance.objects.select_for_update().filter(lesson=lesson, student=student).first()
    _memo_forget(lesson, "absent", batch)  # a mark saved later in the batch must see this
    before = attendance_snapshot(existing)
    _check_version(existing.version if existing else None, expected_version, before)
    row: Attendance | None
    if code is None:
        if existing is None:
            return None
        existing.delete()
        row = None
    elif existing is None:
        try:
            with transaction.atomic():
                row = Attendance.objects.create(
                    lesson=lesson,
                    student=student,
                    code=code,
                    late_minutes=late_minutes,
                    updated_by=actor,
                    verified_by=actor if verified else None,
                    verified_at=timezone.now() if verified else None,
                )
        except IntegrityError:
            raise JournalConflict(
                attendance_snapshot(
                    Attendance.objects.filter(lesson=lesson, student=student).first()
                )
            ) from None
    else:
        if existing.code == code and existing.late_minutes == late_minutes and not verified:
            return existing
        existing.code = code
        existing.late_minutes = late_minutes
        existing.version += 1
        existing.updated_by = actor
        if verified:
            existing.verified_by = actor
            existing.verified_at = timezone.now()
        existing.save()
        row = existing
    after = attendance_snapshot(row)
    # A mark on a lesson the student missed is a make-up mark; keep the flag in step.
    Mark.objects.filter(work__lesson=lesson, student=student).update(
        is_makeup=code in ("n", "b", "up")
    )
    audit.record(
        action="attendance.deleted"
        if row is None
        else ("attendance.updated" if before else "attendance.created"),
        actor=actor,
        school=lesson.school_id,
        object_type="journal.attendance",
        object_id=f"{lesson.pk}:{student.pk}",
        before=None if before is None else {**before, "lesson": lesson.pk, "student": student.pk},
        after=None if after is None else {**after, "lesson": lesson.pk, "student": student.pk},
        reason=reason,
        batch=batch.audit if batch else None,
    )
    change = registry.AttendanceChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        student_id=student.pk,
        before=before,
        after=after,
    )
    _tell(registry.ATTENDANCE_CHANGED, change, batch)
    return row


@transaction.atomic
def attendance_verify_week(*, actor, staff, school_class: SchoolClass, week_start: dt.date) -> int:
    """The homeroom teacher confirms the week's absences of their class (000 §4.3)."""
    if not can_set_absence_reason(staff, school_class):
        raise ValidationError("Подтверждать посещаемость класса может его классный руководитель.")
    week_start = week_start - dt.timedelta(days=week_start.weekday())
    week_end = week_start + dt.timedelta(days=6)
    # Only absences from days the student was in this class (a transfer mid-year moves
    # the verification to the new homeroom teacher).
    in_class_that_day = Q(
        student__enrollments__school_class=school_class,
        student__enrollments__date_from__lte=F("lesson__date"),
    ) & (
        Q(student__enrollments__date_to__isnull=True)
        | Q(student__enrollments__date_to__gte=F("lesson__date"))
    )
    rows = Attendance.objects.filter(
        in_class_that_day,
        lesson__date__range=(week_start, week_end),
        verified_at__isnull=True,
    ).distinct()
    ids = list(rows.values_list("id", flat=True))
    count = Attendance.objects.filter(id__in=ids).update(
        verified_by=actor, verified_at=timezone.now()
    )
    audit.record(
        action="attendance.week_verified",
        actor=actor,
        school=school_class.school_id,
        obj=school_class,
        after={"week_start": week_start.isoformat(), "rows": count},
    )
    return count
