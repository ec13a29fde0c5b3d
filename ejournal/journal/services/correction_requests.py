"""Correction requests: a teacher asks to change a cell outside its window; the deputy's
approval applies it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import Student
from ejournal.audit import services as audit
from ejournal.journal import rules
from ejournal.journal.corrections import correction_reason
from ejournal.journal.models import (
    Attendance,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    LessonRecord,
    Mark,
    Work,
    WorkType,
)
from ejournal.journal.services._common import (
    ANY_VERSION,
    JournalRefusal,
    _closed,
    _ensure_member,
    _ensure_writer,
    _now,
    _settings,
    lesson_grade,
)
from ejournal.journal.services.attendance import _apply_attendance, attendance_snapshot
from ejournal.journal.services.lessons import _apply_homework, _apply_record
from ejournal.journal.services.marks import _apply_mark, mark_snapshot
from ejournal.journal.services.parsing import parse_attendance, parse_mark
from ejournal.journal.services.works import (
    DEFAULT_WORK_TYPE_NAME,
    _work_view,
    work_types_ensure_defaults,
)
from ejournal.schedule.models import Lesson


def _current_value(kind: str, lesson: Lesson, work: Work | None, student: Student | None):
    if kind == CorrectionKind.MARK:
        return mark_snapshot(Mark.objects.filter(work=work, student=student).first())
    if kind == CorrectionKind.ATTENDANCE:
        return attendance_snapshot(
            Attendance.objects.filter(lesson=lesson, student=student).first()
        )
    if kind == CorrectionKind.TOPIC:
        record = LessonRecord.objects.filter(lesson=lesson).first()
        return {"topic": record.topic} if record else None
    hw = Homework.objects.filter(lesson=lesson, is_individual=False).first()
    return {"text": hw.text} if hw else None


def _normalise_new_value(kind: str, new_value: dict[str, Any]) -> dict[str, Any]:
    """Validate the requested value now, so an approval cannot fail on bad input."""
    if kind == CorrectionKind.MARK:
        value = parse_mark(new_value.get("value"))
        comment = (new_value.get("comment") or "").strip()[:500]
        return {"value": value, "comment": comment}
    if kind == CorrectionKind.ATTENDANCE:
        code, minutes = parse_attendance(new_value.get("value"))
        return {"code": code, "late_minutes": minutes}
    if kind == CorrectionKind.TOPIC:
        topic = (new_value.get("topic") or "").strip()
        if not topic or len(topic) > 500:
            raise ValidationError("Укажите тему урока (не длиннее 500 символов).")
        return {"topic": topic}
    if kind == CorrectionKind.HOMEWORK:
        text = (new_value.get("text") or "").strip()
        if not text or len(text) > 5000:
            raise ValidationError("Укажите текст домашнего задания (не длиннее 5000 символов).")
        return {"text": text}
    raise ValidationError("Неизвестный вид исправления.")


def _default_work_type(lesson: Lesson) -> WorkType:
    work_types_ensure_defaults(school=lesson.school)
    return WorkType.objects.get(school_id=lesson.school_id, name=DEFAULT_WORK_TYPE_NAME)


def _default_work_for_correction(*, actor, lesson: Lesson, reason: str) -> Work:
    """The lesson's first work, added by an approved correction (no window applies)."""
    work = Work.objects.filter(lesson=lesson).first()
    if work is not None:
        return work
    work = Work.objects.create(
        lesson=lesson, work_type=_default_work_type(lesson), position=0, created_by=actor
    )
    audit.record(
        action="work.created",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        after=_work_view(work),
        reason=reason,
    )
    return work


def _window_refusal(kind: str, lesson: Lesson, work: Work | None) -> rules.Refusal | None:
    settings, now = _settings(lesson), _now(lesson)
    if kind == CorrectionKind.MARK:
        return rules.mark_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            work_type=work.work_type if work else _default_work_type(lesson),
            settings=settings,
            now=now,
            closed=_closed(lesson),
        )
    if kind == CorrectionKind.ATTENDANCE:
        return rules.attendance_refusal(
            lesson=lesson, settings=settings, now=now, closed=_closed(lesson)
        )
    if kind == CorrectionKind.TOPIC:
        return rules.topic_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            settings=settings,
            now=now,
            closed=_closed(lesson),
        )
    return rules.homework_refusal(lesson=lesson, settings=settings, now=now, closed=_closed(lesson))


