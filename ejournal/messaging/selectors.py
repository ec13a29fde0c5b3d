"""Reads of messaging. Each function runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects

from ejournal.accounts.models import Guardian, Role, StaffMember, Student, User, shown_name_ordering
from ejournal.core import rawsql
from ejournal.journal.models import Mark
from ejournal.messaging import permissions as perms
from ejournal.messaging.models import (
    Announcement,
    AnnouncementAudience,
    Conversation,
    EventParticipant,
    Message,
    Participant,
    SchoolEvent,
)
from ejournal.schedule.models import Lesson
from ejournal.school.http import AuthedRequest
from ejournal.school.models import SchoolClass, Subject, TeachingLoad
from ejournal.school.selectors import active_on, school_today


def _unread_q(user) -> Q:
    return ~Q(sender=user) & (
        Q(conversation__participants__last_read_at__isnull=True)
        | Q(created_at__gt=F("conversation__participants__last_read_at"))
    )


def unread_count(*, user, school) -> int:
    """Messages for ``user`` in ``school`` newer than their last visit to the conversation."""
    return (
        Message.objects.filter(
            _unread_q(user),
            conversation__school=school,
            conversation__participants__user=user,
        )
        .values("id")
        .count()
    )


def inbox(*, user, school, query: str = ""):
    """The user's conversations, newest first, each with ``unread`` and ``people``."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    qs = (
        Conversation.objects.filter(school=school, participants__user=user)
        .annotate(my_read_at=Subquery(mine.values("last_read_at")[:1]))
        .annotate(
            unread=Count(
                "messages",
                filter=~Q(messages__sender=user)
                & (Q(my_read_at__isnull=True) | Q(messages__created_at__gt=F("my_read_at"))),
                distinct=True,
            )
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("user").order_by("user__last_name"),
            )
        )
        .order_by("-last_message_at", "-id")
    )
    query = (query or "").strip()
    if query:
        matching = Message.objects.filter(
            Q(body__icontains=query) | Q(conversation__subject__icontains=query)
        ).values("conversation_id")
        qs = qs.filter(Q(subject__icontains=query) | Q(pk__in=matching))
    return qs


def conversation_for(*, user, school, conversation_id: int) -> Conversation | None:
    """The conversation if ``user`` takes part in it (else None: the view answers 404)."""
    return (
        Conversation.objects.filter(pk=conversation_id, school=school, participants__user=user)
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("user").order_by("user__last_name"),
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.select_related(
                    "sender", "student", "lesson__subject", "mark"
                ).prefetch_related("attachments"),
            ),
        )
        .first()
    )


@dataclass
class Receipt:
    user: User
    read: bool


def receipts(conversation: Conversation, message: Message) -> list[Receipt]:
    """Who has read ``message`` (no queries: participants are prefetched)."""
    return [
        Receipt(p.user, bool(p.last_read_at and p.last_read_at >= message.created_at))
        for p in conversation.participants.all()
        if p.user_id != message.sender_id
    ]


def attachment_for(*, user, school, attachment_id: int):
    """An attachment of a message the user takes part in, or of an announcement they see."""
    from ejournal.messaging.models import Attachment

    att = (
        Attachment.objects.filter(pk=attachment_id, school=school)
        .select_related("message", "announcement")
        .first()
    )
    if att is None:
        return None
    if att.message_id:
        ok = Participant.objects.filter(conversation__messages=att.message_id, user=user).exists()
        return att if ok else None
    if att.announcement_id:
        visible = announcements_for(user=user, school=school, day=school_today(school))
        return att if any(a.pk == att.announcement_id for a in visible) else None
    return None


# --- recipients ------------------------------------------------------------------------


