"""Substitutions: another teacher gives a lesson (one lesson or a teacher's whole day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import StaffMember
from ejournal.audit.services import record
from ejournal.schedule import hooks, selectors
from ejournal.schedule.models import (
    Lesson,
    Substitution,
)
from ejournal.schedule.services._common import (
    _lesson_label,
    _require_reason,
    lesson_clashes,
    tell_lesson_changed,
)
from ejournal.school.models import (
    School,
)


def _check_substitute(
    *, school: School, lesson: Lesson, substitute: StaffMember, busy_ids: Iterable[int] = ()
) -> None:
    if lesson.school_id != school.id:
        raise ValidationError("Урок не найден.")
    if substitute.school_id != school.id or not substitute.is_active:
        raise ValidationError("Заменяющий учитель не найден среди работающих сотрудников.")
    if lesson.status not in selectors.ACTIVE_STATUSES:
        raise ValidationError(f"{_lesson_label(lesson)}: урок {lesson.get_status_display()}.")
    if substitute.id == lesson.planned_teacher_id:
        raise ValidationError(
            f"{_lesson_label(lesson)}: заменяющий совпадает с учителем по расписанию."
        )
    clashes = lesson_clashes(
        school=school,
        day=lesson.date,
        start_time=lesson.start_time,
        end_time=lesson.end_time,
        teacher_id=substitute.id,
        exclude_ids=[lesson.id, *busy_ids],
    )
    if clashes:
        raise ValidationError(clashes)


def substitution_assign(
    *, school: School, lesson: Lesson, substitute: StaffMember, reason: str, actor
) -> Substitution:
    """Замена: the substitute teaches and keeps the journal of this lesson only."""
    reason = _require_reason(reason)
    _check_substitute(school=school, lesson=lesson, substitute=substitute)
    with transaction.atomic():
        return _substitution_save(
            school=school, lesson=lesson, substitute=substitute, reason=reason, actor=actor
        )


def _substitution_save(*, school, lesson, substitute, reason, actor) -> Substitution:
    existing = Substitution.objects.filter(lesson=lesson).first()
    before = {"substitute": existing.substitute_id, "reason": existing.reason} if existing else None
    if existing:
        existing.substitute = substitute
        existing.reason = reason
        existing.created_by = actor
        existing.save(update_fields=["substitute", "reason", "created_by"])
        substitution = existing
    else:
        substitution = Substitution.objects.create(
            school=school,
            lesson=lesson,
            absent_teacher=lesson.planned_teacher,
            substitute=substitute,
            reason=reason,
            created_by=actor,
        )
    lesson.actual_teacher = substitute
    lesson.save(update_fields=["actual_teacher", "updated_at"])
    record(
        action="substitution.assigned",
        actor=actor,
        school=school,
        obj=substitution,
        before=before,
        after={
            "lesson": lesson.pk,
            "absent_teacher": lesson.planned_teacher_id,
            "substitute": substitute.pk,
            "reason": reason,
        },
        reason=reason,
    )
    tell_lesson_changed(lesson, f"замена: ведёт {substitute.short_name}")
    return substitution


def substitutions_assign_day(
    *,
    school: School,
    absent_teacher: StaffMember,
    day: dt.date,
    assignments: dict[int, StaffMember],
    reason: str,
    actor,
) -> list[Substitution]:
    """Substitutes for an absent teacher's lessons of one day, all or nothing.
    ``assignments`` maps lesson id → substitute; lessons not in it keep their teacher."""
    reason = _require_reason(reason)
    if absent_teacher.school_id != school.id:
        raise ValidationError("Учитель не найден.")
    if not assignments:
        raise ValidationError("Выберите заменяющего хотя бы для одного урока.")
    lessons = {
        lesson.id: lesson
        for lesson in selectors.lesson_queryset().filter(
            school=school, date=day, planned_teacher=absent_teacher, id__in=list(assignments)
        )
    }
    if set(lessons) != set(assignments):
        raise ValidationError("Урок не найден среди уроков учителя в этот день.")
    errors: list[str] = []
    for lesson_id, substitute in assignments.items():
        # The other lessons of this same day move away from the absent teacher together.
        try:
            _check_substitute(school=school, lesson=lessons[lesson_id], substitute=substitute)
        except ValidationError as exc:
            errors.extend(exc.messages)
    # One substitute cannot take two of these lessons at the same time.
    by_sub: dict[int, list[Lesson]] = defaultdict(list)
    for lesson_id, substitute in assignments.items():
        by_sub[substitute.id].append(lessons[lesson_id])
    for group in by_sub.values():
        group.sort(key=lambda lesson: lesson.start_time)
        for a, b in zip(group, group[1:], strict=False):
            if b.start_time < a.end_time:
                errors.append(
                    f"Заменяющий назначен на два урока одновременно: {_lesson_label(a)} "
                    f"и {_lesson_label(b)}."
                )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return [
            _substitution_save(
                school=school,
                lesson=lessons[lesson_id],
                substitute=substitute,
                reason=reason,
                actor=actor,
            )
            for lesson_id, substitute in sorted(
                assignments.items(), key=lambda kv: lessons[kv[0]].start_time
            )
        ]


def substitution_cancel(*, school: School, substitution: Substitution, actor) -> None:
    if substitution.school_id != school.id:
        raise ValidationError("Замена не найдена.")
    lesson = substitution.lesson
    if hooks.lesson_ids_with_journal_data([lesson.id]):
        raise ValidationError(
            "Заменяющий учитель уже заполнил журнал урока: замену отменить нельзя."
        )
    with transaction.atomic():
        before = {
            "lesson": lesson.pk,
            "absent_teacher": substitution.absent_teacher_id,
            "substitute": substitution.substitute_id,
            "reason": substitution.reason,
        }
        lesson.actual_teacher = None
        lesson.save(update_fields=["actual_teacher", "updated_at"])
        record(
            action="substitution.cancelled",
            actor=actor,
            school=school,
            obj=substitution,
            before=before,
        )
        tell_lesson_changed(lesson, f"замена отменена: ведёт {lesson.planned_teacher.short_name}")
        substitution.delete()
