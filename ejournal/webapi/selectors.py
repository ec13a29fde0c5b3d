"""Reads of the compatibility API: who is calling, and what of the diary they may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ejournal.accounts.models import Guardian, Role, RoleAssignment, Student, User
from ejournal.diary import selectors as diary
from ejournal.journal.models import Homework, Mark
from ejournal.messaging import selectors as messaging
from ejournal.messaging.models import Attachment
from ejournal.school.models import School
from ejournal.school.selectors import school_today
from ejournal.webapi import credentials, services
from ejournal.webapi.models import AppPassword, AppSignIn, WebapiSession

SESSION_COOKIE = "NSSESSIONID"


@dataclass
class Caller:
    session: WebapiSession
    students: list[Student]

    @property
    def user(self) -> User:
        return self.session.user  # type: ignore[return-value]

    @property
    def school(self) -> School:
        return self.session.school  # type: ignore[return-value]

    @property
    def today(self) -> dt.date:
        return school_today(self.school)

    def student(self, raw) -> Student | None:
        """The student named by ``studentId`` (the first one when none is given)."""
        if raw in (None, ""):
            return self.students[0] if self.students else None
        try:
            wanted = int(raw)
        except (TypeError, ValueError):
            return None
        return next((s for s in self.students if s.pk == wanted), None)


def _session_by_token(token: str) -> WebapiSession | None:
    if not token:
        return None
    return (
        WebapiSession.objects.select_related("user", "app_password", "school")
        .filter(token_hash=credentials.token_hash(token))
        .first()
    )


def live_session(*, token: str, cookie: str | None) -> WebapiSession | None:
    """The session of the ``at`` token, else of the session cookie, if it is live.

    The cookie counts on its own because ``netschoolapi`` re-sends a request that got 401,
    after logging in again, with its old token: the cookie is the same and live again.
    """
    now = timezone.now()
    session = _session_by_token(token)
    if services.session_is_live(session, now):
        return session
    session = services.session_by_cookie(cookie)
    return session if services.session_is_live(session, now) else None


def caller_for(session: WebapiSession) -> Caller:
    """The session's students: the family's diaries in the session's school, checked anew
    on every request (a revoked parent role ends access at once). One query."""
    students = [s for s in diary.family_students(session.user) if s.school_id == session.school_id]
    return Caller(session, students)


def token_expired(token: str) -> bool:
    return not services.session_is_live(_session_by_token(token), timezone.now())


def profile_name(*, user: User, school: School) -> tuple[str, str, str]:
    """(last, first, middle) as this school shows the user: a pseudonym replaces the name."""
    person = Student.objects.filter(user=user, school=school).first() or (
        Guardian.objects.filter(user=user, school=school).first()
    )
    if person is None:
        return user.last_name, user.first_name, user.patronymic
    if person.pseudonym:
        return person.pseudonym, "", ""
    return person.last_name, person.first_name, person.patronymic


def family_roles(*, user: User, school: School) -> list[str]:
    roles = RoleAssignment.objects.filter(
        user=user, school=school, active=True, role__in=[Role.PARENT, Role.STUDENT]
    ).values_list("role", flat=True)
    names: dict[str, str] = {Role.PARENT: "Родитель", Role.STUDENT: "Ученик"}
    return sorted(names[r] for r in roles)


def announcements(caller: Caller) -> list:
    """What the diary shows its students: each student's announcements, merged."""
    seen: dict[int, object] = {}
    for student in caller.students:
        for item in messaging.announcements_for(
            user=caller.user, school=caller.school, day=caller.today, student=student
        ):
            seen.setdefault(item.pk, item)
    return sorted(seen.values(), key=lambda a: (a.publish_from, a.created_at), reverse=True)


def authors(items) -> dict[int, User]:
    return User.objects.in_bulk({a.created_by_id for a in items if a.created_by_id})


def deputies(school: School) -> list[str]:
    users = User.objects.filter(
        role_assignments__school=school,
        role_assignments__role=Role.DEPUTY,
        role_assignments__active=True,
    ).order_by("last_name", "first_name")
    return [u.get_full_name() or u.username for u in users]


def homework_attachments(caller: Caller, student: Student, homework_ids: list[int]) -> dict:
    """homework id → its attachments, for the homework the student was given."""
    given = diary.homework_for_student(student, homework_ids)
    return {hw.pk: list(hw.attachments.all()) for hw in given}


def homework_file(caller: Caller, attachment_pk: int):
    for student in caller.students:
        found = diary.attachment_for_student(student, attachment_pk)
        if found is not None:
            return found, student
    return None, None


def announcement_file(caller: Caller, attachment_pk: int):
    att = Attachment.objects.filter(
        pk=attachment_pk, school=caller.school, announcement__isnull=False
    ).first()
    if att is None:
        return None
    visible = {a.pk for a in announcements(caller)}
    return att if att.announcement_id in visible else None


def marked_work(student: Student, work_pk: int) -> Mark | None:
    """A work the diary shows the student: one they have a mark for."""
    return (
        Mark.objects.filter(student=student, work_id=work_pk)
        .select_related("work__work_type", "work__lesson__subject", "work__lesson__group")
        .select_related("work__lesson__planned_teacher", "work__lesson__actual_teacher")
        .first()
    )


def given_homework(student: Student, homework_pk: int) -> Homework | None:
    found = diary.homework_for_student(student, [homework_pk])
    return found[0] if found else None


# --- The owner's view ------------------------------------------------------------------


@dataclass
class AccessState:
    active: AppPassword | None
    sign_ins: list[AppSignIn]
    open_sessions: int


def access_state(*, user: User) -> AccessState:
    active = AppPassword.objects.filter(user=user, revoked_at__isnull=True).first()
    sign_ins = list(
        AppSignIn.objects.filter(app_password__user=user)
        .select_related("school", "app_password")
        .order_by("-created_at", "-id")[:20]
    )
    open_sessions = WebapiSession.objects.filter(
        user=user, ended_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    return AccessState(active, sign_ins, open_sessions)