def pickable_recipients(*, user, school, day: dt.date) -> list[User]:
    """Individual recipients the user may pick. Families get only the allowed staff."""
    allowed = perms.allowed_recipient_ids(user=user, school=school, day=day)
    if allowed is None:  # staff: anyone of the school
        ids = perms.school_user_ids(school) - {user.pk}
    else:
        staff = StaffMember.objects.filter(
            school=school, is_active=True, user__isnull=False, user_id__in=allowed
        )
        ids = set(staff.exclude(user=user).values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name"))


GROUP_STAFF = "staff"


def group_choices(*, school, day: dt.date) -> list[tuple[str, str]]:
    """Addressing helpers for staff: all staff, and parents / teachers of each class."""
    choices = [(GROUP_STAFF, "Все сотрудники")]
    classes = SchoolClass.objects.filter(
        school=school, year__start__lte=day, year__end__gte=day
    ).order_by("grade", "letter")
    for c in classes:
        choices.append((f"parents:{c.pk}", f"Все родители {c}"))
        choices.append((f"teachers:{c.pk}", f"Все учителя {c}"))
    return choices


def group_recipient_ids(*, school, key: str, day: dt.date) -> set[int]:
    """Users behind an addressing helper, as of ``day``'s enrollment."""
    if key == GROUP_STAFF:
        return set(
            StaffMember.objects.filter(
                school=school, is_active=True, user__isnull=False
            ).values_list("user_id", flat=True)
        )
    kind, _, raw = key.partition(":")
    if not raw.isdigit():
        return set()
    school_class = SchoolClass.objects.filter(school=school, pk=int(raw)).first()
    if school_class is None:
        return set()
    if kind == "parents":
        return set(
            Guardian.objects.filter(
                active_on(day, "students__enrollments__"),
                school=school,
                user__isnull=False,
                students__enrollments__school_class=school_class,
            ).values_list("user_id", flat=True)
        )
    if kind == "teachers":
        ids = set(
            TeachingLoad.objects.filter(
                group__school_class=school_class,
                teacher__is_active=True,
                teacher__user__isnull=False,
            ).values_list("teacher__user_id", flat=True)
        )
        if school_class.homeroom_teacher and school_class.homeroom_teacher.user_id:
            ids.add(school_class.homeroom_teacher.user_id)
        return ids
    return set()


# --- announcements -----------------------------------------------------------------------


ANNOUNCEMENT_COLUMNS = tuple(f.attname for f in Announcement._meta.concrete_fields)
CLASS_COLUMNS = tuple(f.attname for f in SchoolClass._meta.concrete_fields)
# What a family sees, by hand (ejournal.core.rawsql): school-wide announcements and those
# of the grades and classes their children are in on the day.
FAMILY_ANNOUNCEMENTS_SQL = f"""
SELECT {rawsql.columns("a", ANNOUNCEMENT_COLUMNS)}, {rawsql.columns("c", CLASS_COLUMNS)}
FROM messaging_announcement a LEFT JOIN school_schoolclass c ON c.id = a.school_class_id
WHERE a.school_id = %(school)s AND a.publish_from <= %(day)s
  AND (a.publish_until IS NULL OR a.publish_until >= %(day)s)
  AND (a.audience = %(everyone)s
       OR (a.audience = %(grade)s AND a.grade IN (
           SELECT k.grade FROM school_classenrollment e
           JOIN school_schoolclass k ON k.id = e.school_class_id
           WHERE e.student_id {{students}} AND e.date_from <= %(day)s
             AND (e.date_to IS NULL OR e.date_to >= %(day)s)))
       OR (a.audience = %(class)s AND a.school_class_id IN (
           SELECT e.school_class_id FROM school_classenrollment e
           WHERE e.student_id {{students}} AND e.date_from <= %(day)s
             AND (e.date_to IS NULL OR e.date_to >= %(day)s))))
ORDER BY a.publish_from DESC, a.id DESC
"""  # noqa: S608 - the models' column names only


def announcements_for(*, user, school, day: dt.date, student: Student | None = None):
    """Announcements published on ``day`` that ``user`` (or, in a diary, ``student``) sees.

    Staff see every announcement of the school; families see the school-wide ones and those
    of the grades and classes of their children (or of ``student`` only, when given).
    """
    # A diary (``student`` given) shows what the family sees, whoever reads it.
    roles = perms.roles_of(user, school) if student is None else frozenset()
    if roles & perms.STAFF_ROLES:
        qs = Announcement.objects.filter(school=school, publish_from__lte=day).filter(
            Q(publish_until__isnull=True) | Q(publish_until__gte=day)
        )
        return list(qs.prefetch_related("attachments").select_related("school_class"))
    if student is not None:
        student_ids = [student.pk]
    else:
        student_ids = list(
            Student.objects.filter(school=school)
            .filter(Q(user=user) | Q(guardians__user=user))
            .values_list("id", flat=True)
        )
    students_sql, params = rawsql.named_in_list("student", student_ids)
    sql = FAMILY_ANNOUNCEMENTS_SQL.format(students=students_sql)
    params |= {
        "school": school.pk,
        "day": day,
        "everyone": AnnouncementAudience.SCHOOL,
        "grade": AnnouncementAudience.GRADE,
        "class": AnnouncementAudience.CLASS,
    }
    size = len(ANNOUNCEMENT_COLUMNS)
    items = []
    for row in rawsql.fetch(sql, params):
        item = rawsql.instance(Announcement, ANNOUNCEMENT_COLUMNS, row[:size])
        item._state.fields_cache["school_class"] = (
            rawsql.instance(SchoolClass, CLASS_COLUMNS, row[size:])
            if row[size] is not None
            else None
        )
        items.append(item)
    prefetch_related_objects(items, "attachments")
    return items


def audience_user_ids(*, announcement: Announcement, day: dt.date) -> set[int]:
    """Users an announcement is for, as of ``day``'s enrollment (for notifications)."""
    school = announcement.school
    staff = set(
        StaffMember.objects.filter(school=school, is_active=True, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    if announcement.audience == AnnouncementAudience.STAFF:
        return staff
    if announcement.audience == AnnouncementAudience.SCHOOL:
        return perms.school_user_ids(school)
    enrolled = Q(enrollments__school_class_id=announcement.school_class_id)
    if announcement.audience == AnnouncementAudience.GRADE:
        enrolled = Q(
            enrollments__school_class__grade=announcement.grade,
            enrollments__school_class__school=school,
        )
    student_ids = Student.objects.filter(active_on(day, "enrollments__"), enrolled).values("id")
    return family_user_ids(student_ids=student_ids) | staff


def family_user_ids(*, student_ids) -> set[int]:
    """Users of these students and of their parents."""
    own = set(
        Student.objects.filter(pk__in=student_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    parents = set(
        Guardian.objects.filter(students__in=student_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    return own | parents


def start_page_block(request: AuthedRequest, role: str) -> dict:
    """For the start page (``registry.START_PAGE_BLOCKS``): current announcements."""
    school = request.ctx.school
    if school is None or role == Role.INSPECTOR:
        return {}
    return {
        "announcements": announcements_for(
            user=request.user, school=school, day=school_today(school)
        )
    }


# --- events ------------------------------------------------------------------------------


def _day_bounds(start: dt.date, end: dt.date, school):
    import zoneinfo

    tz = zoneinfo.ZoneInfo(school.time_zone)
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


EVENT_COLUMNS = tuple(f.attname for f in SchoolEvent._meta.concrete_fields)
PARTICIPANT_COLUMNS = tuple(f.attname for f in EventParticipant._meta.concrete_fields)
STUDENT_EVENTS_SQL = f"""
SELECT {rawsql.columns("e", EVENT_COLUMNS)}, {rawsql.columns("p", PARTICIPANT_COLUMNS)}
FROM messaging_schoolevent e
LEFT JOIN messaging_eventparticipant p ON p.event_id = e.id AND p.student_id = %(student)s
WHERE e.school_id = %(school)s AND e.starts_at >= %(lo)s AND e.starts_at < %(hi)s
  AND (p.id IS NOT NULL OR EXISTS (
      SELECT 1 FROM messaging_schoolevent_classes ec
      JOIN school_classenrollment ce ON ce.school_class_id = ec.schoolclass_id
      WHERE ec.schoolevent_id = e.id AND ce.student_id = %(student)s
        AND ce.date_from <= %(end)s AND (ce.date_to IS NULL OR ce.date_to >= %(start)s)))
ORDER BY e.starts_at, e.id
"""  # noqa: S608 - the models' column names only


def events_for_student(*, student: Student, start: dt.date, end: dt.date) -> list[SchoolEvent]:
    """Events in [start, end] the student takes part in: named as a participant, or with a
    class the student is in during the period. Each has ``my_result``: the student's own
    participation row (or None) — never other participants' results. One query."""
    lo, hi = _day_bounds(start, end, student.school)
    params = {
        "student": student.pk,
        "school": student.school_id,
        "lo": rawsql.datetime_param(lo),
        "hi": rawsql.datetime_param(hi),
        "start": start,
        "end": end,
    }
    size = len(EVENT_COLUMNS)
    events: list[Any] = []
    for row in rawsql.fetch(STUDENT_EVENTS_SQL, params):
        event = rawsql.instance(SchoolEvent, EVENT_COLUMNS, row[:size])
        event.my_result = None
        if row[size] is not None:
            event.my_result = rawsql.instance(EventParticipant, PARTICIPANT_COLUMNS, row[size:])
        events.append(event)
    return events


def result_of(*, event: SchoolEvent, student: Student) -> EventParticipant | None:
    """The student's own result in the event; None when the student did not take part."""
    return EventParticipant.objects.filter(event=event, student=student).first()


def _with_results(qs):
    return qs.prefetch_related(
        "classes",
        Prefetch(
            "participants",
            queryset=EventParticipant.objects.select_related("student").order_by(
                *shown_name_ordering("student")
            ),
        ),
    )


def events_in(*, school, start: dt.date, end: dt.date):
    """Events of a period with classes and participants (results) for staff pages."""
    lo, hi = _day_bounds(start, end, school)
    return _with_results(
        SchoolEvent.objects.filter(school=school, starts_at__gte=lo, starts_at__lt=hi)
    ).order_by("starts_at", "id")


def event_with_results(*, school, event_id: int) -> SchoolEvent | None:
    return _with_results(SchoolEvent.objects.filter(school=school, pk=event_id)).first()


def events_for_user(*, user, school, start: dt.date, end: dt.date) -> list[SchoolEvent]:
    """Staff see all events; families see those of their children (own results only)."""
    roles = perms.roles_of(user, school)
    if roles & perms.STAFF_ROLES:
        return list(events_in(school=school, start=start, end=end))
    students = (
        Student.objects.filter(school=school)
        .filter(Q(user=user) | Q(guardians__user=user))
        .distinct()
        .select_related("school")
    )
    seen: dict[int, SchoolEvent] = {}
    for s in students:
        for e in events_for_student(student=s, start=start, end=end):
            e.for_student = s  # type: ignore[attr-defined]
            seen.setdefault(e.pk, e)
    return sorted(seen.values(), key=lambda e: (e.starts_at, e.pk))


TEACHER_COMMENTS_SQL = """
SELECT m.id, m.conversation_id, m.sender_id, m.body, m.created_at, m.student_id, m.mark_id,
       m.lesson_id, l.date, l.subject_id, sub.name, mk.value,
       u.username, u.first_name, u.last_name, u.patronymic
FROM messaging_message m
JOIN schedule_lesson l ON l.id = m.lesson_id
JOIN school_subject sub ON sub.id = l.subject_id
LEFT JOIN journal_mark mk ON mk.id = m.mark_id
LEFT JOIN accounts_user u ON u.id = m.sender_id
WHERE m.student_id = %s AND l.date BETWEEN %s AND %s
ORDER BY l.date, m.created_at, m.id
"""
MESSAGE_COLUMNS = (
    "id", "conversation_id", "sender_id", "body", "created_at", "student_id", "mark_id",
    "lesson_id",
)  # fmt: skip


def teacher_comments_for(*, student: Student, start: dt.date, end: dt.date) -> list[Message]:
    """Teacher comments to parents about the student's marks and lessons in [start, end]
    (by lesson date), for the diary: each with its lesson (date, subject), mark (value)
    and sender. One query."""
    comments = []
    for row in rawsql.fetch(TEACHER_COMMENTS_SQL, [student.pk, start, end]):
        message = rawsql.instance(Message, MESSAGE_COLUMNS, row[:8])
        day, subject_id, subject_name, mark_value = row[8:12]
        lesson = rawsql.instance(
            Lesson, ("id", "date", "subject_id"), (message.lesson_id, day, subject_id)
        )
        lesson._state.fields_cache["subject"] = rawsql.instance(
            Subject, ("id", "name"), (subject_id, subject_name)
        )
        cache = message._state.fields_cache
        cache["lesson"] = lesson
        cache["mark"] = (
            rawsql.instance(Mark, ("id", "value"), (message.mark_id, mark_value))
            if message.mark_id is not None
            else None
        )
        cache["sender"] = (
            rawsql.instance(
                User, ("id", "username", "first_name", "last_name", "patronymic"),
                (message.sender_id, *row[12:]),
            )
            if message.sender_id is not None
            else None
        )  # fmt: skip
        comments.append(message)
    return comments
