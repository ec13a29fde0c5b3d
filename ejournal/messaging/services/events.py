"""The events calendar: school events and their results (place, diploma, points)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import Student, User
from ejournal.audit import services as audit
from ejournal.messaging import permissions as perms
from ejournal.messaging import selectors
from ejournal.messaging.models import (
    EventKind,
    EventParticipant,
    SchoolEvent,
)
from ejournal.messaging.rich_text import sanitise
from ejournal.messaging.services._common import _notify_users
from ejournal.school.selectors import active_on, school_today


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
