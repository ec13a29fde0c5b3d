"""Works (what a mark is for) and the school's work types."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.audit import services as audit
from ejournal.journal import rules
from ejournal.journal.models import (
    Work,
    WorkCategory,
    WorkType,
)
from ejournal.journal.services._common import (
    JournalRefusal,
    SaveBatch,
    _closed,
    _ensure_writer,
    _now,
    _settings,
    lesson_grade,
)
from ejournal.schedule.models import Lesson, LessonStatus

DEFAULT_WORK_TYPES = [
    # name, short, category, weight
    ("Ответ на уроке", "Отв", WorkCategory.ORAL, "1"),
    ("Контрольная работа", "КР", WorkCategory.CONTROL, "2"),
    ("Самостоятельная работа", "СР", WorkCategory.WRITTEN, "1.5"),
    ("Проверочная работа", "ПР", WorkCategory.CONTROL, "1.5"),
    ("Лабораторная работа", "ЛР", WorkCategory.PRACTICAL, "1.5"),
    ("Практическая работа", "Пр", WorkCategory.PRACTICAL, "1.5"),
    ("Диктант", "Дикт", WorkCategory.CONTROL, "1.5"),
    ("Сочинение", "Соч", WorkCategory.ESSAY, "1.5"),
    ("Изложение", "Изл", WorkCategory.ESSAY, "1.5"),
    ("Тест", "Тест", WorkCategory.WRITTEN, "1"),
    ("Домашняя работа", "ДЗ", WorkCategory.HOMEWORK, "1"),
    ("Зачёт", "Зач", WorkCategory.CONTROL, "2"),
    ("Проект", "Проект", WorkCategory.WRITTEN, "1.5"),
]


DEFAULT_WORK_TYPE_NAME = "Ответ на уроке"


def work_types_ensure_defaults(*, school) -> list[WorkType]:
    """The standard work types, created once per school (the school may edit them)."""
    existing = set(WorkType.objects.filter(school=school).values_list("name", flat=True))
    missing = [
        WorkType(
            school=school,
            name=name,
            short_name=short,
            category=category,
            weight=weight,
            order=index,
        )
        for index, (name, short, category, weight) in enumerate(DEFAULT_WORK_TYPES)
        if name not in existing
    ]
    WorkType.objects.bulk_create(missing)
    return list(WorkType.objects.filter(school=school))


@transaction.atomic
def work_type_save(
    *,
    actor,
    school,
    work_type: WorkType | None,
    name: str,
    short_name: str,
    category: str,
    weight,
    mark_window_days: int | None,
    is_active: bool = True,
) -> WorkType:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название вида работы.")
    if category not in WorkCategory.values:
        raise ValidationError("Неизвестная категория вида работы.")
    try:
        weight_value = float(weight)
    except (TypeError, ValueError):
        raise ValidationError("Вес должен быть числом, например 1 или 1.5.") from None
    if not 0 < weight_value <= 10:
        raise ValidationError("Вес должен быть больше 0 и не больше 10.")
    if mark_window_days is not None and not 0 <= mark_window_days <= 30:
        raise ValidationError("Срок выставления отметок — от 0 до 30 дней.")
    clash = WorkType.objects.filter(school=school, name=name)
    if work_type is not None:
        clash = clash.exclude(pk=work_type.pk)
    if clash.exists():
        raise ValidationError(f"Вид работы «{name}» уже есть.")
    before = None
    if work_type is None:
        work_type = WorkType(school=school)
    else:
        before = _work_type_view(work_type)
    work_type.name = name
    work_type.short_name = (short_name or name[:12]).strip()[:12]
    work_type.category = category
    work_type.weight = weight
    work_type.mark_window_days = mark_window_days
    work_type.is_active = is_active
    if before is not None and _work_type_view(work_type) == before:
        return work_type  # posted back unchanged: nothing to write
    work_type.save()
    audit.record(
        action="work_type.updated" if before else "work_type.created",
        actor=actor,
        school=school,
        obj=work_type,
        before=before,
        after=_work_type_view(work_type),
    )
    return work_type


def _work_type_view(wt: WorkType) -> dict[str, Any]:
    return {
        "name": wt.name,
        "short_name": wt.short_name,
        "category": wt.category,
        "weight": str(wt.weight),
        "mark_window_days": wt.mark_window_days,
        "is_active": wt.is_active,
    }


def _work_view(work: Work) -> dict[str, Any]:
    return {
        "lesson": work.lesson_id,
        "work_type": work.work_type_id,
        "title": work.title,
    }


@transaction.atomic
def work_create(
    *,
    actor,
    staff,
    lesson: Lesson,
    work_type: WorkType,
    title: str = "",
    batch: SaveBatch | None = None,
) -> Work:
    _ensure_writer(staff, lesson, batch)
    if work_type.school_id != lesson.school_id or not work_type.is_active:
        raise ValidationError("Выберите вид работы из списка школы.")
    grade = lesson_grade(lesson)
    no_marks = rules.no_marks_reason(grade=grade, subject=lesson.subject)
    if no_marks:
        raise JournalRefusal(rules.Refusal(no_marks))
    # A work may be planned for a future lesson (a control work announced ahead), but
    # not added once the marking window of its type has closed.
    if lesson.date <= _now(lesson).date():
        refusal = rules.mark_refusal(
            lesson=lesson,
            grade=grade,
            work_type=work_type,
            settings=_settings(lesson, batch),
            now=_now(lesson),
            closed=_closed(lesson, batch),
        )
        if refusal:
            raise JournalRefusal(refusal)
    elif lesson.status == LessonStatus.CANCELLED:
        raise JournalRefusal(rules.Refusal("Урок отменён: записи в журнал по нему не вносятся."))
    title = (title or "").strip()
    if len(title) > 300:
        raise ValidationError("Описание работы — не длиннее 300 символов.")
    position = Work.objects.filter(lesson=lesson).count()
    work = Work.objects.create(
        lesson=lesson, work_type=work_type, title=title, position=position, created_by=actor
    )
    audit.record(
        action="work.created",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        after=_work_view(work),
        batch=batch.audit if batch else None,
    )
    return work


def lesson_default_work(*, actor, staff, lesson: Lesson, batch: SaveBatch | None = None) -> Work:
    """The lesson's first work, created as «Ответ на уроке» when the first mark is typed.

    The lesson row is locked first so that two teachers typing the first mark at the
    same moment get one work, not two."""
    with transaction.atomic():
        Lesson.objects.select_for_update().filter(pk=lesson.pk).first()
        work = Work.objects.filter(lesson=lesson).select_related("work_type").first()
        if work is not None:
            return work
        work_types_ensure_defaults(school=lesson.school)
        work_type = WorkType.objects.get(school_id=lesson.school_id, name=DEFAULT_WORK_TYPE_NAME)
        return work_create(
            actor=actor, staff=staff, lesson=lesson, work_type=work_type, batch=batch
        )


@transaction.atomic
def work_update(*, actor, staff, work: Work, work_type: WorkType, title: str) -> Work:
    lesson = work.lesson
    _ensure_writer(staff, lesson)
    if work_type.school_id != lesson.school_id or not work_type.is_active:
        raise ValidationError("Выберите вид работы из списка школы.")
    if work.marks.exists() and work_type.pk != work.work_type_id:
        # Changing the type of marked work changes weights and windows after the fact.
        refusal = rules.mark_refusal(
            lesson=lesson,
            grade=lesson_grade(lesson),
            work_type=work.work_type,
            settings=_settings(lesson),
            now=_now(lesson),
            closed=_closed(lesson),
        )
        if refusal:
            raise JournalRefusal(refusal)
    before = _work_view(work)
    work.work_type = work_type
    work.title = (title or "").strip()[:300]
    if _work_view(work) == before:
        return work  # posted back unchanged: nothing to write
    work.save(update_fields=["work_type", "title"])
    audit.record(
        action="work.updated",
        actor=actor,
        school=lesson.school_id,
        obj=work,
        before=before,
        after=_work_view(work),
    )
    return work


@transaction.atomic
def work_delete(*, actor, staff, work: Work) -> None:
    _ensure_writer(staff, work.lesson)
    if work.marks.exists():
        raise ValidationError("У работы есть отметки: сначала удалите их.")
    before = _work_view(work)
    audit.record(
        action="work.deleted",
        actor=actor,
        school=work.lesson.school_id,
        obj=work,
        before=before,
    )
    work.delete()
