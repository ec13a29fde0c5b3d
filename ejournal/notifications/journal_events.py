"""Journal and attestation events turned into notifications: for the student's family,
and for the teacher whose correction request was decided.

Each function runs inside a background task, after the writer's transaction committed;
it reads the current rows, builds a Russian message and calls ``services.notify`` for the
student and every guardian with an active account (or for the requester).
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.urls import reverse

from ejournal.accounts.models import Role, RoleAssignment, Student, StudentGuardian, User
from ejournal.core.russian import by_day
from ejournal.notifications import services
from ejournal.notifications.models import Event


def family_users(student: Student) -> list[User]:
    """The student's own account and their guardians' accounts, active in the school."""
    guardian_ids = set(
        StudentGuardian.objects.filter(
            student=student, guardian__school_id=student.school_id, guardian__user__isnull=False
        ).values_list("guardian__user_id", flat=True)
    )
    active = RoleAssignment.objects.filter(
        school_id=student.school_id, active=True, user__is_active=True
    )
    ids = set(
        active.filter(role=Role.PARENT, user_id__in=guardian_ids).values_list("user_id", flat=True)
    )
    if student.user_id and active.filter(role=Role.STUDENT, user_id=student.user_id).exists():
        ids.add(student.user_id)
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _day(d: dt.date) -> str:
    return f"{d:%d.%m.%Y}"


def _display(snapshot: dict | None) -> str:
    return (snapshot or {}).get("display") or ""


@transaction.atomic
def mark_changed(*, school_id, lesson_id, work_id, student_id, before, after) -> int:
    from ejournal.journal.models import Work

    old, new = _display(before), _display(after)
    if old == new and (before or {}).get("comment") == (after or {}).get("comment"):
        return 0
    work = Work.objects.select_related("lesson__subject", "work_type").filter(pk=work_id).first()
    student = Student.objects.filter(pk=student_id).first()
    if work is None or student is None:
        return 0
    lesson = work.lesson
    if before is None:
        what = f"новая отметка {new}"
    elif after is None:
        what = f"отметка {old} отменена"
    elif old != new:
        what = f"отметка изменена: {old} → {new}"
    else:
        what = f"изменён комментарий к отметке {new}"
    body = (
        f"{student.short_name}, {lesson.subject.name}, урок {_day(lesson.date)} "
        f"({work.work_type.name}): {what}."
    )
    comment = (after or {}).get("comment")
    if comment:
        body += f" Комментарий: {comment}"
    subject = f"Отметка по предмету «{lesson.subject.name}»: {student.given_name}"
    return _tell_family(
        student, Event.MARK, subject, body, f"/diary/{student.pk}/week/?date={lesson.date}"
    )


@transaction.atomic
def attendance_changed(*, school_id, lesson_id, student_id, before, after) -> int:
    from ejournal.schedule.models import Lesson

    if after is None or (before or {}).get("code") == after.get("code"):
        return 0
    lesson = Lesson.objects.select_related("subject").filter(pk=lesson_id).first()
    student = Student.objects.filter(pk=student_id).first()
    if lesson is None or student is None:
        return 0
    what = "опоздание" if after.get("code") == "op" else "пропуск"
    body = (
        f"{student.short_name}, {lesson.subject.name}, {lesson.number}-й урок "
        f"{_day(lesson.date)}: {what} ({_display(after)})."
    )
    subject = f"Посещаемость: {student.given_name}, {_day(lesson.date)}"
    return _tell_family(
        student, Event.ABSENCE, subject, body, f"/diary/{student.pk}/week/?date={lesson.date}"
    )


@transaction.atomic
def homework_changed(*, school_id, lesson_id, homework_id, created) -> int:
    from ejournal.journal.models import Homework
    from ejournal.school import selectors as school_selectors

    homework = (
        Homework.objects.select_related("lesson__subject", "lesson__group")
        .filter(pk=homework_id)
        .first()
    )
    if homework is None:
        return 0
    lesson = homework.lesson
    if homework.is_individual:
        students = list(homework.students.all())
    else:
        students = list(school_selectors.students_of_group_on(group=lesson.group, day=lesson.date))
    due = f" {by_day(homework.due_date)}" if homework.due_date else ""
    text = homework.text if len(homework.text) <= 300 else homework.text[:297] + "…"
    count = 0
    for student in students:
        kind = "индивидуальное задание" if homework.is_individual else "домашнее задание"
        if not created:
            kind += " изменено"
        body = f"{student.short_name}, {lesson.subject.name}: {kind}{due}: {text}"
        subject = f"Домашнее задание по предмету «{lesson.subject.name}»"
        count += _tell_family(
            student, Event.HOMEWORK, subject, body, f"/diary/{student.pk}/homework/"
        )
    return count


@transaction.atomic
def period_mark_changed(*, school_id, period_mark_id, before=None, after=None, **_) -> int:
    from ejournal.attestation.models import PeriodMark

    mark = (
        PeriodMark.objects.select_related("student", "subject", "period")
        .filter(pk=period_mark_id)
        .first()
    )
    old, new = _display(before), _display(after)
    if mark is None or old == new:
        return 0
    title = mark.period.name if mark.period else mark.get_kind_display()
    what = f"{old} → {new}" if old else new
    body = f"{mark.student.short_name}, {mark.subject.name}, отметка ({title}): {what}."
    subject = f"Отметка за период: {mark.subject.name}"
    return _tell_family(
        mark.student, Event.PERIOD_MARK, subject, body, f"/diary/{mark.student_id}/marks/"
    )


@transaction.atomic
def correction_decided(*, correction, correction_id, status, **_) -> int:
    """Tell the teacher who asked how the deputy decided (both kinds of correction)."""
    model = apps.get_model(correction)
    req = model.objects.select_related("requested_by", "school").filter(pk=correction_id).first()
    if req is None or req.status != status:
        return 0
    what = f"{str(model._meta.verbose_name).capitalize()} №{req.pk} («{req.reason}»)"
    verdict = req.get_status_display()
    body = f"{what} {verdict}."
    if req.decision_comment:
        body += f" Комментарий: {req.decision_comment}"
    return len(
        services.notify(
            user=req.requested_by,
            school=req.school,
            event=Event.CORRECTION,
            subject=f"Запрос на исправление №{req.pk} {verdict}",
            body=body,
            url=reverse(model.list_url_name),
        )
    )


# A change of a lesson this far ahead (school days and a weekend) reaches the families
# at once; later ones they see in the diary when they plan that week.
LESSON_CHANGE_HORIZON_DAYS = 3


@transaction.atomic
def lesson_changed(*, school_id, lesson_id, what) -> int:
    """The families of the group's students on the lesson's date hear of a changed lesson
    of today or the next days: «5А, вторник, 17.11, 2 урок, Математика: урок отменён»."""
    from ejournal.schedule.models import Lesson
    from ejournal.school import selectors as school_selectors

    lesson = (
        Lesson.objects.select_related("school", "group", "subject").filter(pk=lesson_id).first()
    )
    if lesson is None:
        return 0
    today = school_selectors.school_today(lesson.school)
    if not today <= lesson.date <= today + dt.timedelta(days=LESSON_CHANGE_HORIZON_DAYS):
        return 0
    when = "сегодня" if lesson.date == today else _weekday_date(lesson.date)
    if lesson.date == today + dt.timedelta(days=1):
        when = "завтра"
    subject = f"Изменение расписания: {lesson.subject.name}"
    count = 0
    for student in school_selectors.students_of_group_on(group=lesson.group, day=lesson.date):
        body = (
            f"{student.short_name}: {when}, {lesson.date:%d.%m}, {lesson.number} урок, "
            f"{lesson.subject.name} — {what}."
        )
        url = f"/diary/{student.pk}/week/?date={lesson.date.isoformat()}"
        count += _tell_family(student, Event.TIMETABLE, subject, body, url)
    return count


WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def _weekday_date(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def _tell_family(student: Student, event: str, subject: str, body: str, url: str) -> int:
    count = 0
    for user in family_users(student):
        count += len(
            services.notify(
                user=user, school=student.school, event=event, subject=subject, body=body, url=url
            )
        )
    return count
