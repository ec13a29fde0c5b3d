"""Conversations: a new one, a reply, reading, a teacher's comment to a family, and the
school's messaging settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.accounts.models import Guardian, Student, User
from ejournal.audit import services as audit
from ejournal.messaging import permissions as perms
from ejournal.messaging.models import (
    Conversation,
    Message,
    MessagingSettings,
    Participant,
)
from ejournal.messaging.services._common import (
    MAX_RECIPIENTS,
    _after_sent,
    _attach,
    _clean_body,
    _notify_recipients,
)
from ejournal.school.selectors import school_today


@transaction.atomic
def conversation_start(
    *,
    actor: User,
    school,
    recipient_ids,
    subject: str,
    body: str,
    uploads=(),
    student: Student | None = None,
    mark=None,
    lesson=None,
    check_rules: bool = True,
) -> Conversation:
    """A new conversation from ``actor`` to the given users of ``school``."""
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError("Укажите тему сообщения.")
    if len(subject) > 200:
        raise ValidationError("Тема слишком длинная (не больше 200 знаков).")
    ids = {int(i) for i in recipient_ids} - {actor.pk}
    if not ids:
        raise ValidationError("Выберите хотя бы одного получателя.")
    if len(ids) > MAX_RECIPIENTS:
        raise ValidationError("Слишком много получателей.")
    in_school = perms.school_user_ids(school)
    if actor.pk not in in_school:
        raise ValidationError("Вы не можете писать сообщения в этой школе.")
    if not ids <= in_school:
        raise ValidationError("Среди получателей есть пользователи не из вашей школы.")
    if check_rules:
        allowed = perms.allowed_recipient_ids(user=actor, school=school, day=school_today(school))
        if allowed is not None and not ids <= allowed:
            raise ValidationError(
                "Вы можете писать только учителям своих детей (своим учителям), "
                "классному руководителю и администрации школы."
            )
    clean = _clean_body(body)
    now = timezone.now()
    conversation = Conversation.objects.create(
        school=school, subject=subject, created_by=actor, last_message_at=now
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=actor, last_read_at=now)]
        + [Participant(conversation=conversation, user_id=i) for i in sorted(ids)]
    )
    message = Message.objects.create(
        conversation=conversation,
        sender=actor,
        body=clean,
        student=student,
        mark=mark,
        lesson=lesson,
    )
    files = _attach(school=school, uploads=uploads, message=message)
    audit.record(
        action="message.sent",
        actor=actor,
        school=school,
        obj=message,
        after={
            "conversation": conversation.pk,
            "subject": subject,
            "recipients": sorted(ids),
            "attachments": [a.original_name for a in files],
            "mark": getattr(mark, "pk", None),
            "lesson": getattr(lesson, "pk", None),
        },
    )
    _notify_recipients(
        conversation=conversation,
        message=message,
        users=User.objects.filter(pk__in=ids),
        sender=actor,
    )
    _after_sent(school_id=getattr(school, "pk", school), sender_id=actor.pk, recipients=len(ids))
    return conversation


@transaction.atomic
def message_reply(*, actor: User, conversation: Conversation, body: str, uploads=()) -> Message:
    link = conversation.participants.filter(user=actor).first()
    if link is None:
        raise ValidationError("Вы не участвуете в этой переписке.")
    if actor.pk not in perms.school_user_ids(conversation.school):
        raise ValidationError("Вы больше не можете писать сообщения в этой школе.")
    clean = _clean_body(body)
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=actor, body=clean)
    files = _attach(school=conversation.school, uploads=uploads, message=message)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(pk=link.pk).update(last_read_at=now)
    audit.record(
        action="message.replied",
        actor=actor,
        school=conversation.school,
        obj=message,
        after={"conversation": conversation.pk, "attachments": [a.original_name for a in files]},
    )
    others = User.objects.filter(conversation_links__conversation=conversation).exclude(pk=actor.pk)
    _notify_recipients(conversation=conversation, message=message, users=others, sender=actor)
    return message


def conversation_mark_read(*, user: User, conversation: Conversation) -> None:
    """Reading is not audited as a change: it only moves the reader's own receipt."""
    Participant.objects.filter(conversation=conversation, user=user).update(
        last_read_at=timezone.now()
    )


@transaction.atomic
def teacher_comment_send(
    *, actor: User, school, student: Student, text: str, mark=None, lesson=None
) -> Conversation:
    """A teacher's comment about a mark or a lesson of ``student``, sent to the parents."""
    if (mark is None) == (lesson is None):
        raise ValidationError("Комментарий относится к одной отметке или к одному уроку.")
    if student.school_id != school.pk:
        raise ValidationError("Ученик не из вашей школы.")
    if mark is not None:
        if mark.student_id != student.pk:
            raise ValidationError("Отметка принадлежит другому ученику.")
        lesson_of = mark.work.lesson
    else:
        lesson_of = lesson
    if lesson_of.school_id != school.pk:
        raise ValidationError("Урок не из вашей школы.")
    roles = perms.roles_of(actor, school)
    teacher_ids = perms.teacher_user_ids_of_students(student_ids=[student.pk], day=lesson_of.date)
    if not (roles & perms.ADMINISTRATION) and actor.pk not in teacher_ids:
        raise ValidationError("Комментировать может учитель этого ученика.")
    parent_ids = set(
        Guardian.objects.filter(students=student, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    if not parent_ids:
        raise ValidationError("У ученика нет родителей с доступом к дневнику.")
    what = f"отметке {mark.value}" if mark is not None else "уроку"
    subject = f"Комментарий к {what}: {lesson_of.subject}, {lesson_of.date:%d.%m.%Y}"
    return conversation_start(
        actor=actor,
        school=school,
        recipient_ids=parent_ids,
        subject=subject[:200],
        body=text,
        student=student,
        mark=mark,
        lesson=lesson_of,
        check_rules=False,
    )


def _check_settings_editor(actor, school) -> None:
    if not (perms.roles_of(actor, school) & perms.ADMINISTRATION):
        raise ValidationError("Изменять это может только администрация школы.")


@transaction.atomic
def messaging_settings_save(
    *,
    actor: User,
    school,
    parents_to_teachers: bool,
    parents_to_administration: bool,
    students_to_teachers: bool,
) -> MessagingSettings:
    _check_settings_editor(actor, school)
    conf = MessagingSettings.objects.filter(school=school).first() or MessagingSettings(
        school=school
    )
    before = {
        "parents_to_teachers": conf.parents_to_teachers,
        "parents_to_administration": conf.parents_to_administration,
        "students_to_teachers": conf.students_to_teachers,
    }
    conf.parents_to_teachers = parents_to_teachers
    conf.parents_to_administration = parents_to_administration
    conf.students_to_teachers = students_to_teachers
    if before == {
        "parents_to_teachers": parents_to_teachers,
        "parents_to_administration": parents_to_administration,
        "students_to_teachers": students_to_teachers,
    }:
        return conf  # posted back unchanged: nothing to write
    conf.save()
    audit.record(
        action="messaging_settings.changed",
        actor=actor,
        school=school,
        obj=conf,
        before=before,
        after={
            "parents_to_teachers": parents_to_teachers,
            "parents_to_administration": parents_to_administration,
            "students_to_teachers": students_to_teachers,
        },
    )
    return conf
