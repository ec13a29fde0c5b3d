"""Announcements to the school, classes or roles."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import User
from ejournal.audit import services as audit
from ejournal.messaging import selectors
from ejournal.messaging.models import (
    Announcement,
    AnnouncementAudience,
)
from ejournal.messaging.services._common import _attach, _clean_body, _notify_users
from ejournal.messaging.services.conversations import _check_settings_editor
from ejournal.school.models import SchoolClass
from ejournal.school.selectors import school_today


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
