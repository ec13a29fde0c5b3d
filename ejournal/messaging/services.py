"""Writes of messaging: conversations, messages, teacher comments, announcements, events.

Each validates with a Russian message, runs in one transaction, is audited and notifies the
recipients through ``notifications.services.notify`` (sent only if the transaction commits).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.accounts.models import Guardian, Student, User
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.core.uploads import validate_upload
from ejournal.messaging import permissions as perms
from ejournal.messaging import selectors
from ejournal.messaging.models import (
    Announcement,
    AnnouncementAudience,
    Attachment,
    Conversation,
    EventKind,
    EventParticipant,
    Message,
    MessagingSettings,
    Participant,
    SchoolEvent,
)
from ejournal.messaging.rich_text import sanitise
from ejournal.notifications.models import Event as NotifyEvent
from ejournal.notifications.services import notify
from ejournal.school.models import SchoolClass
from ejournal.school.selectors import active_on, school_today

MAX_ATTACHMENTS = 5
MAX_RECIPIENTS = 2000


def _attach(*, school, uploads, message=None, announcement=None) -> list[Attachment]:
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(f"Можно приложить не больше {MAX_ATTACHMENTS} файлов.")
    checked = [(u, validate_upload(u)) for u in uploads]
    made = []
    for upload, c in checked:
        attachment = Attachment(
            school=school,
            message=message,
            announcement=announcement,
            original_name=c.name,
            content_type=c.content_type,
            size=c.size,
        )
        attachment.file.save(c.storage_name, upload, save=False)
        attachment.save()
        made.append(attachment)
    return made


def _clean_body(body: str) -> str:
    clean = sanitise(body)
    if not clean:
        raise ValidationError("Напишите текст сообщения.")
    if len(clean) > 20000:
        raise ValidationError("Сообщение слишком длинное (не больше 20 000 знаков).")
    return clean


def _notify_recipients(*, conversation, message, users, sender) -> None:
    url = f"/messages/{conversation.pk}/"
    for user in users:
        notify(
            user=user,
            school=conversation.school,
            event=NotifyEvent.MESSAGE,
            subject=f"Новое сообщение: {conversation.subject}",
            body=f"{sender}: {conversation.subject}",
            url=url,
        )


def _notify_users(*, school, user_ids, subject: str, url: str) -> None:
    """Through each user's notification preferences (sent only if the transaction commits).
    Announcements and events use the «сообщение» kind of notification."""
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        notify(
            user=user,
            school=school,
            event=NotifyEvent.MESSAGE,
            subject=subject,
            body=subject,
            url=url,
        )


def _after_sent(*, school_id: int, sender_id: int, recipients: int) -> None:
    """Tamper detection (an app above this one: ``registry.MESSAGE_SENT``) watches new
    conversations, after commit."""
    sent_at = timezone.now()
    for listener in registry.MESSAGE_SENT.providers():
        transaction.on_commit(
            functools.partial(
                listener,
                school_id=school_id,
                sender_id=sender_id,
                recipients=recipients,
                sent_at=sent_at,
            )
        )


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


@transaction.atomic
def announcement_create(
    *,
    actor: User,
    school,
    audience: str,
    title: str,
    body: str,
    publish_from: dt.date,
    publish_until: dt.date | None = None,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    uploads=(),
) -> Announcement:
    _check_settings_editor(actor, school)
    if audience not in AnnouncementAudience.values:
        raise ValidationError("Выберите, для кого объявление.")
    title = (title or "").strip()
    if not title:
        raise ValidationError("Укажите заголовок объявления.")
    if publish_until and publish_until < publish_from:
        raise ValidationError("Дата окончания показа раньше даты публикации.")
    if audience == AnnouncementAudience.GRADE:
        if grade is None or not 1 <= grade <= 11:
            raise ValidationError("Укажите параллель от 1 до 11.")
    else:
        grade = None
    if audience == AnnouncementAudience.CLASS:
        if school_class is None or school_class.school_id != school.pk:
            raise ValidationError("Выберите класс вашей школы.")
    else:
        school_class = None
    announcement = Announcement.objects.create(
        school=school,
        audience=audience,
        grade=grade,
        school_class=school_class,
        title=title[:200],
        body=_clean_body(body),
        publish_from=publish_from,
        publish_until=publish_until,
        created_by=actor,
    )
    files = _attach(school=school, uploads=uploads, announcement=announcement)
    if publish_from <= school_today(school):
        _notify_users(
            school=school,
            user_ids=selectors.audience_user_ids(
                announcement=announcement, day=school_today(school)
            )
            - {actor.pk},
            subject=f"Объявление: {announcement.title}",
            url="/messages/announcements/",
        )
    audit.record(
        action="announcement.created",
        actor=actor,
        school=school,
        obj=announcement,
        after={
            "title": announcement.title,
            "audience": audience,
            "grade": grade,
            "class": getattr(school_class, "pk", None),
            "publish_from": str(publish_from),
            "publish_until": str(publish_until) if publish_until else None,
            "attachments": [a.original_name for a in files],
        },
    )
    return announcement


@transaction.atomic
def announcement_delete(*, actor: User, announcement: Announcement) -> None:
    _check_settings_editor(actor, announcement.school)
    audit.record(
        action="announcement.deleted",
        actor=actor,
        school=announcement.school,
        obj=announcement,
        before={"title": announcement.title, "audience": announcement.audience},
    )
    announcement.delete()


def _check_event_editor(actor, school) -> None:
    if not (perms.roles_of(actor, school) & perms.EVENT_EDITORS):
        raise ValidationError("Заводить события могут учителя и администрация школы.")


@transaction.atomic
def event_create(
    *,
    actor: User,
    school,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    place: str = "",
    description: str = "",
    classes=(),
    students=(),
) -> SchoolEvent:
    _check_event_editor(actor, school)
    if kind not in EventKind.values:
        raise ValidationError("Выберите вид события.")
    title = (title or "").strip()
    if not title:
        raise ValidationError("Укажите название события.")
    if ends_at and ends_at < starts_at:
        raise ValidationError("Окончание события раньше его начала.")
    classes = list(classes)
    students = list(students)
    if any(c.school_id != school.pk for c in classes) or any(
        s.school_id != school.pk for s in students
    ):
        raise ValidationError("Участники события должны быть из вашей школы.")
    event = SchoolEvent.objects.create(
        school=school,
        kind=kind,
        title=title[:200],
        description=sanitise(description),
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip()[:200],
        created_by=actor,
    )
    event.classes.set(classes)
    EventParticipant.objects.bulk_create(
        [EventParticipant(event=event, student=s) for s in {s.pk: s for s in students}.values()]
    )
    class_students = Student.objects.filter(
        active_on(school_today(school), "enrollments__"),
        enrollments__school_class__in=classes,
    ).values_list("id", flat=True)
    _notify_users(
        school=school,
        user_ids=selectors.family_user_ids(
            student_ids={s.pk for s in students} | set(class_students)
        ),
        subject=f"Событие {starts_at:%d.%m.%Y}: {event.title}",
        url="/messages/events/",
    )
    audit.record(
        action="event.created",
        actor=actor,
        school=school,
        obj=event,
        after={
            "title": event.title,
            "kind": kind,
            "starts_at": starts_at.isoformat(),
            "classes": [c.pk for c in classes],
            "students": sorted({s.pk for s in students}),
        },
    )
    return event


def _parse_score(score) -> Decimal | None:
    if score in (None, ""):
        return None
    try:
        value = Decimal(str(score).replace(",", "."))
    except InvalidOperation:
        raise ValidationError("Баллы — число, например 87,5.") from None
    if value < 0 or value >= 100000:
        raise ValidationError("Баллы должны быть от 0 до 99 999.")
    return value


@transaction.atomic
def event_result_set(
    *, actor: User, event: SchoolEvent, student: Student, place="", diploma="", score=None
) -> EventParticipant:
    """Record (or change) one participant's result; adds the student as a participant."""
    _check_event_editor(actor, event.school)
    allowed = perms.event_student_ids(
        user=actor, school=event.school, day=school_today(event.school)
    )
    if student.school_id != event.school_id or (allowed is not None and student.pk not in allowed):
        # Not named: the message must not tell who some id belongs to.
        raise ValidationError(
            "Результаты этого ученика вносят его учителя, классный руководитель "
            "и администрация школы."
        )
    value = _parse_score(score)
    row, created = EventParticipant.objects.get_or_create(event=event, student=student)
    before = (
        None if created else {"place": row.place, "diploma": row.diploma, "score": str(row.score)}
    )
    row.place = (place or "").strip()[:50]
    row.diploma = (diploma or "").strip()[:100]
    row.score = value
    row.save()
    audit.record(
        action="event.result_set",
        actor=actor,
        school=event.school,
        obj=row,
        before=before,
        after={
            "event": event.pk,
            "student": student.pk,
            "place": row.place,
            "diploma": row.diploma,
            "score": str(value) if value is not None else None,
        },
    )
    return row
