"""The lesson's record (topic, comment) and its homework."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal.models import (
    Homework,
    HomeworkAttachment,
    LessonRecord,
    Work,
    WorkCategory,
)
from ejournal.journal.services._common import (
    JournalRefusal,
    _check_version,
    _closed,
    _ensure_writer,
    _now,
    _settings,
    _tell,
    lesson_grade,
)
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school import selectors as school_selectors


def lesson_record_save(
    *, actor, staff, lesson: Lesson, topic: str, comment: str = "", expected_version: int | None
) -> LessonRecord:
    _ensure_writer(staff, lesson)
    refusal = rules.topic_refusal(
        lesson=lesson,
        grade=lesson_grade(lesson),
        settings=_settings(lesson),
        now=_now(lesson),
        closed=_closed(lesson),
    )
    if refusal:
        raise JournalRefusal(refusal)
    return _apply_record(
        actor=actor, lesson=lesson, topic=topic, comment=comment, expected_version=expected_version
    )


@transaction.atomic
def _apply_record(
    *,
    actor,
    lesson: Lesson,
    topic: str,
    comment: str,
    expected_version: int | None,
    reason: str = "",
) -> LessonRecord:
    topic = (topic or "").strip()
    comment = (comment or "").strip()
    if len(topic) > 500:
        raise ValidationError("Тема урока — не длиннее 500 символов.")
    record = LessonRecord.objects.select_for_update().filter(lesson=lesson).first()
    before = (
        None
        if record is None
        else {"topic": record.topic, "comment": record.comment, "version": record.version}
    )
    current = None if before is None else {**before, "display": record.topic or "(без темы)"}  # type: ignore[union-attr]
    _check_version(record.version if record else None, expected_version, current)
    needs_topic = Work.objects.filter(
        lesson=lesson, work_type__category__in=_TOPIC_REQUIRED
    ).exists()
    if needs_topic and not topic:
        raise ValidationError(
            "Тема обязательна для урока с контрольной, практической или лабораторной работой."
        )
    if record is None:
        record = LessonRecord.objects.create(
            lesson=lesson, topic=topic, comment=comment, updated_by=actor
        )
    else:
        if record.topic == topic and record.comment == comment:
            return record
        record.topic = topic
        record.comment = comment
        record.version += 1
        record.updated_by = actor
        record.save()
    if topic and lesson.status == LessonStatus.PLANNED and lesson.date <= _now(lesson).date():
        Lesson.objects.filter(pk=lesson.pk).update(status=LessonStatus.HELD)
        lesson.status = LessonStatus.HELD
    audit.record(
        action="lesson_record.updated" if before else "lesson_record.created",
        actor=actor,
        school=lesson.school_id,
        object_type="schedule.lesson",
        object_id=lesson.pk,
        before=before,
        after={"topic": record.topic, "comment": record.comment, "version": record.version},
        reason=reason,
    )
    return record


_TOPIC_REQUIRED = (WorkCategory.CONTROL, WorkCategory.PRACTICAL)


def next_lesson_date(lesson: Lesson) -> dt.date | None:
    nxt = (
        Lesson.objects.filter(
            group_id=lesson.group_id, subject_id=lesson.subject_id, date__gt=lesson.date
        )
        .exclude(status=LessonStatus.CANCELLED)
        .order_by("date", "number")
        .values_list("date", flat=True)
        .first()
    )
    return nxt


def _homework_view(hw: Homework, student_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "lesson": hw.lesson_id,
        "text": hw.text,
        "due_date": hw.due_date.isoformat() if hw.due_date else None,
        "students": sorted(student_ids),
        "version": hw.version,
    }


def homework_save(
    *,
    actor,
    staff,
    lesson: Lesson,
    homework: Homework | None,
    text: str,
    due_date: dt.date | None = None,
    student_ids: Iterable[int] = (),
    expected_version: int | None = None,
) -> Homework:
    """Create or change homework: for the whole group, or for named students."""
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    return _apply_homework(
        actor=actor,
        lesson=lesson,
        homework=homework,
        text=text,
        due_date=due_date,
        student_ids=student_ids,
        expected_version=expected_version,
    )


@transaction.atomic
def _apply_homework(
    *,
    actor,
    lesson: Lesson,
    homework: Homework | None,
    text: str,
    due_date: dt.date | None,
    student_ids: Iterable[int],
    expected_version: int | None,
    reason: str = "",
) -> Homework:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Напишите текст домашнего задания.")
    if len(text) > 5000:
        raise ValidationError("Домашнее задание — не длиннее 5000 символов.")
    if homework is not None and homework.lesson_id != lesson.pk:
        raise ValidationError("Задание относится к другому уроку.")
    due_date = due_date or next_lesson_date(lesson)
    if due_date is not None and due_date < lesson.date:
        raise ValidationError("Срок выполнения не может быть раньше даты урока.")
    wanted = set(student_ids)
    if wanted:
        members = set(
            school_selectors.students_of_group_on(group=lesson.group, day=lesson.date).values_list(
                "id", flat=True
            )
        )
        strangers = wanted - members
        if strangers:
            raise ValidationError("Индивидуальное задание можно дать только ученикам этой группы.")
    before = None
    if homework is not None:
        homework = Homework.objects.select_for_update().get(pk=homework.pk)
        old_students = set(homework.students.values_list("id", flat=True))
        before = _homework_view(homework, old_students)
        _check_version(
            homework.version, expected_version, {**before, "display": homework.text[:40]}
        )
        if (text, due_date, wanted) == (homework.text, homework.due_date, old_students):
            return homework  # posted back unchanged: no new version, no event
        homework.text = text
        homework.due_date = due_date
        homework.is_individual = bool(wanted)
        homework.version += 1
        homework.save()
    else:
        homework = Homework.objects.create(
            lesson=lesson,
            text=text,
            due_date=due_date,
            is_individual=bool(wanted),
            created_by=actor,
        )
    homework.students.set(wanted)
    audit.record(
        action="homework.updated" if before else "homework.created",
        actor=actor,
        school=lesson.school_id,
        obj=homework,
        before=before,
        after=_homework_view(homework, wanted),
        reason=reason,
    )
    change = registry.HomeworkChange(
        school_id=lesson.school_id,
        lesson_id=lesson.pk,
        homework_id=homework.pk,
        created=before is None,
    )
    _tell(registry.HOMEWORK_CHANGED, change, None)
    return homework


@transaction.atomic
def homework_delete(*, actor, staff, homework: Homework) -> None:
    lesson = homework.lesson
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    before = _homework_view(homework, homework.students.values_list("id", flat=True))
    audit.record(
        action="homework.deleted", actor=actor, school=lesson.school_id, obj=homework, before=before
    )
    for attachment in homework.attachments.all():
        attachment.file.delete(save=False)
    homework.delete()


@transaction.atomic
def homework_attach(*, actor, staff, homework: Homework, upload) -> HomeworkAttachment:
    from ejournal.core.uploads import validate_upload

    lesson = homework.lesson
    _ensure_writer(staff, lesson)
    refusal = rules.homework_refusal(
        lesson=lesson, settings=_settings(lesson), now=_now(lesson), closed=_closed(lesson)
    )
    if refusal:
        raise JournalRefusal(refusal)
    checked = validate_upload(upload)
    if homework.attachments.count() >= 10:
        raise ValidationError("К заданию можно приложить не больше 10 файлов.")
    attachment = HomeworkAttachment(
        homework=homework,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )
    attachment.file.save(checked.storage_name, upload, save=False)
    attachment.save()
    audit.record(
        action="homework.attachment_added",
        actor=actor,
        school=lesson.school_id,
        obj=attachment,
        after={"homework": homework.pk, "name": checked.name, "size": checked.size},
    )
    return attachment
