"""Demo messaging: conversations between the demo teacher and parent, announcements for the
school, 5А and staff, and events with participants and results. A step of ``seed_demo``:
rows are made directly (like the other demo steps, covered by its single ``demo.seeded``
audit event) and nobody is notified."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from ejournal.messaging.models import (
    Announcement,
    AnnouncementAudience,
    Conversation,
    EventKind,
    EventParticipant,
    Message,
    Participant,
    SchoolEvent,
)
from ejournal.messaging.rich_text import sanitise


def _user(build, login):
    profile = build.demo_profiles.get(login)
    return getattr(profile, "user", None)


def _talk(school, subject, lines, readers_upto):
    """A conversation of (sender, text) lines; everyone has read up to ``readers_upto``."""
    now = timezone.now()
    first = lines[0][0]
    conversation = Conversation.objects.create(
        school=school, subject=subject, created_by=first, last_message_at=now
    )
    people = {u.pk: u for u, _ in lines}
    for number, (sender, text) in enumerate(lines):
        Message.objects.create(conversation=conversation, sender=sender, body=sanitise(text))
        if number == readers_upto:
            read_at = timezone.now()
    Participant.objects.bulk_create(
        Participant(conversation=conversation, user=u, last_read_at=read_at)
        for u in people.values()
    )
    return conversation


def create_messaging_demo(build) -> None:
    school = build.school
    if school is None:
        return
    teacher, parent, director = (_user(build, n) for n in ("teacher", "parent", "director"))
    today = build.today
    facts = {"conversations": 0, "announcements": 0, "events": 0}
    if teacher and parent:
        _talk(
            school,
            "Подготовка к контрольной работе",
            [
                (
                    teacher,
                    "<p>Здравствуйте! На следующей неделе контрольная работа по математике. "
                    "Прошу проследить, чтобы ребёнок повторил <strong>дроби</strong>.</p>",
                ),
                (parent, "Спасибо, обязательно повторим."),
            ],
            readers_upto=1,
        )
        conversation = Conversation.objects.create(
            school=school,
            subject="Пропуск в пятницу",
            created_by=parent,
            last_message_at=timezone.now(),
        )
        Message.objects.create(
            conversation=conversation,
            sender=parent,
            body="Добрый день! В пятницу ребёнок будет у врача, справку принесём.",
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user=parent, last_read_at=timezone.now()),
                Participant(conversation=conversation, user=teacher),  # unread for the teacher
            ]
        )
        facts["conversations"] = 2
    author = director or teacher
    five_a = build.class_named("5А")
    items = [
        (AnnouncementAudience.SCHOOL, "День открытых дверей", None),
        (AnnouncementAudience.STAFF, "Педагогический совет в четверг в 15:00", None),
    ]
    if five_a is not None:
        items.append((AnnouncementAudience.CLASS, "Родительское собрание 5А", five_a))
    Announcement.objects.bulk_create(
        Announcement(
            school=school,
            audience=audience,
            school_class=school_class,
            title=title,
            body=f"<p>{title}. Подробности — у классных руководителей.</p>",
            publish_from=today - dt.timedelta(days=2),
            publish_until=today + dt.timedelta(days=14),
            created_by=author,
        )
        for audience, title, school_class in items
    )
    facts["announcements"] = len(items)
    if five_a is not None:
        tz = zoneinfo.ZoneInfo(school.time_zone)
        students = build.students_by_class.get(five_a.pk, [])[:5]
        olympiad = SchoolEvent.objects.create(
            school=school,
            kind=EventKind.OLYMPIAD,
            title="Школьный этап олимпиады по математике",
            starts_at=dt.datetime.combine(today - dt.timedelta(days=7), dt.time(10), tzinfo=tz),
            place="каб. 21",
            created_by=author,
        )
        EventParticipant.objects.bulk_create(
            EventParticipant(
                event=olympiad,
                student=student,
                place=str(number) if number <= 3 else "",
                diploma={1: "победитель", 2: "призёр", 3: "призёр"}.get(number, ""),
                score=Decimal(40 - number * 3),
            )
            for number, student in enumerate(students, start=1)
        )
        meeting = SchoolEvent.objects.create(
            school=school,
            kind=EventKind.PARENT_MEETING,
            title="Родительское собрание 5А",
            starts_at=dt.datetime.combine(today + dt.timedelta(days=3), dt.time(18), tzinfo=tz),
            place="каб. 12",
            created_by=author,
        )
        meeting.classes.set([five_a])
        facts["events"] = 2
    build.facts["messaging"] = facts