@transaction.atomic
def correction_request_create(
    *,
    actor,
    staff,
    lesson: Lesson,
    kind: str,
    new_value: dict[str, Any],
    reason: str,
    work: Work | None = None,
    student: Student | None = None,
) -> CorrectionRequest:
    """The teacher asks to change a record whose window has closed."""
    _ensure_writer(staff, lesson)
    if kind not in CorrectionKind.values:
        raise ValidationError("Неизвестный вид исправления.")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Укажите причину исправления (не короче 5 символов).")
    # A lesson without works may still get a late mark: the approval then adds the
    # lesson's default work («Ответ на уроке»).
    if kind == CorrectionKind.MARK and (
        (work is not None and work.lesson_id != lesson.pk) or student is None
    ):
        raise ValidationError("Для исправления отметки укажите работу этого урока и ученика.")
    if kind == CorrectionKind.ATTENDANCE and student is None:
        raise ValidationError("Для исправления посещаемости укажите ученика.")
    if student is not None:
        _ensure_member(lesson, student)
    refusal = _window_refusal(kind, lesson, work)
    if refusal is None:
        raise ValidationError("Срок ещё не истёк: внесите изменение в журнал сами.")
    if not refusal.correctable:
        raise JournalRefusal(refusal)
    normalised = _normalise_new_value(kind, new_value)
    duplicate = CorrectionRequest.objects.filter(
        lesson=lesson, kind=kind, work=work, student=student, status=CorrectionStatus.PENDING
    ).exists()
    if duplicate:
        raise ValidationError("По этой записи уже есть запрос на рассмотрении.")
    request_obj = CorrectionRequest.objects.create(
        school_id=lesson.school_id,
        lesson=lesson,
        kind=kind,
        work=work,
        student=student,
        old_value=_current_value(kind, lesson, work, student),
        new_value=normalised,
        reason=reason,
        requested_by=actor,
    )
    audit.record(
        action="correction.requested",
        actor=actor,
        school=lesson.school_id,
        obj=request_obj,
        before=request_obj.old_value,
        after=normalised,
        reason=reason,
    )
    return request_obj


def correction_request_apply(req: CorrectionRequest, *, actor) -> None:
    """Make the change an approved request asks for, whatever the windows say (called
    by ``corrections.correction_decide`` inside its transaction)."""
    lesson = req.lesson
    reason = correction_reason(req)
    value = req.new_value
    if req.kind == CorrectionKind.MARK:
        assert req.student is not None
        work = req.work or _default_work_for_correction(actor=actor, lesson=lesson, reason=reason)
        _apply_mark(
            actor=actor,
            work=work,
            student=req.student,
            value=value["value"],
            comment=value.get("comment", ""),
            expected_version=ANY_VERSION,
            reason=reason,
        )
    elif req.kind == CorrectionKind.ATTENDANCE:
        assert req.student is not None
        _apply_attendance(
            actor=actor,
            lesson=lesson,
            student=req.student,
            code=value["code"],
            late_minutes=value["late_minutes"],
            expected_version=ANY_VERSION,
            reason=reason,
        )
    elif req.kind == CorrectionKind.TOPIC:
        record = LessonRecord.objects.filter(lesson=lesson).first()
        _apply_record(
            actor=actor,
            lesson=lesson,
            topic=value["topic"],
            comment=record.comment if record else "",
            expected_version=ANY_VERSION,
            reason=reason,
        )
    else:
        hw = Homework.objects.filter(lesson=lesson, is_individual=False).first()
        _apply_homework(
            actor=actor,
            lesson=lesson,
            homework=hw,
            text=value["text"],
            due_date=hw.due_date if hw else None,
            student_ids=(),
            expected_version=ANY_VERSION,
            reason=reason,
        )
